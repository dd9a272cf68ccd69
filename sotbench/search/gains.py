"""Honest search gains: is the best trial really better than the preset it started from?

After a search the best parameters and the starting preset's values are tracked again, side by
side, on the tuning split and (when the sweep names one under ``confirm:``) on a held-out split,
and compared with the paired test of ``sotbench compare`` (``sotbench.metrics.paired``): the
gain, its 95 % interval and p-value over the split's sequences.  The noise floor is the spread
of the objective over every parameter set the study evaluated more than once (duplicate trials,
and these re-evaluations of the best and the preset's values): a gain inside it is not one.
The tuning-split gain is measured on the sequences the best trial was selected on, so it is
optimistic; the held-out split is the honest check.  The report is kept in the study
(``GAIN_ATTR``) so ``--report-only`` reuses it while the best trial is the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sotbench.metrics.paired import few_sequences_warning
from sotbench.search.prepare import SearchPlan

__all__ = ["SplitGain", "NoiseFloor", "GainReport", "assess_gain", "stored_gain", "GAIN_ATTR"]

GAIN_ATTR = "sotbench_gain"
_PRESET, _BEST = -1, -2  # stream tags of the two parameter sets tracked side by side


@dataclass(frozen=True)
class SplitGain:
    """The best parameters against the preset's on one split: ``gain`` > 0 is an improvement
    (best - preset, negated for objectives to minimise), with its 95 % interval and p-values."""

    split: str  # "synthetic/val"
    role: str  # "tuning" or "held out"
    metric: str
    n_sequences: int
    preset: float
    best: float
    gain: float
    ci95: list[float] | None
    p_value: float | None  # paired bootstrap, two-sided
    p_wilcoxon: float | None
    test_split: bool = False
    rerun: bool = True  # tracked again after the search (else: identical parameters, gain 0)

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05 and self.gain != 0

    def line(self) -> str:
        """``gain on synthetic/val (tuning, 4 sequences): success_auc +0.1312 [...], p = ...; preset a -> best b``."""
        ci = "" if self.ci95 is None else f", 95% interval [{self.ci95[0]:+.4f}, {self.ci95[1]:+.4f}]"
        p = "" if self.p_value is None else f", p = {self.p_value:.3g} (paired bootstrap)"
        test = ", a test split" if self.test_split else ""
        return (f"gain on {self.split} ({self.role}{test}, {self.n_sequences} sequences): {self.metric} "
                f"{self.gain:+.4f}{ci}{p}; preset {self.preset:.4f} -> best {self.best:.4f}")

    def to_dict(self) -> dict:
        return {**asdict(self), "significant": self.significant}


@dataclass(frozen=True)
class NoiseFloor:
    """The objective's spread (max - min) over repeated evaluations of one parameter set."""

    spread: float | None  # None: no parameter set was evaluated twice
    repeated: int  # parameter sets evaluated more than once
    evaluations: int  # evaluations of those sets

    def line(self, metric: str) -> str:
        if self.spread is None:
            return "noise floor: unknown (no parameter set was evaluated twice)"
        return (f"noise floor: {self.spread:.4f} (spread of {metric} over {self.repeated} parameter sets evaluated "
                f"more than once, {self.evaluations} evaluations)")


@dataclass
class GainReport:
    """What ``assess_gain`` found; ``warnings`` say when a gain is not one."""

    best_trial: int
    tuning: SplitGain | None = None
    confirm: SplitGain | None = None
    noise: NoiseFloor = NoiseFloor(None, 0, 0)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data for ``best.yaml`` and the study's user attributes."""
        return {"best_trial": self.best_trial, "tuning": self.tuning.to_dict() if self.tuning else None,
                "confirm": self.confirm.to_dict() if self.confirm else None, "noise_floor": asdict(self.noise),
                "warnings": list(self.warnings), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict) -> "GainReport":
        def split(d):
            return None if not d else SplitGain(**{k: v for k, v in d.items() if k != "significant"})

        return cls(int(data["best_trial"]), split(data.get("tuning")), split(data.get("confirm")),
                   NoiseFloor(**data["noise_floor"]), list(data.get("warnings", [])), list(data.get("notes", [])))


