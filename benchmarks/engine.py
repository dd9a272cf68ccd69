"""Batched engine throughput against a pysot-style per-frame loop, end to end from JPEG files.

    python benchmarks/engine.py --device cuda [--seconds-per-case 5] [--quick] [--out engine.md]
    python benchmarks/engine.py --device cpu --quick          # a smoke run on the CPU

Workload: generated JPEG sequences (640x480, and 1280x720 for a few cases; textured moving
target; lengths 300-1,500 frames like OTB/LaSOT, kept in --data, default a temporary folder).
Every row decodes its frames from disk:

* per-frame loop: ``cv2.imread`` + pysot's loop (host crop, template branch every frame, numpy
  post-processing; ``benchmarks/siamrpnpp.py``), batch 1, fp32: the baseline of every ratio;
* single stream: ``SiamRPNppTracker.update`` (a CUDA graph on GPU) with ``cv2.imread``, fp32,
  and the same in bf16 (``PrecisionNet``);
* engine: batch B x precision, K hyperparameter sets per sequence (a search's workload; the job
  source never runs dry, so the batch stays full), after a warm-up (cuDNN autotuning,
  compilation); ``torch.compile`` for the largest bf16 batch only (--compile);
* ceilings: decoding alone (CPU pool, nvJPEG batch 64) and the network alone per precision.

Frames/s count stream-frames (one stream's frame).  The projection is the time of a
200-trial search on an OTB100-sized split (59,035 frames) at the best engine throughput.
The table is printed and written to --out (markdown) for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from engine_workload import load_model, make_sequences  # noqa: E402
from siamrpnpp import PysotStyleLoop  # noqa: E402

from sotbench.jobs import Job, Stream  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.core import Engine  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.decode import CpuDecoder, nvjpeg_available  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.precision import PrecisionNet  # noqa: E402
from sotbench.trackers.siamrpnpp.flavours import Pysot  # noqa: E402
from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker  # noqa: E402

OTB_FRAMES, TRIALS = 59_035, 200


class Stop(Exception):
    """Raised from the progress callback when a case's time is up."""


def sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def peak_mib(dev: torch.device) -> float | None:
    return torch.cuda.max_memory_allocated(dev) / 2**20 if dev.type == "cuda" else None


