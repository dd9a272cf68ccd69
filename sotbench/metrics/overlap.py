"""Per-frame region overlap exactly as the VOT toolkits compute it (rasterised, bounded).

Two conventions, selected by ``mode``:

``"trax"`` -- the trax C library bundled with pysot (``toolkit/utils/region.pyx`` +
``src/region.c``, non-legacy rasterisation).  A rectangle ``x,y,w,h`` becomes the polygon with
corners ``x`` and ``x + w`` (so it covers ``w + 1`` pixel columns once filled inclusively);
coordinates are stored as float32; each region's bounding box is floored/ceiled and cut by the
bounds ``(W, H)`` which cover pixels ``0 .. W`` *inclusive*; regions whose boxes do not overlap
(touching boxes included) give 0; the polygons are shifted to the union box, their vertices
rounded half away from zero and scan-line filled.  The result is the float32 quotient
``|A & B| / |A | B|`` (NaN when both masks are empty); a code frame (init / failure / skipped)
gives NaN.

``"votpy"`` -- the Python VOT toolkit (``vot.region.raster.calculate_overlap``, used by
mmtracking too).  Rectangles are rounded (half to even) and cover columns ``x .. x + w - 1``;
polygon vertices are rounded and scan-line filled; bounds ``(W, H)`` restrict the raster to
pixels ``0 .. W-1``.  An empty union box gives 1, a union box outside the bounds 0, an empty
union 0.  Code frames are empty regions (overlap normally 0).

``bounds`` is ``(W, H)`` (or an ``(N, 2)`` array, or ``None`` for no bound) and is used as the
respective toolkit uses the tuple it is given: pysot passes ``(W, H)`` for accuracy and
``(W - 1, H - 1)`` for EAO; the Python toolkit passes ``(W, H)``.
"""

from __future__ import annotations

import numpy as np

from sotbench.metrics.raster import polygon_spans, rect_spans, row_layout, span_counts

__all__ = ["OVERLAP_MODES", "region_overlaps", "region_overlaps_multi", "region_kinds"]

OVERLAP_MODES = ("trax", "votpy")
_ROW_CHUNK = 1 << 18  # raster rows processed at once (memory ~ rows x vertices x 8 B x few)
_F32 = np.float32


