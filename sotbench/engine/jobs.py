"""Jobs and streams: what the engine runs and what it hands back.

A *job* is one sequence tracked by one or more *streams*; a stream is one hyperparameter set
(``penalty_k``, ``window_influence``, ``lr``) and one repetition.  The streams of a job share
the decoded frames and, when they initialise on the same frame, the template.  Each stream
runs either the one-pass protocol (OPE) or the VOT reset protocol with the rule of
``sotbench.protocols.run_vot_reset``: a frame whose box overlaps the ground-truth region
(both bounded by the image) by no more than ``failure_overlap`` is a failure (2), the next
``skip_initialize - 1`` frames are skipped (0), the tracker restarts on the frame after (1).

``StreamRun`` is a stream's host-side record; the engine fills it as the boxes of each step
reach the host (a few steps after the step ran, see ``core.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sotbench.datasets.base import VotSettings
from sotbench.results import VOT_FAILURE, VOT_INIT, VOT_SKIP
from sotbench.sequences import Sequence

__all__ = ["Job", "JobResult", "StreamRun", "StreamSpec", "region_at"]

PROTOCOLS = ("ope", "vot_reset")


@dataclass(frozen=True)
class StreamSpec:
    """One stream's tuning knobs and the caller's label for it (trial number, repetition)."""

    penalty_k: float
    window_influence: float
    lr: float
    tag: Any = None


@dataclass
class Job:
    """One sequence and the streams that track it."""

    seq: Sequence
    streams: list[StreamSpec]
    protocol: str = "ope"
    vot: VotSettings | None = None
    tag: Any = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {self.protocol!r}, known: {', '.join(PROTOCOLS)}")
        if self.protocol == "vot_reset" and self.vot is None:
            self.vot = VotSettings()
        if not self.streams:
            raise ValueError(f"{self.seq.name}: a job needs at least one stream")

    @property
    def length(self) -> int:
        """Frames of the sequence (0 when it has none on disk: the job then fails at once)."""
        return len(self.seq.frames) if self.seq.frames is not None else 0


def region_at(seq: Sequence, i: int) -> np.ndarray:
    """Frame ``i``'s ground-truth region: 4 numbers, or 8 for a polygon."""
    row = seq.gt[i]
    return row[:4] if np.isnan(row[4:]).all() else row


@dataclass
class StreamRun:
    """One stream while it runs: its slot, where it restarts, and its outputs so far."""

    spec: StreamSpec
    job: Job
    n: int
    slot: int = -1
    restart: int = 0  # next frame to initialise on (VOT: after a failure; OPE: only frame 0)
    failures: int = 0
    error: str | None = None
    boxes: np.ndarray = field(init=False)
    scores: np.ndarray = field(init=False)
    times: np.ndarray = field(init=False)
    lines: list[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.boxes = np.zeros((self.n, 4))
        self.scores = np.full(self.n, np.nan)
        self.times = np.zeros(self.n)
        self.lines = [None] * self.n if self.job.protocol == "vot_reset" else []

    @property
    def vot(self) -> bool:
        return self.job.protocol == "vot_reset"

    def action(self, t: int) -> str:
        """What this stream does on frame ``t``: ``init``, ``track`` or ``skip``."""
        if self.error is not None:
            return "skip"
        if t == self.restart:
            return "init"
        return "skip" if t < self.restart else "track"

    def initialised(self, t: int, box0: np.ndarray) -> None:
        """Frame ``t`` was an initialisation: OPE writes the init box, VOT writes 1."""
        if self.vot:
            self.lines[t] = VOT_INIT
        else:
            self.boxes[t] = box0

    def tracked(self, t: int, box: np.ndarray, score: float, ok: bool) -> None:
        """A tracked frame's box reached the host; ``ok``: the VOT overlap test passed."""
        if self.error is not None or (self.vot and t < self.restart):
            return  # computed before the host knew of a failure: those frames are skipped
        if not np.isfinite(box).all():
            self.error = (f"RuntimeError: SiamRPN++ produced a non-finite box {box.tolist()} on frame {t}: "
                          "check the checkpoint")
            return
        if not self.vot:
            self.boxes[t], self.scores[t] = box, score
        elif ok:
            self.lines[t] = box.copy()
        else:
            self.lines[t] = VOT_FAILURE
            self.failures += 1
            self.restart = t + self.job.vot.skip_initialize
            for k in range(t + 1, min(self.restart, self.n)):
                self.lines[k] = VOT_SKIP

    def finish(self) -> None:
        """Close the record: frames never reached (a failure near the end) are skips."""
        if self.vot:
            self.lines = [VOT_SKIP if v is None else v for v in self.lines]


@dataclass
class JobResult:
    """A finished job: per stream its trajectory (OPE boxes or VOT lines) or its error."""

    job: Job
    streams: list[StreamRun]
    error: str | None = None  # the whole job failed (frames missing, ...)

    def outputs(self) -> list[Any]:
        """Per stream: the OPE boxes ``(N, 4)``, the VOT lines, or an error string."""
        out: list[Any] = []
        for s in self.streams:
            err = self.error or s.error
            if err is not None:
                out.append(f"{self.job.seq.name}: {err}")
            else:
                out.append(s.lines if s.vot else s.boxes)
        return out