def _clean(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _track(runner, names: list[str], candidates: dict[int, dict]) -> dict[int, dict[str, Any]] | str:
    """Each candidate's outputs per sequence (both tracked together), or why it failed."""
    from sotbench.search.trials import TrialFailure

    outputs: dict[int, dict[str, Any]] = {k: {} for k in candidates}
    for name, results in runner.iter_sequences(names, lambda: candidates):
        for key, out in results.items():
            if isinstance(out, TrialFailure):
                return out.message
            outputs[key][name] = out
    return outputs


def _split_gain(plan: SearchPlan, dataset, names: list[str], runner, preset: dict, best: dict, role: str,
                test_split: bool) -> tuple[SplitGain | None, dict[str, float], str | None]:
    """The paired comparison on one split, the two values measured (for the noise floor), or why not."""
    from sotbench.evaluate import evaluate_results
    from sotbench.metrics.bootstrap import DEFAULT, Bootstrap
    from sotbench.metrics.paired import compare

    label, metric = f"{dataset.key}/{dataset.split}", plan.objective.metric
    outputs = _track(runner, names, {_PRESET: preset, _BEST: best})
    if isinstance(outputs, str):
        return None, {}, f"{label}: the gain was not measured, tracking failed ({outputs})"
    scores = {k: evaluate_results(dataset, outputs[k], plan.objective.profile, sequences=names,
                                  bootstrap=Bootstrap(resamples=0)) for k in (_PRESET, _BEST)}
    stats = {k: s.statistics.get(metric) for k, s in scores.items()}
    measured = {"preset": float(scores[_PRESET].overall[metric]), "best": float(scores[_BEST].overall[metric])}
    if stats[_PRESET] is None or stats[_BEST] is None:
        return None, measured, f"{label}: {metric} has no per-sequence sums, so its gain has no interval"
    order = [list(scores[k].per_sequence.index) for k in (_BEST, _PRESET)]
    c = compare(stats[_BEST], stats[_PRESET], order[0], order[1], metric, DEFAULT)
    sign = 1.0 if plan.objective.maximize else -1.0
    ci = None if c.ci95 is None else sorted([sign * c.ci95[0], sign * c.ci95[1]])
    return SplitGain(label, role, metric, c.n_sequences, c.value_b, c.value_a, sign * c.difference, ci,
                     _clean(c.p_value), _clean(c.p_wilcoxon), test_split), measured, None


def _unchanged(plan: SearchPlan, dataset, names: list[str], value: float, role: str, test: bool) -> SplitGain:
    """The best parameters are the preset's: no gain, exactly."""
    return SplitGain(f"{dataset.key}/{dataset.split}", role, plan.objective.metric, len(names), value, value, 0.0,
                     [0.0, 0.0], 1.0, 1.0, test, rerun=False)


def _key(params: dict) -> tuple:
    return tuple(sorted((k, float(v)) for k, v in params.items()))


def noise_floor(study, extra: dict[tuple, list[float]]) -> NoiseFloor:
    """The spread over repeated evaluations: finished, unpruned trials with equal parameters, plus
    ``extra`` values of parameter sets measured again (by their ``_key``)."""
    from sotbench.search.outputs import _real

    groups: dict[tuple, list[float]] = {}
    for t in study.get_trials(deepcopy=False):
        if _real(t):
            groups.setdefault(_key(t.params), []).append(float(t.value))
    for key, values in extra.items():
        groups.setdefault(key, []).extend(values)
    repeated = [v for v in groups.values() if len(v) > 1]
    if not repeated:
        return NoiseFloor(None, 0, 0)
    return NoiseFloor(max(max(v) - min(v) for v in repeated), len(repeated), sum(len(v) for v in repeated))


def _warnings(report: GainReport, metric: str) -> list[str]:
    out = []
    for g in (report.tuning, report.confirm):
        if g is None or not g.rerun:
            continue
        if report.noise.spread is not None and abs(g.gain) <= report.noise.spread:
            out.append(f"the gain on {g.split} ({g.gain:+.4f}) is inside the noise floor ({report.noise.spread:.4f}): "
                       "it may be run-to-run noise")
        if not g.significant:
            out.append(f"the gain on {g.split} is not significant (95% interval "
                       f"{'unknown' if g.ci95 is None else f'[{g.ci95[0]:+.4f}, {g.ci95[1]:+.4f}]'}): "
                       f"not distinguishable from the sampling of its {g.n_sequences} sequences")
        elif g.gain < 0:
            out.append(f"on {g.split} the best parameters are significantly worse than the preset's")
        few = few_sequences_warning(g.n_sequences, g.p_wilcoxon)
        if few:
            out.append(f"{g.split}: {few}")
    return out


def assess_gain(plan: SearchPlan, study, best, runner_for: Callable[[Any], Any]) -> GainReport:
    """Compare the best trial's parameters with the preset's on the tuning split and the
    ``confirm`` split (``runner_for(dataset)``: the ``TrialRunner`` that tracks on a dataset)."""
    preset = {r.name: plan.base.params[r.name] for r in plan.sweep.space}
    chosen = dict(best.params)
    report = GainReport(best.number)
    extra: dict[tuple, list[float]] = {}
    splits = [(plan.dataset, plan.sequences, "tuning", plan.test_split)]
    if plan.confirm is not None:
        splits.append((plan.confirm.dataset, plan.confirm.sequences, "held out", plan.confirm.test_split))
    for dataset, names, role, test in splits:
        if _key(preset) == _key(chosen):
            gain = _unchanged(plan, dataset, names, float(best.value), role, test) if role == "tuning" else None
            report.notes.append(f"{dataset.key}/{dataset.split}: the preset's values are the best found; no gain")
        else:
            gain, measured, problem = _split_gain(plan, dataset, names, runner_for(dataset), preset, chosen, role, test)
            if problem:
                report.notes.append(problem)
            if role == "tuning" and measured:
                extra.setdefault(_key(preset), []).append(measured["preset"])
                extra.setdefault(_key(chosen), []).append(measured["best"])
        if role == "tuning":
            report.tuning = gain
        else:
            report.confirm = gain
    if plan.confirm is None:
        report.notes.append("no held-out split checks the gain (add confirm: {split: ...} to the sweep); the "
                            "tuning-split gain is measured on the sequences the best trial was selected on")
    report.noise = noise_floor(study, extra)
    report.warnings = _warnings(report, plan.objective.metric)
    stored = {**report.to_dict(), "confirm_split": plan.confirm.label if plan.confirm is not None else None}
    study.set_user_attr(GAIN_ATTR, stored)
    return report


def stored_gain(study, best, plan: SearchPlan) -> GainReport | None:
    """The report a previous run stored in the study, while ``best`` is still its best trial and
    the sweep's held-out split is the one it was measured on."""
    data = study.user_attrs.get(GAIN_ATTR)
    if not isinstance(data, dict) or best is None or data.get("best_trial") != best.number:
        return None
    if data.get("confirm_split") != (plan.confirm.label if plan.confirm is not None else None):
        return None
    try:
        return GainReport.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None
