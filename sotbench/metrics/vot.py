"""VOT supervised (reset) metrics: EAO, accuracy, robustness and failures, per tag and overall.

Pure functions driven by keyword parameters, so that a named protocol profile selects each
toolkit's conventions (docs/vot-metrics.md lists every parameter, its values and the toolkit
that uses each)::

    stats = [vot_sequence_stats(runs[s], gt[s], size[s], tags[s], name=s, **sequence_kwargs)
             for s in sequences]
    result = vot_aggregate(stats, eao_interval=(100, 356), **aggregate_kwargs)

pysot-toolkit conventions (the published VOT2018 numbers of pysot's model zoo) are the
defaults of :func:`vot_sequence_stats` together with ``index_convention="pysot"`` and
``accuracy_aggregation="frame_pooled"``; :data:`PYSOT`, :data:`VOT_TOOLKIT` and
:data:`MMTRACKING` spell out the complete sets.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from sotbench.metrics.vot_eao import INDEX_CONVENTIONS, eao_curve, eao_score
from sotbench.metrics.vot_stats import (ACCURACY_AGGREGATIONS, EVAL_TAGS, VOT_TAGS, VotSequenceStats, _check,
                                        _quiet, frame_tags, select_repetitions, vot_sequence_stats)

__all__ = ["PYSOT", "VOT_TOOLKIT", "MMTRACKING", "EVAL_TAGS", "VOT_TAGS", "VotSequenceStats", "frame_tags",
           "select_repetitions", "vot_sequence_stats", "vot_aggregate", "split_kwargs"]

# Complete keyword sets of the two reference toolkits (sequence + aggregate parameters).
PYSOT = {
    "overlap_mode": "trax", "accuracy_bounds": "size", "eao_bounds": "size_minus_1", "burnin": 10,
    "ignore_unknown": True, "repetition_rule": "pysot", "fragment_rule": "pysot", "skip_initialize": 5,
    "fragment_weight": "fragment", "empty_tag": "pysot", "length_mismatch": "truncate",
    "index_convention": "pysot", "accuracy_aggregation": "frame_pooled",
}
VOT_TOOLKIT = {
    "overlap_mode": "votpy", "accuracy_bounds": "size", "eao_bounds": "size", "burnin": 10,
    "ignore_unknown": True, "repetition_rule": "all", "fragment_rule": "votpy", "skip_initialize": 5,
    "fragment_weight": "fragment", "empty_tag": "frames", "length_mismatch": "error",
    "index_convention": "votpy", "accuracy_aggregation": "length_weighted",
}
# mmtracking (eval_sot_vot.py) calls the VOT toolkit's overlaps and EAO curve, runs once.
MMTRACKING = {**VOT_TOOLKIT, "repetition_rule": "first"}
_AGGREGATE_KEYS = ("eao_interval", "index_convention", "accuracy_aggregation", "sensitivity", "tags")


def split_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split one flat keyword dict into (:func:`vot_sequence_stats` kwargs, :func:`vot_aggregate` kwargs)."""
    seq = {k: v for k, v in kwargs.items() if k not in _AGGREGATE_KEYS}
    agg = {k: v for k, v in kwargs.items() if k in _AGGREGATE_KEYS}
    return seq, agg


def _nanmean(values: np.ndarray) -> float:
    with _quiet():
        return float(np.nanmean(values)) if values.size else float("nan")


def _sequence_accuracy(s: VotSequenceStats, aggregation: str) -> float:
    if aggregation == "frame_pooled":
        return _nanmean(s.frame_accuracy)
    return float(s.run_accuracy.mean())


def _accuracy(stats: Sequence[VotSequenceStats], aggregation: str) -> float:
    """Frame-pooled (pysot, legacy MATLAB) or sequence-length-weighted (VOT toolkit, mmtracking)."""
    if aggregation == "frame_pooled":
        return _nanmean(np.concatenate([s.frame_accuracy for s in stats]))
    lengths = np.array([s.n_frames for s in stats], dtype=np.float64)
    acc = np.array([s.run_accuracy.mean() for s in stats])
    return float((acc * lengths).sum() / lengths.sum())


def _robustness(stats: Sequence[VotSequenceStats], sensitivity: float) -> dict[str, float]:
    """pysot failures per 100 frames and lost number; VOT toolkit mean failures and reliability."""
    mean_fail = np.array([s.failures.mean() for s in stats])
    lengths = np.array([s.n_frames for s in stats], dtype=np.float64)
    lost = float(mean_fail.sum())
    per_seq = float((mean_fail * lengths).sum() / lengths.sum())
    mean_length = float(lengths.sum() / len(stats))
    return {
        "robustness": lost / sum(s.eval_length for s in stats) * 100.0,
        "failures": lost,
        "mean_failures": per_seq,
        "reliability": math.exp(-sensitivity * per_seq / mean_length),
    }


