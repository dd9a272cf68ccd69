"""LaSOT: 1,400 long videos of 70 classes; protocol II splits test (280) and train (1,120).

Layouts recognised from the root's contents:

* ``native`` (the official download, one zip per class): ``<root>/<class>/<class>-<k>/``
  with ``img/%08d.jpg``, ``groundtruth.txt`` (x,y,w,h), ``full_occlusion.txt`` and
  ``out_of_view.txt`` (one comma-separated 0/1 line each) and ``nlp.txt``; the root may
  also be the folder that holds ``LaSOTBenchmark/``.
* ``toolkit``: the official MATLAB evaluation toolkit, annotations only:
  ``<root>/annos/<seq>.txt``, ``annos/absent/<seq>.txt`` (the merged absence flags),
  ``annos/att/<seq>.txt`` and ``annos/nlp/<seq>.txt``.
* ``pysot-json``: ``<root>/LaSOT.json`` (its ``absent`` field marks the frames pysot
  evaluates; the reader detects which way round it is).

``Sequence.absent`` = full occlusion or out of view.  In absent frames the box may be a dummy
such as ``1,1,-1,-1``; a few sequences carry such boxes on frames not flagged absent
(lion-5, microphone-6, tiger-6), so LaSOT allows zero or negative sizes after frame 1.
Attributes (14, in the toolkit's order) come from ``annos/att`` or, for the test split,
``splits/lasot_attributes.txt``.  ``val`` is a fixed subset of train for hyperparameter
search: the two lowest-numbered training videos of each class (140).
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, DownloadItem, read_flags, read_rows
from sotbench.datasets.layout import (check_boxes, first_image_size, flag_attributes, numbered_frames,
                                      package_lines, read_list)
from sotbench.datasets.pysot_json import absent_from_json, find_json, load_json, record_frames, record_gt
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["LaSOT", "LASOT_ATTRIBUTES"]

LASOT_ATTRIBUTES = (
    ("IV", "Illumination Variation"),
    ("POC", "Partial Occlusion"),
    ("DEF", "Deformation"),
    ("MB", "Motion Blur"),
    ("CM", "Camera Motion"),
    ("ROT", "Rotation"),
    ("BC", "Background Clutter"),
    ("VC", "Viewpoint Change"),
    ("SV", "Scale Variation"),
    ("FOC", "Full Occlusion"),
    ("FM", "Fast Motion"),
    ("OV", "Out-of-View"),
    ("LR", "Low Resolution"),
    ("ARC", "Aspect Ratio Change"),
)
CODES = tuple(c for c, _ in LASOT_ATTRIBUTES)
#: published result files longer than the ground truth, truncated by every toolkit (reference 2.3)
LONGER_RESULTS = frozenset({"monkey-17"})
HF_URL = "https://huggingface.co/datasets/l-lt/LaSOT/resolve/main/{}.zip"


def _classes() -> list[str]:
    return list(dict.fromkeys(n.rsplit("-", 1)[0] for n in package_lines("lasot_test.txt")))


def _package_attributes() -> dict[str, frozenset[str]]:
    out = {}
    for line in package_lines("lasot_attributes.txt"):
        name, *flags = line.split(",")
        out[name] = frozenset(c for c, f in zip(CODES, flags) if f.strip() == "1")
    return out


class LaSOT(Dataset):
    """LaSOT (``test``: 280, ``train``: 1,120, ``val``: 140 of train for search)."""

    spec = DatasetSpec(
        key="lasot", title="LaSOT", folder="LaSOT", protocol="ope",
        splits=("test", "train", "val"), public_gt_splits=("test", "train", "val"), test_splits=("test",),
        attributes=LASOT_ATTRIBUTES, default_profile="pysot",
        homepage="http://vision.cs.stonybrook.edu/~lasot/",
        how_to_get="One zip per class (70, about 280 GB in all; the test split needs every class) "
                   "from the LaSOT page or its Hugging Face mirror (`sotbench download lasot`). "
                   "The evaluation toolkit's annos/ folder alone works for evaluation.",
        downloads=tuple(DownloadItem(url=HF_URL.format(c), extract_to=".") for c in _classes()),
        layout="native: <root>/<class>/<class>-<k>/ with img/%08d.jpg, groundtruth.txt, full_occlusion.txt, "
               "out_of_view.txt, nlp.txt; toolkit: <root>/annos/<seq>.txt; pysot: <root>/LaSOT.json",
    )

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        super().__init__(root, split)
        self._json: Path | None = None
        self._base = self.root
        self._absent_json: dict[str, np.ndarray] | None = None

    def expected_names(self) -> list[str]:
        listing = self.root / "sequence_evaluation_config" / "testing_set.txt"
        if self.split == "test" and listing.is_file():
            return read_list(listing)
        return package_lines(f"lasot_{self.split}.txt")

    def _index(self):
        names = self.expected_names()
        self._json = find_json(self.root, ("LaSOT.json",))
        if self._json is not None:
            self.layout = "pysot-json"
            data = load_json(self._json)
            return {n: partial(self._load_json, n) for n in names if n in data}
        if (self.root / "annos").is_dir():
            self.layout = "toolkit"
            return {n: partial(self._load_toolkit, n) for n in names if (self.root / "annos" / f"{n}.txt").is_file()}
        self.layout = "native"
        if (self.root / "LaSOTBenchmark").is_dir():
            self._base = self.root / "LaSOTBenchmark"
        return {n: partial(self._load_native, n) for n in names if self._seq_dir(n).is_dir()}

    def result_length_fits(self, seq: Sequence, rows: int) -> bool:
        """Also longer files where the toolkits truncate them (monkey-17)."""
        return rows == len(seq) or (seq.name in LONGER_RESULTS and rows > len(seq))

    def _seq_dir(self, name: str) -> Path:
        return self._base / name.rsplit("-", 1)[0] / name

    def _attributes(self, name: str, att_dir: Path | None = None) -> frozenset[str]:
        if att_dir is not None and (att_dir / f"{name}.txt").is_file():
            return flag_attributes(att_dir / f"{name}.txt", CODES)
        return _package_attributes().get(name, frozenset())

    def _sequence(self, name: str, gt: np.ndarray, path: Path, absent: np.ndarray, frames=None,
                  text: str | None = None, attributes=frozenset(), **meta) -> Sequence:
        check_boxes(path, gt, nonpositive_ok=True)
        if len(absent) != len(gt):
            raise AnnotationError(path, f"{len(gt)} boxes but {len(absent)} absence flags")
        info = {"n_frames": len(gt), "class": name.rsplit("-", 1)[0], "layout": self.layout,
                "source": str(path), **meta}
        return Sequence(name=name, gt=gt, frames=frames, absent=absent.astype(bool), attributes=attributes,
                        text=text, image_size=first_image_size(frames), meta=info)

    def _load_native(self, name: str) -> Sequence:
        seq_dir = self._seq_dir(name)
        path = seq_dir / "groundtruth.txt"
        gt = read_rows(path)
        occlusion = read_flags(seq_dir / "full_occlusion.txt", len(gt))
        out_of_view = read_flags(seq_dir / "out_of_view.txt", len(gt))
        frames = numbered_frames(seq_dir / "img", 1, len(gt), 8)
        text = _read_text(seq_dir / "nlp.txt")
        return self._sequence(name, gt, path, (occlusion > 0) | (out_of_view > 0), frames, text,
                              self._attributes(name), full_occlusion=occlusion > 0, out_of_view=out_of_view > 0)

    def _load_toolkit(self, name: str) -> Sequence:
        annos = self.root / "annos"
        path = annos / f"{name}.txt"
        gt = read_rows(path)
        absent = read_flags(annos / "absent" / f"{name}.txt", len(gt)) > 0
        return self._sequence(name, gt, path, absent, None, _read_text(annos / "nlp" / f"{name}.txt"),
                              self._attributes(name, annos / "att"))

    def _load_json(self, name: str) -> Sequence:
        path = self._json
        assert path is not None
        data = load_json(path)
        rec = data[name]
        gt = record_gt(path, name, rec)
        if self._absent_json is None:
            self._absent_json = absent_from_json(path, data)
        absent = self._absent_json.get(name, np.zeros(len(gt), dtype=bool))
        return self._sequence(name, gt, path, absent, record_frames(self.root, name, rec, path),
                              attributes=self._attributes(name))


def _read_text(path: Path) -> str | None:
    """A one-sentence description file (``None`` when missing)."""
    try:
        return path.read_text(encoding="utf-8-sig").strip()
    except FileNotFoundError:
        return None