def region_kinds(regions: np.ndarray, special: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row: kind (0 code/empty, 1 rectangle, 2 polygon) and number of polygon vertices."""
    r = np.asarray(regions, dtype=np.float64)
    finite = np.isfinite(r)
    count = finite.sum(axis=1)
    kind = np.where(count == 4, 1, np.where((count >= 6) & (count % 2 == 0), 2, 0))
    kind[count == 0] = 0
    if special is not None:
        kind[np.asarray(special, dtype=bool)] = 0
    nv = np.where(kind == 2, count // 2, np.where(kind == 1, 4, 0))
    return kind.astype(np.int8), nv.astype(np.int64)


def _bounds_array(bounds, n: int) -> np.ndarray | None:
    if bounds is None:
        return None
    b = np.asarray(bounds, dtype=np.float64)
    if b.shape == (2,):
        b = np.broadcast_to(b, (n, 2))
    if b.shape != (n, 2):
        raise ValueError(f"bounds must be (W, H) or an (N, 2) array, got shape {b.shape}")
    return b


def _chunks(heights: np.ndarray):
    """Frame index groups whose raster rows add up to about ``_ROW_CHUNK``."""
    todo = np.flatnonzero(heights > 0)
    csum = np.cumsum(heights[todo])
    start = 0
    while start < todo.size:
        base = csum[start - 1] if start else 0
        stop = max(int(np.searchsorted(csum, base + _ROW_CHUNK, side="right")), start + 1)
        yield todo[start:stop]
        start = stop


def _count_pixels(spans_a, spans_b, frame, n_frames) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: |A & B| and |A | B| from per-row spans."""
    na, nb, both = span_counts(*spans_a, *spans_b)
    inter = np.bincount(frame, weights=both, minlength=n_frames)
    union = np.bincount(frame, weights=na + nb - both, minlength=n_frames)
    return inter, union


# -- trax (pysot) -----------------------------------------------------------------------------

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


def _trax_overlaps(pred, gt, kinds_p, kinds_g, bounds) -> np.ndarray:
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
    for idx in _chunks(heights):
        frame, row = row_layout(heights[idx])
        w = width[idx]
        spans = []
        for px, py, nv in ((pxa, pya, nvp), (pxb, pyb, nvg)):
            vx = _round_half_away((px[idx] - x[idx, None]))  # shift in float32, then round
            vy = _round_half_away((py[idx] - y[idx, None]))
            spans.append(polygon_spans(vx, vy, nv[idx], frame, row, w, "trax"))
        inter, union = _count_pixels(spans[0], spans[1], frame, idx.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[idx] = (inter.astype(_F32) / union.astype(_F32)).astype(np.float64)
    return out


# -- Python VOT toolkit --------------------------------------------------------------------------

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


def _votpy_overlaps(pred, gt, kinds_p, kinds_g, bounds) -> np.ndarray:
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
    for idx in _chunks(heights):
        frame, row = row_layout(heights[idx])
        w, h = width[idx], height[idx]
        sa = _votpy_spans(kp, ra, pxa, pya, nvp, u, w, h, idx, frame, row)
        sb = _votpy_spans(kg, rb_, pxb, pyb, nvg, u, w, h, idx, frame, row)
        inter, union = _count_pixels(sa, sb, frame, idx.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[idx] = np.where(union > 0, inter / union, 0.0)
    return out


def region_overlaps(pred: np.ndarray, gt: np.ndarray, bounds=None, *, mode: str,
                    pred_special: np.ndarray | None = None) -> np.ndarray:
    """Per-frame overlap of two ``(N, K)`` region arrays (rectangle rows NaN-padded).

    ``mode``: ``"trax"`` (pysot) or ``"votpy"`` (Python VOT toolkit, mmtracking); ``bounds``:
    ``(W, H)``, an ``(N, 2)`` array or ``None``; ``pred_special``: rows of ``pred`` that are
    codes (all-NaN rows are codes anyway).  Returns float64 ``(N,)``.
    """
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.ndim != 2 or gt.ndim != 2 or pred.shape[0] != gt.shape[0]:
        raise ValueError(f"region arrays must be (N, K) with the same N, got {pred.shape} and {gt.shape}")
    if mode not in OVERLAP_MODES:
        raise ValueError(f"unknown overlap mode {mode!r}, known: {', '.join(OVERLAP_MODES)}")
    kinds_p, kinds_g = region_kinds(pred, pred_special), region_kinds(gt)
    b = _bounds_array(bounds, pred.shape[0])
    fn = _trax_overlaps if mode == "trax" else _votpy_overlaps
    return fn(pred, gt, kinds_p, kinds_g, b)


def _extent(regions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest x and y any region reaches (rectangles: both ends), NaN-safe."""
    r = np.asarray(regions, dtype=np.float64)
    rect = np.isnan(r[:, 4:]).all(axis=1) if r.shape[1] > 4 else np.ones(r.shape[0], dtype=bool)
    xs = np.where(rect[:, None], np.stack([r[:, 0], r[:, 0] + r[:, 2]], axis=1), np.nan)
    ys = np.where(rect[:, None], np.stack([r[:, 1], r[:, 1] + r[:, 3]], axis=1), np.nan)
    with np.errstate(invalid="ignore"):
        mx = np.fmax(np.nanmax(np.where(rect[:, None], np.nan, r[:, 0::2]), axis=1, initial=-np.inf), xs.max(axis=1))
        my = np.fmax(np.nanmax(np.where(rect[:, None], np.nan, r[:, 1::2]), axis=1, initial=-np.inf), ys.max(axis=1))
    return mx, my


def region_overlaps_multi(pred: np.ndarray, gt: np.ndarray, bounds_list: list, *, mode: str,
                          pred_special: np.ndarray | None = None) -> list[np.ndarray]:
    """:func:`region_overlaps` under several bounds (e.g. pysot's ``(W, H)`` and ``(W-1, H-1)``).

    Bounds only matter for regions that reach the right or bottom border, so after the first
    bounds only the frames that come within 3 pixels of the smallest bound are recomputed.
    """
    first = region_overlaps(pred, gt, bounds_list[0], mode=mode, pred_special=pred_special)
    out = [first]
    if len(bounds_list) == 1:
        return out
    finite = [b for b in bounds_list if b is not None]
    n = np.asarray(pred).shape[0]
    if len(finite) != len(bounds_list):
        redo = np.ones(n, dtype=bool)
    else:
        lim = np.min([_bounds_array(b, n) for b in finite], axis=0)
        (px, py), (gx, gy) = _extent(pred), _extent(gt)
        with np.errstate(invalid="ignore"):
            mx, my = np.fmax(px, gx), np.fmax(py, gy)
            redo = ~((np.ceil(mx) + 3 < lim[:, 0]) & (np.ceil(my) + 3 < lim[:, 1]))
    special = None if pred_special is None else np.asarray(pred_special, dtype=bool)[redo]
    for b in bounds_list[1:]:
        ov = first.copy()
        if redo.any():
            bb = _bounds_array(b, n)
            ov[redo] = region_overlaps(np.asarray(pred)[redo], np.asarray(gt)[redo],
                                       None if bb is None else bb[redo], mode=mode, pred_special=special)
        out.append(ov)
    return out
