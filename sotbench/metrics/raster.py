"""Scan-line rasterisation of polygons into per-row pixel spans, vectorised over many frames.

The VOT toolkits compute region overlap on rasterised masks.  Both rasterisers (the trax C
library used by pysot, and its port in the Python VOT toolkit) walk the rows of a box, collect
the integer crossings ("nodes") of the polygon edges with each row, sort them and fill pixels
between node pairs with a few rules for duplicate nodes.  Here every row of every frame is one
array row; the fill loop is replayed as a small state machine over the sorted nodes, so that
the produced pixel spans are exactly the toolkit's, and pixel counts come from span
arithmetic instead of masks (a row costs O(vertices), not O(width)).

Vertex coordinates given here are already rounded and relative to the raster box.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FILL_RULES", "polygon_spans", "rect_spans", "span_counts", "row_layout"]

_BIG = np.int64(1) << 62  # node value that sorts after every real node

# The two toolkits differ in three details of the scan-line fill (see module docstring):
#   horizontal: does an edge lying on the row add a node (its first vertex)?
#   dedupe_last: may the last pair of equal nodes be skipped as a duplicate?
#   break_first: is the "node beyond the right border" test done before the duplicate test?
FILL_RULES = {
    # trax C library as bundled with pysot (non-legacy mode)
    "trax": {"horizontal": False, "dedupe_last": True, "break_first": False},
    # Python VOT toolkit (vot.region.raster.rasterize_polygon)
    "votpy": {"horizontal": True, "dedupe_last": False, "break_first": True},
}


def row_layout(heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For frames with ``heights`` rows: the frame index and the row index of every row."""
    heights = np.asarray(heights, dtype=np.int64)
    frame = np.repeat(np.arange(heights.size), heights)
    starts = np.cumsum(heights) - heights
    row = np.arange(frame.size, dtype=np.int64) - np.repeat(starts, heights)
    return frame, row


def _nodes(vx, vy, nv, frame, row, horizontal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sorted edge/row crossings ``(R, V)`` (padding ``_BIG``) and their count per row."""
    n_vert = vx.shape[1]
    y = row.astype(np.float64)
    nodes = np.full((frame.size, n_vert), _BIG, dtype=np.int64)
    nvr = nv[frame]
    frames = np.arange(vx.shape[0])
    for e in range(n_vert):
        prev = np.maximum(nv - 1, 0) if e == 0 else np.full_like(nv, e - 1)  # edge from the previous vertex
        xi, yi = vx[:, e][frame], vy[:, e][frame]
        xj, yj = vx[frames, prev][frame], vy[frames, prev][frame]
        inside = (e < nvr) & (np.minimum(yi, yj) <= y) & (y <= np.maximum(yi, yj))
        r, k = yj - yi, xj - xi
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = np.trunc(xi + (y - yi) / r * k)
        sloped = r != 0
        value = np.where(sloped, cross, xi)
        take = inside & (sloped | horizontal)
        nodes[take, e] = value[take].astype(np.int64)
    count = np.count_nonzero(nodes != _BIG, axis=1)
    nodes.sort(axis=1)
    return nodes, count


def polygon_spans(vx, vy, nv, frame, row, width, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint pixel spans ``[start, end]`` of each row (``(R, S)``; empty spans have end < start).

    ``vx, vy``: ``(M, V)`` rounded vertex coordinates relative to the raster box of each of
    ``M`` frames (``nv`` valid vertices each); ``frame``/``row``: the rows to fill;
    ``width``: ``(M,)`` raster box widths.  ``rule``: a key of ``FILL_RULES``.
    """
    opts = FILL_RULES[rule]
    nodes, count = _nodes(vx, vy, nv, frame, row, opts["horizontal"])
    n_rows, n_slots = frame.size, max(vx.shape[1] - 1, 1)
    wr = width[frame]
    starts = np.zeros((n_rows, n_slots), dtype=np.int64)
    ends = np.full((n_rows, n_slots), -1, dtype=np.int64)
    i = np.zeros(n_rows, dtype=np.int64)
    done = np.zeros(n_rows, dtype=bool)
    last_end = np.full(n_rows, -1, dtype=np.int64)
    idx = np.arange(n_rows)
    for t in range(n_slots):
        active = ~done & (i < count - 1)
        if not active.any():
            break
        a = nodes[idx, np.minimum(i, nodes.shape[1] - 1)]
        b = nodes[idx, np.minimum(i + 1, nodes.shape[1] - 1)]
        same = a == b
        if not opts["dedupe_last"]:
            same &= i < count - 2
        beyond = a >= wr
        if opts["break_first"]:
            stop = active & beyond
            skip = active & ~stop & same
        else:
            skip = active & same
            stop = active & ~skip & beyond
        pair = active & ~skip & ~stop
        fill = pair & (b >= 0)
        s = np.maximum(np.maximum(a, 0), last_end + 1)  # a pixel shared with the previous span counts once
        e = np.minimum(b, wr - 1)
        starts[fill, t], ends[fill, t] = s[fill], e[fill]
        last_end = np.where(fill, np.maximum(last_end, e), last_end)
        i += skip + 2 * pair
        done |= stop
    return starts, ends


def rect_spans(left, top, right, bottom, frame, row) -> tuple[np.ndarray, np.ndarray]:
    """Spans ``(R, 1)`` of axis-aligned pixel boxes ``left..right x top..bottom`` (per frame)."""
    inside = (row >= top[frame]) & (row <= bottom[frame])
    starts = np.where(inside, left[frame], 0)[:, None]
    ends = np.where(inside, right[frame], -1)[:, None]
    return starts, ends


def span_counts(sa, ea, sb, eb) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: pixels of A, pixels of B, pixels of both (spans within A or B are disjoint)."""
    na = np.clip(ea - sa + 1, 0, None).sum(axis=1)
    nb = np.clip(eb - sb + 1, 0, None).sum(axis=1)
    lo = np.maximum(sa[:, :, None], sb[:, None, :])
    hi = np.minimum(ea[:, :, None], eb[:, None, :])
    both = np.clip(hi - lo + 1, 0, None).sum(axis=(1, 2))
    return na, nb, both
