"""The engine against the single-stream tracker on the CPU (fixture weights, real frames).

fp32 engine boxes must equal the tracker's within 1e-3 px over these few frames (the only
difference is the batch the template convolution sees; over a full sequence the difference grows:
test_engine_drift.py).  Several sequences of different lengths
and frame sizes share a small batch, so slots are refilled; every job has two or three
hyperparameter sets; the VOT reset protocol runs inside the engine with failures forced by
ground-truth regions placed away from the target.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from engine_helpers import KNOBS, params

from sotbench.datasets.base import VotSettings
from sotbench.engine.core import Engine
from sotbench.engine.jobs import Job, StreamSpec
from sotbench.engine.options import EngineOptions

CPU = torch.device("cpu")


def _jobs(seqs, knobs, protocol="ope", vot=None):
    return [Job(s, [StreamSpec(*k, tag=i) for i, k in enumerate(knobs)], protocol, vot) for s in seqs]


def test_ope_streams_equal_the_single_stream_tracker(randw_model, bag_seq, synth_seq, reference):
    flavour = "pysot"  # mmtracking OPE: in the VOT test below
    seqs = [bag_seq("bagA", 0, 4), synth_seq("synth", 3), bag_seq("bagB", 20, 2)]
    engine = Engine(randw_model, params(flavour), CPU, EngineOptions(batch=4, lag=2))
    results = list(engine.run(_jobs(seqs, KNOBS[:2])))  # already longest first
    # two jobs of two streams fill the batch; bagB starts when synth ends (step 3), not after bagA (step 4)
    assert [r.job.seq.name for r in results] == ["synth", "bagA", "bagB"]
    assert engine.stats.steps == 5 and engine.stats.templates == 3  # one template per sequence
    assert engine.stats.decoded_frames == 4 + 3 + 2  # once per frame, whatever the streams
    worst = 0.0
    for res in results:
        for stream in res.streams:
            assert stream.error is None
            ref = reference(randw_model, flavour, KNOBS[stream.spec.tag], res.job.seq)
            worst = max(worst, float(np.abs(stream.boxes - ref).max()))
            assert np.isfinite(stream.scores[1:]).all() and (stream.times > 0).all()
    assert worst <= 1e-3, f"engine vs single stream: {worst} px"


def _vot_gt(bag_seq, n: int) -> np.ndarray:
    gt = bag_seq("x", 0, n).gt.copy()
    gt[3] = [10, 10, 40, 10, 40, 40, 10, 40]  # a polygon far from the target: failure on frame 3
    gt[6] = [0, 0, 30, 30] + [np.nan] * 4  # a rectangle far away
    return gt


@pytest.mark.parametrize("flavour,skip,lag,n,k", [("mmtracking", 2, 3, 8, 2), ("pysot", 3, 1, 7, 1)])
def test_vot_reset_inside_the_engine_equals_run_vot_reset(flavour, skip, lag, n, k, randw_model, bag_seq,
                                                         synth_seq, reference):
    seq = bag_seq("bagV", 0, n, gt=_vot_gt(bag_seq, n))
    vot = VotSettings(repetitions=1, skip_initialize=skip)
    engine = Engine(randw_model, params(flavour), CPU, EngineOptions(batch=4, lag=lag))
    jobs = _jobs([seq], KNOBS[:k], "vot_reset", vot) + _jobs([synth_seq("synthO", 3)], KNOBS[2:3])
    results = {r.job.seq.name: r for r in engine.run(jobs)}
    for stream in results["bagV"].streams:
        ref = reference(randw_model, flavour, KNOBS[stream.spec.tag], seq, vot=vot)
        codes = [v if np.ndim(v) == 0 else -1 for v in stream.lines]
        assert codes == [v if np.ndim(v) == 0 else -1 for v in ref]
        assert 2 in codes and 1 in codes[1:]  # a failure and a re-initialisation happened
        for a, b in zip(stream.lines, ref):
            if np.ndim(a):
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-3)
    ope = results["synthO"].streams[0]
    np.testing.assert_allclose(ope.boxes, reference(randw_model, flavour, KNOBS[2], synth_seq("synthO", 3)),
                               rtol=0, atol=1e-3)


def test_bad_init_region_fails_only_its_job(randw_model, bag_seq):
    gt = bag_seq("y", 0, 3).gt.copy()
    gt[0] = [5, 5, 5, 5, 5, 5, 5, 5]  # a polygon without area
    engine = Engine(randw_model, params("pysot"), CPU, EngineOptions(batch=2))
    bad, good = _jobs([bag_seq("bad", 0, 3, gt=gt)], KNOBS[:1]) + _jobs([bag_seq("good", 0, 2)], KNOBS[:1])
    results = {r.job.seq.name: r for r in engine.run([bad, good])}
    assert "cannot initialise SiamRPN++" in results["bad"].streams[0].error
    assert results["good"].streams[0].error is None
    assert isinstance(results["bad"].outputs()[0], str) and results["good"].outputs()[0].shape == (2, 4)


def test_missing_frame_fails_its_job(randw_model, bag_seq, tmp_path):
    from sotbench.frames import ImageFiles
    from sotbench.sequences import Sequence

    seq = bag_seq("gone", 0, 3)
    broken = Sequence("gone", seq.gt, ImageFiles([*seq.frames.paths[:2], tmp_path / "missing.jpg"]))
    engine = Engine(randw_model, params("pysot"), CPU, EngineOptions(batch=1))
    (res,) = list(engine.run(_jobs([broken], KNOBS[:1])))
    assert res.error is not None and "missing.jpg" in res.error and "frame file is missing" in res.error
