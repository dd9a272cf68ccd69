"""Render runs on a sequence's real frames: a video (MP4/GIF), a contact sheet of chosen frames
(PNG) or a failure gallery (PNG).  Each frame is decoded once and drawn with OpenCV."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sotbench.frames import FrameError
from sotbench.visual.draw import FrameMark, annotate_frame, hex_to_bgr
from sotbench.visual.gallery import contact_sheet, gallery_image
from sotbench.visual.media import open_writer, write_png
from sotbench.visual.tracks import ShowError, Track

__all__ = ["frame_reader", "frame_marks", "draw_frame", "write_video", "write_sheet", "write_gallery",
           "even_frames"]


def frame_reader(seq) -> Callable[[int], np.ndarray]:
    """``read(i)`` -> frame ``i`` of ``seq`` (BGR); a missing or corrupt frame is a one-line ``ShowError``."""
    if seq.frames is None:
        raise ShowError(f"sequence {seq.name!r} has no frames in this dataset root (annotation-only?): "
                        "point --root at the folder that holds the images")
    frames = seq.frames

    def read(i: int) -> np.ndarray:
        try:
            return frames[i]
        except FrameError as exc:
            raise ShowError(str(exc)) from None

    return read


def frame_marks(tracks: list[Track], i: int) -> list[FrameMark]:
    """What each run shows on frame ``i``."""
    out = []
    for t in tracks:
        code = t.code(i)
        iou = float(t.overlap.iou[i]) if i < len(t.overlap.iou) else float("nan")
        out.append(FrameMark(t.name, hex_to_bgr(t.colour), t.region(i), iou, code, t.dashed))
    return out


def _gt(seq, i: int):
    return seq.gt[i] if i < len(seq.gt) else None


def draw_frame(seq, tracks: list[Track], i: int, image: np.ndarray) -> np.ndarray:
    """Frame ``i`` with the ground truth, every run's region, the frame number and the legend."""
    header = f"{seq.name}  #{i + 1}/{len(seq)}"
    return annotate_frame(image, header, _gt(seq, i), frame_marks(tracks, i))


def even_frames(n: int, count: int) -> list[int]:
    """``count`` frame indices spread evenly over ``n`` frames (first and last included)."""
    if n <= 0:
        return []
    return sorted({int(round(v)) for v in np.linspace(0, n - 1, min(count, n))})


def _bar(total: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="fr", desc=desc, disable=not enabled, dynamic_ncols=True, file=sys.stderr)


def write_video(seq, tracks: list[Track], out: str | os.PathLike, fps: float = 25.0,
                frames: list[int] | None = None, progress: bool = True) -> tuple[Path, int]:
    """Every frame (or ``frames``) drawn into an MP4 or GIF; returns the path and the frame count."""
    read = frame_reader(seq)
    indices = list(range(len(seq))) if frames is None else frames
    writer = open_writer(out, fps)
    bar = _bar(len(indices), progress, f"{seq.name} -> {Path(out).name}")
    try:
        for i in indices:
            writer.append(draw_frame(seq, tracks, i, read(i)))
            bar.update(1)
        path = writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        bar.close()
    return path, writer.count


def write_sheet(seq, tracks: list[Track], out: str | os.PathLike, frames: list[int], columns: int = 4,
                width: int = 480) -> Path:
    """A PNG contact sheet of ``frames`` (each drawn as in the video, scaled to ``width`` pixels)."""
    import cv2

    read = frame_reader(seq)
    tiles = []
    for i in frames:
        img = draw_frame(seq, tracks, i, read(i))
        scale = width / img.shape[1]
        tiles.append(cv2.resize(img, (width, max(1, round(img.shape[0] * scale))), interpolation=cv2.INTER_AREA
                                if scale < 1 else cv2.INTER_LINEAR))
    return write_png(out, contact_sheet(tiles, columns, f"{seq.name}: {', '.join(t.name for t in tracks)}"))


def write_gallery(seq, tracks: list[Track], out: str | os.PathLike, k: int = 12, columns: int = 6) -> Path:
    """The failure gallery of ``seq`` (each run's ``k`` worst frames) as one PNG."""
    return write_png(out, gallery_image(seq, tracks, frame_reader(seq), k, columns))
