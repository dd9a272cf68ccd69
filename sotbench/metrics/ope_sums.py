"""The OPE scores and curves as sums over sequences (``sotbench.metrics.bootstrap.Ratio``).

Written from the per-sequence counts in ``Stats`` so that a resample of the sequences is
aggregated exactly as ``aggregate`` aggregates the real set: under ``sequence_weight:
frames`` a score is the ratio of frame counts summed over the drawn sequences; otherwise it
is the mean over the drawn sequences that ``aggregate`` keeps (no NaN curve; the MATLAB kits
also drop all-zero curves).  Every reported score is linear in its curve (mean, trapezoid,
value at 20 px), so a sequence's share is its own score.
"""

from __future__ import annotations

import numpy as np

from sotbench.metrics.aggregate import _MATLAB_EPS, Stats, _score
from sotbench.metrics.bootstrap import Ratio
from sotbench.metrics.ope import METRICS
from sotbench.metrics.profile import Profile

__all__ = ["score_statistics", "curve_statistics"]

_KEYS = dict(zip(METRICS, ("success_auc", "precision", "norm_precision")))


def _kept(curves: np.ndarray, profile: Profile) -> np.ndarray:
    """The sequences whose curve ``aggregate`` averages (equal sequence weights)."""
    keep = ~np.isnan(curves).any(axis=1)
    if profile.drop_zero_sequences:  # MATLAB kits: aa(sum(aa, 2) > eps, :)
        keep &= np.where(keep[:, None], curves, 0.0).sum(axis=1) > _MATLAB_EPS
    return keep


def _pooled(values: np.ndarray, denom: np.ndarray, profile: Profile) -> Ratio:
    """Average overlap / success rates: frame-pooled, or the mean over sequences with a counted frame."""
    d = denom.astype(np.float64)
    if profile.sequence_weight == "frames":
        return Ratio(values.astype(np.float64), d)
    has = d > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return Ratio(np.where(has, values / np.where(has, d, 1.0), 0.0), has.astype(np.float64))


def score_statistics(stats: Stats, profile: Profile) -> dict[str, Ratio]:
    """Each ``SCORE_KEYS`` score of ``aggregate`` as a ``Ratio`` over the sequences of ``stats``."""
    out: dict[str, Ratio] = {}
    for metric, key in _KEYS.items():
        if profile.sequence_weight == "frames":  # score(sum counts / sum denom), score linear in the curve
            out[key] = Ratio(_score(stats.counts[metric].astype(np.float64), metric, profile),
                             stats.denom[metric].astype(np.float64))
            continue
        curves = stats.curves(metric)
        keep = _kept(curves, profile)
        own = _score(np.where(keep[:, None], curves, 0.0), metric, profile)
        out[key] = Ratio(np.where(keep, own, 0.0), keep.astype(np.float64))
    d = stats.denom["success"]
    out["average_overlap"] = _pooled(stats.overlap_sum, d, profile)
    if profile.success_score == "average_overlap":
        out["success_auc"] = out["average_overlap"]
    out["success_rate_50"] = _pooled(stats.rate_counts[:, 0], d, profile)
    out["success_rate_75"] = _pooled(stats.rate_counts[:, 1], d, profile)
    return out


def curve_statistics(stats: Stats, profile: Profile) -> dict[str, Ratio]:
    """The overall success / precision / normalized-precision curves as ``(S, T)`` ratios (bands)."""
    out: dict[str, Ratio] = {}
    for metric in METRICS:
        if profile.sequence_weight == "frames":
            out[metric] = Ratio(stats.counts[metric].astype(np.float64), stats.denom[metric].astype(np.float64))
            continue
        curves = stats.curves(metric)
        keep = _kept(curves, profile)
        out[metric] = Ratio(np.where(keep[:, None], curves, 0.0), keep.astype(np.float64))
    return out
