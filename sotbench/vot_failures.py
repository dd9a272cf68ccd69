"""The VOT failure test for many streams at once (the reset protocol's rule, ``protocols.py``).

A frame is a failure when ``polygon_iou(box, region, (W, H))`` is not above
``failure_overlap``.  ``polygon_iou`` costs ~0.2 ms in Python, too much for thousands of
stream-frames per second, so with the usual threshold 0 a vectorised test first settles the
clear cases: the box, clipped to the image, overlaps the region with a margin (for a polygon:
the polygon is convex, has an area of at least 1 px and its vertex mean lies inside the
clipped box by at least half a pixel; then the intersection has a positive area and
``polygon_iou`` is positive).  Every other frame (a box near or off the target, a non-convex
polygon, a threshold above 0) goes through ``polygon_iou`` itself.
"""

from __future__ import annotations

import numpy as np

from sotbench.boxes import polygon_iou

__all__ = ["vot_overlap_ok"]

MARGIN = 0.5


def _clipped(boxes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``(x1, y1, x2, y2)`` of the boxes cut to ``[0, W] x [0, H]``."""
    x1 = np.maximum(boxes[:, 0], 0.0)
    y1 = np.maximum(boxes[:, 1], 0.0)
    x2 = np.minimum(boxes[:, 0] + boxes[:, 2], bounds[:, 0])
    y2 = np.minimum(boxes[:, 1] + boxes[:, 3], bounds[:, 1])
    return np.stack([x1, y1, x2, y2], axis=1)


def _rect_clear(r: np.ndarray, g: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Rectangle regions ``g (n, 4)``: the clipped box and clipped region overlap by > MARGIN."""
    gc = _clipped(g, bounds)
    w = np.minimum(r[:, 2], gc[:, 2]) - np.maximum(r[:, 0], gc[:, 0])
    h = np.minimum(r[:, 3], gc[:, 3]) - np.maximum(r[:, 1], gc[:, 1])
    return (w > MARGIN) & (h > MARGIN)


def _poly_clear(r: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Polygon regions ``q (n, 4, 2)``: convex, area >= 1, vertex mean inside ``r`` by MARGIN."""
    e = np.roll(q, -1, axis=1) - q
    cross = e[:, :, 0] * np.roll(e, -1, axis=1)[:, :, 1] - e[:, :, 1] * np.roll(e, -1, axis=1)[:, :, 0]
    convex = (cross > 0).all(axis=1) | (cross < 0).all(axis=1)
    x, y = q[:, :, 0], q[:, :, 1]
    area = 0.5 * np.abs((x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1)).sum(axis=1))
    c = q.mean(axis=1)
    inside = ((c[:, 0] - r[:, 0] > MARGIN) & (r[:, 2] - c[:, 0] > MARGIN)
              & (c[:, 1] - r[:, 1] > MARGIN) & (r[:, 3] - c[:, 1] > MARGIN))
    return convex & (area >= 1.0) & inside


def vot_overlap_ok(boxes: np.ndarray, regions: list[np.ndarray], bounds: np.ndarray,
                   threshold: float) -> np.ndarray:
    """Per row: ``polygon_iou(boxes[i], regions[i], bounds[i]) > threshold`` (bool array)."""
    n = len(boxes)
    ok = np.zeros(n, dtype=bool)
    settled = np.zeros(n, dtype=bool)
    if n and threshold == 0:
        boxes = np.asarray(boxes, dtype=np.float64)
        bounds = np.asarray(bounds, dtype=np.float64)
        finite = np.isfinite(boxes).all(axis=1)
        r = _clipped(np.where(finite[:, None], boxes, 0.0), bounds)
        rect = np.array([len(g) == 4 for g in regions])
        if rect.any():
            g = np.array([regions[i] for i in np.flatnonzero(rect)], dtype=np.float64)
            settled[rect] = _rect_clear(r[rect], g, bounds[rect])
        poly = np.array([len(g) == 8 for g in regions])
        if poly.any():
            q = np.array([regions[i] for i in np.flatnonzero(poly)], dtype=np.float64).reshape(-1, 4, 2)
            settled[poly] = _poly_clear(r[poly], q) & np.isfinite(q).all(axis=(1, 2))
        settled &= finite
        ok[settled] = True
    for i in np.flatnonzero(~settled):
        ok[i] = polygon_iou(boxes[i], regions[i], (float(bounds[i][0]), float(bounds[i][1]))) > threshold
    return ok
