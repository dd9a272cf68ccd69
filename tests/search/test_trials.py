"""Trials through the run path: what separate runs give, in-process or in worker processes."""

import numpy as np

from sotbench.datasets import load_dataset
from sotbench.search.trials import TrialFailure, TrialRunner
from sotbench.trackers import TrackerSpec
from sotbench.trackers.backends import BackendOptions
from sotbench.trackers.lockstep import run_ope
from sotbench.trackers.ncc import NCCTracker

PARAMS = {0: {"lr": 0.2, "window_influence": 0.1}, 1: {"lr": 0.7, "window_influence": 0.5},
          2: {"lr": 0.2, "window_influence": 0.1}}


def _runner(root, base=None, jobs=1):
    ds = load_dataset("synthetic", root=root, split="val")
    return ds, TrialRunner(TrackerSpec("ncc", base or {}), ds, BackendOptions(jobs=jobs))


def test_trials_equal_separate_runs(synthetic_root):
    ds, runner = _runner(synthetic_root, {"penalty_k": 0.2})
    [(name, got)] = list(runner.iter_sequences(["ValHide"], lambda: dict(PARAMS)))
    assert name == "ValHide"
    for k, params in PARAMS.items():
        alone = run_ope(NCCTracker(penalty_k=0.2, **params), ds["ValHide"]).boxes
        np.testing.assert_array_equal(got[k].boxes, alone)
    np.testing.assert_array_equal(got[0].boxes, got[2].boxes)  # equal parameters, separate tracker states


def test_a_failing_parameter_set_fails_alone(synthetic_root):
    _, runner = _runner(synthetic_root)
    [(_, got)] = list(runner.iter_sequences(["ValWalk"], lambda: {0: {"lr": 0.3}, 1: {"instance_factor": 0.5}}))
    assert isinstance(got[1], TrialFailure) and "instance_factor" in got[1].message
    assert got[0].boxes.shape == (60, 4)


def test_worker_processes_equal_one_process_and_skip_dropped_trials(synthetic_root):
    order = ["ValWalk", "ValHide", "ValDash", "ValShrink"]
    active = {0: PARAMS[0], 1: PARAMS[1]}
    serial = list(_runner(synthetic_root)[1].iter_sequences(order, lambda: dict(active)))
    parallel = list(_runner(synthetic_root, jobs=2)[1].iter_sequences(order, lambda: dict(active)))
    assert [name for name, _ in parallel] == order
    for (n1, r1), (n2, r2) in zip(serial, parallel):
        assert n1 == n2 and r1.keys() == r2.keys()
        for k in r1:
            np.testing.assert_array_equal(r1[k].boxes, r2[k].boxes)
    seen = []
    for name, results in _runner(synthetic_root)[1].iter_sequences(order, lambda: dict(active)):
        seen.append((name, sorted(results)))
        active.pop(1, None)  # trial 1 pruned after its first sequence
    assert seen == [("ValWalk", [0, 1]), ("ValHide", [0]), ("ValDash", [0]), ("ValShrink", [0])]


def test_trials_of_another_structure_get_a_backend_of_their_own(synthetic_root):
    """exemplar_size is not a per-stream parameter of ncc: those trials run apart, same results."""
    ds, runner = _runner(synthetic_root)
    trials = {0: {"lr": 0.3}, 1: {"lr": 0.3, "exemplar_size": 24}}
    [(_, got)] = list(runner.iter_sequences(["ValDash"], lambda: dict(trials)))
    for k, params in trials.items():
        np.testing.assert_array_equal(got[k].boxes, run_ope(NCCTracker(**params), ds["ValDash"]).boxes)
