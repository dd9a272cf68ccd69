"""The vectorised scan-line rasteriser against a plain per-frame, per-pixel transcription of
the two toolkits' fill procedures (written from reference.md section 1.6 and the toolkits'
documented behaviour), on random and adversarial polygons.  The ``votpy`` rule is also checked
against the vot-toolkit package (test_vot_oracle.py); for ``trax`` this slow reference and the
published pysot numbers (test_vot_published.py) are the checks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sotbench.metrics.overlap import region_overlaps, region_overlaps_multi
from sotbench.metrics.raster import polygon_spans, row_layout
from vot_cases import paired_regions

F32 = np.float32


def ref_fill(pts, width: int, height: int, rule: str) -> np.ndarray:
    """Boolean mask of a polygon with integer vertices ``pts`` (already rounded, box-relative)."""
    mask = np.zeros((height, width), dtype=bool)
    n = len(pts)
    for y in range(height):
        nodes = []
        for i in range(n):
            (xj, yj), (xi, yi) = pts[i - 1], pts[i]
            if min(yi, yj) <= y <= max(yi, yj):
                if yj != yi:
                    nodes.append(int(xi + (y - yi) / (yj - yi) * (xj - xi)))  # int(): toward zero
                elif rule == "votpy":
                    nodes.append(int(xi))
        nodes.sort()
        i = 0
        while i < len(nodes) - 1:
            if rule == "votpy" and nodes[i] >= width:
                break
            if nodes[i] == nodes[i + 1] and (rule == "trax" or i < len(nodes) - 2):
                i += 1
                continue
            if rule == "trax" and nodes[i] >= width:
                break
            if nodes[i + 1] >= 0:
                mask[y, max(nodes[i], 0) : min(nodes[i + 1], width - 1) + 1] = True
            i += 2
    return mask


def _round_away(v: float) -> float:
    return math.floor(v + 0.5) if v >= 0 else math.ceil(v - 0.5)


def _trax_points(row):
    v = row[~np.isnan(row)]
    if v.size == 4:
        x, y, w, h = (float(t) for t in v)
        v = np.array([x, y, x + w, y, x + w, y + h, x, y + h])
    v = v.astype(F32)
    return list(zip(v[0::2], v[1::2]))


def ref_trax_overlap(a_row, b_row, bounds) -> float:
    """pysot's region overlap, one frame at a time, float32 where the C code uses float."""
    pa, pb = _trax_points(a_row), _trax_points(b_row)
    boxes = []
    for p in pa, pb:
        xs, ys = [q[0] for q in p], [q[1] for q in p]
        box = [F32(math.floor(min(xs))), F32(math.floor(min(ys))), F32(math.ceil(max(xs))), F32(math.ceil(max(ys)))]
        if bounds is not None:
            box = [max(box[0], F32(0)), max(box[1], F32(0)), min(box[2], F32(bounds[0])), min(box[3], F32(bounds[1]))]
        boxes.append(box)
    (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes
    x, y = min(l1, l2), min(t1, t2)
    width, height = int(max(r1, r2) - x) + 1, int(max(b1, b2) - y) + 1
    a1, a2 = float((r1 - l1) * (b1 - t1)), float((r2 - l2) * (b2 - t2))
    with np.errstate(all="ignore"):
        small = [a1 / a2 if a2 else (math.copysign(math.inf, a1) if a1 else math.nan),
                 a2 / a1 if a1 else (math.copysign(math.inf, a2) if a2 else math.nan)]
        inter = (min(r1, r2) - max(l1, l2)) * (min(b1, b2) - max(t1, t2))
        ratio = inter / (F32(a1) + F32(a2) - inter)
    if small[0] < 1e-10 or small[1] < 1e-10 or width < 1 or height < 1 or ratio <= 0:
        return 0.0
    masks = [ref_fill([(_round_away(float(F32(px - x))), _round_away(float(F32(py - y)))) for px, py in p],
                      width, height, "trax") for p in (pa, pb)]
    both, union = int((masks[0] & masks[1]).sum()), int((masks[0] | masks[1]).sum())
    with np.errstate(all="ignore"):
        return float(F32(both) / F32(union))


@pytest.mark.parametrize("rule", ["trax", "votpy"])
def test_polygon_spans_equal_reference_masks(rule):
    rng = np.random.default_rng(5)
    frames, width, height = 400, 30, 25
    nv = rng.integers(3, 9, frames)
    vx = np.full((frames, 8), np.nan)
    vy = np.full((frames, 8), np.nan)
    for f in range(frames):
        vx[f, : nv[f]] = rng.integers(-8, width + 8, nv[f])
        vy[f, : nv[f]] = rng.integers(-8, height + 8, nv[f])
        if f % 4 == 0:  # axis-aligned boxes and shared rows
            vy[f, 1] = vy[f, 0]
    widths = np.full(frames, width)
    frame, row = row_layout(np.full(frames, height))
    starts, ends = polygon_spans(vx, vy, nv, frame, row, widths, rule)
    for f in range(frames):
        pts = list(zip(vx[f, : nv[f]], vy[f, : nv[f]]))
        want = ref_fill(pts, width, height, rule)
        got = np.zeros_like(want)
        for r in np.flatnonzero(frame == f):
            for s, e in zip(starts[r], ends[r]):
                assert not got[row[r], s : e + 1].any(), "spans of one row must be disjoint"
                got[row[r], s : e + 1] = True
        np.testing.assert_array_equal(got, want, err_msg=f"frame {f}: {pts}")


@pytest.mark.parametrize("bounded", [True, False])
def test_trax_overlaps_equal_reference(bounded):
    rng = np.random.default_rng(21 + bounded)
    size = (90, 70)
    pred, special, gt = paired_regions(rng, 900, size)
    bounds = size if bounded else None
    ours = region_overlaps(pred, gt, bounds, mode="trax", pred_special=special)
    assert np.isnan(ours[special]).all()
    want = np.array([ref_trax_overlap(p, g, bounds) for p, g in zip(pred[~special], gt[~special])])
    np.testing.assert_array_equal(ours[~special], want)
    assert ((want > 0) & (want < 1)).sum() > 150


def test_trax_rectangles_cover_w_plus_one_columns():
    """x..x+w inclusive: a 2x2 box covers 3x3 pixels; shifted by one: 6 of 12 pixels shared."""
    pred = np.array([[1, 0, 2, 2] + [np.nan] * 4])
    gt = np.array([[0, 0, 2, 2] + [np.nan] * 4])
    assert region_overlaps(pred, gt, None, mode="trax")[0] == 0.5
    assert ref_trax_overlap(pred[0], gt[0], None) == 0.5


@pytest.mark.parametrize("mode", ["trax", "votpy"])
def test_multi_bounds_equal_separate_calls(mode):
    """Frames away from the border are not recomputed for the second bounds: same result."""
    rng = np.random.default_rng(17)
    size = (90, 70)
    pred, special, gt = paired_regions(rng, 1500, size)
    bounds = [size, (size[0] - 1, size[1] - 1), (size[0] - 7, size[1] - 3)]
    multi = region_overlaps_multi(pred, gt, bounds, mode=mode, pred_special=special)
    for b, got in zip(bounds, multi):
        np.testing.assert_array_equal(got, region_overlaps(pred, gt, b, mode=mode, pred_special=special))
    assert not np.array_equal(multi[0], multi[1], equal_nan=True)
