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

__all__ = ["FILL_RULES", "ROW_CHUNK", "polygon_spans", "rect_spans", "span_counts", "row_layout", "row_chunks",
           "count_pixels"]

_BIG = np.int64(1) << 62  # node value that sorts after every real node
ROW_CHUNK = 1 << 18  # raster rows processed at once (memory ~ rows x vertices x 8 B x a few)

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


def _sort_rows(nodes: np.ndarray) -> np.ndarray:
    """Sort each row (a compare-exchange network for the usual 4 columns)."""
    if nodes.shape[1] != 4:
        nodes.sort(axis=1)
        return nodes
    c = [nodes[:, k] for k in range(4)]
    for i, j in ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2)):
        c[i], c[j] = np.minimum(c[i], c[j]), np.maximum(c[i], c[j])
    return np.stack(c, axis=1)


def _nodes(vx, vy, nv, frame, row, horizontal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sorted edge/row crossings ``(R, V)`` (padding ``_BIG``) and their count per row."""
    n_vert = vx.shape[1]
    cols = np.arange(n_vert)
    prev = np.where(cols[None, :] == 0, np.maximum(nv - 1, 0)[:, None], cols[None, :] - 1)  # edge (prev -> e)
    frames = np.arange(vx.shape[0])[:, None]
    xi, yi = vx[frame], vy[frame]
    xj, yj = vx[frames, prev][frame], vy[frames, prev][frame]
    y = row.astype(np.float64)[:, None]
    inside = (cols[None, :] < nv[frame][:, None]) & (np.minimum(yi, yj) <= y) & (y <= np.maximum(yi, yj))
    r = yj - yi
    sloped = r != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(sloped, np.trunc(xi + (y - yi) / r * (xj - xi)), xi)
    take = inside & (sloped | horizontal) if not horizontal else inside
    nodes = np.where(take, np.nan_to_num(value), 0).astype(np.int64)
    nodes[~take] = _BIG
    return _sort_rows(nodes), take.sum(axis=1)


def _fill_machine(nodes, count, wr, opts) -> tuple[np.ndarray, np.ndarray]:
    """Replay the toolkit's fill loop on rows with 3+ nodes; spans packed from column 0."""
    n_rows, n_slots = nodes.shape[0], max(nodes.shape[1] // 2, 1)
    starts = np.zeros((n_rows, n_slots), dtype=np.int64)
    ends = np.full((n_rows, n_slots), -1, dtype=np.int64)
    i = np.zeros(n_rows, dtype=np.int64)
    k = np.zeros(n_rows, dtype=np.int64)  # spans written so far
    done = np.zeros(n_rows, dtype=bool)
    last_end = np.full(n_rows, -1, dtype=np.int64)
    idx = np.arange(n_rows)
    top = nodes.shape[1] - 1
    for _ in range(top):
        active = ~done & (i < count - 1)
        if not active.any():
            break
        a, b = nodes[idx, np.minimum(i, top)], nodes[idx, np.minimum(i + 1, top)]
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
        s = np.maximum(np.maximum(a, 0), last_end + 1)  # a pixel shared with the previous span counts once
        e = np.minimum(b, wr - 1)
        fill = pair & (b >= 0) & (s <= e)
        slot = np.minimum(k, n_slots - 1)
        starts[idx[fill], slot[fill]], ends[idx[fill], slot[fill]] = s[fill], e[fill]
        k += fill
        last_end = np.where(fill, e, last_end)
        i += skip + 2 * pair
        done |= stop
    used = max(int(k.max(initial=0)), 1)
    return starts[:, :used], ends[:, :used]


def polygon_spans(vx, vy, nv, frame, row, width, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint pixel spans ``[start, end]`` of each row (``(R, S)``; empty spans have end < start).

    ``vx, vy``: ``(M, V)`` rounded vertex coordinates relative to the raster box of each of
    ``M`` frames (``nv`` valid vertices each); ``frame``/``row``: the rows to fill;
    ``width``: ``(M,)`` raster box widths.  ``rule``: a key of ``FILL_RULES``.
    """
    opts = FILL_RULES[rule]
    nodes, count = _nodes(vx, vy, nv, frame, row, opts["horizontal"])
    wr = width[frame]
    # rows with exactly two nodes (almost all): one pair, no loop needed
    a, b = nodes[:, 0], nodes[:, 1]
    fill = (count == 2) & (a < wr) & (b >= 0)
    if opts["dedupe_last"]:
        fill &= a != b
    starts = np.where(fill, np.maximum(a, 0), 0)[:, None]
    ends = np.where(fill, np.minimum(b, wr - 1), -1)[:, None]
    many = count >= 3
    if many.any():
        s, e = _fill_machine(nodes[many], count[many], wr[many], opts)
        if s.shape[1] > 1:
            pad = s.shape[1] - 1
            starts = np.pad(starts, ((0, 0), (0, pad)))
            ends = np.pad(ends, ((0, 0), (0, pad)), constant_values=-1)
        starts[many, : s.shape[1]], ends[many, : e.shape[1]] = s, e
        starts[many, s.shape[1]:], ends[many, e.shape[1]:] = 0, -1
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
    if sa.shape[1] == 1 and sb.shape[1] == 1:
        both = np.clip(np.minimum(ea[:, 0], eb[:, 0]) - np.maximum(sa[:, 0], sb[:, 0]) + 1, 0, None)
        return na, nb, both
    lo = np.maximum(sa[:, :, None], sb[:, None, :])
    hi = np.minimum(ea[:, :, None], eb[:, None, :])
    both = np.clip(hi - lo + 1, 0, None).sum(axis=(1, 2))
    return na, nb, both


def row_chunks(heights: np.ndarray):
    """Frame index groups whose raster rows add up to about ``ROW_CHUNK``."""
    todo = np.flatnonzero(heights > 0)
    csum = np.cumsum(heights[todo])
    start = 0
    while start < todo.size:
        base = csum[start - 1] if start else 0
        stop = max(int(np.searchsorted(csum, base + ROW_CHUNK, side="right")), start + 1)
        yield todo[start:stop]
        start = stop


def count_pixels(spans_a, spans_b, frame, n_frames) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: |A & B| and |A | B| from per-row spans."""
    na, nb, both = span_counts(*spans_a, *spans_b)
    inter = np.bincount(frame, weights=both, minlength=n_frames)
    union = np.bincount(frame, weights=na + nb - both, minlength=n_frames)
    return inter, union
