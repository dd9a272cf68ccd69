"""Run protocols, once for every backend: one-pass evaluation (OPE) and the VOT reset protocol.

A ``StreamRecord`` follows one stream through a job: what it does on each frame
(``action``: ``init``, ``track`` or ``skip``) and what it produced.  Backends call it as the
boxes of each frame reach the host; the lockstep backend (``sotbench.trackers.lockstep``) at
once, SiamRPN++'s engine a few steps later (so frames it tracked after a failure it did not
know of yet are discarded here).

* OPE: initialise on frame 0 with the ground truth, then track every later frame; frame 0's
  box is the one the backend reports for the initialisation (what ``init`` returned: pysot
  reports a half-pixel-shifted box there; else the ground truth).
* VOT reset (supervised): a frame whose box overlaps the ground-truth region (both bounded by
  the image) by no more than ``failure_overlap`` is a failure (2), the next
  ``skip_initialize - 1`` frames are skipped (0), and the tracker restarts from the ground
  truth ``skip_initialize`` frames after the failure (1).

Repetitions: ``repetition_round`` is the rule for how many reset-protocol repetitions to run:
a deterministic tracker stops once three agree (the VOT toolkit's rule), so the first round
runs up to three, a second round the rest if they differ.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sotbench.jobs import Job, OpeOutput, Stream, VotOutput
from sotbench.results import VOT_FAILURE, VOT_INIT, VOT_SKIP
from sotbench.sequences import Sequence

__all__ = ["StreamRecord", "region_at", "repetition_round", "DETERMINISTIC_AGREEMENT"]

DETERMINISTIC_AGREEMENT = 3  # identical repetitions after which a deterministic tracker stops


def region_at(seq: Sequence, i: int) -> np.ndarray:
    """Frame ``i``'s ground-truth region: 4 numbers, or 8 for a polygon."""
    row = seq.gt[i]
    return row[:4] if np.isnan(row[4:]).all() else row


class StreamRecord:
    """One stream while its job runs: where it restarts, its outputs so far, or its error."""

    def __init__(self, stream: Stream, job: Job, slot: int = -1):
        self.stream, self.job, self.slot = stream, job, slot
        self.n = job.length
        self.restart = 0  # next frame to initialise on (VOT: after a failure; OPE: only frame 0)
        self.failures = 0
        self.error: str | None = None
        self.boxes = np.zeros((self.n, 4))
        self.scores = np.full(self.n, np.nan)
        self.times = np.zeros(self.n)
        self.lines: list[Any] = [None] * self.n if self.vot else []

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

    def initialised(self, t: int, box0: np.ndarray | None) -> None:
        """Frame ``t`` was an initialisation: OPE writes the init box, VOT writes 1."""
        if self.vot:
            self.lines[t] = VOT_INIT
        else:
            self.boxes[t] = box0

    def tracked(self, t: int, box: np.ndarray, score: float | None, ok: bool) -> None:
        """A tracked frame's box reached the host; ``ok``: the VOT overlap test passed."""
        if self.error is not None or (self.vot and t < self.restart):
            return  # computed before the host knew of a failure: those frames are skipped
        if not np.isfinite(box).all():
            self.error = f"RuntimeError: the tracker produced a non-finite box {np.asarray(box).tolist()} on frame {t}"
            return
        if not self.vot:
            self.boxes[t] = box
            self.scores[t] = np.nan if score is None else score
        elif ok:
            self.lines[t] = np.array(box, dtype=np.float64)
        else:
            self.lines[t] = VOT_FAILURE
            self.failures += 1
            self.restart = t + self.job.vot.skip_initialize
            for k in range(t + 1, min(self.restart, self.n)):
                self.lines[k] = VOT_SKIP

    def fail(self, message: str) -> None:
        """Stop this stream (its tracker raised); the other streams of the job go on."""
        if self.error is None:
            self.error = message

    def output(self) -> OpeOutput | VotOutput:
        """The stream's result once the job ended (frames never reached are skips)."""
        if self.vot:
            lines = [VOT_SKIP if v is None else v for v in self.lines]
            return VotOutput(lines=lines, times=self.times, failures=self.failures)
        return OpeOutput(boxes=self.boxes, scores=self.scores, times=self.times)


def repetition_round(done: list[int], repetitions: int, deterministic: bool, agreed: bool) -> list[int]:
    """Reset-protocol repetitions still to run, given those already ``done`` (numbers from 1).

    A deterministic tracker runs up to three first and stops when they agree (``agreed``: the
    first three on disk are identical); a stochastic one runs all of them."""
    missing = [r for r in range(1, repetitions + 1) if r not in set(done)]
    if not deterministic:
        return missing
    if len(done) >= DETERMINISTIC_AGREEMENT and agreed:
        return []
    first = max(1, DETERMINISTIC_AGREEMENT - len(done))
    return missing if len(done) >= DETERMINISTIC_AGREEMENT else missing[:first]
