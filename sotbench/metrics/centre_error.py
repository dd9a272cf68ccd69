"""Mean centre location error (CLE, pixels; lower is better): the OTB-2013 paper's other number.

Per sequence, the mean distance between the predicted and the ground-truth box centres over
the frames the profile's precision rules count (frames with an infinite error, e.g. a missing
prediction the profile fails, are left out: a mean over them would be infinite); overall, the
mean over sequences, or over frames for frame-pooled profiles (``sequence_weight: frames``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["mean_centre_error"]


def mean_centre_error(ctx) -> tuple[float, np.ndarray]:
    """``(overall over ctx.rows, per-sequence)`` mean centre error in pixels (``ctx``: a
    ``sotbench.metrics.table.OpeContext``)."""
    fv = ctx.frames.precision
    keep = fv.counted & np.isfinite(fv.value)
    sums = np.bincount(ctx.seq[keep], weights=fv.value[keep], minlength=ctx.n_seq)
    counts = np.bincount(ctx.seq[keep], minlength=ctx.n_seq)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_seq = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    rows = ctx.rows
    if getattr(ctx.profile, "sequence_weight", "sequences") == "frames":
        total = counts[rows].sum()
        return (float(sums[rows].sum() / total) if total else float("nan")), per_seq
    values = per_seq[rows][counts[rows] > 0]
    return (float(values.mean()) if len(values) else float("nan")), per_seq
