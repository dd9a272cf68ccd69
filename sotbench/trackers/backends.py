"""The batch seam: how ``run`` and ``search`` hand many jobs to a tracker.

A *batch backend* is handed jobs (``sotbench.jobs.Job``: one sequence, one or more streams of
typed parameters) and yields a ``JobResult`` per finished job, in any order.  Every tracker has
one: its definition's own (``TrackerDef.batch_backend``, e.g. SiamRPN++'s engine), else the
default ``LockstepBackend``, which steps one single-stream tracker per stream together, frame
by frame; with ``jobs > 1`` the jobs go to worker processes (``ParallelBackend``).
``backend_for`` makes that choice, in one place, for both commands.

Options (``BackendOptions``, the ``--batch``/``--precision``/``--decoder``/``--compile``/
``--no-engine`` flags of ``run`` and ``search``): ``batch`` streams advanced together per step
(backends with a fixed width; ``None``: the backend sizes it), ``precision`` (``fp32``, else
only backends that support it: ``tf32``, ``bf16``), the frame ``decoder`` and ``compile``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sotbench.trackers.definition import BackendUnavailable

if TYPE_CHECKING:
    from sotbench.jobs import Job, JobResult

__all__ = ["PRECISIONS", "DECODERS", "BackendOptions", "OptionsError", "BatchBackend", "backend_for", "track"]

PRECISIONS = ("fp32", "tf32", "bf16")
DECODERS = ("auto", "cpu", "nvjpeg")
ProgressFn = Callable[[int], None]


class OptionsError(ValueError):
    """Backend options that cannot be used (the message lists the valid values or says why)."""


@dataclass(frozen=True)
class BackendOptions:
    """How jobs are tracked (none of this changes results in fp32 except ``decoder='nvjpeg'``)."""

    batch: int | None = None
    precision: str = "fp32"
    decoder: str = "auto"
    compile: bool = False
    own_backend: bool = True  # False (--no-engine): single-stream trackers even where the tracker has its own
    jobs: int = 1  # worker processes of the default backend
    joblib_backend: str = "loky"
    scheduler: str | None = None  # a Dask / Ray cluster's address (--scheduler)

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise OptionsError(f"unknown precision {self.precision!r}, known: {', '.join(PRECISIONS)}")
        if self.decoder not in DECODERS:
            raise OptionsError(f"unknown decoder {self.decoder!r}, known: {', '.join(DECODERS)}")
        if self.batch is not None and self.batch < 1:
            raise OptionsError(f"batch must be at least 1, got {self.batch}")
        if self.jobs < 1:
            raise OptionsError(f"jobs must be at least 1, got {self.jobs}")
        if self.scheduler and self.joblib_backend != "dask":
            raise OptionsError(f"--scheduler needs --backend dask, not {self.joblib_backend}")


class BatchBackend(Protocol):
    """Tracks jobs; see the module docstring."""

    deterministic: bool  # VOT repetitions stop once three agree
    capacity: int | None  # most streams in one job (None: any number)

    def run(self, jobs: Iterable[Job | None], progress: ProgressFn | None = None) -> Iterator[JobResult]:
        """Track the jobs (pulled lazily; ``None``: none ready yet); yield each as it ends.
        ``progress(n)`` is told the stream-frames done."""
        ...

    def describe(self) -> dict:
        """What ran, for run manifests."""
        ...

    def tracker_info(self) -> dict:
        """What the tracker reports about itself: params, weights, device."""
        ...


def backend_for(spec: Any, options: BackendOptions = BackendOptions(), dataset: Any = None) -> BatchBackend:
    """The backend for ``spec`` (a ``TrackerSpec``): the tracker's own where it applies, else the
    lockstep backend (in ``options.jobs`` worker processes over ``dataset``, a ``DatasetRef``)."""
    resolved = spec.resolved
    why = None
    if not options.own_backend:
        why = "--no-engine"
    elif resolved.definition.batch_backend is None:
        why = f"{resolved.name} has no batch backend of its own"
    elif options.jobs > 1:
        why = "--jobs > 1 runs one tracker per worker process"
    else:
        try:
            return resolved.definition.batch_backend(resolved, options)
        except BackendUnavailable as exc:
            why = str(exc)
    if options.precision != "fp32":
        raise OptionsError(f"--precision {options.precision} needs the tracker's own batch backend, "
                           f"which does not apply here: {why}")
    if options.jobs > 1:
        from sotbench.trackers.parallel import ParallelBackend

        return ParallelBackend(spec, dataset, options.jobs, options.joblib_backend, options.scheduler)
    from sotbench.trackers.lockstep import LockstepBackend

    return LockstepBackend(resolved)


def track(backend: BatchBackend, jobs: Iterable[Job | None], progress: ProgressFn | None = None) -> Iterator[JobResult]:
    """``backend.run`` over the jobs, each split to the backend's width first."""
    from sotbench.jobs import split_job

    def source() -> Iterator[Job | None]:
        for job in jobs:
            if job is None:
                yield None
            else:
                yield from split_job(job, backend.capacity)

    return backend.run(source(), progress)
