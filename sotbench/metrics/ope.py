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
    "curve_counts",
]

METRICS = ("success", "precision", "norm_precision")


def gt_valid_mask(gt: np.ndarray, rule: str) -> np.ndarray:
    """Frames whose ground-truth box is valid under ``rule`` (NaN is never valid, except for "any")."""
    gt = np.asarray(gt, dtype=np.float64)
    if rule == "wh_positive":
        return (gt[:, 2] > 0) & (gt[:, 3] > 0)
    if rule == "all_positive":
        return (gt > 0).all(axis=1)
    if rule == "corners_ordered":
        return (gt[:, 0] + gt[:, 2] > gt[:, 0]) & (gt[:, 1] + gt[:, 3] > gt[:, 1])
    if rule == "finite":
        return ~np.isnan(gt).any(axis=1)
    if rule == "any":
        return np.ones(len(gt), dtype=bool)
    raise ValueError(f"unknown gt_valid rule {rule!r}")


def _bounded(boxes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """got10k's clip of boxes to the image ``(W, H)`` per frame (x, y first, then w, h)."""
    b = boxes.copy()
    b[:, 0] = np.clip(b[:, 0], 0, bounds[:, 0])
    b[:, 1] = np.clip(b[:, 1], 0, bounds[:, 1])
    b[:, 2] = np.clip(b[:, 2], 0, bounds[:, 0] - b[:, 0])
    b[:, 3] = np.clip(b[:, 3], 0, bounds[:, 1] - b[:, 1])
    return b


def _overlaps_float32(pred: np.ndarray, gt: np.ndarray, union_min: float) -> np.ndarray:
    """mmdet ``bbox_overlaps`` (diagonal): corners in float32, union clamped, no clip."""
    g = np.concatenate([gt[:, :2], gt[:, :2] + gt[:, 2:]], axis=1).astype(np.float32)
    p = np.concatenate([pred[:, :2], pred[:, :2] + pred[:, 2:]], axis=1).astype(np.float32)
    area_g = (g[:, 2] - g[:, 0]) * (g[:, 3] - g[:, 1])
    area_p = (p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1])
    w = np.maximum(np.minimum(g[:, 2], p[:, 2]) - np.maximum(g[:, 0], p[:, 0]), np.float32(0))
    h = np.maximum(np.minimum(g[:, 3], p[:, 3]) - np.maximum(g[:, 1], p[:, 1]), np.float32(0))
    inter = w * h
    union = np.maximum(area_g + area_p - inter, np.float32(union_min))
    return (inter / union).astype(np.float64)


def overlaps(pred: np.ndarray, gt: np.ndarray, profile: Profile, bounds: np.ndarray | None = None) -> np.ndarray:
    """Row-wise IoU under the profile's pixel convention; NaN where an input is NaN."""
    pred, gt = np.asarray(pred, dtype=np.float64), np.asarray(gt, dtype=np.float64)
    if profile.iou_bound and bounds is not None:
        pred, gt = _bounded(pred, bounds), _bounded(gt, bounds)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if profile.iou_float32:
            return _overlaps_float32(pred, gt, profile.union_min)
        d = 1.0 if profile.iou == "inclusive" else 0.0
        # ``(x + w) - d`` in this order, as every toolkit writes it (exact at thresholds).
        right = np.minimum(pred[:, 0] + pred[:, 2] - d, gt[:, 0] + gt[:, 2] - d)
        bottom = np.minimum(pred[:, 1] + pred[:, 3] - d, gt[:, 1] + gt[:, 3] - d)
        w = np.maximum(right - np.maximum(pred[:, 0], gt[:, 0]) + d, 0.0)
        h = np.maximum(bottom - np.maximum(pred[:, 1], gt[:, 1]) + d, 0.0)
        inter = w * h
        union = pred[:, 2] * pred[:, 3] + gt[:, 2] * gt[:, 3] - inter
        if profile.union_min:
            union = np.maximum(union, profile.union_min)
        iou = inter / (union + profile.iou_eps) if profile.iou_eps else inter / union
    if profile.iou_clip:
        iou = np.clip(iou, 0.0, 1.0)
    return iou


def centers(boxes: np.ndarray, offset: float = -0.5) -> np.ndarray:
    """Box centres ``x + (w + 2*offset)/2`` (offset -0.5 gives the usual ``x + (w-1)/2``)."""
    b = np.asarray(boxes, dtype=np.float64)
    return b[:, :2] + (b[:, 2:4] + 2 * offset) / 2


def center_errors(pred: np.ndarray, gt: np.ndarray, offset: float = -0.5) -> np.ndarray:
    """Euclidean distance between the centres of ``pred`` and ``gt`` rows (pixels)."""
    diff = centers(gt, offset) - centers(pred, offset)
    return np.sqrt(diff[:, 0] ** 2 + diff[:, 1] ** 2)


