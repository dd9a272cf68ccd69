"""Per-frame overlap of one run with one sequence's ground truth, under a metric profile.

What ``sotbench show``, the failure galleries and the report's IoU-over-time plots draw: the
overlap each frame was scored with, from the same code that scores it (one-pass:
``prepare_sequence`` + ``frame_values``; reset protocol: the profile's region overlap and
accuracy bounds).  Arrays cover every frame of the sequence; a frame that is not scored (invalid
or absent ground truth, a frame the profile drops, a VOT code frame) has NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sotbench.metrics.ope import frame_values
from sotbench.metrics.overlap import region_overlaps
from sotbench.metrics.prepare import prepare_sequence
from sotbench.metrics.profile import Profile
from sotbench.metrics.scoring import absent_frames
from sotbench.metrics.vot_io import REGION, VotTrajectory
from sotbench.metrics.vot_stats import region_bounds
from sotbench.sequences import Sequence

__all__ = ["FrameOverlap", "ope_frame_overlaps", "vot_frame_overlaps"]


@dataclass(frozen=True, eq=False)
class FrameOverlap:
    """One run on one sequence, frame by frame."""

    iou: np.ndarray  # (N,) overlap in [0, 1]; NaN where the frame is not scored
    lost: np.ndarray  # (N,) bool: the target is lost (scored with overlap 0; VOT: a failure)
    codes: np.ndarray | None = None  # VOT: REGION (-1), 0 skipped, 1 (re-)init, 2 failure; None one-pass

    @property
    def mean(self) -> float:
        """Mean overlap over the scored frames (NaN when none is scored)."""
        scored = self.iou[np.isfinite(self.iou)]
        return float(scored.mean()) if scored.size else float("nan")


def _fit(values: np.ndarray, n: int, offset: int, fill) -> np.ndarray:
    """``values`` placed at frames ``offset ..`` of an array of ``n`` frames (the rest ``fill``)."""
    out = np.full(n, fill, dtype=np.asarray(values).dtype)
    k = max(0, min(len(values), n - offset))
    out[offset: offset + k] = values[:k]
    return out


def ope_frame_overlaps(seq: Sequence, boxes: np.ndarray, profile: Profile, *,
                       corner_first_row: bool = False, label: str | None = None) -> FrameOverlap:
    """The overlap of every frame of a one-pass result ``boxes`` (``(N, 4)``) as ``profile`` scores it.

    Raises ``sotbench.metrics.prepare.PredictionError`` where the profile refuses the file.
    """
    n = len(seq.gt)
    p = prepare_sequence(boxes, seq.gt[:, :4], profile, label=label or seq.name, absent=absent_frames(seq, profile),
                         image_size=seq.image_size, corner_first_row=corner_first_row)
    scores = frame_values(p.pred, p.gt, profile, p.absent, p.bounds)
    counted = scores.success.counted & scores.valid
    iou = np.where(counted, scores.success.iou, np.nan)
    offset = 1 if profile.first_frame == "drop" else 0
    iou = _fit(iou, n, offset, np.nan)
    return FrameOverlap(iou=iou, lost=np.nan_to_num(iou, nan=1.0) <= 0.0)


def vot_frame_overlaps(seq: Sequence, trajectory: VotTrajectory, profile: Profile) -> FrameOverlap:
    """The region overlap of every frame of one reset-protocol repetition (profile's overlap
    mode and accuracy bounds); code frames (init, failure, skipped) have NaN."""
    n = len(seq.gt)
    m = min(n, len(trajectory))
    codes = trajectory.codes[:m]
    bounds = region_bounds(profile.vot_accuracy_bounds, seq.image_size) if seq.image_size else None
    ov = region_overlaps(trajectory.regions[:m], seq.gt[:m], bounds, mode=profile.vot_overlap_mode,
                         pred_special=codes != REGION)
    ov = np.where(codes == REGION, ov, np.nan)
    full_codes = _fit(codes.astype(np.int8), n, 0, np.int8(0))
    return FrameOverlap(iou=_fit(ov, n, 0, np.nan), lost=full_codes == 2, codes=full_codes)
