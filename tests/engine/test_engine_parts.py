"""Engine parts without the network: packed crops, scheduling, the VOT failure test, BatchNorm
folding, options, stream bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from engine_helpers import ListFrames, params
from torch import nn

from sotbench.boxes import polygon_iou
from sotbench.datasets.base import VotSettings
from sotbench.jobs import Job, Stream
from sotbench.protocols import StreamRecord
from sotbench.sequences import Sequence
from sotbench.trackers.siamrpnpp.crop import PackedFrames, crop_bilinear, crop_cv2_linear
from sotbench.trackers.siamrpnpp.engine.core import bucket
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions, OptionsError
from sotbench.trackers.siamrpnpp.engine.precision import fold_batchnorm
from sotbench.trackers.siamrpnpp.engine.schedule import Planner
from sotbench.trackers.siamrpnpp.flavours import MMTracking, Pysot
from sotbench.vot_failures import vot_overlap_ok

SIZES = [(50, 70), (200, 300), (33, 17), (240, 320)]


def _frames(seed=0):
    rng = np.random.default_rng(seed)
    return [torch.from_numpy(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for h, w in SIZES]


def _packed(frames, which):
    pixels = torch.cat([f.reshape(-1, 3) for f in frames])
    starts = np.concatenate([[0], np.cumsum([f.shape[0] * f.shape[1] for f in frames])[:-1]])
    return PackedFrames(pixels, torch.tensor(starts[which]), torch.tensor([frames[i].shape[0] for i in which]),
                        torch.tensor([frames[i].shape[1] for i in which]))


@pytest.mark.parametrize("out", [127, 31])
def test_packed_crops_equal_single_frame_crops(out):
    frames = _frames()
    which = [0, 1, 2, 3, 1, 0]  # several streams on one frame, every frame size
    x0 = torch.tensor([-30, 150, -5, 290, -400, 20])
    y0 = torch.tensor([-10, 170, 20, -3, 30, 45])
    size = torch.tensor([64, 255, 40, 127, 951, 9])
    pad8 = torch.tensor([[1, 2, 3]] * 6, dtype=torch.uint8)
    padf = torch.tensor([[127.75, 132.25, 134.5]] * 6)
    packed = _packed(frames, which)
    got8 = crop_cv2_linear(packed, x0, y0, size, out, pad8)
    gotf = crop_bilinear(packed, x0, y0, size + 1, size, out, padf)
    for b, i in enumerate(which):
        s = slice(b, b + 1)
        assert torch.equal(got8[b], crop_cv2_linear(frames[i], x0[s], y0[s], size[s], out, pad8[s])[0])
        assert torch.equal(gotf[b], crop_bilinear(frames[i], x0[s], y0[s], size[s] + 1, size[s], out, padf[s])[0])


def test_flavour_search_crops_on_packed_frames():
    """mmtracking's window rule needs each stream's own frame size (``crop.frame_size``)."""
    frames = _frames(1)
    which = [1, 3, 0]
    state = torch.tensor([[290.0, 190.0, 40, 60], [310.0, 5.0, 80, 30], [10.0, 45.0, 30, 30]], dtype=torch.float64)
    f32 = torch.tensor([False, True, False])
    packed = _packed(frames, which)
    for flavour, pad in ((MMTracking, torch.full((3, 3), 100.5)), (Pysot, torch.full((3, 3), 7, dtype=torch.uint8))):
        p = params(flavour.name)
        x, scale = flavour.search_crop(packed, state, f32, p, 255, pad)
        for b, i in enumerate(which):
            s = slice(b, b + 1)
            x1, scale1 = flavour.search_crop(frames[i], state[s], f32[s], p, 255, pad[s])
            assert torch.equal(x[b], x1[0]) and torch.equal(scale[b], scale1[0])


def test_bucket_pads_to_powers_of_two_within_the_batch():
    assert [bucket(n, 12) for n in (1, 2, 3, 5, 8, 9, 12)] == [1, 2, 4, 8, 8, 12, 12]


def _job(name: str, n: int, width: int) -> Job:
    seq = Sequence(name, np.tile([1.0, 1, 5, 5], (n, 1)), ListFrames([np.zeros((4, 4, 3), np.uint8)] * n))
    return Job(seq, [Stream(None, tag=k) for k in range(width)])


def test_planner_refills_freed_slots_at_the_next_step():
    jobs = [_job("a", 5, 2), _job("b", 2, 2), _job("c", 3, 2), _job("d", 1, 4)]
    planner = Planner(iter(jobs), capacity=4)
    plans = []
    while not planner.done:
        plans.append(planner.plan())
    starts = {planner.jobs[j].job.seq.name: (p.step, planner.jobs[j].slots) for p in plans for j in p.starts}
    # a and b start at once; c takes b's slots after b's last frame; d (4 streams) waits for all
    assert starts == {"a": (0, [0, 1]), "b": (0, [2, 3]), "c": (2, [2, 3]), "d": (5, [0, 1, 2, 3])}
    assert [len(p.frames) for p in plans] == [2, 2, 2, 2, 2, 1]
    assert plans[3].frames == [(0, 3), (2, 1)]


def test_planner_waits_on_none_and_refuses_jobs_wider_than_the_batch():
    def source():
        yield _job("a", 2, 1)
        yield None
        yield _job("b", 1, 1)
    planner = Planner(source(), capacity=2)
    first, second = planner.plan(), planner.plan()
    # None: nothing more to start at step 0 although a slot is free; asked again at step 1
    assert len(first.starts) == 1 and len(second.starts) == 1 and second.frames == [(0, 1), (1, 0)]
    with pytest.raises(ValueError, match="3 streams do not fit in 2 slots"):
        Planner(iter([_job("w", 2, 3)]), capacity=2).plan()


def _random_case(rng):
    w, h = 640.0, 480.0
    box = np.r_[rng.uniform(-100, 700, 2), rng.uniform(-5, 200, 2)]
    kind = rng.integers(0, 4)
    if kind == 0:
        region = np.r_[rng.uniform(-50, 650, 2), rng.uniform(1, 200, 2)]
    elif kind == 3:  # a quad, often not convex
        region = rng.uniform(0, 640, 8)
    else:  # a rotated rectangle near the box, sometimes touching it exactly
        c = box[:2] + box[2:] / 2 + rng.normal(0, 60, 2)
        a, u, v = rng.uniform(0, np.pi), rng.uniform(2, 120), rng.uniform(2, 120)
        d = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]]) * [[u], [v]]
        region = np.array([c + d[0] + d[1], c - d[0] + d[1], c - d[0] - d[1], c + d[0] - d[1]]).ravel()
    if kind == 1 and rng.random() < 0.5:  # an axis-aligned rectangle whose edge touches the box's
        region = np.array([box[0] + box[2], box[1], box[0] + box[2] + 30, box[1], box[0] + box[2] + 30,
                           box[1] + 20, box[0] + box[2], box[1] + 20])
    return box, region, (w, h)


@pytest.mark.parametrize("threshold", [0.0, 0.1])
def test_vot_failure_test_decides_as_polygon_iou(threshold):
    rng = np.random.default_rng(7)
    cases = [_random_case(rng) for _ in range(3000)]
    cases.append((np.array([np.nan, 1, 2, 3]), np.array([1.0, 1, 5, 5]), (640.0, 480.0)))
    boxes = np.array([c[0] for c in cases])
    got = vot_overlap_ok(boxes, [c[1] for c in cases], np.array([c[2] for c in cases]), threshold)
    want = np.array([polygon_iou(b, r, wh) > threshold for b, r, wh in cases])
    assert np.array_equal(got, want)
    assert 0.05 < want.mean() < 0.95  # both outcomes are exercised


def test_fold_batchnorm_keeps_the_function():
    torch.manual_seed(0)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8)
            self.seq = nn.Sequential(nn.Conv2d(8, 8, 1), nn.BatchNorm2d(8), nn.ReLU())

        def forward(self, x):
            return self.seq(self.bn1(self.conv1(x)))
    net = Block().eval()
    for bn in (net.bn1, net.seq[1]):
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.data.uniform_(0.5, 2)
        bn.bias.data.uniform_(-1, 1)
    x = torch.randn(2, 3, 16, 16)
    want = net(x)
    folded = fold_batchnorm(net)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    torch.testing.assert_close(folded(x), want, rtol=1e-5, atol=1e-5)


def test_options_are_checked():
    with pytest.raises(OptionsError, match="unknown precision 'fp16', known: fp32, tf32, bf16"):
        EngineOptions(precision="fp16")
    with pytest.raises(OptionsError, match="unknown decoder"):
        EngineOptions(decoder="gpu")
    with pytest.raises(OptionsError, match="batch must be at least 1"):
        EngineOptions(batch=0)


def test_vot_stream_bookkeeping():
    seq = Sequence("s", np.tile([1.0, 1, 5, 5], (8, 1)), ListFrames([np.zeros((4, 4, 3), np.uint8)] * 8))
    stream = Stream(None, 1)
    run = StreamRecord(stream, Job(seq, [stream], "vot_reset", VotSettings(skip_initialize=3)))
    assert run.action(0) == "init"
    run.initialised(0, None)
    box = np.array([1.0, 1, 5, 5])
    run.tracked(1, box, 0.9, ok=True)
    run.tracked(2, box, 0.9, ok=False)  # failure: 3, 4 skipped, restart on 5
    run.tracked(3, box, 0.9, ok=True)  # computed before the host knew: discarded
    assert [run.action(t) for t in (3, 4, 5, 6)] == ["skip", "skip", "init", "track"]
    run.initialised(5, None)
    run.tracked(6, np.array([np.nan, 1, 1, 1]), 0.5, ok=True)
    lines = run.output().lines
    assert lines[:6] == [1, lines[1], 2, 0, 0, 1] and run.failures == 1
    assert "non-finite box" in run.error and lines[7] == 0
