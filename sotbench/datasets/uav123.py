"""UAV123 (123 targets, 112,578 frames) and UAV20L (20 long targets), aerial videos.

Layouts recognised from the root's contents:

* ``native`` (the official download): ``<root>/anno/UAV123/<seq>.txt`` (``anno/UAV20L/`` for
  UAV20L), attribute flags ``anno/UAV123/att/<seq>.txt`` (12 columns in the order SV, ARC,
  LR, FM, FOC, POC, OV, BC, IV, VC, CM, SOB) and images ``<root>/data_seq/UAV123/<folder>/
  %06d.jpg``.  Without ``data_seq/`` the same root works annotation-only.
* ``pysot-json``: ``<root>/UAV123.json`` (``UAV20L.json``) with images at ``img_names``.

Many UAV123 targets are frame ranges of one video folder (``car1_1`` = frames 1-751 of
``car1``, ``car1_2`` = 751-1627, ...; consecutive parts share their boundary frame, and
bird1/uav1 have gaps); the ranges come from ``splits/uav123.json`` (as in the dataset's
``configSeqs.m``).  UAV20L reuses the ``data_seq/UAV123`` folders from frame 1.  Rows of
``NaN,NaN,NaN,NaN`` mark frames where the target is fully occluded or out of view:
``Sequence.absent``.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import ClassVar

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, read_rows
from sotbench.datasets.layout import (attribute_codes, check_boxes, first_image_size, flag_attributes,
                                      numbered_frames, package_json, package_lines)
from sotbench.datasets.pysot_json import find_json, load_json, record_frames, record_gt
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["UAV123", "UAV20L", "UAV_ATTRIBUTES"]

UAV_ATTRIBUTES = (
    ("SV", "Scale Variation"),
    ("ARC", "Aspect Ratio Change"),
    ("LR", "Low Resolution"),
    ("FM", "Fast Motion"),
    ("FOC", "Full Occlusion"),
    ("POC", "Partial Occlusion"),
    ("OV", "Out-of-View"),
    ("BC", "Background Clutter"),
    ("IV", "Illumination Variation"),
    ("VC", "Viewpoint Change"),
    ("CM", "Camera Motion"),
    ("SOB", "Similar Object"),
)
CODES = tuple(c for c, _ in UAV_ATTRIBUTES)
HOMEPAGE = "https://cemse.kaust.edu.sa/ivul/uav123"
HOW_TO_GET = (
    "Download UAV123 (Dataset_UAV123.zip, about 13 GB; UAV20L is inside it) from the IVUL "
    "page (links to a cloud drive, no registration); unpack so that anno/ and data_seq/ are "
    "in the root.  The anno/ folder alone works for evaluation."
)


def _facts() -> dict:
    return package_json("uav123.json")


class _UAV(Dataset):
    """Shared reader: ``edition`` is "UAV123" or "UAV20L"."""

    edition: ClassVar[str] = "UAV123"

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        super().__init__(root, split)
        self._json: Path | None = None

    def expected_names(self) -> list[str]:
        names = list(_facts()[self.edition])
        if self.split == "test":
            return names
        tune = set(package_lines("uav123_tune.txt"))
        return [n for n in names if (n in tune) == (self.split == "tune")]

    def _index(self):
        names = self.expected_names()
        self._json = find_json(self.root, (f"{self.edition}.json",))
        if self._json is not None:
            self.layout = "pysot-json"
            data = load_json(self._json)
            return {n: partial(self._load_json, n) for n in names if n in data}
        anno = self.root / "anno" / self.edition
        self.layout = "native"
        return {n: partial(self._load_native, n) for n in names if (anno / f"{n}.txt").is_file()}

    def _range(self, name: str) -> tuple[str, int, int]:
        rec = _facts()[self.edition][name]
        return rec["folder"], rec["start"], rec["end"]

    def _attributes(self, name: str) -> frozenset[str]:
        path = self.root / "anno" / self.edition / "att" / f"{name}.txt"
        if path.is_file():
            return flag_attributes(path, CODES)
        return frozenset(_facts()[self.edition][name].get("attributes", ()))

    def _sequence(self, name: str, gt: np.ndarray, frames, path: Path, attributes) -> Sequence:
        check_boxes(path, gt, nan_rows_ok=True)
        folder, start, end = self._range(name)
        absent = np.isnan(gt).all(axis=1)
        meta = {"n_frames": len(gt), "folder": folder, "start_frame": start, "end_frame": end,
                "layout": self.layout, "source": str(path)}
        return Sequence(name=name, gt=gt, frames=frames, absent=absent, attributes=attributes,
                        image_size=first_image_size(frames), meta=meta)

    def _load_native(self, name: str) -> Sequence:
        path = self.root / "anno" / self.edition / f"{name}.txt"
        folder, start, end = self._range(name)
        gt = read_rows(path, allow_nan=True)
        if len(gt) != end - start + 1:
            raise AnnotationError(path, f"{len(gt)} rows, expected {end - start + 1} "
                                  f"(frames {start}..{end} of data_seq/UAV123/{folder})")
        frames = numbered_frames(self.root / "data_seq" / "UAV123" / folder, start, end, 6)
        return self._sequence(name, gt, frames, path, self._attributes(name))

    def _load_json(self, name: str) -> Sequence:
        path = self._json
        assert path is not None
        rec = load_json(path)[name]
        gt = _json_rows(path, name, rec)
        if len(rec.get("img_names") or []) != len(gt):
            raise AnnotationError(path, f"video {name!r}: {len(rec.get('img_names') or [])} img_names "
                                  f"for {len(gt)} gt_rect rows")
        attrs = attribute_codes(path, name, rec.get("attr"), UAV_ATTRIBUTES) if rec.get("attr") \
            else self._attributes(name)
        return self._sequence(name, gt, record_frames(self.root, name, rec, path), path, attrs)


def _json_rows(path: Path, name: str, rec: dict) -> np.ndarray:
    """``gt_rect`` rows, NaN rows (target absent) included."""
    rows = rec.get("gt_rect") or []
    try:
        arr = np.array(rows, dtype=np.float64)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.ndim != 2 or arr.shape[1] != 4 or np.isinf(arr).any():
        return record_gt(path, name, rec)
    return arr


def _spec(key: str, title: str, folder: str, splits: tuple[str, ...]) -> DatasetSpec:
    return DatasetSpec(
        key=key, title=title, folder=folder, protocol="ope", splits=splits, public_gt_splits=splits,
        test_splits=tuple(s for s in splits if s in ("test", "heldout")), attributes=UAV_ATTRIBUTES,
        default_profile="pysot", homepage=HOMEPAGE, how_to_get=HOW_TO_GET,
        layout=f"native: <root>/anno/{title}/<seq>.txt [+ <root>/data_seq/UAV123/<video>/%06d.jpg]; "
               f"pysot: <root>/{title}.json",
    )


class UAV123(_UAV):
    """UAV123 (``tune``/``heldout``: a fixed 25/75 split of whole videos for search)."""

    spec = _spec("uav123", "UAV123", "UAV123", ("test", "tune", "heldout"))
    edition: ClassVar[str] = "UAV123"


class UAV20L(_UAV):
    """UAV20L: 20 full-length videos (58,670 frames) of the UAV123 download."""

    spec = _spec("uav20l", "UAV20L", "UAV20L", ("test",))
    data_folders = ("UAV123",)
    edition = "UAV20L"
