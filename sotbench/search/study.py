"""Create or continue a study: its user attributes (what it tunes, on which data, whether on test
data), the compatibility check when continuing, and the base preset's values as trial 0."""

from __future__ import annotations

import json
import time
from typing import Any

import sotbench
from sotbench.provenance import now_iso
from sotbench.search.prepare import SearchPlan
from sotbench.search.samplers import build_pruner, build_sampler

__all__ = ["open_study", "StudyMismatch", "count_trials", "FINISHED"]

FINGERPRINT_ATTR = "sotbench_fingerprint"
DESCRIBE_WAIT_S = 30.0  # how long a process joining a study just made waits for its description


class StudyMismatch(ValueError):
    """The stored study was created for another search (other space, data or objective)."""


def _state(name: str):
    from optuna.trial import TrialState

    return getattr(TrialState, name)


FINISHED = ("COMPLETE", "PRUNED")


def count_trials(study) -> dict[str, int]:
    """Trial counts by state name (``complete``, ``pruned``, ``fail``, ``running``, ``waiting``) and
    ``finished`` (complete + pruned: what ``--trials N`` counts)."""
    counts: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        counts[t.state.name.lower()] = counts.get(t.state.name.lower(), 0) + 1
    counts["finished"] = counts.get("complete", 0) + counts.get("pruned", 0)
    return counts


def _differences(old: dict, new: dict) -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        if json.dumps(old.get(key), sort_keys=True) != json.dumps(new.get(key), sort_keys=True):
            out.append(f"{key}: stored {json.dumps(old.get(key))[:80]}, now {json.dumps(new.get(key))[:80]}")
    return out


def _user_attrs(plan: SearchPlan) -> dict[str, Any]:
    return {
        FINGERPRINT_ATTR: plan.fingerprint(),
        "tracker": plan.base.tracker,
        "preset": plan.sweep.preset,
        "dataset": plan.dataset.key,
        "split": plan.dataset.split,
        "n_sequences": len(plan.sequences),
        "objective": plan.objective.metric,
        "profile": plan.objective.profile,
        "test_split": plan.test_split,
        "precision": plan.precision,
        "sweep": plan.sweep.to_dict(),
        "created": now_iso(),
        "sotbench_version": sotbench.__version__,
    }


def _enqueue_preset(study, plan: SearchPlan) -> None:
    """Evaluate the base preset's own values first (the baseline every other trial is read against)."""
    values = {r.name: plan.base.params[r.name] for r in plan.sweep.space}
    outside = [f"{r.name}={values[r.name]}" for r in plan.sweep.space if not r.contains(values[r.name])]
    if outside:
        print(f"note: the preset's {', '.join(outside)} lie outside the search space; not enqueued")
        return
    study.enqueue_trial(values, user_attrs={"preset_values": True})


def open_study(plan: SearchPlan, storage: Any, *, create: bool = True):
    """Create the study (first run) or load it and check that it searches the same thing.

    Only the process whose ``create_study`` made the study (the storage decides: a unique name
    in a database, the lock of a journal) enqueues the preset's values and describes the study;
    one that found it already made waits for that description, so processes starting together
    on a new study enqueue the preset once."""
    import optuna

    sampler, pruner = build_sampler(plan.sweep.sampler), build_pruner(plan.sweep.pruner)
    if not create:
        try:
            return optuna.load_study(study_name=plan.study_name, storage=storage, sampler=sampler, pruner=pruner)
        except KeyError:
            raise StudyMismatch(f"no study {plan.study_name!r} in {plan.storage.display}") from None
    try:
        study = optuna.create_study(study_name=plan.study_name, storage=storage, sampler=sampler, pruner=pruner,
                                    direction=plan.objective.direction)
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(study_name=plan.study_name, storage=storage, sampler=sampler, pruner=pruner)
    else:  # this process made the study
        _describe(study, plan)
        _name_objective(study, plan)
        return study
    _name_objective(study, plan)
    stored = _described(study)
    if stored is None:  # its creator died before describing it: this process takes over
        _describe(study, plan)
        return study
    diffs = _differences(stored, plan.fingerprint())
    if diffs:
        raise StudyMismatch(
            f"study {plan.study_name!r} in {plan.storage.display} was made for another search "
            f"({'; '.join(diffs)}); use another --study name or --out folder, or restore the sweep")
    return study


def _describe(study, plan: SearchPlan) -> None:
    """Enqueue the preset's values, then set the user attributes, the fingerprint last: a process
    that sees the fingerprint knows the study is complete."""
    if plan.sweep.enqueue_preset and not study.get_trials(deepcopy=False):
        _enqueue_preset(study, plan)
    attrs = _user_attrs(plan)
    for key, value in attrs.items():
        if key != FINGERPRINT_ATTR:
            study.set_user_attr(key, value)
    study.set_user_attr(FINGERPRINT_ATTR, attrs[FINGERPRINT_ATTR])


def _name_objective(study, plan: SearchPlan) -> None:
    """Name the study's objective (optuna-dashboard shows it instead of "Objective 0"); a study
    made before the names were set gets them when it is continued."""
    import warnings

    if study.metric_names == [plan.objective.metric]:
        return
    with warnings.catch_warnings():  # set_metric_names is marked experimental by optuna
        warnings.simplefilter("ignore")
        study.set_metric_names([plan.objective.metric])


def _described(study, wait: float = DESCRIBE_WAIT_S, poll: float = 0.2) -> dict | None:
    """The fingerprint of a study made by another process, waiting up to ``wait`` seconds for
    that process to write it; None if it never does."""
    deadline = time.monotonic() + wait
    while True:
        stored = study.user_attrs.get(FINGERPRINT_ATTR)
        if stored is not None or time.monotonic() >= deadline:
            return stored
        time.sleep(poll)
