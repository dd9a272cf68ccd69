"""The engine on CUDA (skipped without a GPU): fp32 equals the CUDA single-stream tracker (a CUDA
graph) and the CPU engine; the VOT reset protocol; tf32/bf16 and nvJPEG run and stay close.

Tolerances: CUDA engine vs CUDA single stream 1e-3 px (same kernels up to the batch size);
CUDA vs CPU 1e-2 px over 8 frames (different convolution kernels, as tests/siamrpnpp).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from engine_helpers import KNOBS, params

from sotbench.datasets.base import VotSettings
from sotbench.jobs import Job, Stream
from sotbench.trackers.siamrpnpp.engine.core import Engine
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions

pytestmark = pytest.mark.gpu
CUDA = torch.device("cuda")


@pytest.fixture(scope="module")
def cuda_model(randw_model):
    return copy.deepcopy(randw_model).cuda().eval()


def _jobs(seqs, knobs, protocol="ope", vot=None, flavour="pysot"):
    return [Job(s, [Stream(params(flavour, k), tag=i) for i, k in enumerate(knobs)], protocol, vot) for s in seqs]


def _boxes(engine, jobs):
    """``{(sequence, stream tag): output, or the stream's error message}``."""
    return {(r.job.seq.name, s.tag): out for r in engine.run(jobs) for s, out in r.items()}


@pytest.mark.parametrize("flavour", ["pysot", "mmtracking"])
def test_cuda_engine_fp32_equals_cuda_single_stream_and_cpu(flavour, cuda_model, randw_model, bag_seq, synth_seq,
                                                            reference):
    seqs = [bag_seq("bag", 0, 8), synth_seq("synth", 8), bag_seq("bag2", 30, 5)]
    gpu = _boxes(Engine(cuda_model, params(flavour), CUDA, EngineOptions(batch=4, decoder="cpu")),
                 _jobs(seqs, KNOBS[:2], flavour=flavour))
    for (name, tag), stream in gpu.items():
        seq = next(s for s in seqs if s.name == name)
        want = reference(cuda_model, flavour, KNOBS[tag], seq, device="cuda")
        assert not isinstance(stream, str), stream
        np.testing.assert_allclose(stream.boxes, want, rtol=0, atol=1e-3)
    cpu = _boxes(Engine(randw_model, params(flavour), torch.device("cpu"), EngineOptions(batch=4)),
                 _jobs(seqs[1:2], KNOBS[:2], flavour=flavour))
    for key, stream in cpu.items():
        np.testing.assert_allclose(gpu[key].boxes, stream.boxes, rtol=0, atol=1e-2)


def test_cuda_vot_reset_equals_run_vot_reset(cuda_model, bag_seq, reference):
    n = 12
    gt = bag_seq("x", 0, n).gt.copy()
    gt[3] = [10, 10, 40, 10, 40, 40, 10, 40]
    gt[8] = [0, 0, 30, 30] + [np.nan] * 4
    seq = bag_seq("bagV", 0, n, gt=gt)
    vot = VotSettings(repetitions=1, skip_initialize=3)
    got = _boxes(Engine(cuda_model, params("mmtracking"), CUDA, EngineOptions(batch=4, decoder="cpu")),
                 _jobs([seq], KNOBS[:3], "vot_reset", vot, flavour="mmtracking"))
    for (_, tag), stream in got.items():
        want = reference(cuda_model, "mmtracking", KNOBS[tag], seq, device="cuda", vot=vot)
        assert [v if np.ndim(v) == 0 else -1 for v in stream.lines] == [v if np.ndim(v) == 0 else -1 for v in want]
        for a, b in zip(stream.lines, want):
            if np.ndim(a):
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-3)


@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_fast_precisions_run_on_cuda(precision, cuda_model, bag_seq, capsys):
    seqs = [bag_seq("bag", 0, 8)]
    fp32 = _boxes(Engine(cuda_model, params("pysot"), CUDA, EngineOptions(batch=2, decoder="cpu")), _jobs(seqs, KNOBS[:2]))
    engine = Engine(cuda_model, params("pysot"), CUDA, EngineOptions(batch=2, precision=precision, decoder="cpu"))
    fast = _boxes(engine, _jobs(seqs, KNOBS[:2]))
    info = engine.net.describe()
    assert info["batchnorm_folded"] and info["channels_last"] == (precision == "bf16")
    for key, stream in fast.items():
        assert not isinstance(stream, str) and np.isfinite(stream.boxes).all()
        delta = np.abs(stream.boxes - fp32[key].boxes).max(axis=1)
        with capsys.disabled():
            print(f"\n{precision} vs fp32, stream {key}: box delta per frame (px) {np.round(delta, 4).tolist()}")


def test_nvjpeg_decodes_like_the_cpu_decoder(bag_seq):
    from sotbench.trackers.siamrpnpp.engine.decode import NvjpegDecoder, nvjpeg_available
    from sotbench.trackers.siamrpnpp.engine.feed import _concat

    why = nvjpeg_available(CUDA)
    if why is not None:
        pytest.skip(f"nvJPEG unavailable: {why}")
    seq = bag_seq("bag", 0, 6)
    dec = NvjpegDecoder(4)
    try:
        decoded = [dec.submit(seq.frames, t).result() for t in range(6)]
        images = dec.materialise(decoded, CUDA)
        packed, sizes = _concat(images, CUDA)
    finally:
        dec.close()
    want = np.concatenate([seq.frames[t].reshape(-1, 3) for t in range(6)]).astype(np.int16)
    got = packed.cpu().numpy().astype(np.int16)
    diff = np.abs(got - want)
    print(f"\nnvJPEG vs libjpeg-turbo on bag: max {diff.max()}, mean {diff.mean():.4f}, "
          f"differing {np.mean(diff > 0):.4%} of values")
    assert sizes == [seq.frames[0].shape[:2]] * 6
    assert diff.max() <= 32 and diff.mean() < 2  # a channel swap or transposition would be far off


def test_engine_runs_on_nvjpeg_frames(cuda_model, bag_seq):
    from sotbench.trackers.siamrpnpp.engine.decode import nvjpeg_available

    if nvjpeg_available(CUDA) is not None:
        pytest.skip("nvJPEG unavailable")
    engine = Engine(cuda_model, params("pysot"), CUDA, EngineOptions(batch=2, decoder="nvjpeg"))
    out = _boxes(engine, _jobs([bag_seq("bag", 0, 5)], KNOBS[:2]))
    assert engine.stats.decoder == "nvjpeg"
    assert all(not isinstance(s, str) and np.isfinite(s.boxes).all() for s in out.values())
