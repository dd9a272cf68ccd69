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
from sotbench.jobs import Job, Stream
from sotbench.trackers.siamrpnpp.engine.core import Engine
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions

CPU = torch.device("cpu")


def _jobs(seqs, knobs, protocol="ope", vot=None, flavour="pysot"):
    return [Job(s, [Stream(params(flavour, k), tag=i) for i, k in enumerate(knobs)], protocol, vot) for s in seqs]


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
        for stream, out in res.items():
            assert not isinstance(out, str), out
            ref = reference(randw_model, flavour, KNOBS[stream.tag], res.job.seq)
            worst = max(worst, float(np.abs(out.boxes - ref).max()))
            assert np.isfinite(out.scores[1:]).all() and (out.times > 0).all()
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
    jobs = _jobs([seq], KNOBS[:k], "vot_reset", vot, flavour) + _jobs([synth_seq("synthO", 3)], KNOBS[2:3],
                                                                       flavour=flavour)
    results = {r.job.seq.name: r for r in engine.run(jobs)}
    for stream, out in results["bagV"].items():
        ref = reference(randw_model, flavour, KNOBS[stream.tag], seq, vot=vot)
        codes = [v if np.ndim(v) == 0 else -1 for v in out.lines]
        assert codes == [v if np.ndim(v) == 0 else -1 for v in ref]
        assert 2 in codes and 1 in codes[1:]  # a failure and a re-initialisation happened
        for a, b in zip(out.lines, ref):
            if np.ndim(a):
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-3)
    ope = results["synthO"].outputs[0]
    np.testing.assert_allclose(ope.boxes, reference(randw_model, flavour, KNOBS[2], synth_seq("synthO", 3)),
                               rtol=0, atol=1e-3)


def test_bad_init_region_fails_only_its_job(randw_model, bag_seq):
    gt = bag_seq("y", 0, 3).gt.copy()
    gt[0] = [5, 5, 5, 5, 5, 5, 5, 5]  # a polygon without area
    engine = Engine(randw_model, params("pysot"), CPU, EngineOptions(batch=2))
    bad, good = _jobs([bag_seq("bad", 0, 3, gt=gt)], KNOBS[:1]) + _jobs([bag_seq("good", 0, 2)], KNOBS[:1])
    results = {r.job.seq.name: r for r in engine.run([bad, good])}
    assert "cannot initialise SiamRPN++" in results["bad"].stream_error(0)
    assert results["good"].stream_error(0) is None
    assert results["bad"].outputs[0] is None and results["good"].outputs[0].boxes.shape == (2, 4)


def test_missing_frame_fails_its_job(randw_model, bag_seq, tmp_path):
    from sotbench.frames import ImageFiles
    from sotbench.sequences import Sequence

    seq = bag_seq("gone", 0, 3)
    broken = Sequence("gone", seq.gt, ImageFiles([*seq.frames.paths[:2], tmp_path / "missing.jpg"]))
    engine = Engine(randw_model, params("pysot"), CPU, EngineOptions(batch=1))
    (res,) = list(engine.run(_jobs([broken], KNOBS[:1])))
    assert res.error is not None and "missing.jpg" in res.error and "frame file is missing" in res.error


def test_streams_with_their_own_start_and_box_equal_the_single_stream_tracker(randw_model, bag_seq, reference):
    """TRE segments and SRE boxes run inside the engine: a stream starting at frame 2, and two
    starting at frame 1 from different boxes (one template each), equal the single-stream tracker
    run on the sequence cut at that frame (initialised from that box)."""
    from sotbench.sequences import Sequence

    seq = bag_seq("bagT", 0, 5)
    box = np.asarray(seq.gt[1], float)
    xs, ys = box[0::2], box[1::2]
    moved = (float(xs.min()) + 6, float(ys.min()) - 4, float(xs.max() - xs.min()), float(ys.max() - ys.min()))
    streams = [Stream(params("pysot"), "late", start=2), Stream(params("pysot"), "shifted", start=1, init=moved),
               Stream(params("pysot"), "gt", start=1)]
    engine = Engine(randw_model, params("pysot"), CPU, EngineOptions(batch=4, lag=1))
    (res,) = list(engine.run([Job(seq, streams)]))
    assert engine.stats.templates == 3
    outs = {s.tag: out for s, out in res.items()}
    cut = {s: Sequence(f"cut{s}", seq.gt[s:], type(seq.frames)(seq.frames.paths[s:])) for s in (1, 2)}
    shifted_gt = np.array(cut[1].gt, float)
    shifted_gt[0] = list(moved) + [np.nan] * 4
    for tag, start, ref_seq in [("late", 2, cut[2]), ("gt", 1, cut[1]),
                                ("shifted", 1, Sequence("sh", shifted_gt, cut[1].frames))]:
        out = outs[tag]
        assert out.start == start and out.boxes.shape == (5 - start, 4)
        np.testing.assert_allclose(out.boxes, reference(randw_model, "pysot", KNOBS[0], ref_seq), rtol=0, atol=1e-3)
    assert not np.allclose(outs["shifted"].boxes[1:], outs["gt"].boxes[1:])
