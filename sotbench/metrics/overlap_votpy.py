"""Region overlap as the Python VOT toolkit computes it (see ``overlap``)."""

from __future__ import annotations

import numpy as np

from sotbench.metrics.raster import count_pixels, polygon_spans, rect_spans, row_chunks, row_layout

__all__ = ["votpy_overlaps"]

_F32 = np.float32


def _votpy_regions(regions, kind, nv):
    """Rounded (half to even) float32 data: rectangle ``x, y, w, h`` and polygon vertices."""
    v = max(3, int(nv.max(initial=3)))
    rect = np.round(regions[:, :4].astype(_F32)).astype(np.float64)
    px = np.full((regions.shape[0], v), np.nan)
    py = np.full((regions.shape[0], v), np.nan)
    poly = kind == 2
    m = min(v, regions.shape[1] // 2)
    px[poly, :m] = np.round(regions[poly, 0 : 2 * m : 2].astype(_F32))
    py[poly, :m] = np.round(regions[poly, 1 : 2 * m : 2].astype(_F32))
    return rect, px, py


def _votpy_box(kind, rect, px, py, nv):
    """Integer bounds ``(left, top, right, bottom)``; ``(0, 0, 0, 0)`` for a code/empty region."""
    valid = np.arange(px.shape[1]) < nv[:, None]
    with np.errstate(invalid="ignore"):
        pl = np.where(valid, px, np.inf).min(axis=1)
        pt = np.where(valid, py, np.inf).min(axis=1)
        pr = np.where(valid, px, -np.inf).max(axis=1)
        pb = np.where(valid, py, -np.inf).max(axis=1)
    x, y, w, h = rect.T
    box = np.zeros((4, kind.size))
    for i, (rv, pv) in enumerate(((x, pl), (y, pt), (x + w - 1, pr), (y + h - 1, pb))):
        box[i] = np.where(kind == 1, rv, np.where(kind == 2, pv, 0.0))
    return box.astype(np.int64)


def _slice_stop(stop: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Python slice semantics of ``[:stop]`` on an axis of ``size`` (negative stops wrap)."""
    stop = np.where(stop < 0, stop + size, stop)
    return np.clip(stop, 0, size)


def _votpy_rect_spans(rect, rb, width, height, idx, frame, row):
    x, y, w, h = (np.nan_to_num(rect[idx, c]).astype(np.int64) for c in range(4))  # NaN: not a rectangle
    b0, b1, b2, b3 = (rb[c][idx] for c in range(4))
    outside = (x > b2) | (x + w - 1 < b0) | (y > b3) | (y + h - 1 < b1)
    left, top = np.maximum(0, x - b0), np.maximum(0, y - b1)
    right = _slice_stop(np.minimum(b2, x + w - 1 - b0) + 1, width) - 1
    bottom = _slice_stop(np.minimum(b3, y + h - 1 - b1) + 1, height) - 1
    bottom = np.where(outside, -1, bottom)
    return rect_spans(left, top, right, bottom, frame, row)


def _votpy_spans(kind, rect, px, py, nv, rb, width, height, idx, frame, row):
    """Spans of one region list over the rows of the frames ``idx``."""
    k = kind[idx][frame]
    sel = k == 2
    ps = pe = None
    if sel.any():
        vx = px[idx] - rb[0][idx, None]
        vy = py[idx] - rb[1][idx, None]
        ps, pe = polygon_spans(vx, vy, nv[idx], frame[sel], row[sel], width, "votpy")
    n_slots = 1 if ps is None else ps.shape[1]
    starts = np.zeros((frame.size, n_slots), dtype=np.int64)
    ends = np.full((frame.size, n_slots), -1, dtype=np.int64)
    s, e = _votpy_rect_spans(rect, rb, width, height, idx, frame, row)
    starts[k == 1, :1], ends[k == 1, :1] = s[k == 1], e[k == 1]
    if ps is not None:
        starts[sel], ends[sel] = ps, pe
    return starts, ends


def votpy_overlaps(pred, gt, kinds_p, kinds_g, bounds) -> np.ndarray:
    (kp, nvp), (kg, nvg) = kinds_p, kinds_g
    ra, pxa, pya = _votpy_regions(pred, kp, nvp)
    rb_, pxb, pyb = _votpy_regions(gt, kg, nvg)
    b1, b2 = _votpy_box(kp, ra, pxa, pya, nvp), _votpy_box(kg, rb_, pxb, pyb, nvg)
    u = (np.minimum(b1[0], b2[0]), np.minimum(b1[1], b2[1]), np.maximum(b1[2], b2[2]), np.maximum(b1[3], b2[3]))
    out = np.zeros(pred.shape[0])
    one = (u[0] >= u[2]) | (u[1] >= u[3])  # "two empty regions are identical"
    if bounds is not None:
        bw, bh = bounds[:, 0].astype(np.int64), bounds[:, 1].astype(np.int64)
        u = (np.maximum(0, u[0]), np.maximum(0, u[1]), np.minimum(bw - 1, u[2]), np.minimum(bh - 1, u[3]))
    outside = (u[0] >= u[2]) | (u[1] >= u[3])
    out[one] = 1.0
    width, height = u[2] - u[0] + 1, u[3] - u[1] + 1
    heights = np.where(one | outside, 0, height)
    for idx in row_chunks(heights):
        frame, row = row_layout(heights[idx])
        w, h = width[idx], height[idx]
        sa = _votpy_spans(kp, ra, pxa, pya, nvp, u, w, h, idx, frame, row)
        sb = _votpy_spans(kg, rb_, pxb, pyb, nvg, u, w, h, idx, frame, row)
        inter, union = count_pixels(sa, sb, frame, idx.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[idx] = np.where(union > 0, inter / union, 0.0)
    return out
