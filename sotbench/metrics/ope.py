"""One-pass (OPE) metrics per frame and per sequence, vectorised over all frames at once.

The functions take ``(F, 4)`` arrays of ``x, y, w, h`` boxes (the frames of many sequences
concatenated) and a ``Profile``; every convention comes from the profile.  Per frame they
give the overlap, centre error and normalised centre error, and for each metric a value that
already encodes the profile's frame rules (``-inf``: counts as a failure for success, as
correct for precision; ``+inf``: counts as a failure for precision), plus a mask of the
frames that are counted at all.  ``curve_counts`` then counts, per sequence and threshold,
the frames that pass - one ``searchsorted`` and one ``bincount`` for all sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sotbench.metrics.profile import Profile

__all__ = [
    "gt_valid_mask",
    "overlaps",
    "centers",
    "center_errors",
    "normalized_center_errors",
    "FrameValues",
    "FrameScores",
    "frame_values",
    "frame_values_cols",
    "curve_counts",
]

METRICS = ("success", "precision", "norm_precision")


def _cols(boxes: np.ndarray) -> np.ndarray:
    """``(4, N)`` contiguous float64 columns x, y, w, h of ``(N, 4)`` rows (fast column maths)."""
    return np.ascontiguousarray(np.asarray(boxes, dtype=np.float64)[:, :4].T)


def _valid(g: np.ndarray, rule: str) -> np.ndarray:
    if rule == "wh_positive":
        return (g[2] > 0) & (g[3] > 0)
    if rule == "all_positive":
        return (g[0] > 0) & (g[1] > 0) & (g[2] > 0) & (g[3] > 0)
    if rule == "corners_ordered":
        return (g[0] + g[2] > g[0]) & (g[1] + g[3] > g[1])
    if rule == "finite":
        return ~(np.isnan(g[0]) | np.isnan(g[1]) | np.isnan(g[2]) | np.isnan(g[3]))
    if rule == "any":
        return np.ones(g.shape[1], dtype=bool)
    raise ValueError(f"unknown gt_valid rule {rule!r}")


def gt_valid_mask(gt: np.ndarray, rule: str) -> np.ndarray:
    """Frames whose ground-truth box is valid under ``rule`` (NaN is never valid, except for "any")."""
    return _valid(_cols(gt), rule)


def _bounded(b: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """got10k's clip of boxes to the image ``(W, H)`` per frame (x, y first, then w, h)."""
    b = b.copy()
    b[0] = np.clip(b[0], 0, bounds[0])
    b[1] = np.clip(b[1], 0, bounds[1])
    b[2] = np.clip(b[2], 0, bounds[0] - b[0])
    b[3] = np.clip(b[3], 0, bounds[1] - b[1])
    return b


def _overlaps_float32(p: np.ndarray, g: np.ndarray, union_min: float) -> np.ndarray:
    """mmdet ``bbox_overlaps`` (diagonal): corners in float32, union clamped, no clip."""
    gx1, gy1 = g[0].astype(np.float32), g[1].astype(np.float32)
    gx2, gy2 = (g[0] + g[2]).astype(np.float32), (g[1] + g[3]).astype(np.float32)
    px1, py1 = p[0].astype(np.float32), p[1].astype(np.float32)
    px2, py2 = (p[0] + p[2]).astype(np.float32), (p[1] + p[3]).astype(np.float32)
    area_g = (gx2 - gx1) * (gy2 - gy1)
    area_p = (px2 - px1) * (py2 - py1)
    w = np.maximum(np.minimum(gx2, px2) - np.maximum(gx1, px1), np.float32(0))
    h = np.maximum(np.minimum(gy2, py2) - np.maximum(gy1, py1), np.float32(0))
    inter = w * h
    union = np.maximum(area_g + area_p - inter, np.float32(union_min))
    return (inter / union).astype(np.float64)


def _overlaps(p: np.ndarray, g: np.ndarray, profile: Profile, bounds: np.ndarray | None) -> np.ndarray:
    if profile.iou_bound and bounds is not None:
        p, g = _bounded(p, bounds), _bounded(g, bounds)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if profile.iou_float32:
            return _overlaps_float32(p, g, profile.union_min)
        d = 1.0 if profile.iou == "inclusive" else 0.0
        # ``(x + w) - d`` in this order, as every toolkit writes it (exact at thresholds).
        pr, gr = p[0] + p[2], g[0] + g[2]
        pb, gb = p[1] + p[3], g[1] + g[3]
        if d:
            pr -= d
            gr -= d
            pb -= d
            gb -= d
        w = np.minimum(pr, gr)
        w -= np.maximum(p[0], g[0])
        if d:
            w += d
        np.maximum(w, 0.0, out=w)
        h = np.minimum(pb, gb)
        h -= np.maximum(p[1], g[1])
        if d:
            h += d
        np.maximum(h, 0.0, out=h)
        inter = w
        inter *= h
        union = p[2] * p[3]
        union += g[2] * g[3]
        union -= inter
        if profile.union_min:
            np.maximum(union, profile.union_min, out=union)
        if profile.iou_eps:
            union += profile.iou_eps
        iou = inter / union
    if profile.iou_clip:
        np.clip(iou, 0.0, 1.0, out=iou)
    return iou


