"""The default backend in worker processes: each job runs in a joblib worker (``--jobs N``).

Workers open the dataset again from a ``DatasetRef`` and keep one ``LockstepBackend`` (one
tracker, one loaded model) for every job they run.  Jobs are pulled from the source only as
workers free up, so a search's pruned trials drop out of the jobs made later.  Any joblib
backend can be named (loky by default), or ``dask`` with a scheduler address
(``sotbench.trackers.clusters``).  With several GPUs, jobs go to them round robin (one device
per job) unless the tracker spec names a device.  A worker that is a child of the run's process
(loky, multiprocessing) exits as soon as that process is gone (killed, crashed), instead of
tracking on for nobody.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sotbench.datasets import DatasetRef
from sotbench.jobs import Job, JobResult, Stream
from sotbench.trackers.clusters import unordered_map

__all__ = ["ParallelBackend"]

_BACKENDS: dict[str, Any] = {}  # per worker process: tracker spec -> LockstepBackend
_WATCHED: set[int] = set()  # per worker process: the parent it watches (at most one)
PARENT_POLL_S = 0.5


def watch_parent(parent: int) -> None:
    """In a worker: exit when process ``parent`` (this worker's parent) is gone.  Workers that are
    not its children (dask, ray) are left to their own scheduler."""
    if _WATCHED or os.getppid() != parent:
        return
    _WATCHED.add(parent)

    def watch() -> None:
        while os.getppid() == parent:  # a dead parent's children are adopted by another process
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="sotbench-parent-watchdog", daemon=True).start()


def _backend(spec: Any):
    from sotbench.trackers.lockstep import LockstepBackend

    key = repr(spec.to_dict())
    if key not in _BACKENDS:
        _BACKENDS.clear()  # one tracker (one model) per process
        _BACKENDS[key] = LockstepBackend(spec.resolved)
    return _BACKENDS[key]


def _run_remote(spec: Any, ref: DatasetRef, index: int, seq_name: str, streams: list[Stream], protocol: str,
                vot: Any, parent: int) -> tuple[int, list, list, str | None]:
    """Worker side: one job; returns what the parent needs to rebuild its ``JobResult``."""
    from sotbench.trackers.lockstep import describe_error

    watch_parent(parent)
    try:
        seq = ref.open()[seq_name]
        res = _backend(spec).run_job(Job(seq, streams, protocol, vot))
    except Exception as exc:  # e.g. the tracker cannot be built in this process
        return index, [None] * len(streams), [None] * len(streams), describe_error(exc)
    return index, res.outputs, res.errors, res.error


def _absolute(spec: Any) -> Any:
    """The spec with its checkpoint path absolute: reused worker processes keep the folder they
    started in, not this process's."""
    if spec.checkpoint and Path(spec.checkpoint).exists():  # not a zoo name
        return replace(spec, checkpoint=str(Path(spec.checkpoint).absolute()))
    return spec


def _devices(spec: Any) -> Callable[[int], Any]:
    """Spec for the ``i``-th job: one GPU per job, round robin, when several exist."""
    device = spec.device or ""
    if device not in ("cuda", "auto", "") or ("torch" not in sys.modules and not device):
        return lambda i: spec
    try:
        import torch

        count = torch.cuda.device_count()
    except ImportError:
        return lambda i: spec
    if count < 2:
        return lambda i: spec
    return lambda i: replace(spec, device=f"cuda:{i % count}")


class ParallelBackend:
    """Lockstep tracking in ``n_jobs`` joblib workers (see the module docstring)."""

    capacity = None

    def __init__(self, spec: Any, dataset: DatasetRef, n_jobs: int, joblib_backend: str = "loky",
                 scheduler: str | None = None):
        if dataset is None:
            raise ValueError("--jobs > 1 needs a dataset that worker processes can open again")
        self.spec, self.dataset, self.n_jobs, self.joblib_backend = spec, dataset, n_jobs, joblib_backend
        self.scheduler = scheduler
        self._local = None

    def _lockstep(self):
        if self._local is None:
            from sotbench.trackers.lockstep import LockstepBackend

            self._local = LockstepBackend(self.spec.resolved)
        return self._local

    @property
    def deterministic(self) -> bool:
        return self._lockstep().deterministic

    def run(self, jobs: Iterable[Job | None], progress: Callable[[int], None] | None = None) -> Iterator[JobResult]:
        """Track the jobs in worker processes; yields each as it ends (any order)."""
        pending: dict[int, Job] = {}
        spec_for = _devices(_absolute(self.spec))
        parent = os.getpid()

        def calls():
            for i, job in enumerate(j for j in jobs if j is not None):
                pending[i] = job
                yield _run_remote, (spec_for(i), self.dataset, i, job.seq.name, job.streams, job.protocol, job.vot,
                                    parent)

        for index, outputs, errors, error in unordered_map(calls(), self.n_jobs, self.joblib_backend, self.scheduler):
            job = pending.pop(index)
            if progress is not None:
                progress(job.length * len(job.streams))
            yield JobResult(job, outputs, errors=errors, error=error)

    def describe(self) -> dict:
        """For run manifests."""
        return {"backend": "lockstep", "jobs": self.n_jobs, "joblib_backend": self.joblib_backend,
                **({"scheduler": self.scheduler} if self.scheduler else {})}

    def tracker_info(self) -> dict:
        """What the tracker reports about itself (built once in this process)."""
        return self._lockstep().tracker_info()