def _eao(stats: Sequence[VotSequenceStats], tags: Sequence[str], interval, convention) -> tuple:
    rules = {s.fragment_rule for s in stats}
    if len(rules) != 1:
        raise ValueError(f"sequences were cut with different fragment rules: {sorted(rules)}")
    rule = rules.pop()
    frags = [f for s in stats for f in s.fragments]
    weights = np.stack([np.concatenate([s.fragment_weights[t] for s in stats]) for t in tags])
    curves = eao_curve(frags, weights, rule=rule, min_length=max(s.eval_length for s in stats))
    scores = [eao_score(c, interval, convention) for c in curves]
    return curves, [sc for sc, _ in scores], scores[0][1]


def _per_tag(stats, tags, curves_scores) -> dict[str, dict[str, float]]:
    """got10k-style per-tag accuracy / failures (frames pooled) and pysot-style per-tag EAO."""
    acc = np.concatenate([s.frame_accuracy for s in stats])
    fails = np.concatenate([s.failure_frames for s in stats])
    out = {}
    for t, eao in zip(tags, curves_scores):
        mask = np.concatenate([s.tags[t] for s in stats])
        n = int(mask.sum())
        f = float(fails[mask].sum())
        out[t] = {"eao": eao, "accuracy": _nanmean(acc[mask]), "failures": f,
                  "robustness": f / n * 100.0 if n else float("nan"), "n_frames": n}
    return out


def _per_sequence(stats, aggregation, sensitivity) -> list[dict[str, Any]]:
    rows = []
    for s in stats:
        f = float(s.failures.mean())
        rows.append({"name": s.name, "n_frames": s.n_frames, "n_runs": s.n_runs,
                     "accuracy": _sequence_accuracy(s, aggregation), "failures": f,
                     "robustness": f / s.eval_length * 100.0,
                     "reliability": math.exp(-sensitivity * f / s.n_frames)})
    return rows


def _check_settings(stats: Sequence[VotSequenceStats]) -> None:
    first = stats[0].settings
    for s in stats[1:]:
        if s.settings != first:
            diff = sorted(k for k in set(first) | set(s.settings) if first.get(k) != s.settings.get(k))
            raise ValueError(f"sequence {s.name!r} was computed with other settings ({', '.join(diff)})")


def vot_aggregate(
    per_sequence: Sequence[VotSequenceStats],
    *,
    eao_interval: tuple[int, int],
    index_convention: str = "pysot",
    accuracy_aggregation: str = "frame_pooled",
    sensitivity: float = 30.0,
    tags: Sequence[str] = EVAL_TAGS,
) -> dict[str, Any]:
    """Dataset-level VOT scores from :func:`vot_sequence_stats` results (see docs/vot-metrics.md).

    Returns ``eao``, ``accuracy``, ``robustness`` (failures per 100 frames), ``failures``
    (pysot "lost number", mean over runs), ``mean_failures`` and ``reliability`` (VOT toolkit),
    ``n_frames``, ``n_sequences``, ``eao_curve`` (``x``, ``y``, ``interval``), ``per_tag``,
    ``per_sequence`` and ``warnings``.
    """
    stats = list(per_sequence)
    if not stats:
        raise ValueError("no sequences to aggregate")
    _check("EAO index convention", index_convention, INDEX_CONVENTIONS)
    _check("accuracy aggregation", accuracy_aggregation, ACCURACY_AGGREGATIONS)
    _check_settings(stats)
    tags = list(dict.fromkeys(["all", *tags]))
    curves, eaos, window = _eao(stats, tags, eao_interval, index_convention)
    out: dict[str, Any] = {"eao": eaos[0], "accuracy": _accuracy(stats, accuracy_aggregation)}
    out.update(_robustness(stats, sensitivity))
    out.update({
        "n_frames": int(sum(s.n_frames for s in stats)),
        "n_sequences": len(stats),
        "eao_curve": {"x": list(range(curves.shape[1])), "y": curves[0].tolist(), "interval": list(window)},
        "per_tag": _per_tag(stats, tags, eaos),
        "per_sequence": _per_sequence(stats, accuracy_aggregation, sensitivity),
        "warnings": [w for s in stats for w in s.warnings],
    })
    return out
