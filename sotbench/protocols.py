"""Run protocols: one-pass evaluation (OPE) and the VOT supervised reset protocol.

Each takes a tracker and a ``Sequence`` and returns what to write; nothing here touches files.
Frame decoding time is kept apart from the tracker's own time, so both model-side and
end-to-end speeds can be reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from sotbench.boxes import polygon_iou
from sotbench.datasets.base import VotSettings
from sotbench.frames import FrameError
from sotbench.results import VOT_FAILURE, VOT_INIT, VOT_SKIP
from sotbench.sequences import Sequence
from sotbench.trackers.base import Tracker, as_box, as_output

__all__ = ["OpeResult", "VotRun", "run_ope", "run_vot_reset", "init_output_box"]

ProgressFn = Callable[[int], None]


@dataclass
class OpeResult:
    """A one-pass trajectory with per-frame tracker time and decode time (seconds)."""

    boxes: np.ndarray
    times: np.ndarray
    decode_times: np.ndarray
    scores: np.ndarray


@dataclass
class VotRun:
    """One reset-protocol repetition: per frame a box or a code (1 init, 2 failure, 0 skip)."""

    lines: list[Any] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    decode_times: list[float] = field(default_factory=list)
    failures: int = 0


def _frames(seq: Sequence):
    if seq.frames is None:
        raise FrameError(f"{seq.name}: no frames on disk (this dataset root holds annotations only)")
    return seq.frames


def _decode(frames, index: int) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    image = frames[index]
    return image, time.perf_counter() - t0


def init_output_box(returned: Any, region: np.ndarray) -> np.ndarray:
    """The box written for an initialisation frame: what ``init`` returned, else the ground truth."""
    if returned is not None:
        return as_output(returned).box
    return as_box(region)


def run_ope(tracker: Tracker, seq: Sequence, progress: ProgressFn | None = None) -> OpeResult:
    """Initialise on frame 0 with the ground truth, then track every later frame."""
    frames = _frames(seq)
    n = len(frames)
    boxes = np.zeros((n, 4))
    times, decode_times, scores = np.zeros(n), np.zeros(n), np.full(n, np.nan)
    for i in range(n):
        image, decode_times[i] = _decode(frames, i)
        t0 = time.perf_counter()
        if i == 0:
            region = seq.init_region
            boxes[0] = init_output_box(tracker.init(image, region), region)
        else:
            out = as_output(tracker.update(image))
            boxes[i] = out.box
            scores[i] = np.nan if out.score is None else out.score
        times[i] = time.perf_counter() - t0
        if progress is not None:
            progress(1)
    return OpeResult(boxes=boxes, times=times, decode_times=decode_times, scores=scores)


def _gt_region(seq: Sequence, i: int) -> np.ndarray:
    row = seq.gt[i]
    return row[:4] if np.isnan(row[4:]).all() else row


def run_vot_reset(
    tracker_factory: Callable[[], Tracker],
    seq: Sequence,
    settings: VotSettings,
    progress: ProgressFn | None = None,
) -> VotRun:
    """One repetition of the supervised protocol: on zero overlap write 2, skip
    ``skip_initialize - 1`` frames (0) and re-initialise ``skip_initialize`` frames after the
    failure from the ground truth (1)."""
    frames = _frames(seq)
    n = len(frames)
    run = VotRun()
    tracker: Tracker | None = None
    restart = 0
    for i in range(n):
        if i < restart:
            run.lines.append(VOT_SKIP)
            run.times.append(0.0)
            run.decode_times.append(0.0)
            if progress is not None:
                progress(1)
            continue
        image, dt = _decode(frames, i)
        run.decode_times.append(dt)
        t0 = time.perf_counter()
        if i == restart:
            tracker = tracker_factory()
            tracker.init(image, _gt_region(seq, i))
            run.lines.append(VOT_INIT)
        else:
            assert tracker is not None
            box = as_output(tracker.update(image)).box
            bounds = (image.shape[1], image.shape[0])
            if polygon_iou(box, _gt_region(seq, i), bounds) > settings.failure_overlap:
                run.lines.append(box)
            else:
                run.lines.append(VOT_FAILURE)
                run.failures += 1
                restart = i + settings.skip_initialize
        run.times.append(time.perf_counter() - t0)
        if progress is not None:
            progress(1)
    return run
