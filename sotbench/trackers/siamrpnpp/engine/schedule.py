"""Slot scheduling: which job's streams occupy which of the engine's ``batch`` slots, step by step.

Streams advance in lockstep, one frame per step; a job that starts at step ``s`` shows frame
``t`` at step ``s + t`` and ends after its last frame (the VOT reset protocol does not jump:
the frames after a failure are skipped by the stream, not by the schedule).  Slots freed by a
finished job go to the next job from the source at the next step; callers order the source
longest first so that no long sequence starts last and runs alone.  Plans are made ahead of
the compute (the frame decoder works from them), so a job is pulled from the source a few
steps before it starts.

A source yields ``Job`` objects, or ``None`` for "nothing to start now, ask again next step".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sotbench.jobs import Job

__all__ = ["Planner", "StepPlan"]


@dataclass
class Running:
    """A job with its slots and the step its frame 0 is shown."""

    job_id: int
    job: Job
    start: int
    slots: list[int]

    @property
    def end(self) -> int:
        """The step of its last frame."""
        return self.start + max(self.job.length, 1) - 1


@dataclass
class StepPlan:
    """One step: every running job and the frame it shows; jobs starting at this step."""

    step: int
    frames: list[tuple[int, int]] = field(default_factory=list)  # (job id, frame index)
    starts: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.frames


class Planner:
    """Assigns jobs from a source to free slots, step by step (see the module docstring)."""

    def __init__(self, source: Iterator[Job | None], capacity: int):
        self.source, self.capacity = source, capacity
        self.free = list(range(capacity))
        self.running: dict[int, Running] = {}
        self.jobs: dict[int, Running] = {}
        self.pending: Job | None = None
        self.exhausted = False
        self.next_step = 0
        self._ids = 0

    @property
    def done(self) -> bool:
        """No job left to start and none running after the last planned step."""
        return self.exhausted and self.pending is None and all(r.end < self.next_step for r in self.running.values())

    def _pull(self) -> Job | None:
        if self.pending is None and not self.exhausted:
            try:
                self.pending = next(self.source)
            except StopIteration:
                self.exhausted = True
            if self.pending is not None and len(self.pending.streams) > self.capacity:
                raise ValueError(f"{self.pending.seq.name}: {len(self.pending.streams)} streams do not fit in "
                                 f"{self.capacity} slots (split the job)")
        return self.pending

    def _start(self, job: Job, step: int) -> int:
        slots, self.free = self.free[:len(job.streams)], self.free[len(job.streams):]
        run = Running(self._ids, job, step, slots)
        self.running[run.job_id] = self.jobs[run.job_id] = run
        self._ids += 1
        return run.job_id

    def plan(self) -> StepPlan:
        """Plan the next step."""
        step = self.next_step
        self.next_step += 1
        for jid in [j for j, r in self.running.items() if r.end < step]:
            self.free.extend(self.running.pop(jid).slots)
        self.free.sort()
        out = StepPlan(step)
        while (job := self._pull()) is not None and len(job.streams) <= len(self.free):
            self.pending = None
            out.starts.append(self._start(job, step))
        for jid, run in self.running.items():
            out.frames.append((jid, step - run.start))
        return out

    def forget(self, job_id: int) -> None:
        """Drop a finished job's record (its results were handed out)."""
        self.jobs.pop(job_id, None)
