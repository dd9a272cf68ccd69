"""The default batch backend: one single-stream tracker per stream, all stepped frame by frame.

Each frame of a job is decoded once for all its streams; each stream's tracker gets
``init`` / ``update`` as its ``StreamRecord`` (``sotbench.protocols``) says, and the VOT failure
test runs for all streams of the frame at once.  A tracker that raises stops its own stream;
a frame that cannot be read stops the job.  Per-frame times are each tracker call's own
(decoding excluded).  ``run_ope`` and ``run_vot_reset`` run one tracker on one sequence the
same way.
"""

from __future__ import annotations

import json
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from sotbench.jobs import Job, JobResult, OpeOutput, Stream, VotOutput
from sotbench.protocols import StreamRecord, region_at
from sotbench.sequences import Sequence
from sotbench.trackers.base import as_output
from sotbench.trackers.definition import ResolvedTracker, params_dict
from sotbench.vot_failures import vot_overlap_ok

__all__ = ["LockstepBackend", "step_job", "run_ope", "run_vot_reset", "init_output_box", "describe_error"]

ProgressFn = Callable[[int], None]
EXPECTED_ERRORS = (OSError, ValueError, KeyError, RuntimeError)


def describe_error(exc: BaseException) -> str:
    """``Type: message``; with a short traceback for errors a user's data does not explain."""
    msg = f"{type(exc).__name__}: {exc}"
    if not isinstance(exc, EXPECTED_ERRORS):
        msg += "\n" + traceback.format_exc(limit=4)
    return msg


def init_output_box(returned: Any, region: np.ndarray) -> np.ndarray:
    """The box written for an OPE initialisation frame: what ``init`` returned, else the region's box."""
    from sotbench.trackers.base import as_box

    if returned is not None:
        return as_output(returned).box
    return as_box(region)


def _frames(seq: Sequence):
    if seq.frames is None:
        raise FileNotFoundError(f"{seq.name}: no frames on disk (this dataset root holds annotations only)")
    return seq.frames


def _init(tracker: Any, rec: StreamRecord, image: np.ndarray, t: int) -> None:
    region = rec.region(t)
    t0 = time.perf_counter()
    returned = tracker.init(image, region)
    rec.times[t] = time.perf_counter() - t0
    rec.initialised(t, None if rec.vot else init_output_box(returned, region))


def _failure_test(job: Job, tracked: list[tuple[int, np.ndarray]], image: np.ndarray, t: int) -> np.ndarray:
    """Per tracked VOT stream of frame ``t``: whether its box passed the overlap test."""
    if job.protocol != "vot_reset" or not tracked:
        return np.ones(len(tracked), dtype=bool)
    boxes = np.array([box for _, box in tracked], dtype=np.float64)
    region = region_at(job.seq, t)
    bounds = np.tile([image.shape[1], image.shape[0]], (len(tracked), 1)).astype(np.float64)
    return vot_overlap_ok(boxes, [region] * len(tracked), bounds, job.vot.failure_overlap)


def step_job(trackers: list[Any], job: Job, progress: ProgressFn | None = None) -> JobResult:
    """Track ``job`` with one tracker per stream (``trackers[k]`` for stream ``k``)."""
    records = [StreamRecord(s, job, slot=k) for k, s in enumerate(job.streams)]
    try:
        frames = _frames(job.seq)
        for t in range(job.length):
            actions = [rec.action(t) for rec in records]
            if all(a == "skip" for a in actions):
                if progress is not None:
                    progress(len(records))
                continue
            image = frames[t]
            tracked = []
            for k, (rec, action) in enumerate(zip(records, actions)):
                try:
                    if action == "init":
                        _init(trackers[k], rec, image, t)
                    elif action == "track":
                        t0 = time.perf_counter()
                        out = as_output(trackers[k].update(image))
                        rec.times[t] = time.perf_counter() - t0
                        tracked.append((k, out.box, out.score))
                except Exception as exc:  # a tracker error stops its stream only
                    rec.fail(f"frame {t}: {describe_error(exc)}")
            ok = _failure_test(job, [(k, box) for k, box, _ in tracked], image, t)
            for (k, box, score), passed in zip(tracked, ok):
                records[k].tracked(t, box, score, bool(passed))
            if progress is not None:
                progress(len(records))
    except Exception as exc:  # frames missing or unreadable: the whole job fails
        return JobResult(job, [None] * len(records), error=describe_error(exc))
    return JobResult(job, [None if r.error else r.output() for r in records], errors=[r.error for r in records])


