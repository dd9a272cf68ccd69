"""Region overlap as the trax C library bundled with pysot computes it (see ``overlap``)."""

from __future__ import annotations

import numpy as np

from sotbench.metrics.raster import count_pixels, polygon_spans, row_chunks, row_layout

__all__ = ["trax_overlaps"]

_F32 = np.float32


def _trax_vertices(regions, kind, nv):
    """float32 vertex arrays ``(N, V)``; rectangles as corners ``x, x+w`` (no ``-1``)."""
    n, v = regions.shape[0], max(4, int(nv.max(initial=4)))
    px = np.full((n, v), np.nan, dtype=_F32)
    py = np.full((n, v), np.nan, dtype=_F32)
    rect, poly = kind == 1, kind == 2
    x, y, w, h = (regions[rect, c] for c in range(4))
    px[rect, :4] = np.stack([x, x + w, x + w, x], axis=1)  # sums in float64 as in Python, then float32
    py[rect, :4] = np.stack([y, y, y + h, y + h], axis=1)
    m = min(v, regions.shape[1] // 2)
    px[poly, :m] = regions[poly, 0 : 2 * m : 2]
    py[poly, :m] = regions[poly, 1 : 2 * m : 2]
    return px, py


def _trax_box(px, py, valid, bounds):
    """Each region's rounded bounding box cut by the bounds: ``(left, top, right, bottom)`` float32."""
    inf = _F32(np.inf)
    left = np.floor(np.where(valid, px, inf).min(axis=1))
    top = np.floor(np.where(valid, py, inf).min(axis=1))
    right = np.ceil(np.where(valid, px, -inf).max(axis=1))
    bottom = np.ceil(np.where(valid, py, -inf).max(axis=1))
    if bounds is not None:
        bw, bh = bounds[:, 0].astype(_F32), bounds[:, 1].astype(_F32)
        left, top = np.maximum(left, _F32(0)), np.maximum(top, _F32(0))
        right, bottom = np.minimum(right, bw), np.minimum(bottom, bh)
    return left, top, right, bottom


def _trax_shortcut(b1, b2):
    """Frames that trax answers with 0 before rasterising, and the union box of the others."""
    l1, t1, r1, d1 = b1
    l2, t2, r2, d2 = b2
    x, y = np.minimum(l1, l2), np.minimum(t1, t2)
    with np.errstate(invalid="ignore", over="ignore"):
        width = np.trunc(np.maximum(r1, r2) - x).astype(np.int64) + 1
        height = np.trunc(np.maximum(d1, d2) - y).astype(np.int64) + 1
    area1, area2 = (r1 - l1) * (d1 - t1), (r2 - l2) * (d2 - t2)  # float32, as in C
    inter = (np.minimum(r1, r2) - np.maximum(l1, l2)) * (np.minimum(d1, d2) - np.maximum(t1, t2))
    with np.errstate(divide="ignore", invalid="ignore"):
        a1, a2 = area1.astype(np.float64), area2.astype(np.float64)
        tiny = (a1 / a2 < 1e-10) | (a2 / a1 < 1e-10) | (width < 1) | (height < 1)
        ratio = inter / ((area1 + area2) - inter)  # float32 bounds_overlap()
    return tiny | (ratio <= 0), x, y, width, height


def _round_half_away(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.float64)
    return np.where(v >= 0, np.floor(v + 0.5), np.ceil(v - 0.5))


def trax_overlaps(pred, gt, kinds_p, kinds_g, bounds) -> np.ndarray:
    n = pred.shape[0]
    (kp, nvp), (kg, nvg) = kinds_p, kinds_g
    out = np.full(n, np.nan)
    ok = (kp > 0) & (kg > 0)
    pxa, pya = _trax_vertices(pred, kp, nvp)
    pxb, pyb = _trax_vertices(gt, kg, nvg)
    va = np.arange(pxa.shape[1]) < nvp[:, None]
    vb = np.arange(pxb.shape[1]) < nvg[:, None]
    with np.errstate(invalid="ignore"):
        zero, x, y, width, height = _trax_shortcut(_trax_box(pxa, pya, va, bounds), _trax_box(pxb, pyb, vb, bounds))
    out[ok & zero] = 0.0
    todo = ok & ~zero
    heights = np.where(todo, height, 0)
    for idx in row_chunks(heights):
        frame, row = row_layout(heights[idx])
        w = width[idx]
        spans = []
        for px, py, nv in ((pxa, pya, nvp), (pxb, pyb, nvg)):
            vx = _round_half_away((px[idx] - x[idx, None]))  # shift in float32, then round
            vy = _round_half_away((py[idx] - y[idx, None]))
            spans.append(polygon_spans(vx, vy, nv[idx], frame, row, w, "trax"))
        inter, union = count_pixels(spans[0], spans[1], frame, idx.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[idx] = (inter.astype(_F32) / union.astype(_F32)).astype(np.float64)
    return out
