"""pysot-toolkit JSON annotation files, and the ``pysot-json`` dataset for any such file.

::

    <root>/<NAME>.json        {video: {"video_dir", "init_rect", "img_names", "gt_rect", "attr", ...}}
    <root>/<img_names[i]>     images, paths relative to the root (optional: annotation-only works)

NAME is OTB100, CVPR13, OTB50, UAV123, UAV20L, LaSOT, VOT2016/2018/2019, TrackingNet, GOT-10k,
NFS30 ...  VOT files add per-frame 0/1 tag lists and ``width``/``height``; LaSOT adds
``absent``.  The benchmark adapters (``otb100``, ``uav123``, ``lasot``, ``vot2018``) read these
files themselves when a root holds one; ``pysot-json`` is for the other benchmarks.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, VotSettings, check_sequence_name
from sotbench.datasets.layout import check_boxes
from sotbench.frames import ImageFiles
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["PysotJSON", "load_json", "record_gt", "record_frames", "record_tags", "absent_from_json",
           "VOT_TAGS", "find_json"]

VOT_TAGS = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")
_CACHE: dict[tuple[str, float], dict] = {}


def load_json(path: Path) -> dict:
    """The ``video -> record`` mapping of a pysot JSON file (cached while the file is unchanged)."""
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except FileNotFoundError:
        raise AnnotationError(path, "annotation file is missing") from None
    if key not in _CACHE:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise AnnotationError(path, f"not valid JSON ({exc.msg})", exc.lineno) from None
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise AnnotationError(path, "expected a JSON object mapping each video name to its record")
        _check_keys(path, data)
        _CACHE.clear()  # one file at a time: LaSOT.json is large
        _CACHE[key] = data
    return _CACHE[key]


def _check_keys(path: Path, data: dict) -> None:
    """Video names become result paths: each must be one path component (error: file and line)."""
    for name in data:
        try:
            check_sequence_name(path, name)
        except AnnotationError:
            text = path.read_text(encoding="utf-8-sig")
            at = max(text.find(json.dumps(name)), text.find(json.dumps(name, ensure_ascii=False)))
            check_sequence_name(path, name, text.count("\n", 0, at) + 1 if at >= 0 else None)


def find_json(root: Path, names: tuple[str, ...]) -> Path | None:
    """The first of ``names`` (e.g. ``("OTB100.json",)``) that exists in ``root``."""
    for n in names:
        if (root / n).is_file():
            return root / n
    return None


def _field(path: Path, name: str, rec: dict, key: str) -> list:
    value = rec.get(key)
    if not isinstance(value, list) or not value:
        raise AnnotationError(path, f"video {name!r}: {key!r} must be a non-empty list")
    return value


def _absent_row(row: object) -> bool:
    """pysot's VOT-LT JSON marks a frame without the target as ``[0]`` or as a row of NaN."""
    if not isinstance(row, list) or not row:
        return False
    return row == [0] or all(isinstance(v, float) and v != v for v in row)


def record_gt(path: Path, name: str, rec: dict, widths: tuple[int, ...] = (4,),
              absent_rows: bool = False) -> np.ndarray:
    """``gt_rect`` as ``(N, W)`` float64; 4-number rows among 8-number ones are NaN-padded;
    ``absent_rows``: an all-NaN row (or pysot's ``[0]``) is a frame without the target (VOT-LT)."""
    rows = _field(path, name, rec, "gt_rect")
    try:
        arr = np.array(rows, dtype=np.float64)
        if arr.ndim == 2 and arr.shape[1] in widths and np.isfinite(arr).all():
            return arr
    except (ValueError, TypeError):
        pass
    out = np.full((len(rows), max(widths)), np.nan)
    for i, row in enumerate(rows):
        if absent_rows and _absent_row(row):
            continue  # the target is not in this frame
        if not isinstance(row, list) or len(row) not in widths:
            raise AnnotationError(path, f"video {name!r}: gt_rect[{i}] = {str(row)[:60]} "
                                  f"(expected {' or '.join(map(str, widths))} numbers)")
        try:
            vals = np.array(row, dtype=np.float64)
        except (ValueError, TypeError):
            raise AnnotationError(path, f"video {name!r}: gt_rect[{i}] holds a non-number") from None
        if not np.isfinite(vals).all():
            raise AnnotationError(path, f"video {name!r}: gt_rect[{i}] is not finite")
        out[i, : len(row)] = vals
    width = max(len(r) for r in rows)
    return out[:, :width]


