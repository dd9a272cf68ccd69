"""Score one-pass trajectories of many sequences at once: prepare, per-frame values, counts.

``score_sequences`` is the in-memory core used by ``sotbench.evaluate`` (files) and by the
hyperparameter search (no files): it applies the profile's input rules per sequence, then
computes every frame of every sequence in one vectorised pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sotbench.metrics.aggregate import Stats, aggregate, compute_stats, sequence_scores
from sotbench.metrics.bootstrap import Ratio
from sotbench.metrics.ope import FrameScores, frame_values_cols
from sotbench.metrics.prepare import prepare_sequence
from sotbench.metrics.profile import Profile
from sotbench.metrics.ope_sums import curve_statistics, score_statistics
from sotbench.metrics.table import OpeContext, computed_metrics, computed_sums
from sotbench.sequences import Sequence

__all__ = ["SequenceScoring", "score_sequences", "NothingToScore", "absent_frames"]


class NothingToScore(ValueError):
    """None of the sequences has a trajectory."""


@dataclass
class SequenceScoring:
    """Per-sequence table, the counts behind it, and the warnings raised while preparing."""

    table: pd.DataFrame
    stats: Stats
    profile: Profile
    warnings: list[str] = field(default_factory=list)
    frames: FrameScores | None = None  # per-frame values, for the metric table's extra metrics
    seq: np.ndarray | None = None  # each frame's sequence index

    def overall(self, rows: np.ndarray | None = None) -> tuple[dict, dict]:
        """Overall scores and curves over all sequences (or the row indices ``rows``)."""
        overall, curves = aggregate(self.stats, self.profile, rows)
        for name, (value, _) in self._extra(rows).items():
            overall[name] = value
        return overall, curves

    def statistics(self) -> dict[str, Ratio]:
        """Every overall score as sums over the sequences (``sotbench.metrics.ope_sums``; the
        metric table's extra metrics that have ``sums``), for the bootstrap."""
        out = score_statistics(self.stats, self.profile)
        if self.frames is not None:
            n = len(self.stats.names)
            ctx = OpeContext(self.frames, self.seq, n, self.profile, np.arange(n))
            out.update({name: fn(ctx) for name, fn in computed_sums("ope").items()})
        return out

    def curve_statistics(self) -> dict[str, Ratio]:
        """The overall curves as sums over the sequences (their bootstrap bands)."""
        return curve_statistics(self.stats, self.profile)

    def _extra(self, rows: np.ndarray | None) -> dict[str, tuple[float, np.ndarray]]:
        """The metric table's extra OPE metrics: ``{name: (overall over rows, per sequence)}``."""
        if self.frames is None:
            return {}
        n = len(self.stats.names)
        ctx = OpeContext(self.frames, self.seq, n, self.profile, np.arange(n) if rows is None else np.asarray(rows))
        return {name: fn(ctx) for name, fn in computed_metrics("ope").items()}


def absent_frames(seq: Sequence, profile: Profile) -> np.ndarray | None:
    """The frames the profile treats as target-absent (the cover flags or the absence flags)."""
    if profile.absent_from_cover and seq.cover is not None:
        return np.asarray(seq.cover) == 0
    return seq.absent


def score_sequences(
    sequences: list[Sequence],
    trajectories: Mapping[str, list[np.ndarray] | np.ndarray | None],
    profile: Profile,
    *,
    labels: Mapping[str, str] | None = None,
    corner_first_row: Mapping[str, bool] | None = None,
    starts: Mapping[str, list[int]] | None = None,
) -> SequenceScoring:
    """Score ``{sequence: boxes}`` (or a list of repetitions per sequence) under ``profile``.

    Sequences without a trajectory are left out, unless the profile scores them as all-zero
    boxes (``missing_sequence="zeros"``).  Repetitions are pooled frame by frame.  ``starts``
    gives, per sequence, the frame each trajectory starts on (TRE segments, SRE shifts): it is
    scored against the ground truth from there on, its first row being that part's first frame,
    and the parts are pooled frame by frame as the OTB kit pools them (``perfPlot.m``).
    """
    labels, corner, starts = labels or {}, corner_first_row or {}, starts or {}
    preds, gts, absents, bounds, seq_idx, warnings, names, lengths = [], [], [], [], [], [], [], []
    for seq in sequences:
        trajs = trajectories.get(seq.name)
        if trajs is None and profile.missing_sequence == "skip":
            continue
        if isinstance(trajs, np.ndarray):
            trajs = [trajs]
        k = len(names)
        absent = absent_frames(seq, profile)
        for j, traj in enumerate(trajs if trajs is not None else [None]):
            s = starts[seq.name][j] if seq.name in starts else 0
            p = prepare_sequence(traj, seq.gt[s:, :4], profile, label=labels.get(seq.name, seq.name),
                                 absent=None if absent is None else absent[s:], image_size=seq.image_size,
                                 corner_first_row=corner.get(seq.name, False))
            warnings.extend(p.warnings)
            preds.append(p.pred.T), gts.append(p.gt.T), absents.append(p.absent)
            if profile.iou_bound:
                bounds.append(p.bounds.T if p.bounds is not None else np.full((2, len(p.gt)), np.inf))
            seq_idx.append(np.full(len(p.gt), k))
        names.append(seq.name)
        lengths.append(len(seq.gt))
    if not names:
        raise NothingToScore("no sequence has results to score")
    if profile.iou_bound and any(s.image_size is None for s in sequences):
        warnings.append(f"profile {profile.name} clips boxes to the image, but some sequences have no image "
                        "size; their boxes are not clipped")
    cat = np.concatenate  # columns (4, N) built directly: the metric code works on columns
    frames = frame_values_cols(cat(preds, axis=1), cat(gts, axis=1), profile, cat(absents),
                               cat(bounds, axis=1) if bounds else None)
    seq = cat(seq_idx)
    stats = compute_stats(frames, seq, names, profile)
    scoring = SequenceScoring(pd.DataFrame(), stats, profile, warnings, frames, seq)
    columns = sequence_scores(stats, profile)
    columns.pop("n_frames", None)
    columns.update({name: per_seq for name, (_, per_seq) in scoring._extra(None).items()})
    columns["n_frames"] = lengths
    scoring.table = pd.DataFrame(columns, index=pd.Index(names, name="sequence"))
    return scoring
