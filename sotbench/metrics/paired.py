"""Paired comparison of two runs on one score: is the difference real?

Both runs are resampled with the *same* resamples of the sequences they both scored, so the
difference of their scores on a resample is the paired difference (the sequences' shared
difficulty cancels).  ``compare`` returns the difference ``A - B``, its percentile interval,
the paired-bootstrap p-value (``bootstrap.bootstrap_p_value``) and, where the score has
per-sequence values, the Wilcoxon signed-rank p-value of the per-sequence differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sotbench.metrics.bootstrap import DEFAULT, Bootstrap, SequenceStatistic, bootstrap_p_value, \
    percentile_interval, replicates

__all__ = ["Comparison", "compare", "common_rows", "wilcoxon_p_value", "FEW_SEQUENCES", "few_sequences_warning"]

# Below this many sequences a percentile bootstrap is over-confident (its interval too narrow,
# its p-value too small: 4 sequences all better give p = 2/(B+1), Wilcoxon's exact minimum is 0.125).
FEW_SEQUENCES = 10


@dataclass(frozen=True)
class Comparison:
    """``A - B`` on ``metric`` over ``n_sequences`` paired sequences."""

    metric: str
    n_sequences: int
    value_a: float
    value_b: float
    difference: float
    ci95: tuple[float, float] | None
    p_value: float  # paired bootstrap, two-sided
    p_wilcoxon: float | None  # None: the score has no per-sequence values (EAO)
    ci95_a: tuple[float, float] | None = None
    ci95_b: tuple[float, float] | None = None
    bootstrap: Bootstrap = DEFAULT
    only_a: tuple[str, ...] = field(default_factory=tuple)  # sequences only A scored (left out)
    only_b: tuple[str, ...] = field(default_factory=tuple)

    @property
    def significant(self) -> bool:
        """Whether the paired bootstrap rejects "no difference" at ``1 - level`` (0.05)."""
        return self.p_value == self.p_value and self.p_value < 1.0 - self.bootstrap.level

    def to_json(self) -> dict:
        """Plain data (``compare --json``)."""
        def pair(ci):
            return None if ci is None else [float(ci[0]), float(ci[1])]

        return {"metric": self.metric, "n_sequences": self.n_sequences, "value_a": self.value_a,
                "value_b": self.value_b, "ci95_a": pair(self.ci95_a), "ci95_b": pair(self.ci95_b),
                "difference": self.difference, "ci95": pair(self.ci95), "p_value": self.p_value,
                "p_values": {"paired_bootstrap": self.p_value, "wilcoxon": self.p_wilcoxon},
                "test": "paired bootstrap", "significant": self.significant,
                "bootstrap": self.bootstrap.as_dict(), "only_a": list(self.only_a), "only_b": list(self.only_b)}


def few_sequences_warning(n: int, p_wilcoxon: float | None = None) -> str | None:
    """The warning for a test over fewer than ``FEW_SEQUENCES`` sequences (``None`` for enough)."""
    if n >= FEW_SEQUENCES:
        return None
    exact = "" if p_wilcoxon is None else f"; the Wilcoxon p ({p_wilcoxon:.3g}) is the safer reading"
    return (f"only {n} sequences: a bootstrap of so few sequences understates the uncertainty (interval too "
            f"narrow, p too small){exact}")


def common_rows(names_a: Sequence[str], names_b: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Row indices of the sequences both lists hold (in ``names_a``'s order), and their names."""
    where_b = {n: i for i, n in enumerate(names_b)}
    common = [n for n in names_a if n in where_b]
    where_a = {n: i for i, n in enumerate(names_a)}
    return (np.array([where_a[n] for n in common], dtype=np.int64),
            np.array([where_b[n] for n in common], dtype=np.int64), common)


def wilcoxon_p_value(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value of the per-sequence differences (1 when all are 0)."""
    from scipy.stats import wilcoxon

    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    d = d[np.isfinite(d)]
    if not np.count_nonzero(d):
        return 1.0
    return float(wilcoxon(d).pvalue)


def compare(a: SequenceStatistic, b: SequenceStatistic, names_a: Sequence[str], names_b: Sequence[str],
            metric: str = "", spec: Bootstrap = DEFAULT) -> Comparison:
    """Compare ``a`` and ``b`` (statistics over the sequences ``names_a`` / ``names_b``) on the
    sequences both hold."""
    rows_a, rows_b, common = common_rows(names_a, names_b)
    only_a = tuple(n for n in names_a if n not in set(common))
    only_b = tuple(n for n in names_b if n not in set(common))
    if not common:
        raise ValueError("the two runs have no scored sequence in common")
    a, b = a.take(rows_a), b.take(rows_b)
    n = len(common)
    value_a, value_b = float(a.value()), float(b.value())
    ci = ci_a = ci_b = None
    p = math.nan
    if spec.enabled and n >= 2:
        reps = replicates({"a": a, "b": b}, n, spec)
        diff = reps["a"] - reps["b"]
        ci, ci_a, ci_b = (percentile_interval(x, spec.level) for x in (diff, reps["a"], reps["b"]))
        ci, ci_a, ci_b = (None if x[0] is None else x for x in (ci, ci_a, ci_b))
        p = bootstrap_p_value(diff)
    per_a, per_b = a.per_sequence(), b.per_sequence()
    p_w = wilcoxon_p_value(per_a, per_b) if per_a is not None and per_b is not None and n >= 2 else None
    return Comparison(metric, n, value_a, value_b, value_a - value_b, ci, p, p_w, ci_a, ci_b, spec, only_a, only_b)
