"""GOT-10k: train (9,335 videos), val (180) and test (180, server-evaluated).

Layout (the official download)::

    <root>/{train,val,test}/list.txt                 sequence names, one per line
    <root>/<split>/GOT-10k_Val_000001/00000001.jpg … frames
                                     groundtruth.txt  x,y,w,h per frame (test: first frame only)
                                     absence.label    1 = target absent (train/val)
                                     cover.label      visible fraction in eighths, 0-8 (train/val)
                                     cut_by_image.label
                                     meta_info.ini    header line, then "key: value"
                                                      (resolution: (W, H), object_class, ...)

The root may also be one split folder (holding ``list.txt``).  ``val`` is the validation
split for hyperparameter search; ``Sequence.absent`` and ``Sequence.cover`` carry the labels
and ``image_size`` the ``resolution``.  Boxes of absent frames (or cover 0) may have zero
size; elsewhere sizes must be positive.
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, read_flags, read_rows
from sotbench.datasets.layout import check_boxes, first_image_size, listed_frames, read_list
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["GOT10k", "read_meta_info"]

_RESOLUTION = re.compile(r"\(?\s*(\d+)\s*[,x ]\s*(\d+)\s*\)?")


def read_meta_info(path: Path) -> dict[str, str]:
    """``meta_info.ini``: a header line, then ``key: value`` lines (empty dict when missing)."""
    if not path.is_file():
        return {}
    out = {}
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines()[1:], start=2):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise AnnotationError(path, f"expected 'key: value', found {line.strip()[:60]!r}", i)
        out[key.strip()] = value.strip()
    return out


def _resolution(path: Path, meta: dict[str, str]) -> tuple[int, int] | None:
    text = meta.get("resolution")
    if text is None:
        return None
    m = _RESOLUTION.fullmatch(text.strip())
    if not m:
        raise AnnotationError(path, f"resolution {text!r} is not '(width, height)'")
    return int(m.group(1)), int(m.group(2))


class GOT10k(Dataset):
    """GOT-10k (``val`` for search; ``test`` results go to the evaluation server)."""

    spec = DatasetSpec(
        key="got10k", title="GOT-10k", folder="GOT-10k", protocol="ope",
        splits=("test", "val", "train"), public_gt_splits=("val", "train"), test_splits=("test",),
        default_profile="got10k", homepage="http://got-10k.aitestunion.com/",
        how_to_get="Register on got-10k.aitestunion.com (downloads page) and download the "
                   "train/val/test zips; unpack so that train/, val/ and test/ are in the root. "
                   "Test results are scored by the site's evaluation server.",
        needs_registration=True,
        layout="<root>/{train,val,test}/list.txt + <seq>/ with %08d.jpg, groundtruth.txt, absence.label, "
               "cover.label, meta_info.ini",
    )

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        super().__init__(root, split)
        self._dir = self.root / self.split

    def _split_dir(self) -> Path:
        if (self.root / self.split).is_dir():
            return self.root / self.split
        return self.root  # the root is one split folder

    def expected_names(self) -> list[str] | None:
        listing = self._split_dir() / "list.txt"
        return read_list(listing) if listing.is_file() else None

    def _index(self):
        self._dir = self._split_dir()
        self.layout = "native"
        names = self.expected_names()
        if names is None:
            names = sorted(p.name for p in self._dir.iterdir() if (p / "groundtruth.txt").is_file())
        return {n: partial(self._load, n) for n in names if (self._dir / n).is_dir()}

    def _load(self, name: str) -> Sequence:
        seq_dir = self._dir / name
        path = seq_dir / "groundtruth.txt"
        gt = read_rows(path)
        frames = listed_frames(seq_dir)
        n = len(frames) if frames is not None else len(gt)
        if len(gt) != 1 and len(gt) != n:
            raise AnnotationError(path, f"{len(gt)} boxes for {n} frames (expected one per frame, "
                                  "or the first frame's box only for the test split)")
        labels = {k: read_flags(seq_dir / f"{k}.label", n) for k in ("absence", "cover", "cut_by_image")
                  if (seq_dir / f"{k}.label").is_file()}
        absent = labels["absence"] > 0 if "absence" in labels else None
        cover = labels.get("cover")
        if cover is not None and ((cover < 0) | (cover > 8)).any():
            raise AnnotationError(seq_dir / "cover.label", "cover values must be 0..8")
        hidden = np.zeros(len(gt), dtype=bool)
        if len(gt) == n:
            hidden = (absent if absent is not None else hidden) | (cover == 0 if cover is not None else hidden)
        check_boxes(path, gt, nonpositive_ok=hidden, why=" in frames where the target is visible")
        info = read_meta_info(seq_dir / "meta_info.ini")
        size = _resolution(seq_dir / "meta_info.ini", info) or first_image_size(frames)
        meta = {"n_frames": n, "layout": self.layout, "source": str(path), "meta_info": info}
        if "cut_by_image" in labels:
            meta["cut_by_image"] = labels["cut_by_image"] > 0
        return Sequence(name=name, gt=gt, frames=frames, absent=absent, cover=cover, image_size=size, meta=meta)
