"""The lockstep evaluator gives exactly what separate runs give, in-process or in workers."""

import numpy as np

from sotbench.datasets import load_dataset
from sotbench.protocols import run_ope
from sotbench.search.evaluator import DatasetRef, LockstepEvaluator, TrialFailure, iter_sequences
from sotbench.trackers import TrackerSpec
from sotbench.trackers.ncc import NCCTracker

PARAMS = [{"lr": 0.2, "window_influence": 0.1}, {"lr": 0.7, "window_influence": 0.5}, {"lr": 0.2, "window_influence": 0.1}]


def test_lockstep_equals_separate_runs(synthetic_root):
    ds = load_dataset("synthetic", root=synthetic_root, split="val")
    evaluator = LockstepEvaluator(TrackerSpec("ncc", {"penalty_k": 0.2}), DatasetRef("synthetic", str(synthetic_root), "val"))
    got = evaluator.evaluate_batch(PARAMS, "ValHide")
    for params, boxes in zip(PARAMS, got):
        alone = run_ope(NCCTracker(penalty_k=0.2, **params), ds["ValHide"]).boxes
        np.testing.assert_array_equal(boxes, alone)
    np.testing.assert_array_equal(got[0], got[2])  # equal parameters, separate tracker states


def test_a_failing_parameter_set_fails_alone(synthetic_root):
    evaluator = LockstepEvaluator(TrackerSpec("ncc", {}), DatasetRef("synthetic", str(synthetic_root), "val"))
    good, bad = evaluator.evaluate_batch([{"lr": 0.3}, {"instance_factor": 0.5}], "ValWalk")
    assert isinstance(bad, TrialFailure) and "instance_factor" in bad.message
    assert good.shape == (60, 4)


def test_parallel_sequences_equal_sequential_and_skip_dropped_trials(synthetic_root):
    evaluator = LockstepEvaluator(TrackerSpec("ncc", {}), DatasetRef("synthetic", str(synthetic_root), "val"))
    order = ["ValWalk", "ValHide", "ValDash", "ValShrink"]
    active = {0: PARAMS[0], 1: PARAMS[1]}
    serial = list(iter_sequences(evaluator, order, lambda: dict(active), jobs=1))
    parallel = list(iter_sequences(evaluator, order, lambda: dict(active), jobs=2))
    assert [name for name, _ in parallel] == order
    for (n1, r1), (n2, r2) in zip(serial, parallel):
        assert n1 == n2 and r1.keys() == r2.keys()
        for k in r1:
            np.testing.assert_array_equal(r1[k], r2[k])
    seen = []
    for name, results in iter_sequences(evaluator, order, lambda: dict(active), jobs=1):
        seen.append((name, sorted(results)))
        active.pop(1, None)  # trial 1 pruned after its first sequence
    assert seen == [("ValWalk", [0, 1]), ("ValHide", [0]), ("ValDash", [0]), ("ValShrink", [0])]
