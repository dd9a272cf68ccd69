"""A sequence's overlap over time as an image, drawn with OpenCV (a few milliseconds per plot, so a
report can have one for every sequence): each run's IoU per frame, failures marked with a cross,
frames that are not scored left as gaps, and a legend with each run's mean IoU."""

from __future__ import annotations

import numpy as np

from sotbench.visual.draw import draw_text

__all__ = ["iou_timeline"]

_MARGIN = (46, 28, 30, 34)  # left, top, bottom, legend gap


def _xy(frames: np.ndarray, iou: np.ndarray, box: tuple[int, int, int, int], n: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    x = x0 + (frames / max(1, n - 1)) * (x1 - x0)
    y = y1 - np.clip(iou, 0, 1) * (y1 - y0)
    return np.stack([x, y], axis=1)


def _segments(valid: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of the runs of True in ``valid``."""
    edges = np.diff(np.concatenate([[0], valid.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def iou_timeline(title: str, lines: list[tuple[str, tuple[int, int, int], np.ndarray, np.ndarray | None]],
                 size: tuple[int, int] = (960, 280), legend_width: int = 220) -> np.ndarray:
    """BGR image of ``(label, BGR colour, per-frame IoU (NaN: not scored), failure frames or None)``."""
    import cv2

    width, height = size
    img = np.full((height, width, 3), 255, np.uint8)
    left, top, bottom, gap = _MARGIN
    box = (left, top, width - legend_width - gap, height - bottom)
    x0, y0, x1, y1 = box
    n = max([len(iou) for _, _, iou, _ in lines] + [2])
    grey, dark = (215, 215, 215), (60, 60, 60)
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = int(round(y1 - v * (y1 - y0)))
        cv2.line(img, (x0, y), (x1, y), grey if 0 < v < 1 else dark, 1)
        draw_text(img, f"{v:.2f}", (2, y - 9), dark, 0.35, None)
    for f in np.unique(np.linspace(0, n - 1, 6).round().astype(int)):
        x = int(round(x0 + f / max(1, n - 1) * (x1 - x0)))
        cv2.line(img, (x, y1), (x, y1 + 4), dark, 1)
        draw_text(img, str(f + 1), (x - 10, y1 + 4), dark, 0.35, None)
    cv2.line(img, (x0, y0), (x0, y1), dark, 1)
    draw_text(img, title, (x0, 2), (0, 0, 0), 0.5, None)
    draw_text(img, "IoU", (2, 2), dark, 0.4, None)
    draw_text(img, "frame", (x1 - 40, y1 + 14), dark, 0.35, None)
    for label, colour, iou, failures in lines:
        iou = np.asarray(iou, dtype=np.float64)
        pts = _xy(np.arange(len(iou)), iou, box, n)
        for a, b in _segments(np.isfinite(iou)):
            seg = np.round(pts[a:b]).astype(np.int32)
            if len(seg) == 1:
                cv2.circle(img, tuple(int(v) for v in seg[0]), 1, colour, -1)
            else:
                cv2.polylines(img, [seg], False, colour, 1, cv2.LINE_AA)
        for f in (failures if failures is not None else ()):
            x, y = _xy(np.array([f]), np.array([0.0]), box, n)[0]
            cv2.drawMarker(img, (int(round(x)), int(round(y))), colour, cv2.MARKER_TILTED_CROSS, 8, 1)
    ly = top
    for label, colour, iou, failures in lines:
        iou = np.asarray(iou, dtype=np.float64)
        mean = float(np.nanmean(iou)) if np.isfinite(iou).any() else float("nan")
        text = f"[{mean:.3f}] {label}" if np.isfinite(mean) else label
        if failures is not None:
            text += f" ({len(failures)} fail.)"
        lx = width - legend_width
        cv2.line(img, (lx, ly + 8), (lx + 18, ly + 8), colour, 2)
        _, h = draw_text(img, text[:34], (lx + 20, ly), (0, 0, 0), 0.38, None)
        ly += h
    return img
