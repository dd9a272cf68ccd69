"""One search worker: ask K trials, evaluate them together sequence by sequence, report each
sequence's value so the pruner can stop hopeless trials, tell every trial as soon as it ends.

Reporting: ``trial.report(value, step=i)`` where ``i`` is the sequence's index in the split.
With the Wilcoxon pruner the value is the sequence's own score and the order is shuffled per
batch; with the median pruner it is the running mean over the sequences so far (the learning
curve that pruner expects) in the split's fixed order.  A pruned trial tells the mean of its
values so far (Wilcoxon semantics, marked ``pruned`` in its user attributes) or the PRUNED
state, as the sweep says.

Reproducibility (one worker, a seeded sweep, a deterministic tracker): each trial is drawn by a
sampler seeded from (seed, the trial's *ordinal*: how many trials were asked before it, failed
ones not counted), and a batch's sequence order from (seed, the batch's first ordinal), both
kept in the trials' user attributes.  A worker killed mid-batch leaves its trials to be failed
and queued again with their parameters and attributes; the next run first evaluates exactly
those as one batch, in the same order, then asks new trials at the same ordinals, so it
evaluates the same parameter sets with the same values as a run that was never interrupted.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from sotbench.search.liveness import Liveness
from sotbench.search.prepare import SearchPlan
from sotbench.search.samplers import sampler_for_trial
from sotbench.search.study import count_trials
from sotbench.search.trials import TrialFailure, TrialRunner

__all__ = ["run_worker", "SearchAborted", "WorkerSummary"]

TellFn = Callable[[int, str, float | None], None]


class SearchAborted(RuntimeError):
    """Trials keep failing (a tracker or data error that every parameter set hits)."""


@dataclass
class WorkerSummary:
    """What this worker did."""

    complete: int = 0
    pruned: int = 0
    failed: int = 0
    surplus: int = 0
    seconds: float = 0.0
    frames: int = 0


@dataclass
class _TrialRun:
    trial: Any
    params: dict
    values: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    active: bool = True

    def mean(self) -> float:
        vals = [v for v in self.values.values() if not math.isnan(v)]
        return float(np.mean(vals)) if vals else float("nan")


class _Batch:
    """The trials of one ask and what happens to each."""

    def __init__(self, plan: SearchPlan, study, liveness: Liveness, trials: list, summary: WorkerSummary,
                 on_tell: TellFn | None):
        self.plan, self.study, self.liveness, self.summary, self.on_tell = plan, study, liveness, summary, on_tell
        self.runs = {t.number: _TrialRun(t, dict(t.params)) for t in trials}
        self.index = {name: i for i, name in enumerate(plan.sequences)}

    def active(self) -> dict[int, dict]:
        return {n: r.params for n, r in self.runs.items() if r.active}

    def order(self) -> list[str]:
        if not self.plan.sweep.pruner.shuffled:
            return list(self.plan.sequences)
        key = min(r.trial.user_attrs.get(BATCH_ATTR, n) for n, r in self.runs.items())
        seed = [self.plan.sweep.sampler.seed or 0, key]
        return [self.plan.sequences[i] for i in np.random.default_rng(seed).permutation(len(self.plan.sequences))]

    def _tell(self, run: _TrialRun, state: str, value: float | None = None) -> None:
        from optuna.trial import TrialState

        run.active = False
        self.liveness.release(run.trial.number)
        run.trial.set_user_attr("sequences_evaluated", len(run.values))
        if state == "COMPLETE":
            self.study.tell(run.trial, value)
        else:
            self.study.tell(run.trial, state=getattr(TrialState, state))
        if self.on_tell:
            self.on_tell(run.trial.number, state, value)

    def record(self, name: str, run: _TrialRun, output: Any) -> None:
        if isinstance(output, TrialFailure):
            run.trial.set_user_attr("error", output.message[:2000])
            self.summary.failed += 1
            self._tell(run, "FAIL")
            return
        value = self.plan.objective.sequence_value(name, output)
        run.values[name], run.outputs[name] = value, output
        self.summary.frames += len(output.trajectory)
        reported = value if self.plan.sweep.pruner.type != "median" else run.mean()
        run.trial.report(reported, step=self.index[name])
        if len(run.values) < len(self.plan.sequences) and run.trial.should_prune():
            self.prune(run)

    def prune(self, run: _TrialRun) -> None:
        self.summary.pruned += 1
        if self.plan.sweep.pruner.tell_mean and not math.isnan(run.mean()):
            run.trial.set_user_attr("pruned", True)
            self._tell(run, "COMPLETE", run.mean())
        else:
            self._tell(run, "PRUNED")

    def finish(self, run: _TrialRun) -> None:
        value = self.plan.objective.value(run.outputs)
        if math.isnan(value):
            run.trial.set_user_attr("error", f"{self.plan.objective.metric} is NaN on this split")
            self.summary.failed += 1
            self._tell(run, "FAIL")
            return
        self.summary.complete += 1
        self._tell(run, "COMPLETE", value)

    def abandon(self) -> None:
        """Trials left unfinished by an interruption: FAIL, and queue them again."""
        from sotbench.search.liveness import retry_callback

        retry = retry_callback(self.plan.sweep.max_retry)
        for run in self.runs.values():
            if run.active:
                self._tell(run, "FAIL")
                retry(self.study, self.liveness.storage.get_trial(self.liveness.trial_id(run.trial.number)))


ORDINAL_ATTR, BATCH_ATTR = "ordinal", "batch"


def _ordinal(study) -> int:
    """How many trials were asked so far, failed ones (killed, surplus, broken) not counted."""
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)))


def _retries_waiting(study) -> int:
    """Queued copies of trials whose worker died: the next batch is made of them alone."""
    from optuna.trial import TrialState

    return sum(1 for t in study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
               if "failed_trial" in t.system_attrs)


def _ask(plan: SearchPlan, study, liveness: Liveness, k: int, target: int, summary: WorkerSummary) -> list:
    """Ask ``k`` trials, each from a sampler seeded by its ordinal (see the module docstring); a
    trial beyond the target (another worker asked at the same moment) is told FAIL at once,
    marked ``surplus``, so the study ends with exactly ``target`` finished."""
    from optuna.trial import TrialState

    distributions = {r.name: r.distribution() for r in plan.sweep.space}
    asked = []
    batch = None
    for _ in range(k):
        ordinal = _ordinal(study)
        sampler = sampler_for_trial(plan.sweep.sampler, ordinal)
        if sampler is not None:
            study.sampler = sampler
        with warnings.catch_warnings():  # ask/tell with heartbeats: this worker beats itself (Liveness)
            warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
            trial = study.ask(distributions)
        liveness.claim(trial)
        trial.set_user_attr("test_split", plan.test_split)
        for attr, value in ((ORDINAL_ATTR, ordinal), (BATCH_ATTR, ordinal if batch is None else batch)):
            if attr not in trial.user_attrs:  # a queued retry keeps those of the trial it replaces
                trial.set_user_attr(attr, value)
        batch = trial.user_attrs[BATCH_ATTR] if batch is None else batch
        asked.append(trial)
    counting = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    numbers = sorted(t.number for t in study.get_trials(deepcopy=False, states=counting))
    kept = []
    for trial in asked:
        if sum(1 for n in numbers if n < trial.number) >= target:
            liveness.release(trial.number)
            trial.set_user_attr("surplus", True)
            study.tell(trial, state=TrialState.FAIL)
            summary.surplus += 1
        else:
            kept.append(trial)
    return kept


def _run_batch(plan: SearchPlan, study, liveness: Liveness, runner: TrialRunner, trials: list,
               summary: WorkerSummary, on_tell: TellFn | None) -> None:
    batch = _Batch(plan, study, liveness, trials, summary, on_tell)
    try:
        for name, results in runner.iter_sequences(batch.order(), batch.active):
            for number, output in results.items():
                run = batch.runs[number]
                if run.active:  # a trial pruned while this sequence ran is already told
                    batch.record(name, run, output)
        for run in list(batch.runs.values()):
            if run.active:
                batch.finish(run)
    finally:
        batch.abandon()


def run_worker(plan: SearchPlan, study, liveness: Liveness, runner: TrialRunner, *, target: int,
               batch: int, on_tell: TellFn | None = None, poll: float = 2.0) -> WorkerSummary:
    """Run batches until the study holds ``target`` finished (complete or pruned) trials."""
    summary = WorkerSummary()
    t0 = time.perf_counter()
    failed_in_a_row = 0
    while True:
        liveness.reap(study)
        counts = count_trials(study)
        if counts["finished"] >= target:
            break
        room = target - counts["finished"] - counts.get("running", 0)
        if room <= 0:  # the other workers hold the remaining trials: wait for them (or their death)
            time.sleep(poll)
            continue
        retries = _retries_waiting(study)
        k = min(batch, room, retries) if retries else min(batch, room)  # an interrupted batch is redone alone
        trials = _ask(plan, study, liveness, k, target, summary)
        before = summary.failed
        _run_batch(plan, study, liveness, runner, trials, summary, on_tell)
        new_failures = summary.failed - before
        failed_in_a_row = failed_in_a_row + new_failures if new_failures == len(trials) else 0
        if failed_in_a_row >= max(3, batch):
            errors = [t.user_attrs["error"] for t in study.get_trials(deepcopy=False) if "error" in t.user_attrs]
            last = errors[-1] if errors else "see the study's failed trials"
            raise SearchAborted(f"the last {failed_in_a_row} trials all failed; last error: {last}")
    summary.seconds = time.perf_counter() - t0
    return summary
