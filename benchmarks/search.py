"""Search throughput: trials per hour on CPU (ncc on the synthetic val split), and, with CUDA,
the projected time of a 200-trial search on an OTB100-sized split from measured throughput.

    python benchmarks/search.py                    # CPU table
    python benchmarks/search.py --gpu-tracker siamrpnpp/default --batches 1,4,8

Every ratio is against the first row of its table, measured in the same run.  The GPU part
needs the tracker's own dependencies (torch); it is skipped, with the reason, when CUDA or the
tracker is not available.  Needs nothing beyond sotbench's own requirements.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

OTB100_FRAMES = 59_035  # field.md §3.3


def _cpu_case(root: Path, out: Path, trials: int, batch: int, jobs: int) -> dict:
    from sotbench.search import SearchOptions, prepare, run_search, sweep_from_dict

    sweep = sweep_from_dict({"name": f"bench-k{batch}-j{jobs}", "preset": "ncc/default", "dataset": "synthetic",
                             "split": "val", "root": str(root), "pruner": "none", "enqueue_preset": False})
    plan = prepare(sweep, out=out / sweep.name)
    t0 = time.perf_counter()
    result = run_search(plan, SearchOptions(trials=trials, trial_batch=batch, jobs=jobs, progress=False))
    wall = time.perf_counter() - t0
    frames = result.worker.frames if result.worker else 0
    return {"batch": batch, "jobs": jobs, "trials": result.counts["finished"], "wall": wall,
            "per_hour": result.counts["finished"] / wall * 3600, "fps": frames / wall}


def cpu_table(trials: int, batches: list[int], jobs: list[int]) -> None:
    """Trials per hour of the whole search loop (sampling, tracking, scoring, storage)."""
    from sotbench.datasets.synthetic import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "synthetic")
        rows = [_cpu_case(root, Path(tmp), trials, b, j) for j in jobs for b in batches]
    base = rows[0]["per_hour"]
    print(f"\nCPU: ncc on synthetic/val (4 sequences, 240 frames per trial), {trials} trials per row")
    print(f"{'batch K':>8} {'jobs':>5} {'trials':>7} {'wall s':>8} {'trials/h':>10} {'frames/s':>9} {'ratio':>6}")
    for r in rows:
        print(f"{r['batch']:>8} {r['jobs']:>5} {r['trials']:>7} {r['wall']:>8.1f} {r['per_hour']:>10.0f} "
              f"{r['fps']:>9.0f} {r['per_hour'] / base:>6.2f}")


def _gpu_spec(preset_ref: str):
    from sotbench.presets import find_preset, load_preset
    from sotbench.trackers import TrackerSpec

    path = find_preset(preset_ref)
    if path is None:
        raise RuntimeError(f"preset {preset_ref} not found")
    preset = load_preset(path)
    weights = preset.get("weights") or {}
    checkpoint = f"zoo:{weights['zoo']}" if "zoo" in weights else weights.get("file")
    # speed does not depend on the weights' values: random ones are fine where none are installed
    return TrackerSpec(preset["tracker"], preset["params"], checkpoint=checkpoint, device="cuda",
                       allow_random_weights=True)


def gpu_table(preset_ref: str, batches: list[int], trials: int, frames: int) -> None:
    """Measured tracking throughput of K trials in lockstep, and the projected search time."""
    try:
        import torch
    except ImportError:
        print("\nGPU: skipped (torch is not installed)")
        return
    if not torch.cuda.is_available():
        print("\nGPU: skipped (no CUDA device)")
        return
    from sotbench.datasets import load_dataset
    from sotbench.datasets.synthetic import generate
    from sotbench.search.trials import TrialRunner
    from sotbench.trackers.backends import BackendOptions

    try:
        spec = _gpu_spec(preset_ref)
    except Exception as exc:
        print(f"\nGPU: skipped ({exc})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "synthetic")
        ds = load_dataset("synthetic", root=root, split="val")
        names = ds.names
        runner = TrialRunner(spec, ds, BackendOptions(own_backend=False))  # single-stream trackers in lockstep
        rows = []
        for k in batches:
            params = {i: {"lr": 0.3 + 0.01 * i} for i in range(k)}
            list(runner.iter_sequences(names[:1], lambda: params))  # warm-up: build, load weights, cuDNN autotune
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            n = sum(len(out[0].boxes) for _, out in runner.iter_sequences(names, lambda: params))
            torch.cuda.synchronize()
            fps = n * k / (time.perf_counter() - t0)
            rows.append((k, fps, trials * frames / fps / 3600))
    print(f"\nGPU ({torch.cuda.get_device_name(0)}): {preset_ref} in lockstep on synthetic/val; projection: "
          f"{trials} trials x {frames:,} frames (OTB100), no pruning")
    print(f"{'batch K':>8} {'trial-frames/s':>15} {'projected h':>12} {'ratio':>6}")
    for k, fps, hours in rows:
        print(f"{k:>8} {fps:>15.0f} {hours:>12.2f} {fps / rows[0][1]:>6.2f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=12, help="trials per CPU row (default 12)")
    p.add_argument("--batches", default="1,4", help="batch sizes K (default 1,4)")
    p.add_argument("--jobs", default="1", help="sequence-parallel jobs per worker (default 1)")
    p.add_argument("--gpu-tracker", default="siamrpnpp/default", help="preset timed on the GPU")
    p.add_argument("--gpu-batches", default="1,8", help="batch sizes K on the GPU (default 1,8)")
    p.add_argument("--project-trials", type=int, default=200)
    p.add_argument("--project-frames", type=int, default=OTB100_FRAMES)
    p.add_argument("--no-cpu", action="store_true")
    args = p.parse_args(argv)
    if not args.no_cpu:
        cpu_table(args.trials, [int(b) for b in args.batches.split(",")], [int(j) for j in args.jobs.split(",")])
    gpu_table(args.gpu_tracker, [int(b) for b in args.gpu_batches.split(",")], args.project_trials,
              args.project_frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
