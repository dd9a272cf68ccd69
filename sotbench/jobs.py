"""What a batch backend is handed and what it hands back: jobs, streams and their outputs.

A *job* is one sequence tracked by one or more *streams*; a stream is one parameter set (the
tracker's typed parameters), the caller's label for it (a VOT repetition, a search trial, a
run id, a TRE segment) and where it starts: a stream may start at a later frame and from
another box than the ground truth's (``start``, ``init``: the TRE segments and SRE shifts of
``sotbench.protocols``).
The streams of a job see the same frames, so a backend decodes each frame once for all of
them.  ``sotbench run`` makes one job per sequence (its repetitions as streams);
``sotbench search`` one job per sequence with one stream per trial.

A backend answers each job with a ``JobResult``: per stream an ``OpeOutput`` (boxes, scores,
times) or a ``VotOutput`` (per-frame box or code), or the error that stopped that stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sotbench.datasets.base import VotSettings
from sotbench.sequences import Sequence

__all__ = ["PROTOCOLS", "Stream", "Job", "OpeOutput", "VotOutput", "JobResult", "split_job"]

PROTOCOLS = ("ope", "vot_reset")


@dataclass(frozen=True)
class Stream:
    """One stream: the tracker's typed parameters, the caller's label for it, and where it starts
    (frame ``start``, from the region ``init``; ``None``: that frame's ground truth)."""

    params: Any
    tag: Any = None
    start: int = 0
    init: tuple[float, ...] | None = None


@dataclass
class Job:
    """One sequence and the streams that track it, under one protocol."""

    seq: Sequence
    streams: list[Stream]
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


@dataclass
class OpeOutput:
    """A one-pass trajectory of frames ``start .. N-1``: boxes ``(N - start, 4)``, confidences
    (NaN: none; the initialisation frame has none) and seconds per frame."""

    boxes: np.ndarray
    scores: np.ndarray
    times: np.ndarray
    start: int = 0

    @property
    def trajectory(self) -> np.ndarray:
        """What is scored and written: the boxes."""
        return self.boxes


@dataclass
class VotOutput:
    """One reset-protocol repetition: per frame a box or a code (1 init, 2 failure, 0 skipped)."""

    lines: list[Any]
    times: np.ndarray
    failures: int = 0

    @property
    def trajectory(self) -> list[Any]:
        """What is scored and written: the per-frame lines."""
        return self.lines


@dataclass
class JobResult:
    """A finished job: per stream its output, or the error that stopped it."""

    job: Job
    outputs: list[OpeOutput | VotOutput | None]
    errors: list[str | None] = field(default_factory=list)
    error: str | None = None  # the whole job failed (frames missing, ...)

    def stream_error(self, k: int) -> str | None:
        """Why stream ``k`` has no output (``None`` when it has one)."""
        if self.error is not None:
            return self.error
        return self.errors[k] if k < len(self.errors) else None

    def items(self) -> list[tuple[Stream, OpeOutput | VotOutput | str]]:
        """``(stream, output or error message)`` for every stream."""
        out = []
        for k, stream in enumerate(self.job.streams):
            err = self.stream_error(k)
            out.append((stream, err if err is not None else self.outputs[k]))
        return out


def split_job(job: Job, width: int | None) -> list[Job]:
    """The job as jobs of at most ``width`` streams (``None``: as it is)."""
    if width is None or len(job.streams) <= width:
        return [job]
    return [replace(job, streams=job.streams[k:k + width]) for k in range(0, len(job.streams), width)]
