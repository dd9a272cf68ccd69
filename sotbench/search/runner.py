"""``run_search``: open the study, run this process's worker (or launch N), write the outputs."""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from sotbench.search.driver import WorkerSummary, run_worker
from sotbench.search.liveness import Liveness
from sotbench.search.outputs import OutputSummary, best_trial, write_outputs
from sotbench.search.prepare import SearchPlan
from sotbench.search.storage import open_storage
from sotbench.search.study import count_trials, open_study
from sotbench.search.trials import TrialRunner
from sotbench.search.workers import launch_workers, worker_command
from sotbench.trackers.backends import BackendOptions, BatchBackend

__all__ = ["SearchOptions", "SearchResult", "run_search", "trial_runner", "write_resolved_sweep"]


@dataclass(frozen=True)
class SearchOptions:
    """How to run a planned search (the sweep says what to search)."""

    trials: int
    trial_batch: int
    workers: int = 1
    jobs: int = 1
    heartbeat: int = 30
    grace: int = 120
    progress: bool = True
    export: Path | None = None
    report_only: bool = False
    worker: bool = False  # a process started by --workers: no outputs, no progress bar
    worker_index: int | None = None
    device: str | None = None
    tracking: BackendOptions = BackendOptions()  # how trials are tracked (the run flags; jobs: --jobs)


@dataclass
class SearchResult:
    """What happened: trial counts, this process's worker summary and the outputs."""

    counts: dict[str, int]
    worker: WorkerSummary | None
    outputs: OutputSummary | None


def trial_runner(plan: SearchPlan, options: SearchOptions | None = None,
                 backend: BatchBackend | None = None) -> TrialRunner:
    """Trials of ``plan`` through the tracker's batch backend (``options.tracking``, ``--jobs``
    worker processes), or through ``backend`` when one is given."""
    tracking = options.tracking if options is not None else BackendOptions()
    if options is not None and options.jobs > 1:
        tracking = replace(tracking, jobs=options.jobs)
    return TrialRunner(plan.base, plan.dataset, tracking, backend)


def write_resolved_sweep(plan: SearchPlan) -> Path:
    """``<out>/sweep.yaml``: the sweep as this run resolved it (absolute root and preset path)."""
    from sotbench.search.outputs import _atomic_text

    data = plan.sweep.to_dict()
    data.update(root=str(Path(plan.dataset.root).resolve()), split=plan.dataset.split,
                preset=str(Path(plan.base.preset).resolve()) if plan.base.preset else plan.sweep.preset)
    header = "# the sweep as `sotbench search` resolved it (read by worker processes)\n"
    return _atomic_text(plan.out / "sweep.yaml", header + yaml.safe_dump(data, sort_keys=False))


class _Progress:
    """A trial progress bar whose postfix shows the best value so far."""

    def __init__(self, plan: SearchPlan, study, target: int, enabled: bool):
        from tqdm import tqdm

        self.plan, self.study = plan, study
        self.bar = tqdm(total=target, initial=min(target, count_trials(study)["finished"]), unit="trial",
                        desc=plan.study_name, disable=not enabled, file=sys.stderr, dynamic_ncols=True)
        self.refresh()

    def refresh(self, *_: Any) -> bool:
        counts = count_trials(self.study)
        self.bar.n = min(self.bar.total, counts["finished"])
        best = best_trial(self.study, self.plan.objective.maximize)
        if best is not None:
            self.bar.set_postfix_str(f"best {self.plan.objective.metric} {best.value:.4f} (#{best.number})")
        self.bar.refresh()
        return counts["finished"] >= self.bar.total

    def close(self) -> None:
        self.bar.close()


def run_search(plan: SearchPlan, options: SearchOptions, backend: BatchBackend | None = None) -> SearchResult:
    """Run (or continue) the planned study until it holds ``options.trials`` finished trials
    (``backend``: track every trial with it instead of the tracker's own)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    plan = _seed_for_worker(plan, options)
    storage = open_storage(plan.storage, heartbeat_interval=options.heartbeat, grace_period=options.grace,
                           max_retry=plan.sweep.max_retry)
    study = open_study(plan, storage)
    summary = None
    if not options.report_only:
        if options.workers > 1:
            _launch(plan, options, study)
        else:
            summary = _run_here(plan, options, study, storage, backend)
    outputs = None if options.worker else write_outputs(plan, study, options.export,
                                                        _gain(plan, options, study, backend))
    return SearchResult(count_trials(study), summary, outputs)


def _gain(plan: SearchPlan, options: SearchOptions, study, backend: BatchBackend | None):
    """The best trial against the preset (``sotbench.search.gains``): measured now, or the study's
    stored report when the best trial has not changed (always with ``--report-only``)."""
    from sotbench.search.gains import assess_gain, stored_gain

    if options.worker:
        return None
    best = best_trial(study, plan.objective.maximize)
    if best is None:
        return None
    stored = stored_gain(study, best, plan)
    if stored is not None or options.report_only:
        return stored
    tracking = trial_runner(plan, options, backend).options
    return assess_gain(plan, study, best, lambda dataset: TrialRunner(plan.base, dataset, tracking, backend))


def _seed_for_worker(plan: SearchPlan, options: SearchOptions) -> SearchPlan:
    """Workers sharing a study must not draw the same random start-up trials: worker ``i`` uses
    seed + i; a process joining a shared server storage without an index mixes in its pid."""
    seed = plan.sweep.sampler.seed
    if seed is None or options.report_only:
        return plan
    if options.worker_index is not None:
        seed += options.worker_index
    elif plan.storage.kind != "journal":
        seed += os.getpid()
        print(f"note: shared storage: sampler seed {seed} for this process (pass --worker-index I for a fixed one)")
    else:
        return plan
    sweep = replace(plan.sweep, sampler=replace(plan.sweep.sampler, seed=seed))
    return replace(plan, sweep=sweep)


def _run_here(plan: SearchPlan, options: SearchOptions, study, storage, backend) -> WorkerSummary:
    liveness = Liveness(storage, plan.study_name, rdb_heartbeat=plan.storage.heartbeat,
                        interval=options.heartbeat, grace=options.grace, max_retry=plan.sweep.max_retry)
    progress = _Progress(plan, study, options.trials, options.progress and not options.worker)
    try:
        return run_worker(plan, study, liveness, trial_runner(plan, options, backend), target=options.trials,
                          batch=options.trial_batch, on_tell=progress.refresh)
    finally:
        progress.close()
        liveness.close()


def _launch(plan: SearchPlan, options: SearchOptions, study) -> None:
    sweep_file = write_resolved_sweep(plan)
    cmd = worker_command(sweep_file, plan.storage.url, plan.study_name, plan.out, options.trials, options.trial_batch,
                         options.jobs, plan.test_split, options.device, options.tracking)
    progress = _Progress(plan, study, options.trials, options.progress)
    try:
        launch_workers(cmd, options.workers, plan.out / "workers", progress.refresh)
    finally:
        progress.close()