def reset_peak(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(dev)


# -- per-frame rows ------------------------------------------------------------------------------
def per_frame_loop(model, p, dev, seq, frames: int) -> float:
    """cv2.imread + pysot-style step, frames/s."""
    trk = SiamRPNppTracker(p, model, dev)
    paths = seq.frames.paths
    trk.init(cv2.imread(str(paths[0])), seq.gt[0])  # the loop borrows the network (and the Kernels type)
    loop = PysotStyleLoop(trk)
    loop.init(cv2.imread(str(paths[0])), Pysot.state_from_box(seq.gt[0]))
    loop.track(cv2.imread(str(paths[1])))  # warm-up (cuDNN autotuning)
    sync(dev)
    t0 = time.perf_counter()
    for i in range(2, frames + 2):
        loop.track(cv2.imread(str(paths[i % len(paths)])))
    sync(dev)
    return frames / (time.perf_counter() - t0)


def single_stream(net, p, dev, seq, frames: int) -> float:
    """cv2.imread + ``SiamRPNppTracker.update`` (CUDA graph on GPU), frames/s."""
    trk = SiamRPNppTracker(p, net, dev)
    paths = seq.frames.paths
    trk.init(cv2.imread(str(paths[0])), seq.gt[0])
    for i in range(1, 4):  # warm-up and graph capture
        trk.update(cv2.imread(str(paths[i])))
    t0 = time.perf_counter()
    for i in range(4, frames + 4):
        trk.update(cv2.imread(str(paths[i % len(paths)])))
    return frames / (time.perf_counter() - t0)


# -- engine rows --------------------------------------------------------------------------------
def endless_jobs(seqs, k: int, knobs_rng: np.random.Generator, p):
    """Longest first, then round and round: K knob sets per sequence, never running dry."""
    order = sorted(seqs, key=lambda s: -len(s))
    for seq in itertools.cycle(order):
        knobs = knobs_rng.uniform([0.01, 0.1, 0.1], [0.5, 0.6, 0.7], size=(k, 3))
        streams = [Stream(replace(p, penalty_k=a, window_influence=b, lr=c), tag=i) for i, (a, b, c) in enumerate(knobs)]
        yield Job(seq, streams)


def engine_case(model, p, dev, seqs, batch: int, precision: str, args, compile: bool = False) -> dict:
    """Stream-frames/s of the engine, decoding from disk, measured for ``seconds_per_case`` after a
    warm-up of ``warmup`` seconds counted from the first step read back (which comes after cuDNN
    autotuning and compilation)."""
    reset_peak(dev)
    engine = Engine(model, p, dev, EngineOptions(batch=batch, precision=precision, compile=compile,
                                                 decoder=args.decoder))
    marks: list[tuple[float, int]] = []

    def progress(n: int) -> None:
        now = time.perf_counter()
        marks.append((now, n))
        if now - marks[0][0] > args.warmup + args.seconds_per_case:
            raise Stop

    try:
        for _ in engine.run(endless_jobs(seqs, args.streams_per_seq, np.random.default_rng(0), p), progress):
            pass
    except Stop:
        pass
    counted = [(t, n) for t, n in marks if t - marks[0][0] > args.warmup]
    fps = sum(n for _, n in counted[1:]) / (counted[-1][0] - counted[0][0]) if len(counted) > 2 else float("nan")
    return {"fps": fps, "peak": peak_mib(dev), "decoder": engine.stats.decoder, "net": engine.net.describe(),
            "batches": dict(engine.stats.batches), "wait": engine.stats.decode_wait}


# -- ceilings -----------------------------------------------------------------------------------
def decode_ceiling(seqs, threads: int, seconds: float) -> float:
    """CPU pool: images/s decoding the workload's JPEGs."""
    dec = CpuDecoder(threads)
    src = [(s.frames, i) for s in seqs for i in range(len(s))]
    n, t0 = 0, time.perf_counter()
    try:
        while time.perf_counter() - t0 < seconds:
            futs = [dec.submit(f, i) for f, i in src[n % len(src):n % len(src) + 8 * threads]]
            for f in futs:
                f.result()
            n += len(futs)
    finally:
        dec.close()
    return n / (time.perf_counter() - t0)


def nvjpeg_ceiling(seqs, dev, seconds: float) -> float | None:
    """nvJPEG: images/s in batches of 64 (file bytes in memory)."""
    if nvjpeg_available(dev) is not None:
        return None
    from torchvision.io import ImageReadMode, decode_jpeg

    data = [torch.frombuffer(bytearray(p.read_bytes()), dtype=torch.uint8) for p in seqs[0].frames.paths[:64]]
    decode_jpeg(data, device=dev, mode=ImageReadMode.RGB)
    sync(dev)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        decode_jpeg(data, device=dev, mode=ImageReadMode.RGB)
        n += len(data)
    sync(dev)
    return n / (time.perf_counter() - t0)


def network_ceiling(model, dev, batch: int, precision: str, seconds: float, compile: bool = False) -> float:
    """Search branch + head alone on fixed crops: frames/s."""
    net = PrecisionNet(model, precision, dev, compile=compile, compile_batch=batch)
    z = torch.rand(1, 3, 127, 127, device=dev) * 255
    k1 = net.template(z)
    kernels = type(k1)([k.expand(batch, *k.shape[1:]).contiguous() for k in k1.cls],
                       [k.expand(batch, *k.shape[1:]).contiguous() for k in k1.loc])
    x = torch.rand(batch, 3, 255, 255, device=dev) * 255
    for _ in range(3 if not compile else 5):
        net.track(x, kernels)
    sync(dev)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n == 0:
        net.track(x, kernels)
        n += 1
        if dev.type == "cuda" and n % 4 == 0:
            sync(dev)
    sync(dev)
    return n * batch / (time.perf_counter() - t0)


# -- the table ----------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--quick", action="store_true", help="tiny sequences and short cases (a smoke run)")
    p.add_argument("--seconds-per-case", type=float, default=5.0, help="measured seconds per engine case")
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds at the start of each case")
    p.add_argument("--batches", default="8,64,256")
    p.add_argument("--precisions", default="fp32,tf32,bf16")
    p.add_argument("--compile", choices=("none", "largest"), default="largest",
                   help="torch.compile the largest bf16 case too (default) or never")
    p.add_argument("--compile-network", action="store_true",
                   help="also time the compiled network alone (a second compilation)")
    p.add_argument("--streams-per-seq", type=int, default=8, help="hyperparameter sets per sequence (K)")
    p.add_argument("--large", default="bf16:256", help="precision:batch cases repeated at 1280x720 ('' for none)")
    p.add_argument("--decoder", default="auto", choices=("auto", "cpu", "nvjpeg"))
    p.add_argument("--threads", type=int, default=None, help="CPU decoding threads (default: CPUs, max 16)")
    p.add_argument("--ref-frames", type=int, default=150, help="frames timed in the per-frame rows")
    p.add_argument("--weights", default="auto", help="auto (fixture generator if present, else random), "
                                                     "fixtures, random, or a checkpoint path")
    p.add_argument("--flavour", default="pysot", choices=("pysot", "mmtracking"))
    p.add_argument("--data", type=Path, help="folder for the generated JPEGs (kept; default: a temporary one)")
    p.add_argument("--out", type=Path, default=Path("engine-benchmark.md"), help="markdown table (default %(default)s)")
    args = p.parse_args(argv)
    if args.quick:
        args.seconds_per_case, args.warmup = min(args.seconds_per_case, 2.0), min(args.warmup, 1.0)
        args.ref_frames = min(args.ref_frames, 20 if args.device != "cpu" else 2)
    return args


def lengths(args, large: bool) -> list[int]:
    rng = np.random.default_rng(1 if large else 0)
    if args.quick:
        return [int(v) for v in rng.integers(12, 30, 3)]
    return [int(v) for v in rng.integers(300, 1500, 2 if large else 5)]


class Table:
    """Rows of the result table; ratios against the per-frame loop of the same frame size."""

    def __init__(self, path: Path | None = None, header: list[str] | None = None):
        self.rows: list[dict] = []
        self.path, self.header = path, header or []

    def add(self, what: str, size: str, batch, precision: str, fps: float | None, peak=None, note: str = "") -> None:
        self.rows.append(dict(what=what, size=size, batch=batch, precision=precision, fps=fps, peak=peak, note=note))
        if self.path is not None:  # kept current, so a run stopped by a time limit still leaves its rows
            self.path.write_text(self.markdown(self.header, ["(incomplete: the benchmark was still running)"]))
        print(f"  {what:34s} {size:9s} b{batch!s:5s} {precision:5s} "
              f"{'-' if fps is None else f'{fps:10.1f}'} frames/s  {note}", flush=True)

    def base(self, size: str) -> float | None:
        return next((r["fps"] for r in self.rows if r["what"] == "per-frame loop (pysot-style)" and r["size"] == size),
                    None)

    def markdown(self, header: list[str], footer: list[str]) -> str:
        lines = header + ["", "| what | frame | batch | precision | frames/s | x per-frame loop | peak GPU MiB | notes |",
                          "|---|---|---|---|---:|---:|---:|---|"]
        for r in self.rows:
            base = self.base(r["size"])
            ratio = f"{r['fps'] / base:.1f}" if base and r["fps"] and not r["what"].startswith("decode") else ""
            fps = "" if r["fps"] is None else f"{r['fps']:,.0f}" if r["fps"] >= 100 else f"{r['fps']:.1f}"
            peak = "" if r["peak"] is None else f"{r['peak']:,.0f}"
            lines.append(f"| {r['what']} | {r['size']} | {r['batch']} | {r['precision']} | {fps} | {ratio} | {peak} | "
                         f"{r['note']} |")
        return "\n".join(lines + [""] + footer) + "\n"


def device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    return f"CPU ({torch.get_num_threads()} threads)"


def guarded(table: Table, what: str, size: str, batch, precision: str, fn, note: str = "") -> dict | None:
    """Run one case; a failure becomes a row saying so (one broken feature must not end the run)."""
    try:
        out = fn()
    except Exception as exc:  # report and go on
        table.add(what, size, batch, precision, None, note=f"FAILED {type(exc).__name__}: {str(exc).splitlines()[0][:150]}")
        return None
    if isinstance(out, dict):
        compiled = out["net"].get("compiled")
        extra = f"decoder {out['decoder']}" + (", compiled" if compiled else "") + (f"; {note}" if note else "")
        table.add(what, size, batch, precision, out["fps"], out["peak"], extra)
    else:
        table.add(what, size, batch, precision, out, None, note)
    return out


def run_cases(args, dev, model, p, seqs, big, table: Table) -> list[float]:
    """Every row; returns the engine throughputs at 640x480."""
    cuda = dev.type == "cuda"
    for size, ss in (("640x480", seqs), ("1280x720", big)):
        if ss:
            guarded(table, "per-frame loop (pysot-style)", size, 1, "fp32",
                    lambda ss=ss: per_frame_loop(model, p, dev, ss[0], args.ref_frames), "cv2.imread + pysot's loop")
            guarded(table, "single stream", size, 1, "fp32", lambda ss=ss: single_stream(model, p, dev, ss[0], args.ref_frames),
                    "cv2.imread + update(); CUDA graph" if cuda else "cv2.imread + update()")
            guarded(table, "single stream", size, 1, "bf16",
                    lambda ss=ss: single_stream(PrecisionNet(model, "bf16", dev), p, dev, ss[0], args.ref_frames),
                    "CUDA graph, autocast, channels-last" if cuda else "autocast, channels-last")
    fps = []
    batches = [int(b) for b in args.batches.split(",")]
    for b in batches:
        for prec in args.precisions.split(","):
            r = guarded(table, "engine", "640x480", b, prec, lambda b=b, prec=prec: engine_case(model, p, dev, seqs, b, prec, args),
                        f"K={args.streams_per_seq}")
            fps += [r["fps"]] if r else []
    if args.compile == "largest" and "bf16" in args.precisions.split(","):
        b = max(batches)
        r = guarded(table, "engine + torch.compile", "640x480", b, "bf16",
                    lambda: engine_case(model, p, dev, seqs, b, "bf16", args, compile=True), f"K={args.streams_per_seq}")
        fps += [r["fps"]] if r and r["net"].get("compiled") else []
    for item in filter(None, args.large.split(",")):
        prec, b = item.split(":")
        guarded(table, "engine", "1280x720", int(b), prec, lambda b=b, prec=prec: engine_case(model, p, dev, big, int(b), prec, args),
                f"K={args.streams_per_seq}")
    threads = EngineOptions(threads=args.threads).decode_threads
    for size, ss in (("640x480", seqs), ("1280x720", big)):
        if ss:
            guarded(table, "decode only: CPU pool", size, "-", "-", lambda ss=ss: decode_ceiling(ss, threads, args.warmup),
                    f"{threads} threads; images/s, each shared by K streams")
            if cuda:
                guarded(table, "decode only: nvJPEG", size, 64, "-", lambda ss=ss: nvjpeg_ceiling(ss, dev, args.warmup),
                        "images/s (empty: unavailable)")
    b = max(batches)
    for prec in args.precisions.split(","):
        guarded(table, "network only", "", b, prec, lambda prec=prec: network_ceiling(model, dev, b, prec, args.warmup),
                "search branch + head, no crop/post")
    if args.compile == "largest" and args.compile_network and cuda:
        guarded(table, "network only + torch.compile", "", b, "bf16",
                lambda: network_ceiling(model, dev, b, "bf16", args.warmup, compile=True), "")
    return [f for f in fps if not math.isnan(f)]


def main(argv=None) -> int:
    args = parse_args(argv)
    dev = torch.device(args.device)
    if dev.type == "cpu" and args.quick:
        args.batches, args.precisions, args.large, args.compile = "2", "fp32,bf16", "", "none"
        args.streams_per_seq, args.seconds_per_case = 2, max(args.seconds_per_case, 6.0)
    torch.set_flush_denormal(True)
    t_start = time.perf_counter()
    model, p, weights = load_model(args.weights, args.flavour, dev)
    data = args.data or Path(tempfile.mkdtemp(prefix="sotbench-engine-bench-"))
    threads = EngineOptions(threads=args.threads).decode_threads
    seqs = make_sequences(data, (640, 480), lengths(args, False), threads)
    big = make_sequences(data, (1280, 720), lengths(args, True), threads) if args.large else []
    print(f"{device_name(dev)}, torch {torch.__version__}, weights: {weights}; {len(seqs)} + {len(big)} sequences "
          f"({sum(map(len, seqs))} + {sum(map(len, big))} JPEG frames) in {data}", flush=True)
    header = [f"SiamRPN++ R50 ({args.flavour} flavour), {device_name(dev)}, torch {torch.__version__}, "
              f"weights {weights}; frames decoded from JPEG files in every row; "
              f"{args.seconds_per_case:g} s measured per engine case after {args.warmup:g} s warm-up."]
    table = Table(args.out, header)
    fps = run_cases(args, dev, model, p, seqs, big, table)
    footer = []
    if fps:
        best = max(fps)
        minutes = OTB_FRAMES * TRIALS / best / 60
        base = table.base("640x480")
        footer.append(f"Projected {TRIALS}-trial search on an OTB100-sized split ({OTB_FRAMES:,} frames x {TRIALS} = "
                      f"{OTB_FRAMES * TRIALS / 1e6:.1f} M stream-frames) at the best engine throughput "
                      f"({best:,.0f} frames/s): {minutes:.0f} min"
                      + (f" (per-frame loop: {OTB_FRAMES * TRIALS / base / 3600:.1f} h)." if base else "."))
    footer.append(f"Benchmark wall time: {time.perf_counter() - t_start:.0f} s.")
    text = table.markdown(header, footer)
    args.out.write_text(text)
    print("\n" + text)
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
