"""The VOT reset-protocol scores as sums over sequences (``sotbench.metrics.bootstrap``).

Mirrors ``sotbench.metrics.vot.vot_aggregate`` so that a resample of the sequences is scored
as that function scores the resampled list: EAO from each sequence's share of the
expected-overlap curve's numerator and denominator over the interval (``EaoSums``; the curve
is as wide as the full set's, so a resample is exact whenever its longest run still reaches
the interval's end, as on every real benchmark); accuracy frame-pooled or length-weighted;
robustness, failures and the VOT toolkit's measures from per-sequence failure counts; and the
same per tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from sotbench.metrics.bootstrap import EaoSums, Ratio, _Columns, _divide
from sotbench.metrics.vot_eao import eao_score, fragment_columns
from sotbench.metrics.vot_stats import EVAL_TAGS, VotSequenceStats

__all__ = ["Reliability", "vot_statistics"]


@dataclass(frozen=True, eq=False)
class Reliability(_Columns):
    """The VOT toolkit's reliability ``exp(-sensitivity * mean_failures / mean_length)`` of a resample."""

    weighted_failures: np.ndarray  # (S,) mean failures x length
    lengths: np.ndarray  # (S,)
    sensitivity: float

    @property
    def n(self) -> int:
        return int(self.lengths.shape[0])

    def columns(self) -> np.ndarray:
        return np.column_stack([self.weighted_failures, self.lengths, np.ones(self.n)])

    def finish(self, sums: np.ndarray) -> np.ndarray:
        failures, length, drawn = sums[:, 0], sums[:, 1], sums[:, 2]
        return np.exp(-self.sensitivity * _divide(failures, length) / _divide(length, drawn))

    def take(self, rows: np.ndarray) -> "Reliability":
        return Reliability(self.weighted_failures[rows], self.lengths[rows], self.sensitivity)

    def per_sequence(self) -> np.ndarray:
        return np.exp(-self.sensitivity * self.weighted_failures / self.lengths ** 2)


def _eao_sums(stats: Sequence[VotSequenceStats], tags: list[str], interval, convention: str) -> dict[str, EaoSums]:
    rule = stats[0].fragment_rule
    frags = [f for s in stats for f in s.fragments]
    means, usable = fragment_columns(frags, rule=rule, min_length=max(s.eval_length for s in stats))
    _, (lo, hi) = eao_score(np.zeros(0), interval, convention)
    cols = np.arange(max(lo, 0), min(hi, means.shape[1] - 1) + 1)
    owner = np.repeat(np.arange(len(stats)), [len(s.fragments) for s in stats])
    member = (owner[None, :] == np.arange(len(stats))[:, None]).astype(np.float64)  # (S, F)
    means, usable = means[:, cols], usable[:, cols].astype(np.float64)
    support = member @ usable
    out = {}
    for tag in tags:
        w = np.concatenate([s.fragment_weights[tag] for s in stats])[:, None]
        num, den = member @ (w * means), member @ (w * usable)
        if rule == "pysot" and cols.size and cols[0] == 0:  # pysot's curve starts at 1
            num[:, 0] = den[:, 0] = support[:, 0] = 1.0
        out[tag] = EaoSums(num, den, support, rule)
    return out


def _accuracy(stats: Sequence[VotSequenceStats], aggregation: str) -> Ratio:
    if aggregation == "frame_pooled":
        acc = [s.frame_accuracy for s in stats]
        return Ratio(np.array([np.nansum(a) for a in acc]), np.array([np.count_nonzero(~np.isnan(a)) for a in acc],
                                                                      dtype=np.float64))
    lengths = np.array([s.n_frames for s in stats], dtype=np.float64)
    return Ratio(np.array([s.run_accuracy.mean() for s in stats]) * lengths, lengths)


def _per_tag(stats: Sequence[VotSequenceStats], tag: str) -> dict[str, Ratio]:
    """got10k-style per-tag accuracy and failures (frames pooled), as ``_per_tag`` of vot.py."""
    acc_sum, acc_n, fails, frames = [], [], [], []
    for s in stats:
        mask = s.tags[tag]
        acc = s.frame_accuracy[mask]
        acc_sum.append(np.nansum(acc))
        acc_n.append(np.count_nonzero(~np.isnan(acc)))
        fails.append(float(s.failure_frames[mask].sum()))
        frames.append(int(mask.sum()))
    fails_a = np.array(fails)
    return {"accuracy": Ratio(np.array(acc_sum), np.array(acc_n, dtype=np.float64)),
            "failures": Ratio(fails_a, None),
            "robustness": Ratio(100.0 * fails_a, np.array(frames, dtype=np.float64))}


def vot_statistics(
    stats: Sequence[VotSequenceStats],
    *,
    eao_interval: tuple[int, int],
    index_convention: str = "pysot",
    accuracy_aggregation: str = "frame_pooled",
    sensitivity: float = 30.0,
    tags: Sequence[str] = EVAL_TAGS,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``(overall, per_tag)`` statistics: the keys of ``vot_aggregate``'s overall scores and of its
    ``per_tag`` blocks (``eao``, ``accuracy``, ``failures``, ``robustness``)."""
    stats = list(stats)
    tags = list(dict.fromkeys(["all", *tags]))
    eao = _eao_sums(stats, tags, eao_interval, index_convention)
    mean_fail = np.array([s.failures.mean() for s in stats])
    lengths = np.array([s.n_frames for s in stats], dtype=np.float64)
    eval_lengths = np.array([s.eval_length for s in stats], dtype=np.float64)
    overall: dict[str, Any] = {
        "eao": eao["all"],
        "accuracy": _accuracy(stats, accuracy_aggregation),
        "robustness": Ratio(100.0 * mean_fail, eval_lengths),
        "failures": Ratio(mean_fail, None),
        "mean_failures": Ratio(mean_fail * lengths, lengths),
        "reliability": Reliability(mean_fail * lengths, lengths, float(sensitivity)),
    }
    per_tag = {t: {"eao": eao[t], **_per_tag(stats, t)} for t in tags if t != "all"}
    return overall, per_tag
