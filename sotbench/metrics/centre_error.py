"""Mean centre location error (CLE, pixels; lower is better): the OTB-2013 paper's other number.

Per sequence, the mean distance between the predicted and the ground-truth box centres over
the frames the profile's precision rules count (frames with an infinite error, e.g. a missing
prediction the profile fails, are left out: a mean over them would be infinite); overall, the
mean over sequences, or over frames for frame-pooled profiles (``sequence_weight: frames``).
"""

from __future__ import annotations

import numpy as np

from sotbench.metrics.bootstrap import Ratio

__all__ = ["mean_centre_error", "centre_error_sums"]


def _sums(ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sequence: summed error, counted frames and mean error (NaN without a counted frame)."""
    fv = ctx.frames.precision
    keep = fv.counted & np.isfinite(fv.value)
    sums = np.bincount(ctx.seq[keep], weights=fv.value[keep], minlength=ctx.n_seq)
    counts = np.bincount(ctx.seq[keep], minlength=ctx.n_seq)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_seq = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return sums, counts, per_seq


def _pooled(ctx) -> bool:
    return getattr(ctx.profile, "sequence_weight", "sequences") == "frames"


def mean_centre_error(ctx) -> tuple[float, np.ndarray]:
    """``(overall over ctx.rows, per-sequence)`` mean centre error in pixels (``ctx``: a
    ``sotbench.metrics.table.OpeContext``)."""
    sums, counts, per_seq = _sums(ctx)
    rows = ctx.rows
    if _pooled(ctx):
        total = counts[rows].sum()
        return (float(sums[rows].sum() / total) if total else float("nan")), per_seq
    values = per_seq[rows][counts[rows] > 0]
    return (float(values.mean()) if len(values) else float("nan")), per_seq


def centre_error_sums(ctx) -> Ratio:
    """The overall mean centre error as sums over all ``ctx.n_seq`` sequences (for the bootstrap)."""
    sums, counts, per_seq = _sums(ctx)
    if _pooled(ctx):
        return Ratio(sums, counts.astype(np.float64))
    has = counts > 0
    return Ratio(np.where(has, per_seq, 0.0), has.astype(np.float64))