def record_frames(root: Path, name: str, rec: dict, path: Path) -> ImageFiles | None:
    """The images named by ``img_names`` under ``root``; ``None`` when they are not on disk.

    VOT JSON files name ``<seq>/color/<n>.jpg``; a legacy (flat) download keeps the images
    beside ``groundtruth.txt``, which is tried next.
    """
    names = _field(path, name, rec, "img_names")
    escaping = next((n for n in names if not isinstance(n, str) or n.startswith("/") or "\\" in n
                     or ".." in n.split("/")), None)
    if escaping is not None:
        raise AnnotationError(path, f"video {name!r}: img_names entry {escaping!r} is not a path inside the "
                              "dataset root (expected a relative path without '..')")
    if (root / names[0]).is_file():
        return ImageFiles([root / n for n in names])
    if "/color/" in names[0]:
        flat = [n.replace("/color/", "/", 1) for n in names]
        if (root / flat[0]).is_file():
            return ImageFiles([root / n for n in flat])
    return None


def record_tags(path: Path, name: str, rec: dict, n: int, tags: tuple[str, ...] = VOT_TAGS) -> dict:
    """Per-frame boolean tag arrays (shorter lists padded with False, as the VOT toolkit does)."""
    out = {}
    for tag in tags:
        if tag not in rec:
            continue
        vals = rec[tag]
        if not isinstance(vals, list) or len(vals) > n:
            raise AnnotationError(path, f"video {name!r}: {tag!r} must list at most {n} 0/1 values")
        arr = np.zeros(n, dtype=bool)
        arr[: len(vals)] = np.asarray(vals, dtype=np.float64) != 0
        out[tag] = arr
    return out


def absent_from_json(path: Path, data: dict) -> dict[str, np.ndarray]:
    """LaSOT ``absent`` lists as "target absent" masks.

    pysot evaluates frames whose ``absent`` value is 1, so in its LaSOT.json the field marks
    *visible* frames.  LaSOT targets are absent in about 3% of frames: when most values of the
    file are 1 the field is read as "visible" and inverted; otherwise as "absent".
    """
    lists = {n: np.asarray(r.get("absent", []), dtype=np.float64) for n, r in data.items()}
    total = sum(len(v) for v in lists.values())
    if total == 0:
        return {}
    ones = sum(float(v.sum()) for v in lists.values())
    visible_field = ones / total > 0.5
    return {n: (v == 0) if visible_field else (v != 0) for n, v in lists.items() if len(v)}


class PysotJSON(Dataset):
    """Any pysot-toolkit JSON annotation file (``--root`` holds ``<NAME>.json``)."""

    spec = DatasetSpec(
        key="pysot-json",
        title="pysot-toolkit JSON annotations",
        folder="pysot",
        layout="<root>/<NAME>.json [+ images at its img_names]",
        how_to_get="The JSON files are distributed with pysot / pysot-toolkit (testing_dataset/README.md).",
    )

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None,
                 name: str | None = None):
        super().__init__(root, split)
        self.json_name = name or self._single_json()
        if self.json_name.upper().startswith("VOT") and "LT" not in self.json_name.upper():
            self.spec = replace(type(self).spec, protocol="vot_reset", vot=VotSettings())

    def _single_json(self) -> str:
        found = sorted(p.stem for p in self.root.glob("*.json")) if self.root.is_dir() else []
        if len(found) != 1:
            listing = ", ".join(found) or "none"
            raise ValueError(f"{self.root}: expected one pysot <NAME>.json (found: {listing}); "
                             "choose one with name=...")
        return found[0]

    def _absent(self, path: Path, data: dict) -> dict[str, np.ndarray]:
        if getattr(self, "_absent_masks", None) is None:
            self._absent_masks = absent_from_json(path, data)
        return self._absent_masks

    def _index(self):
        path = self.root / f"{self.json_name}.json"
        data = load_json(path)
        self.layout = "pysot-json"
        return {name: partial(self._load, path, name) for name in data}

    def _load(self, path: Path, name: str) -> Sequence:
        data = load_json(path)
        rec = data[name]
        gt = record_gt(path, name, rec, widths=(4, 8))
        frames = record_frames(self.root, name, rec, path)
        if frames is not None and len(frames) != len(gt) and len(gt) != 1:
            raise AnnotationError(path, f"video {name!r}: {len(rec['img_names'])} img_names "
                                  f"for {len(gt)} gt_rect rows")
        check_boxes(path, gt, nonpositive_ok=True, nan_rows_ok=True)
        absent = self._absent(path, data).get(name) if "absent" in rec else None
        size = (int(rec["width"]), int(rec["height"])) if "width" in rec and "height" in rec else None
        meta = {"n_frames": len(rec.get("img_names", gt)), "layout": "pysot-json", "source": str(path)}
        return Sequence(name=name, gt=gt, frames=frames, absent=absent, attributes=rec.get("attr") or (),
                        tags=record_tags(path, name, rec, len(gt)), image_size=size, meta=meta)