def normalized_center_errors(pred: np.ndarray, gt: np.ndarray, mode: str, offset: float = -0.5) -> np.ndarray:
    """Centre error with x divided by the GT width and y by the GT height, as ``mode`` computes it."""
    gc, pc = centers(gt, offset), centers(pred, offset)
    wh = np.asarray(gt, dtype=np.float64)[:, 2:4]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if mode == "centers_eps":  # pysot / mmtracking: both centres scaled, 1e-16 added
            diff = gc / (wh + 1e-16) - pc / (wh + 1e-16)
        elif mode == "centers":  # MATLAB kits, pytracking: both centres scaled
            diff = gc / wh - pc / wh
        elif mode == "diff_max1":  # got10k: difference over max(1, w)
            diff = (pc - gc) / np.maximum(np.array([[1.0, 1.0]]), wh)
        elif mode == "diff":  # TrackingNet devkit: d / w * d / w, left to right
            d = gc - pc
            return np.sqrt(d[:, 0] / wh[:, 0] * d[:, 0] / wh[:, 0] + d[:, 1] / wh[:, 1] * d[:, 1] / wh[:, 1])
        else:
            raise ValueError(f"unknown norm_mode {mode!r}")
        return np.sqrt(diff[:, 0] ** 2 + diff[:, 1] ** 2)


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


def _precision_mask(gt_metric_centers: np.ndarray, gt_ok: np.ndarray, rule: str) -> np.ndarray:
    if rule == "center_positive":
        return (gt_metric_centers > 0).all(axis=1)
    if rule == "gt_valid":
        return gt_ok
    return np.ones(len(gt_ok), dtype=bool)


def _apply(value: np.ndarray, counted: np.ndarray, mask: np.ndarray, rule: str, fail: float) -> None:
    """Frames outside ``mask`` become correct (-inf), failed (``fail``) or uncounted."""
    if rule == "ignore":
        counted &= mask
    else:
        value[~mask] = -np.inf if rule == "correct" else fail


def frame_values(
    pred: np.ndarray,
    gt: np.ndarray,
    profile: Profile,
    absent: np.ndarray | None = None,
    bounds: np.ndarray | None = None,
) -> FrameScores:
    """Values of success, precision and normalized precision for every frame."""
    pred, gt = np.asarray(pred, dtype=np.float64), np.asarray(gt, dtype=np.float64)
    n = len(gt)
    gt_ok = gt_valid_mask(gt, profile.gt_valid)
    absent = np.zeros(n, dtype=bool) if absent is None or profile.absent == "score" else absent.astype(bool)
    # A NaN ground truth is not a box: it follows the invalid-GT rule whatever its absence flag
    # (UAV123 marks absence only by NaN rows, and every toolkit scores those as invalid GT).
    absent = absent & ~np.isnan(gt).any(axis=1)
    iou = overlaps(pred, gt, profile, bounds)
    success = np.where(np.isnan(iou), -np.inf, iou)
    counted = ~absent if profile.absent == "ignore" else np.ones(n, dtype=bool)
    s_counted = counted.copy()
    _apply(success, s_counted, gt_ok, "fail" if profile.invalid_gt == "fail" else "ignore", -np.inf)
    if profile.absent == "fail":
        success[absent] = -np.inf

    err = center_errors(pred, gt, profile.center_offset)
    prec = np.where(np.isnan(err), np.inf, err)
    p_counted = counted.copy()
    mask = _precision_mask(centers(gt, profile.center_offset), gt_ok, profile.precision_valid)
    _apply(prec, p_counted, mask, profile.invalid_gt_precision, np.inf)

    nerr = normalized_center_errors(pred, gt, profile.norm_mode, profile.center_offset)
    nprec = np.where(np.isnan(nerr), np.inf, nerr)
    n_counted = counted.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        wh = gt[:, 2:4] + (1e-16 if profile.norm_mode == "centers_eps" else 0.0)
        ncenters = centers(gt, profile.center_offset) / wh if profile.norm_mode.startswith("centers") \
            else centers(gt, profile.center_offset)
    mask = _precision_mask(ncenters, gt_ok, profile.precision_valid)
    _apply(nprec, n_counted, mask, profile.invalid_gt_norm_precision, np.inf)
    if profile.absent == "fail":
        prec[absent] = np.inf
        nprec[absent] = np.inf

    overlap = np.where(np.isfinite(success), np.clip(success, 0.0, None), 0.0)
    return FrameScores(FrameValues(success, s_counted, overlap), FrameValues(prec, p_counted),
                       FrameValues(nprec, n_counted), gt_ok & ~absent)


def curve_counts(
    value: np.ndarray, seq: np.ndarray, n_seq: int, th: np.ndarray, compare: str
) -> np.ndarray:
    """``(n_seq, len(th))`` counts of frames with ``value compare th[j]``, per sequence.

    ``compare`` is ``">"``, ``">="`` (success) or ``"<="`` (precision); thresholds ascend.
    """
    th = np.asarray(th, dtype=np.float64)
    t = len(th)
    side = "right" if compare == ">=" else "left"
    idx = np.searchsorted(th, value, side=side)  # number of thresholds below (or at) the value
    hist = np.bincount(seq * (t + 1) + idx, minlength=n_seq * (t + 1)).reshape(n_seq, t + 1)
    if compare == "<=":  # frame passes thresholds j >= idx
        return np.cumsum(hist[:, :t], axis=1)
    # frame passes thresholds j < idx
    return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]
