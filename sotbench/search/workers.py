"""``--workers N``: N local worker processes on one study (one GPU each where several exist).

Each worker is ``sotbench search <resolved sweep> --worker ...`` with its own
``CUDA_VISIBLE_DEVICES``; they coordinate only through the study's storage, exactly as workers on
other machines do.  The launching process shows the progress and writes the outputs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

__all__ = ["gpu_ids", "worker_command", "launch_workers", "WorkerFailed"]


class WorkerFailed(RuntimeError):
    """Every worker stopped before the study reached its trial count."""


def gpu_ids() -> list[str]:
    """The GPUs to spread workers over: ``$CUDA_VISIBLE_DEVICES`` or those PyTorch sees."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g.strip() for g in visible.split(",") if g.strip() and g.strip() != "-1"]
    try:
        import torch
    except ImportError:
        return []
    return [str(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []


def worker_command(sweep_file: Path, storage: str, study: str, out: Path, target: int, trial_batch: int,
                   jobs: int, allow_test_split: bool, device: str | None, tracking: Any = None) -> list[str]:
    """The command line of one worker process (``tracking``: the ``BackendOptions`` to pass on)."""
    cmd = [sys.executable, "-m", "sotbench", "search", str(sweep_file), "--worker", "--no-progress",
           "--storage", storage, "--study", study, "--out", str(out), "--trials", str(target),
           "--trial-batch", str(trial_batch), "--jobs", str(jobs)]
    if tracking is not None:
        cmd += ["--precision", tracking.precision, "--decoder", tracking.decoder]
        cmd += ["--batch", str(tracking.batch)] if tracking.batch else []
        cmd += ["--compile"] if tracking.compile else []
        cmd += [] if tracking.own_backend else ["--no-engine"]
    if allow_test_split:
        cmd.append("--allow-test-split")
    if device:
        cmd += ["--device", device]
    return cmd


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def launch_workers(cmd: list[str], n: int, log_dir: Path, poll: Callable[[], bool], interval: float = 2.0) -> None:
    """Run ``n`` copies of ``cmd`` (worker ``i`` gets ``--worker-index i`` and GPU ``i % G`` when
    there are G >= 2 GPUs); call ``poll``
    every ``interval`` seconds (it returns True once the study is done).  Ctrl-C interrupts the
    workers, whose unfinished trials are queued again for the next run."""
    log_dir.mkdir(parents=True, exist_ok=True)
    gpus = gpu_ids()
    procs: list[tuple[subprocess.Popen, Path]] = []
    try:
        for i in range(n):
            env = dict(os.environ)
            if len(gpus) >= 2:
                env["CUDA_VISIBLE_DEVICES"] = gpus[i % len(gpus)]
            log = log_dir / f"worker-{i}.log"
            with open(log, "ab") as fh:
                procs.append((subprocess.Popen([*cmd, "--worker-index", str(i)], stdout=fh,
                                               stderr=subprocess.STDOUT, env=env), log))
        while any(p.poll() is None for p, _ in procs):
            poll()
            time.sleep(interval)
        poll()
    except KeyboardInterrupt:
        for p, _ in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p, _ in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        raise
    failed = [(i, p.returncode, log) for i, (p, log) in enumerate(procs) if p.returncode != 0]
    if failed and not poll():
        i, rc, log = failed[0]
        raise WorkerFailed(f"{len(failed)} of {n} workers failed (worker {i} exit {rc}: {_tail(log)}); logs in {log_dir}")