def overlaps(pred: np.ndarray, gt: np.ndarray, profile: Profile, bounds: np.ndarray | None = None) -> np.ndarray:
    """Row-wise IoU under the profile's pixel convention; NaN where an input is NaN.

    ``bounds`` is ``(N, 2)`` image sizes ``(W, H)``, used when the profile clips to the image.
    """
    return _overlaps(_cols(pred), _cols(gt), profile, None if bounds is None else _cols2(bounds))


def _cols2(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64).T)


def _centers(b: np.ndarray, offset: float) -> tuple[np.ndarray, np.ndarray]:
    """``x + (w + 2*offset)/2`` and the same for y (offset -0.5: the usual ``x + (w-1)/2``)."""
    k = 2 * offset
    return b[0] + (b[2] + k) / 2, b[1] + (b[3] + k) / 2


def centers(boxes: np.ndarray, offset: float = -0.5) -> np.ndarray:
    """Box centres ``(N, 2)``: ``x + (w + 2*offset)/2`` (offset -0.5 gives ``x + (w-1)/2``)."""
    cx, cy = _centers(_cols(boxes), offset)
    return np.stack([cx, cy], axis=1)


def _distance(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """``sqrt(dx**2 + dy**2)`` in the toolkits' order (not hypot: ties at thresholds must agree)."""
    out = dx * dx
    out += dy * dy
    return np.sqrt(out, out=out)


def center_errors(pred: np.ndarray, gt: np.ndarray, offset: float = -0.5) -> np.ndarray:
    """Euclidean distance between the centres of ``pred`` and ``gt`` rows (pixels)."""
    (gx, gy), (px, py) = _centers(_cols(gt), offset), _centers(_cols(pred), offset)
    return _distance(gx - px, gy - py)


def _norm_errors(gc, pc, g: np.ndarray, mode: str) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Normalised centre errors and the normalised GT centres (for the validity mask)."""
    (gx, gy), (px, py) = gc, pc
    w, h = g[2], g[3]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if mode in ("centers_eps", "centers"):  # pysot / mmtracking add 1e-16; MATLAB kits do not
            if mode == "centers_eps":
                w, h = w + 1e-16, h + 1e-16
            ngx, ngy = gx / w, gy / h
            return _distance(ngx - px / w, ngy - py / h), (ngx, ngy)
        if mode == "diff_max1":  # got10k: difference over max(1, w)
            return _distance((px - gx) / np.maximum(1.0, w), (py - gy) / np.maximum(1.0, h)), gc
        if mode == "diff":  # TrackingNet devkit: d / w * d / w, left to right
            dx, dy = gx - px, gy - py
            return np.sqrt(dx / w * dx / w + dy / h * dy / h), gc
    raise ValueError(f"unknown norm_mode {mode!r}")


def normalized_center_errors(pred: np.ndarray, gt: np.ndarray, mode: str, offset: float = -0.5) -> np.ndarray:
    """Centre error with x divided by the GT width and y by the GT height, as ``mode`` computes it."""
    g = _cols(gt)
    return _norm_errors(_centers(g, offset), _centers(_cols(pred), offset), g, mode)[0]


@dataclass
class FrameValues:
    """Per-frame values of one metric, with the profile's frame rules applied."""

    value: np.ndarray  # compared with the thresholds
    counted: np.ndarray  # bool: frame is in the numerator's population and the denominator
    iou: np.ndarray | None = None  # success only: overlap in [0, 1] of counted frames (fail = 0)


@dataclass
class FrameScores:
    """The three metrics' frame values and the frames with valid, visible ground truth."""

    success: FrameValues
    precision: FrameValues
    norm_precision: FrameValues
    valid: np.ndarray

    def metric(self, name: str) -> FrameValues:
        """The values of metric ``name``."""
        return getattr(self, name)


def _precision_mask(gx: np.ndarray, gy: np.ndarray, gt_ok: np.ndarray, rule: str) -> np.ndarray:
    if rule == "center_positive":
        return (gx > 0) & (gy > 0)
    if rule == "gt_valid":
        return gt_ok
    return np.ones(len(gt_ok), dtype=bool)


def _apply(value: np.ndarray, counted: np.ndarray, mask: np.ndarray, rule: str, fail: float) -> np.ndarray:
    """Frames outside ``mask`` become correct (-inf), failed (``fail``) or uncounted."""
    if mask.all():
        return counted
    if rule == "ignore":
        return counted & mask
    value[~mask] = -np.inf if rule == "correct" else fail
    return counted


def _finite_or(values: np.ndarray, fill: float) -> np.ndarray:
    """NaN replaced by ``fill`` in place (a NaN overlap fails, a NaN distance fails)."""
    values[np.isnan(values)] = fill
    return values


def frame_values(
    pred: np.ndarray,
    gt: np.ndarray,
    profile: Profile,
    absent: np.ndarray | None = None,
    bounds: np.ndarray | None = None,
) -> FrameScores:
    """Values of success, precision and normalized precision for every frame."""
    return frame_values_cols(_cols(pred), _cols(gt), profile, absent, None if bounds is None else _cols2(bounds))


def frame_values_cols(
    p: np.ndarray,
    g: np.ndarray,
    profile: Profile,
    absent: np.ndarray | None = None,
    bounds: np.ndarray | None = None,
) -> FrameScores:
    """``frame_values`` on ``(4, N)`` column arrays (and ``(2, N)`` bounds), without copies."""
    n = g.shape[1]
    gt_ok = _valid(g, profile.gt_valid)
    if absent is None or profile.absent == "score" or not np.any(absent):
        absent = np.zeros(n, dtype=bool)
    else:
        # A NaN ground truth is not a box: it follows the invalid-GT rule whatever its absence
        # flag (UAV123 marks absence only by NaN rows; every toolkit scores those as invalid GT).
        absent = np.asarray(absent, dtype=bool) & _valid(g, "finite")
    counted = ~absent if profile.absent == "ignore" else np.ones(n, dtype=bool)
    fail_absent = profile.absent == "fail" and absent.any()

    success = _finite_or(_overlaps(p, g, profile, bounds), -np.inf)
    s_counted = _apply(success, counted, gt_ok, "fail" if profile.invalid_gt == "fail" else "ignore", -np.inf)
    if fail_absent:
        success[absent] = -np.inf

    gc, pc = _centers(g, profile.center_offset), _centers(p, profile.center_offset)
    prec = _finite_or(_distance(gc[0] - pc[0], gc[1] - pc[1]), np.inf)
    mask = _precision_mask(gc[0], gc[1], gt_ok, profile.precision_valid)
    p_counted = _apply(prec, counted, mask, profile.invalid_gt_precision, np.inf)

    nerr, ngc = _norm_errors(gc, pc, g, profile.norm_mode)
    nprec = _finite_or(nerr, np.inf)
    mask = _precision_mask(ngc[0], ngc[1], gt_ok, profile.precision_valid)
    n_counted = _apply(nprec, counted, mask, profile.invalid_gt_norm_precision, np.inf)
    if fail_absent:
        prec[absent] = np.inf
        nprec[absent] = np.inf

    # failed or invalid frames (-inf) count as overlap 0
    overlap = np.where(np.isfinite(success), np.maximum(success, 0.0), 0.0)
    return FrameScores(FrameValues(success, s_counted, overlap), FrameValues(prec, p_counted),
                       FrameValues(nprec, n_counted), gt_ok & ~absent)


def _count_below(th: np.ndarray, value: np.ndarray, side: str) -> np.ndarray:
    """Per value, the number of thresholds below it (``side="right"``: below or equal).

    Thresholds 0, 1, ..., T-1 (pixels) are counted exactly with ``ceil``/``floor``; others with
    ``searchsorted``.
    """
    t = len(th)
    if t > 1 and th[0] == 0 and np.array_equal(th, np.arange(t)):
        with np.errstate(invalid="ignore"):
            k = np.floor(value) + 1 if side == "right" else np.ceil(value)
        return np.clip(k, 0, t).astype(np.int64)
    return np.searchsorted(th, value, side=side)


def curve_counts(
    value: np.ndarray, seq: np.ndarray, n_seq: int, th: np.ndarray, compare: str
) -> np.ndarray:
    """``(n_seq, len(th))`` counts of frames with ``value compare th[j]``, per sequence.

    ``compare`` is ``">"``, ``">="`` (success) or ``"<="`` (precision); thresholds ascend.
    """
    th = np.asarray(th, dtype=np.float64)
    t = len(th)
    idx = _count_below(th, value, "right" if compare == ">=" else "left")
    hist = np.bincount(seq * (t + 1) + idx, minlength=n_seq * (t + 1)).reshape(n_seq, t + 1)
    if compare == "<=":  # frame passes thresholds j >= idx
        return np.cumsum(hist[:, :t], axis=1)
    # frame passes thresholds j < idx
    return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]
