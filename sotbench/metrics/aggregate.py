"""From per-frame values to per-sequence counts, and from those to scores and curves.

``Stats`` holds, per sequence, how many frames pass each threshold of each metric and the
denominators; every score, curve, attribute subset and leaderboard value is computed from
these counts, so nothing is recomputed from boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sotbench.metrics.ope import METRICS, FrameScores, curve_counts
from sotbench.metrics.profile import Profile

__all__ = ["Stats", "compute_stats", "sequence_scores", "aggregate", "SCORE_KEYS"]

SCORE_KEYS = ("success_auc", "precision", "norm_precision", "success_rate_50", "success_rate_75", "average_overlap")
_RATES = np.array([0.5, 0.75])
_MATLAB_EPS = np.finfo(float).eps


def _trapz(y: np.ndarray) -> np.ndarray:
    """Trapezoid area under ``y`` sampled evenly on [0, 1] (the TrackingNet devkit's score)."""
    x = np.linspace(0, 1, y.shape[-1])
    trapezoid = getattr(np, "trapezoid", None) or np.trapz
    return trapezoid(y, x=x, axis=-1)


@dataclass
class Stats:
    """Per-sequence threshold counts and denominators of all OPE metrics."""

    names: list[str]
    n_frames: np.ndarray  # frames scored per sequence
    thresholds: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]  # metric -> (S, T) frames passing each threshold
    denom: dict[str, np.ndarray]  # metric -> (S,) denominator
    overlap_sum: np.ndarray  # (S,) sum of overlaps of counted frames (failures count 0)
    rate_counts: np.ndarray  # (S, 2) frames with IoU above 0.5 / 0.75

    def curves(self, metric: str) -> np.ndarray:
        """``(S, T)`` per-sequence curves (NaN where a sequence has no counted frame)."""
        d = self.denom[metric].astype(np.float64)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, self.counts[metric] / d, np.nan)


def compute_stats(frames: FrameScores, seq: np.ndarray, names: list[str], profile: Profile) -> Stats:
    """Count, per sequence, the frames passing each threshold (``seq``: sequence index per frame)."""
    n_seq = len(names)
    counts, denom, ths = {}, {}, {}
    valid_denom = np.bincount(seq[frames.valid], minlength=n_seq)
    all_denom = np.bincount(seq, minlength=n_seq)
    for metric in METRICS:
        fv = frames.metric(metric)
        th = profile.thresholds(metric)
        compare = profile.success_compare if metric == "success" else "<="
        every = bool(fv.counted.all())  # the usual case: no masking copies
        value, s = (fv.value, seq) if every else (fv.value[fv.counted], seq[fv.counted])
        counts[metric] = curve_counts(value, s, n_seq, th, compare)
        if profile.denominator == "valid":
            denom[metric] = valid_denom
        else:
            denom[metric] = all_denom if every else np.bincount(s, minlength=n_seq)
        ths[metric] = th
    sv = frames.success
    every = bool(sv.counted.all())
    value, s, iou = (sv.value, seq, sv.iou) if every else (sv.value[sv.counted], seq[sv.counted], sv.iou[sv.counted])
    overlap_sum = np.bincount(s, weights=iou, minlength=n_seq)
    passes = (lambda t: value >= t) if profile.success_compare == ">=" else (lambda t: value > t)
    rates = np.stack([np.bincount(s, weights=passes(t), minlength=n_seq) for t in _RATES], axis=1)
    return Stats(list(names), all_denom, ths, counts, denom, overlap_sum, rates)


def _score(curve: np.ndarray, metric: str, profile: Profile) -> np.ndarray:
    """The reported number of a curve (or of each row of a curve matrix)."""
    rule = {"success": profile.success_score, "precision": profile.precision_score,
            "norm_precision": profile.norm_score}[metric]
    if rule in ("mean", "average_overlap"):
        return curve.mean(axis=-1)
    if rule == "trapz":
        return _trapz(curve)
    return curve[..., 20]  # at_20 px / at_0.20: index 20 of 0..50 step 1 (or 0..0.5 step 0.01)


def sequence_scores(stats: Stats, profile: Profile) -> dict[str, np.ndarray]:
    """Per-sequence scores: one array per key of ``SCORE_KEYS`` plus ``n_frames``."""
    out: dict[str, np.ndarray] = {}
    for metric, key in zip(METRICS, ("success_auc", "precision", "norm_precision")):
        out[key] = _score(stats.curves(metric), metric, profile)
    d = stats.denom["success"].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ao = np.where(d > 0, stats.overlap_sum / d, np.nan)
        rates = np.where(d[:, None] > 0, stats.rate_counts / d[:, None], np.nan)
    if profile.success_score == "average_overlap":
        out["success_auc"] = ao
    out["success_rate_50"], out["success_rate_75"] = rates[:, 0], rates[:, 1]
    out["average_overlap"] = ao
    out["n_frames"] = stats.n_frames.astype(np.int64)
    return out


def _mean_curve(stats: Stats, metric: str, rows: np.ndarray, profile: Profile) -> np.ndarray:
    """The overall curve of ``metric`` over the sequences ``rows``."""
    if profile.sequence_weight == "frames":
        total = stats.denom[metric][rows].sum()
        if not total:
            return np.full(len(stats.thresholds[metric]), np.nan)
        return stats.counts[metric][rows].sum(axis=0) / total
    curves = stats.curves(metric)[rows]
    curves = curves[~np.isnan(curves).any(axis=1)]
    if profile.drop_zero_sequences:  # MATLAB kits: aa(sum(aa, 2) > eps, :)
        curves = curves[curves.sum(axis=1) > _MATLAB_EPS]
    if len(curves) == 0:
        return np.full(len(stats.thresholds[metric]), np.nan)
    return curves.mean(axis=0)


def _pooled(values: np.ndarray, denom: np.ndarray, rows: np.ndarray, profile: Profile) -> float:
    """Average overlap / success rate over ``rows``: per-sequence mean, or frame-pooled."""
    if profile.sequence_weight == "frames":
        total = denom[rows].sum()
        return float(values[rows].sum() / total) if total else float("nan")
    d = denom[rows]
    per_seq = values[rows][d > 0] / d[d > 0]
    return float(per_seq.mean()) if len(per_seq) else float("nan")


def aggregate(stats: Stats, profile: Profile, rows: np.ndarray | None = None) -> tuple[dict, dict]:
    """Overall scores (fractions) and curves ``{metric: {"x": [...], "y": [...]}}`` over ``rows``."""
    rows = np.arange(len(stats.names)) if rows is None else np.asarray(rows, dtype=np.int64)
    overall: dict[str, float] = {}
    curves: dict[str, dict] = {}
    for metric, key in zip(METRICS, ("success_auc", "precision", "norm_precision")):
        curve = _mean_curve(stats, metric, rows, profile)
        overall[key] = float(_score(curve, metric, profile))
        curves[metric] = {"x": stats.thresholds[metric].tolist(), "y": curve.tolist()}
    d = stats.denom["success"]
    overall["average_overlap"] = _pooled(stats.overlap_sum, d, rows, profile)
    if profile.success_score == "average_overlap":
        overall["success_auc"] = overall["average_overlap"]
    overall["success_rate_50"] = _pooled(stats.rate_counts[:, 0], d, rows, profile)
    overall["success_rate_75"] = _pooled(stats.rate_counts[:, 1], d, rows, profile)
    return overall, curves
