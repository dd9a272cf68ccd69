"""A generic "folder of sequences" layout for custom data, and helpers shared by adapters.

::

    <root>/list.txt                      optional: sequence order (else sorted folder names)
    <root>/<seq>/img/0001.jpg ...         or color/*.jpg, or the images in <seq>/ itself,
                                          or one video file <seq>/*.mp4|*.avi|*.mov|*.mkv
    <root>/<seq>/groundtruth.txt          x,y,w,h (or 8-number polygons) per frame; a single
                                          row = only the initial box is known
    <root>/<seq>/attributes.txt           optional: attribute codes, comma separated
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, read_rows
from sotbench.frames import ImageFiles, VideoFrames
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["FolderDataset", "natural_key", "list_images", "find_frames"]

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp")
VIDEO_EXTS = (".mp4", ".avi", ".mov", ".mkv", ".webm")
GT_NAMES = ("groundtruth.txt", "groundtruth_rect.txt")
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple:
    """Sort key that orders ``2.jpg`` before ``10.jpg``."""
    return tuple(int(t) if t.isdigit() else t.lower() for t in _DIGITS.split(name))


def list_images(folder: Path) -> list[Path]:
    """Image files of ``folder`` in natural order."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS]
    return sorted(files, key=lambda p: natural_key(p.name))


def find_frames(seq_dir: Path):
    """The frame source of a sequence folder: ``img/``, ``color/``, the folder itself, or a video."""
    for sub in ("img", "color", "."):
        images = list_images(seq_dir / sub)
        if images:
            return ImageFiles(images)
    videos = sorted(p for p in seq_dir.iterdir() if p.suffix.lower() in VIDEO_EXTS) if seq_dir.is_dir() else []
    if videos:
        return VideoFrames(videos[0])
    return None


class FolderDataset(Dataset):
    """Custom data: one folder per sequence with frames (or a video) and ``groundtruth.txt``."""

    spec = DatasetSpec(
        key="folder",
        title="Folder of sequences",
        folder="custom",
        layout="<root>/<seq>/ with img/*.jpg (or color/, images in the folder, or a video) + groundtruth.txt",
        how_to_get="Your own data: one folder per sequence with img/ (or a video) and groundtruth.txt.",
    )

    def _sequence_dirs(self) -> list[Path]:
        listing = self.root / "list.txt"
        if listing.is_file():
            from sotbench.datasets.layout import read_list  # layout imports this module

            return [self.root / n for n in read_list(listing)]
        return sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: natural_key(p.name))

    def _index(self):
        return {d.name: partial(self._load, d) for d in self._sequence_dirs()}

    def _load(self, seq_dir: Path) -> Sequence:
        gt_path = next((seq_dir / n for n in GT_NAMES if (seq_dir / n).is_file()), None)
        if gt_path is None:
            raise AnnotationError(seq_dir, f"no ground truth (expected one of {', '.join(GT_NAMES)})")
        gt = read_rows(gt_path, widths=(4, 8), allow_nan=True)
        frames = find_frames(seq_dir)
        if frames is None:
            raise AnnotationError(seq_dir, "no frames (expected img/*.jpg, color/*.jpg, images or a video file)")
        if len(gt) != 1 and len(gt) != len(frames):
            raise AnnotationError(gt_path, f"{len(gt)} ground-truth rows for {len(frames)} frames "
                                  "(expected one row per frame, or a single initial row)")
        check_init_box(gt_path, gt[0])
        attrs_path = seq_dir / "attributes.txt"
        attrs = frozenset()
        if attrs_path.is_file():
            attrs = frozenset(a.strip() for a in re.split(r"[,\s]+", attrs_path.read_text()) if a.strip())
        meta = {"n_frames": len(frames), "source": str(gt_path)}
        return Sequence(name=seq_dir.name, gt=gt, frames=frames, attributes=attrs, meta=meta)


def check_init_box(path: Path, row: np.ndarray) -> None:
    """The first ground-truth row must be a finite box with positive size (or a polygon)."""
    vals = row[~np.isnan(row)] if np.isnan(row[4:]).all() else row
    if vals.size == 4 and (not np.isfinite(vals).all() or vals[2] <= 0 or vals[3] <= 0):
        raise AnnotationError(path, f"first box must have positive width and height, got {vals.tolist()}", 1)
    if vals.size == 8 and not np.isfinite(vals).all():
        raise AnnotationError(path, "first region must be finite", 1)
