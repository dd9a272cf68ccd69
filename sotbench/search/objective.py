"""The search objective: a dataset's metric (by default its primary one, under its default
profile), computed by ``sotbench.evaluate.evaluate_results`` from the trials' in-memory outputs
(one-pass and reset-protocol alike, exactly as ``sotbench eval`` scores the same results)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

__all__ = ["Objective", "resolve_objective", "ObjectiveError"]


class ObjectiveError(ValueError):
    """The objective cannot be computed on this dataset (unknown metric or profile)."""


@dataclass
class Objective:
    """What a trial is scored with, and the helpers that score per sequence and overall."""

    dataset: Any
    metric: str
    profile: str | None
    maximize: bool

    @property
    def direction(self) -> str:
        return "maximize" if self.maximize else "minimize"

    def describe(self) -> str:
        """``success_auc (profile pysot, maximize)``."""
        return f"{self.metric} (profile {self.profile or 'default'}, {self.direction})"

    def _scores(self, outputs: Mapping[str, Any]):
        from sotbench.evaluate import evaluate_results

        # no intervals: a trial's value is read thousands of times, its interval never
        return evaluate_results(self.dataset, dict(outputs), profile=self.profile, bootstrap=None)

    def sequence_value(self, seq_name: str, output: Any) -> float:
        """The metric on one sequence: its per-sequence score, or the metric of the one-sequence set
        when the metric has no per-sequence column (e.g. EAO)."""
        scores = self._scores({seq_name: output})
        table = scores.per_sequence
        if self.metric in getattr(table, "columns", ()):
            return float(np.asarray(table[self.metric])[0])
        return float(scores.overall[self.metric])

    def value(self, outputs: Mapping[str, Any]) -> float:
        """The metric over all sequences (as ``sotbench eval`` reports it)."""
        return float(self._scores(outputs).overall[self.metric])

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` beats ``b`` in this objective's direction."""
        if math.isnan(b):
            return not math.isnan(a)
        return a > b if self.maximize else a < b


def _sanity_output(dataset, name: str):
    """The ground truth as an output: lets the metric names be checked without running anything."""
    from sotbench.protocols import region_at
    from sotbench.results import VOT_INIT

    seq = dataset[name]
    if dataset.protocol == "ope":
        return np.asarray(seq.gt, dtype=np.float64)[:, :4]
    if dataset.protocol == "longterm":
        from sotbench.jobs import OpeOutput

        n = len(seq.gt)
        return OpeOutput(np.asarray(seq.gt, dtype=np.float64)[:, :4], np.ones(n), np.zeros(n))
    return [VOT_INIT] + [region_at(seq, i) for i in range(1, len(seq.gt))]


def resolve_objective(dataset, metric: str | None, profile: str | None) -> Objective:
    """The objective for ``dataset``: ``metric`` (default: its primary metric) under ``profile``
    (default: its default profile); an unknown metric or profile is an error naming the valid ones."""
    from sotbench.evaluate import primary_metric
    from sotbench.metrics.table import higher_is_better

    name = metric or primary_metric(dataset)[0]
    objective = Objective(dataset, name, profile, higher_is_better(name))
    first = dataset.names[0]
    try:
        scores = objective._scores({first: _sanity_output(dataset, first)})
    except (KeyError, ValueError) as exc:
        raise ObjectiveError(f"cannot score {dataset.key}/{dataset.split} with profile {profile!r}: "
                             f"{str(exc).strip(chr(39))}") from None
    if name not in scores.overall:
        raise ObjectiveError(f"unknown metric {name!r} for {dataset.key}, known: {', '.join(sorted(scores.overall))}")
    return objective
