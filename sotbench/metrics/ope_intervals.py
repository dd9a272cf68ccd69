"""The bootstrap intervals of a one-pass scoring: overall scores, each attribute's scores, and
bands around the overall curves, all from one ``SequenceScoring`` (see sotbench.metrics.bootstrap)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sotbench.metrics.bootstrap import Bootstrap, intervals
from sotbench.metrics.scoring import SequenceScoring

__all__ = ["OpeIntervals", "ope_intervals"]

_CURVE = "curve:"


@dataclass
class OpeIntervals:
    """``overall``: metric -> (lo, hi) or None; ``attributes``: code -> the same; ``bands``:
    curve -> (lo array, hi array); ``statistics``: metric -> the statistic itself."""

    overall: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    bands: dict[str, Any] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)


def ope_intervals(scoring: SequenceScoring, attributes: Mapping[str, list[int]], spec: Bootstrap) -> OpeIntervals:
    """Intervals of every score over all sequences and over each attribute's rows (one set of
    resamples per sequence count; the curves share the overall scores' resamples)."""
    stats = scoring.statistics()
    both = {**stats, **{_CURVE + k: v for k, v in scoring.curve_statistics().items()}}
    found = intervals(both, spec)
    out = OpeIntervals(statistics=stats)
    out.overall = {k: found[k] for k in stats}
    out.bands = {k[len(_CURVE):]: v for k, v in found.items() if k.startswith(_CURVE) and v is not None}
    for code, rows in attributes.items():
        idx = np.asarray(rows, dtype=np.int64)
        out.attributes[code] = intervals({k: s.take(idx) for k, s in stats.items()}, spec)
    return out
