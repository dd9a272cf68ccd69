"""The search objective: a dataset's metric (by default its primary one, under its default
profile), computed by ``sotbench.evaluate``: in memory for one-pass trajectories; through a
temporary run folder for reset-protocol (VOT) runs, which are scored from result files."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

__all__ = ["Objective", "resolve_objective", "ObjectiveError"]

# Metrics where lower is better (the rest are maximised).
LOWER_IS_BETTER = {"robustness": True, "failures": True}


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

    def _scores(self, trajectories: Mapping[str, Any]):
        if self.dataset.protocol != "ope":
            return self._scores_from_files(trajectories)
        from sotbench.evaluate import evaluate_trajectories

        return evaluate_trajectories(self.dataset, dict(trajectories), profile=self.profile)

    def _scores_from_files(self, trajectories: Mapping[str, Any]):
        """Reset-protocol lines (one repetition per sequence) written to a throwaway run folder."""
        import tempfile

        from sotbench.evaluate import evaluate
        from sotbench.results import RunDir

        with tempfile.TemporaryDirectory(prefix="sotbench-trial-") as tmp:
            store = RunDir(tmp)
            for name, lines in trajectories.items():
                store.write_vot(name, 1, list(lines))
            return evaluate(self.dataset, store.path, profile=self.profile, write=False,
                            sequences=list(trajectories))

    def sequence_value(self, seq_name: str, trajectory: Any) -> float:
        """The metric on one sequence: its per-sequence score, or the metric of the one-sequence set
        when the metric has no per-sequence column (e.g. EAO)."""
        scores = self._scores({seq_name: trajectory})
        table = scores.per_sequence
        if self.metric in getattr(table, "columns", ()):
            return float(np.asarray(table[self.metric])[0])
        return float(scores.overall[self.metric])

    def value(self, trajectories: Mapping[str, Any]) -> float:
        """The metric over all sequences (as ``sotbench evaluate`` reports it)."""
        return float(self._scores(trajectories).overall[self.metric])

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` beats ``b`` in this objective's direction."""
        if math.isnan(b):
            return not math.isnan(a)
        return a > b if self.maximize else a < b


def _sanity_trajectory(dataset, name: str):
    """The ground truth as a trajectory: lets the metric names be checked without running anything."""
    seq = dataset[name]
    gt = np.asarray(seq.gt, dtype=np.float64)
    return gt[:, :4] if dataset.protocol == "ope" else None


def resolve_objective(dataset, metric: str | None, profile: str | None) -> Objective:
    """The objective for ``dataset``: ``metric`` (default: its primary metric) under ``profile``
    (default: its default profile); an unknown metric or profile is an error naming the valid ones."""
    from sotbench.evaluate import primary_metric

    primary, higher = primary_metric(dataset)
    name = metric or primary
    maximize = higher if name == primary else not LOWER_IS_BETTER.get(name, False)
    objective = Objective(dataset, name, profile, maximize)
    first = dataset.names[0]
    trajectory = _sanity_trajectory(dataset, first)
    if trajectory is None:  # reset-protocol runs cannot be made from the ground truth: check the profile only
        import sotbench.evaluate as ev

        if hasattr(ev, "resolve_profile"):
            try:
                ev.resolve_profile(dataset, profile)
            except ValueError as exc:
                raise ObjectiveError(str(exc)) from None
        return objective
    try:
        scores = objective._scores({first: trajectory})
    except (KeyError, ValueError) as exc:
        raise ObjectiveError(f"cannot score {dataset.key}/{dataset.split} with profile {profile!r}: "
                             f"{str(exc).strip(chr(39))}") from None
    if name not in scores.overall:
        raise ObjectiveError(f"unknown metric {name!r} for {dataset.key}, known: {', '.join(sorted(scores.overall))}")
    return objective
