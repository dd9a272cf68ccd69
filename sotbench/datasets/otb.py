"""OTB-100 (OTB-2015), OTB-2013 (CVPR13, 51 targets) and OTB-50 (TB-50).

Three layouts are recognised from the root's contents:

* ``pysot-json``: ``<root>/OTB100.json`` (``CVPR13.json`` / ``OTB50.json`` for the subsets;
  else OTB100.json is filtered), images at the JSON's ``img_names`` when present.
* ``matlab-kit``: the original MATLAB benchmark kit, ``<root>/anno_TB100/<seq>.txt`` with
  lower-case CVPR13 names (``basketball.txt``, ``jogging-1.txt``, ``Skating2.1.txt``,
  ``Human4.2.txt``) and ``<root>/initOmit/``; annotations only.
* ``native`` (the official zips): ``<root>/<Seq>/img/%04d.jpg`` (Board: ``%05d``) and
  ``groundtruth_rect.txt``; Jogging and Skating2 hold ``groundtruth_rect.1.txt`` / ``.2.txt``
  (two targets each), Human4 holds ``groundtruth_rect.2.txt`` (its ``.1`` is empty).

Frame ranges, attributes, the subset lists and the kit's initOmit ranges (the frames no TRE /
SRE segment starts on; ``meta["init_omit"]``, image numbers) come from ``splits/otb.json``
(a root's own ``initOmit/`` folder wins): e.g. David is
frames 300-770, Football1 uses 74 of its 81 images, BlurCar1 starts at 247.  Tiger1 starts at
frame 6 (the official protocol, as in pysot, mmtracking and pytracking: its first five frames
are in the kit's initOmit list); ``full_annotation=True`` starts it at frame 1 instead, as
got10k and the VOT toolkit do (needs the native or MATLAB-kit layout, which hold those rows).
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, DownloadItem, read_rows
from sotbench.datasets.layout import (check_boxes, first_image_size, numbered_frames, package_json,
                                      package_lines)
from sotbench.datasets.pysot_json import find_json, load_json, record_frames, record_gt
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["OTB100", "OTB2013", "OTB50", "OTB_ATTRIBUTES"]

OTB_ATTRIBUTES = (
    ("IV", "Illumination Variation"),
    ("SV", "Scale Variation"),
    ("OCC", "Occlusion"),
    ("DEF", "Deformation"),
    ("MB", "Motion Blur"),
    ("FM", "Fast Motion"),
    ("IPR", "In-Plane Rotation"),
    ("OPR", "Out-of-Plane Rotation"),
    ("OV", "Out-of-View"),
    ("BC", "Background Clutters"),
    ("LR", "Low Resolution"),
)
_CODE_BY_NAME = {desc: code for code, desc in OTB_ATTRIBUTES}
HOMEPAGE = "http://cvlab.hanyang.ac.kr/tracker_benchmark/datasets.html"
ZIP_URL = "http://cvlab.hanyang.ac.kr/tracker_benchmark/seq/{}.zip"
HOW_TO_GET = (
    "One zip per video from the OTB site (`sotbench download otb100` fetches all 98); "
    "or pysot-toolkit's OTB100.json beside the image folders; annotations alone (no images) "
    "also work for evaluation: the MATLAB kit's anno_TB100/ or OTB100.json."
)


LAYOUT = ("native: <root>/<Seq>/img/%04d.jpg + groundtruth_rect.txt (the OTB zips); "
          "pysot: <root>/OTB100.json [+ images]; MATLAB kit: <root>/anno_TB100/<seq>.txt")


def _facts() -> dict:
    return package_json("otb.json")


def _downloads(list_key: str) -> tuple[DownloadItem, ...]:
    facts = _facts()
    folders = dict.fromkeys(facts["sequences"][n]["folder"] for n in facts["lists"][list_key])
    return tuple(DownloadItem(url=ZIP_URL.format(f), extract_to=".") for f in folders)


class _OTB(Dataset):
    """Shared reader of the OTB family; subclasses name their list and JSON files."""

    list_key = "OTB100"
    json_files: tuple[str, ...] = ("OTB100.json",)

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None,
                 full_annotation: bool = False):
        super().__init__(root, split)
        self.full_annotation = full_annotation
        self._json: Path | None = None

    # -- benchmark facts ---------------------------------------------------------------
    def expected_names(self) -> list[str]:
        names = _facts()["lists"][self.list_key]
        if self.split == "test":
            return list(names)
        tune = set(package_lines(f"{self.list_key.lower()}_tune.txt"))
        return [n for n in names if (n in tune) == (self.split == "tune")]

    def _aliases(self) -> dict[str, str]:
        seqs = _facts()["sequences"]
        out = {}
        for name in self.expected_names():
            for alias in seqs[name].get("aliases", []):
                out[alias] = name
            out[Path(seqs[name]["kit"]).stem] = name
        return out

    def result_length_fits(self, seq: Sequence, rows: int) -> bool:
        """Also the other documented start: Tiger1 from frame 1 (354 rows, got10k / VOT toolkit) or 6."""
        rec = _facts()["sequences"].get(seq.name)
        if rows == len(seq) or rec is None:
            return rows == len(seq)
        return rows in {rec["end"] - rec["start"] + 1, rec["end"] - rec.get("first", rec["start"]) + 1}

    # -- layouts ------------------------------------------------------------------------
    def _index(self):
        seqs = _facts()["sequences"]
        names = self.expected_names()
        self._json = find_json(self.root, self.json_files + ("OTB100.json",))
        if self._json is not None:
            self.layout = "pysot-json"
            data = load_json(self._json)
            return {n: partial(self._load_json, n) for n in names if n in data}
        if (self.root / "anno_TB100").is_dir():
            self.layout = "matlab-kit"
            kit = self.root / "anno_TB100"
            return {n: partial(self._load_kit, n) for n in names if (kit / seqs[n]["kit"]).is_file()}
        self.layout = "native"
        return {n: partial(self._load_native, n) for n in names if (self.root / seqs[n]["folder"]).is_dir()}

    def _range(self, rec: dict) -> tuple[int, int, int]:
        """(image number of the annotation file's first row, first frame used, last frame)."""
        first = rec.get("first", rec["start"])
        start = first if self.full_annotation else rec["start"]
        return first, start, rec["end"]

    def _rows(self, name: str, path: Path) -> tuple[np.ndarray, int]:
        """The used rows of an annotation file that covers frames ``first..end``."""
        rec = _facts()["sequences"][name]
        first, start, end = self._range(rec)
        rows = read_rows(path)
        if len(rows) != end - first + 1:
            raise AnnotationError(path, f"{len(rows)} rows, expected {end - first + 1} "
                                  f"(one per frame {first}..{end} of {name})")
        gt = rows[start - first:]
        check_boxes(path, gt, nonpositive_ok=self._zero_ok(rec, start, len(gt)), first_line=start - first + 1,
                    why=f"; only frames {rec.get('zero_size_frames', [])} of {name} have documented zero size")
        return gt, start

    @staticmethod
    def _zero_ok(rec: dict, start: int, n: int) -> np.ndarray:
        frames = np.arange(start, start + n)
        return np.isin(frames, rec.get("zero_size_frames", []))

    def _sequence(self, name: str, gt: np.ndarray, start: int, frames, source: Path,
                  attributes=None, **meta) -> Sequence:
        rec = _facts()["sequences"][name]
        info = {"n_frames": len(gt), "start_frame": start, "folder": rec["folder"],
                "aliases": tuple(rec.get("aliases", ())), "layout": self.layout, "source": str(source),
                "init_omit": self._init_omit(rec), "kit": Path(rec["kit"]).stem, **meta}
        attrs = rec["attributes"] if attributes is None else attributes
        return Sequence(name=name, gt=gt, frames=frames, attributes=attrs,
                        image_size=first_image_size(frames), meta=info)

    def _load_native(self, name: str) -> Sequence:
        rec = _facts()["sequences"][name]
        seq_dir = self.root / rec["folder"]
        gt_path = seq_dir / rec["gt"]
        gt, start = self._rows(name, gt_path)
        frames = numbered_frames(seq_dir / "img", start, rec["end"], rec.get("zeros", 4))
        return self._sequence(name, gt, start, frames, gt_path)

    def _load_kit(self, name: str) -> Sequence:
        rec = _facts()["sequences"][name]
        path = self.root / "anno_TB100" / rec["kit"]
        gt, start = self._rows(name, path)
        return self._sequence(name, gt, start, None, path)

    def _init_omit(self, rec: dict) -> tuple[tuple[int, int], ...]:
        """Image-number ranges the kit excludes as tracker starts (TRE/SRE): the root's
        ``initOmit/<kit file>`` when it has one (the MATLAB kit), else the kit's lists as packaged."""
        path = self.root / "initOmit" / rec["kit"]
        if not path.is_file():
            return tuple((int(a), int(b)) for a, b in rec.get("init_omit", ()))
        rows = read_rows(path, widths=(2,), allow_empty=True)
        return tuple((int(a), int(b)) for a, b in rows)

    def _load_json(self, name: str) -> Sequence:
        path = self._json
        assert path is not None
        rec = load_json(path)[name]
        facts = _facts()["sequences"][name]
        gt = record_gt(path, name, rec)
        names = rec.get("img_names") or []
        if len(names) != len(gt):
            raise AnnotationError(path, f"video {name!r}: {len(names)} img_names for {len(gt)} gt_rect rows")
        number = re.search(r"(\d+)\.\w+$", str(names[0]))
        start = int(number.group(1)) if number else facts["start"]
        if self.full_annotation and facts.get("first", facts["start"]) < start:
            raise AnnotationError(path, f"{name} starts at frame {start} in this JSON file; "
                                  "full_annotation needs the native or MATLAB-kit layout")
        check_boxes(path, gt, nonpositive_ok=self._zero_ok(facts, start, len(gt)))
        return self._sequence(name, gt, start, record_frames(self.root, name, rec, path), path,
                              attributes=self._json_attributes(path, name, rec))

    @staticmethod
    def _json_attributes(path: Path, name: str, rec: dict) -> frozenset[str]:
        """pysot stores full attribute names ("Illumination Variation"); codes are accepted too."""
        attrs = rec.get("attr") or []
        codes = dict(OTB_ATTRIBUTES)
        unknown = [a for a in attrs if a not in _CODE_BY_NAME and a not in codes]
        if unknown:
            raise AnnotationError(path, f"video {name!r}: unknown attribute {unknown[0]!r} "
                                  f"(known: {', '.join(_CODE_BY_NAME)})")
        return frozenset(_CODE_BY_NAME.get(a, a) for a in attrs)


def _spec(key: str, title: str, folder: str, list_key: str, splits: tuple[str, ...]) -> DatasetSpec:
    return DatasetSpec(
        key=key, title=title, folder=folder, protocol="ope", extra_protocols=("tre", "sre"),
        splits=splits, public_gt_splits=splits,
        test_splits=tuple(s for s in splits if s in ("test", "heldout")),
        attributes=OTB_ATTRIBUTES, default_profile="pysot", homepage=HOMEPAGE,
        how_to_get=HOW_TO_GET, downloads=_downloads(list_key), layout=LAYOUT,
    )


class OTB100(_OTB):
    """OTB-100: 100 targets in 98 videos (``tune``/``heldout``: a fixed 25/75 split for search)."""

    spec = _spec("otb100", "OTB-100 (OTB-2015)", "OTB100", "OTB100", ("test", "tune", "heldout"))
    list_key = "OTB100"
    json_files = ("OTB100.json",)


class OTB2013(_OTB):
    """OTB-2013 (CVPR13): 51 targets in 50 videos."""

    spec = _spec("otb2013", "OTB-2013 (CVPR13)", "OTB2013", "OTB2013", ("test",))
    data_folders = ("OTB100",)
    list_key = "OTB2013"
    json_files = ("CVPR13.json", "OTB2013.json")


class OTB50(_OTB):
    """OTB-50 (TB-50): the 50 harder targets of OTB-100."""

    spec = _spec("otb50", "OTB-50 (TB-50)", "OTB50", "OTB50", ("test",))
    data_folders = ("OTB100",)
    list_key = "OTB50"
    json_files = ("OTB50.json",)
