"""TrackingNet: 30,132 training videos in 12 chunks and a 511-video test set (server-evaluated).

Layouts recognised from the root's contents:

* ``chunks`` (the official devkit download): ``<root>/TRAIN_0`` … ``TRAIN_11`` and
  ``<root>/TEST``, each with ``anno/<seq>.txt`` (x,y,w,h per frame; TEST: the first frame
  only) and ``frames/<seq>/0.jpg, 1.jpg, …`` (no zero padding: sorted by number).  Split
  ``train`` reads every TRAIN chunk present, ``test`` the TEST chunk.  The root may also be a
  single chunk folder (holding ``anno/``).
* ``flat``: a folder of ``<seq>.txt`` ground-truth files, as the devkit evaluates against
  (e.g. its ``dummy_GT``); read as the requested split, annotations only.

The test ground truth is not public (``has_public_ground_truth`` is False for ``test``):
results are submitted to the evaluation server (``sotbench`` writes the zip).  A few training
boxes may have zero size, which is accepted after the first frame.
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path

from sotbench.datasets.base import Dataset, DatasetSpec, read_rows
from sotbench.datasets.layout import check_boxes, first_image_size, listed_frames, package_lines
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["TrackingNet"]

_CHUNK = re.compile(r"^(TRAIN_(\d+)|TEST)$")


class TrackingNet(Dataset):
    """TrackingNet (``test``: 511 videos, first-frame boxes only; ``train``: TRAIN_0..11)."""

    spec = DatasetSpec(
        key="trackingnet", title="TrackingNet", folder="TrackingNet", protocol="ope",
        splits=("test", "train"), public_gt_splits=("train",), test_splits=("test",),
        default_profile="trackingnet",
        homepage="https://tracking-net.org/",
        how_to_get="Fill in the access form on tracking-net.org, then fetch the chunks with the "
                   "official devkit (github.com/SilvioGiancola/TrackingNet-devkit: download_TrackingNet.py, "
                   "extract_frame.py).  Test results are scored by the evaluation server "
                   "(eval.ai); its ground truth is not public.",
        needs_registration=True,
        layout="chunks: <root>/TRAIN_0..TRAIN_11 and TEST, each with anno/<seq>.txt and frames/<seq>/<n>.jpg; "
               "flat: <root>/<seq>.txt",
    )

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        super().__init__(root, split)
        self._where: dict[str, tuple[Path, str]] = {}  # sequence key -> (chunk folder, file name)

    def expected_names(self) -> list[str] | None:
        if self.split == "test" and self.layout != "flat":
            return package_lines("trackingnet_test.txt")
        return None

    def _chunks(self) -> list[Path]:
        if (self.root / "anno").is_dir():
            return [self.root]
        found = [p for p in self.root.iterdir() if p.is_dir() and _CHUNK.match(p.name)]
        wanted = [p for p in found if (p.name == "TEST") == (self.split == "test")]
        return sorted(wanted, key=lambda p: int(_CHUNK.match(p.name).group(2) or -1))

    def _index(self):
        chunks = self._chunks()
        if chunks:
            self.layout = "chunks"
            for chunk in chunks:
                names = sorted(p.stem for p in (chunk / "anno").glob("*.txt"))
                for name in names:
                    # a name in two chunks: the later one is "<chunk>-<name>" (one path component)
                    key = name if name not in self._where else f"{chunk.name}-{name}"
                    self._where[key] = (chunk, name)
            return {k: partial(self._load, k) for k in self._where}
        files = sorted(self.root.glob("*.txt"))
        if files:
            self.layout = "flat"
            self._where = {p.stem: (self.root, p.stem) for p in files}
            return {p.stem: partial(self._load, p.stem) for p in files}
        return {}

    def _load(self, key: str) -> Sequence:
        base, name = self._where[key]
        path = (base / "anno" / f"{name}.txt") if self.layout == "chunks" else base / f"{name}.txt"
        gt = read_rows(path)
        frames = listed_frames(base / "frames" / name, numeric=True) if self.layout == "chunks" else None
        if frames is not None and len(gt) != 1 and len(gt) != len(frames):
            raise AnnotationError(path, f"{len(gt)} boxes for {len(frames)} frames in {base / 'frames' / name} "
                                  "(expected one box per frame, or the first frame's box only)")
        check_boxes(path, gt, nonpositive_ok=True)
        meta = {"n_frames": len(frames) if frames is not None else len(gt), "chunk": base.name,
                "layout": self.layout, "source": str(path)}
        return Sequence(name=key, gt=gt, frames=frames, image_size=first_image_size(frames), meta=meta)