class LockstepBackend:
    """The default backend (see the module docstring); trackers are kept for the next jobs."""

    capacity = None

    def __init__(self, resolved: ResolvedTracker, keep: int = 8):
        self.resolved, self.keep = resolved, keep
        self._trackers: OrderedDict[str, Any] = OrderedDict()
        self._deterministic: bool | None = None

    @property
    def deterministic(self) -> bool:
        """The tracker's ``deterministic`` attribute (default True)."""
        if self._deterministic is None:
            self._deterministic = bool(getattr(self._tracker(self.resolved.params), "deterministic", True))
        return self._deterministic

    def _tracker(self, params: Any, taken: Iterable[Any] = ()) -> Any:
        """A tracker for ``params``, reused across jobs; a fresh one when this job already uses it."""
        key = json.dumps(params_dict(params), sort_keys=True, default=str)
        tracker = self._trackers.get(key)
        if tracker is None or any(tracker is t for t in taken):
            tracker = self.resolved.build(params)
            if key not in self._trackers:
                self._trackers[key] = tracker
        self._trackers.move_to_end(key)
        while len(self._trackers) > self.keep:
            self._trackers.popitem(last=False)
        return tracker

    def _job_trackers(self, job: Job) -> tuple[list[Any], list[str | None]]:
        self.keep = max(self.keep, 2 * len(job.streams))
        trackers: list[Any] = []
        errors: list[str | None] = []
        for stream in job.streams:
            try:
                trackers.append(self._tracker(stream.params, trackers))
                errors.append(None)
            except Exception as exc:  # a bad parameter set fails its stream, not the job
                trackers.append(None)
                errors.append(f"building the tracker: {describe_error(exc)}")
        return trackers, errors

    def run_job(self, job: Job, progress: ProgressFn | None = None) -> JobResult:
        """Track one job."""
        trackers, errors = self._job_trackers(job)
        alive = [k for k, e in enumerate(errors) if e is None]
        if not alive:
            return JobResult(job, [None] * len(errors), errors=errors)
        part = Job(job.seq, [job.streams[k] for k in alive], job.protocol, job.vot, job.tag)
        res = step_job([trackers[k] for k in alive], part, progress)
        outputs: list[Any] = [None] * len(errors)
        for j, k in enumerate(alive):
            outputs[k] = res.outputs[j]
            errors[k] = res.stream_error(j)
        return JobResult(job, outputs, errors=errors)

    def run(self, jobs: Iterable[Job | None], progress: ProgressFn | None = None) -> Iterator[JobResult]:
        """Track the jobs one after the other."""
        for job in jobs:
            if job is not None:
                yield self.run_job(job, progress)

    def describe(self) -> dict:
        """For run manifests."""
        return {"backend": "lockstep"}

    def tracker_info(self) -> dict:
        """What the tracker reports about itself (params, weights hash, device)."""
        tracker = self._tracker(self.resolved.params)
        info: dict[str, Any] = {}
        for attr in ("params", "weights_info", "device_info"):
            fn = getattr(tracker, attr, None)
            if callable(fn):
                info[attr.replace("_info", "")] = fn()
        return info


def _one(tracker: Any, seq: Sequence, protocol: str, vot: Any, progress: ProgressFn | None):
    res = step_job([tracker], Job(seq, [Stream(None, 1)], protocol, vot), progress)
    err = res.stream_error(0)
    if err is not None:
        raise RuntimeError(f"{seq.name}: {err}")
    return res.outputs[0]


def run_ope(tracker: Any, seq: Sequence, progress: ProgressFn | None = None) -> OpeOutput:
    """One tracker, one sequence, one pass (the lockstep backend with one stream)."""
    return _one(tracker, seq, "ope", None, progress)


def run_vot_reset(tracker: Any, seq: Sequence, settings: Any, progress: ProgressFn | None = None) -> VotOutput:
    """One tracker, one sequence, one reset-protocol repetition."""
    return _one(tracker, seq, "vot_reset", settings, progress)
