"""Per-sequence statistics of the VOT supervised (reset) experiment.

:func:`vot_sequence_stats` rasterises the overlaps of every run of one sequence, masks them
for accuracy (burn-in, codes), counts failures and cuts the EAO fragments with their per-tag
weights; ``sotbench.metrics.vot.vot_aggregate`` combines the sequences.  Every toolkit
convention is a keyword parameter (docs/vot-metrics.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from sotbench.metrics.overlap import OVERLAP_MODES, region_overlaps_multi
from sotbench.metrics.vot_eao import (FRAGMENT_RULES, Fragment, build_fragments, tag_fraction)
from sotbench.metrics.vot_io import VotTrajectory, as_trajectory

__all__ = ["VOT_TAGS", "EVAL_TAGS", "BOUNDS", "REPETITION_RULES", "VotSequenceStats",
           "select_repetitions", "frame_tags", "vot_sequence_stats", "region_bounds"]

VOT_TAGS = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")
EVAL_TAGS = ("all",) + VOT_TAGS + ("empty",)
BOUNDS = ("size", "size_minus_1", "none")
REPETITION_RULES = ("all", "pysot", "first")
ACCURACY_AGGREGATIONS = ("frame_pooled", "length_weighted")
FRAGMENT_WEIGHTS = ("fragment", "per_run")
EMPTY_TAG_RULES = ("frames", "pysot")
LENGTH_MISMATCH = ("error", "truncate")


def _check(name: str, value: Any, known: Sequence[str]) -> None:
    if value not in known:
        raise ValueError(f"unknown {name} {value!r}, known: {', '.join(known)}")


def region_bounds(rule: str, image_size: tuple[int, int] | None) -> tuple[int, int] | None:
    """The ``(W, H)`` a bounds rule (``size``, ``size_minus_1``, ``none``) gives for an image size."""
    _check("bounds", rule, BOUNDS)
    if rule == "none":
        return None
    if image_size is None:
        raise ValueError(f"bounds {rule!r} need the image size (W, H)")
    w, h = image_size
    return (w, h) if rule == "size" else (w - 1, h - 1)


def select_repetitions(trajectories: Sequence[Any], rule: str) -> list[Any]:
    """Runs to evaluate: ``"all"`` (VOT toolkit), ``"pysot"`` (all only if exactly 15, else the
    first), ``"first"``."""
    _check("repetition rule", rule, REPETITION_RULES)
    runs = list(trajectories)
    if rule == "first" or (rule == "pysot" and len(runs) != 15):
        return runs[:1]
    return runs


def frame_tags(tags: Mapping[str, Any] | None, n: int, names: Sequence[str] = VOT_TAGS) -> dict[str, np.ndarray]:
    """Boolean per-frame masks for ``all``, each VOT tag (missing or short -> padded with False)
    and ``empty`` (frames with none of the tags)."""
    out = {"all": np.ones(n, dtype=bool)}
    tags = tags or {}
    for name in names:
        arr = np.asarray(tags.get(name, ()), dtype=bool).ravel()[:n]
        out[name] = np.concatenate([arr, np.zeros(n - arr.size, dtype=bool)])
    out["empty"] = ~np.logical_or.reduce([out[t] for t in names]) if names else np.ones(n, dtype=bool)
    return out


@dataclass(frozen=True, eq=False)
class VotSequenceStats:
    """What one sequence contributes to the aggregate (all runs)."""

    name: str
    n_frames: int  # ground-truth frames
    n_runs: int
    frame_overlaps: np.ndarray  # (runs, N) accuracy overlaps, NaN where excluded
    run_accuracy: np.ndarray  # (runs,) mean of each run's valid overlaps (0 when none), VOT toolkit
    failures: np.ndarray  # (runs,) failures per run
    failure_frames: np.ndarray  # (N,) share of runs that failed at each frame
    fragments: list[Fragment]
    fragment_weights: dict[str, np.ndarray]  # tag -> (F,) weight
    tags: dict[str, np.ndarray]
    eval_length: int  # frames counted for robustness (pysot: min(len(result), len(gt)))
    fragment_rule: str = "pysot"
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def frame_accuracy(self) -> np.ndarray:
        """Per-frame overlap averaged over runs (NaN-mean; pysot, got10k)."""
        with np.errstate(invalid="ignore"), _quiet():
            return np.nanmean(self.frame_overlaps, axis=0)


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings (all-NaN frames are expected)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def _accuracy_overlaps(codes: np.ndarray, ov: np.ndarray, burnin: int, ignore_unknown: bool) -> np.ndarray:
    """Overlaps with init/failure frames, the burn-in after each init, and (optionally)
    unknown frames set to NaN.  Unknown frames that are kept count with the overlap the
    convention gives a code frame (votpy: an empty region, normally 0; trax: NaN, taken as 0)."""
    out = np.where((codes >= 0) & np.isnan(ov), 0.0, ov)
    excluded = codes == 2
    if ignore_unknown:
        excluded |= codes == 0
    for i in np.flatnonzero(codes == 1):
        excluded[i : i + burnin] = True
    out[excluded] = np.nan
    return out


def _run_fragments(traj, ov_eao, n, rule, skip, tags, empty_rule, absent_tags, factor, source):
    # pysot takes restart points from every failure in the file (those past the compared
    # frames drop out); the VOT toolkit needs result and ground truth of equal length
    codes = traj.codes if rule == "pysot" else traj.codes[: ov_eao.size]
    frags = build_fragments(codes, ov_eao, n, rule=rule, skip=skip, source=source)
    weights = {}
    for tag, mask in tags.items():
        if tag == "empty" and empty_rule == "pysot":
            w = [absent_tags / f.tag_length if f.tag_length > 0 else 0.0 for f in frags]
        else:
            w = [tag_fraction(f, mask) for f in frags]
        weights[tag] = factor * np.asarray(w, dtype=np.float64)
    return frags, weights


def vot_sequence_stats(
    trajectories: Sequence[VotTrajectory | Sequence[Any]],
    gt_regions: np.ndarray,
    image_size: tuple[int, int] | None,
    tags: Mapping[str, Any] | None = None,
    *,
    name: str = "",
    overlap_mode: str = "trax",
    accuracy_bounds: str = "size",
    eao_bounds: str = "size_minus_1",
    burnin: int = 10,
    ignore_unknown: bool = True,
    repetition_rule: str = "pysot",
    fragment_rule: str = "pysot",
    skip_initialize: int = 5,
    fragment_weight: str = "fragment",
    empty_tag: str = "frames",
    length_mismatch: str = "error",
    tag_names: Sequence[str] = VOT_TAGS,
) -> VotSequenceStats:
    """Per-sequence VOT statistics of all runs (repetitions) of one sequence.

    ``trajectories``: the repetitions (``VotTrajectory`` or per-frame entries); ``gt_regions``:
    ``(N, 8)`` ground truth (rectangle rows NaN-padded); ``image_size``: ``(W, H)``; ``tags``:
    per-frame 0/1 arrays by tag name.  Keyword parameters: see docs/vot-metrics.md.
    """
    settings = dict(overlap_mode=overlap_mode, accuracy_bounds=accuracy_bounds, eao_bounds=eao_bounds,
                    burnin=burnin, ignore_unknown=ignore_unknown, repetition_rule=repetition_rule,
                    fragment_rule=fragment_rule, skip_initialize=skip_initialize,
                    fragment_weight=fragment_weight, empty_tag=empty_tag, length_mismatch=length_mismatch,
                    tag_names=tuple(tag_names))
    _check("overlap mode", overlap_mode, OVERLAP_MODES)
    _check("fragment rule", fragment_rule, FRAGMENT_RULES)
    _check("fragment weight", fragment_weight, FRAGMENT_WEIGHTS)
    _check("empty tag rule", empty_tag, EMPTY_TAG_RULES)
    _check("length mismatch rule", length_mismatch, LENGTH_MISMATCH)
    gt = np.asarray(gt_regions, dtype=np.float64)
    n = gt.shape[0]
    runs = [as_trajectory(t, source=f"{name} run {i + 1}") for i, t in enumerate(
        select_repetitions(trajectories, repetition_rule))]
    if not runs:
        raise ValueError(f"{name}: no result runs")
    if burnin < 0 or skip_initialize < 1:
        raise ValueError(f"burnin must be >= 0 and skip_initialize >= 1, got {burnin} and {skip_initialize}")
    bounds = [region_bounds(accuracy_bounds, image_size), region_bounds(eao_bounds, image_size)]
    masks = frame_tags(tags, n, tag_names)
    absent = sum(int(not masks[t].any()) for t in tag_names)
    factor = 1.0 / len(runs) if fragment_weight == "per_run" else 1.0
    warn: list[str] = []
    per_run = [_run_stats(t, gt, bounds, settings, masks, absent, factor, name, warn) for t in runs]
    frame_ov = np.full((len(runs), n), np.nan)
    fail_frames = np.zeros((len(runs), n))
    for r, run in enumerate(per_run):
        frame_ov[r, : run["acc"].size] = run["acc"]
        fail_frames[r, : run["acc"].size] = run["failed_at"]
    return VotSequenceStats(
        name=name, n_frames=n, n_runs=len(runs), frame_overlaps=frame_ov,
        run_accuracy=np.array([r["run_accuracy"] for r in per_run]),
        failures=np.array([t.n_failures for t in runs], dtype=np.float64), failure_frames=fail_frames.mean(axis=0),
        fragments=[f for r in per_run for f in r["fragments"]],
        fragment_weights={t: np.concatenate([r["weights"][t] for r in per_run]) for t in masks},
        tags=masks, eval_length=min(n, min(len(t) for t in runs)), fragment_rule=fragment_rule,
        settings=settings, warnings=warn)


def _run_stats(traj, gt, bounds, opts, masks, absent, factor, name, warn) -> dict[str, Any]:
    """Accuracy overlaps, per-frame failures and EAO fragments of one run."""
    m = _matched_length(traj, gt.shape[0], opts["length_mismatch"], name, warn)
    codes = traj.codes[:m]
    if bounds[0] == bounds[1]:
        bounds = bounds[:1]
    ovs = region_overlaps_multi(traj.regions[:m], gt[:m], bounds, mode=opts["overlap_mode"], pred_special=codes >= 0)
    acc = _accuracy_overlaps(codes, ovs[0], opts["burnin"], opts["ignore_unknown"])
    valid = acc[~np.isnan(acc)]
    frags, weights = _run_fragments(traj, ovs[-1], gt.shape[0], opts["fragment_rule"], opts["skip_initialize"], masks,
                                    opts["empty_tag"], absent, factor, traj.source or name)
    return {"acc": acc, "run_accuracy": float(valid.mean()) if valid.size else 0.0, "failed_at": codes == 2,
            "fragments": frags, "weights": weights}


def _matched_length(traj: VotTrajectory, n: int, rule: str, name: str, warn: list[str]) -> int:
    if len(traj) == n:
        return n
    msg = f"{traj.source or name}: {len(traj)} result lines for {n} ground-truth frames"
    if rule == "error":
        raise ValueError(msg + " (length_mismatch='truncate' evaluates the common frames, as pysot does)")
    warn.append(msg + "; evaluated on the first " + str(min(len(traj), n)))
    return min(len(traj), n)
