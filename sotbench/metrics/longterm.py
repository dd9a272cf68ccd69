"""Long-term tracking precision, recall and F-score (VOT-LT), as pysot's ``F1Benchmark`` computes
them (pysot toolkit ``evaluation/f1_benchmark.py`` and ``utils/statistics.py``).

A long-term run is one pass per sequence: boxes, and the tracker's confidence per frame
(``<seq>_001_confidence.value``; its first line, the initialisation frame, is not read).  With
``overlap`` the per-frame region overlap (bounded by the image, the profile's VOT overlap; 0
where the target is absent -- an all-NaN ground truth row, or the dataset's absence flags -- and
on the initialisation frame) and ``N`` the frames where the target is visible:

* thresholds: 98 of the ``n`` confidences of all sequences pooled and sorted (NaN left out), at
  ``floor(linspace(d - 1, n - d, 98) + 0.5)`` with ``d = floor(n / 98)``, plus ``-inf`` and
  ``+inf``, in descending order (``determine_thresholds``); with fewer than 98 confidences pysot
  reads outside the array, so all of them are thresholds then (the VOT toolkit's rule);
* per sequence and threshold ``t``, the frames whose confidence is ``>= t`` (for ``-inf``: those
  with a confidence ``> 0``, NaN counting as 0): precision = their mean overlap (1 when there are
  none), recall = their summed overlap / ``N`` (0 when there are none);
* precision and recall are averaged over sequences, F = 2PR / (P + R) per threshold, and the
  reported precision, recall and F-score are those at the threshold of the largest F (pysot's
  ``show_result``; where P + R = 0 the F-score is taken as 0: pysot's ``argmax`` would pick the
  NaN).

Per sequence (``per_sequence.csv``), each sequence's own best threshold (pysot's video-level table).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sotbench.metrics.importers import ImportedResults
from sotbench.metrics.profile import Profile
from sotbench.metrics.readers import ResultError
from sotbench.sequences import Sequence

__all__ = ["determine_thresholds", "precision_recall", "f_scores", "read_confidence", "attach_confidences",
           "score_longterm", "LT_KEYS", "CONFIDENCE"]

LT_KEYS = ("f_score", "lt_precision", "lt_recall")
CONFIDENCE = "confidence"  # <seq>_001_confidence.value
RESOLUTION = 100


def determine_thresholds(scores: np.ndarray, resolution: int = RESOLUTION) -> np.ndarray:
    """pysot's confidence thresholds, ascending: ``-inf``, ``resolution - 2`` sampled scores, ``+inf``."""
    scores = np.sort(np.asarray(scores, dtype=np.float64)[~np.isnan(scores)])
    if not len(scores):
        raise ValueError("no confidence values to choose thresholds from")
    if len(scores) < resolution - 2:  # pysot would index past the end: every score is a threshold
        return np.concatenate([[-np.inf], scores, [np.inf]])
    delta = np.floor(len(scores) / (resolution - 2))
    idxs = np.floor(np.linspace(delta - 1, len(scores) - delta, resolution - 2) + 0.5).astype(np.int64)
    return np.concatenate([[-np.inf], scores[idxs], [np.inf]])


def precision_recall(overlaps: np.ndarray, scores: np.ndarray, thresholds: np.ndarray,
                     n_visible: int) -> tuple[np.ndarray, np.ndarray]:
    """One sequence's precision and recall at each threshold (see the module docstring)."""
    o = np.nan_to_num(np.asarray(overlaps, dtype=np.float64), nan=0.0)
    s = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0)
    with np.errstate(invalid="ignore"):
        picked = np.where(np.isneginf(thresholds)[:, None], s[None, :] > 0, s[None, :] >= thresholds[:, None])
    count = picked.sum(axis=1)
    total = (picked * o[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(count > 0, total / np.maximum(count, 1), 1.0)
        recall = np.where(count > 0, total / n_visible, 0.0) if n_visible else np.full(len(thresholds), np.nan)
    return precision, recall


def f_scores(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """2PR / (P + R), 0 where P + R = 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        f = 2 * precision * recall / (precision + recall)
    return np.nan_to_num(f, nan=0.0)


def read_confidence(path: Path, n: int) -> np.ndarray:
    """A ``<seq>_001_confidence.value`` file of ``n`` lines; line 1 (the initialisation frame)
    is not read and becomes NaN, as pysot reads it."""
    if not path.is_file():
        raise ResultError(path, "no confidence file (a long-term run writes the tracker's confidence per frame)")
    lines = path.read_text().splitlines()
    while len(lines) > n and not lines[-1].strip():
        lines.pop()
    if len(lines) != n:
        raise ResultError(path, f"{len(lines)} lines, expected {n} (one confidence per frame of the trajectory)")
    out = np.full(n, np.nan)
    for i, text in enumerate(lines[1:], start=1):
        try:
            out[i] = float(text)
        except ValueError:
            raise ResultError(path, f"expected a number, got {text.strip()[:40]!r}", i + 1) from None
    return out


def attach_confidences(imported: ImportedResults, run_dir: Path) -> None:
    """Read each result's confidence file beside its trajectory (it then counts in the results hash)."""
    for name, found in list(imported.results.items()):
        traj = found.trajectories[0]
        path = found.paths[0].with_name(found.paths[0].stem + f"_{CONFIDENCE}.value")
        try:
            found.values[CONFIDENCE] = read_confidence(path, len(traj))
        except ResultError as exc:
            imported.errors.append(str(exc))
            del imported.results[name]
            continue
        found.paths.append(path)


def _overlaps(traj, seq: Sequence, profile: Profile) -> np.ndarray:
    from sotbench.metrics.overlap import region_overlaps
    from sotbench.metrics.vot_io import REGION
    from sotbench.metrics.vot_stats import region_bounds as _bounds

    n = min(len(traj), len(seq.gt))  # pysot: min_len of the two
    gt = np.asarray(seq.gt[:n], dtype=np.float64)
    pred = np.asarray(traj.regions[:n], dtype=np.float64)
    width = max(gt.shape[1], pred.shape[1])
    gt = np.pad(gt, ((0, 0), (0, width - gt.shape[1])), constant_values=np.nan)
    pred = np.pad(pred, ((0, 0), (0, width - pred.shape[1])), constant_values=np.nan)
    bounds = _bounds(profile.vot_accuracy_bounds, _image_size(seq))
    out = np.zeros(len(seq.gt))
    out[:n] = region_overlaps(pred, gt, bounds, mode=profile.vot_overlap_mode, pred_special=traj.codes[:n] != REGION)
    out[_absent(seq)] = 0.0  # pysot: the ground truth of such a frame is the special region [0]
    return out


def _image_size(seq: Sequence) -> tuple[int, int] | None:
    """The sequence's image size (pysot reads it from the first image)."""
    from sotbench.datasets.layout import first_image_size

    size = seq.image_size or first_image_size(seq.frames)
    if size is None:
        raise ValueError(f"{seq.name}: long-term overlaps are bounded by the image, whose size is unknown "
                         "(no frames on disk and no width/height in the annotations)")
    return size


def _absent(seq: Sequence) -> np.ndarray:
    """Frames without the target: all-NaN ground truth (VOT-LT), or the dataset's absence flags (LaSOT)."""
    gone = np.isnan(np.asarray(seq.gt, dtype=np.float64)).all(axis=1)
    return gone | np.asarray(seq.absent, dtype=bool) if seq.absent is not None else gone


def _visible(seq: Sequence) -> int:
    return int((~_absent(seq)).sum())


def _aggregate(pr: list[tuple[np.ndarray, np.ndarray]], thresholds: np.ndarray) -> tuple[dict, dict]:
    precision = np.nanmean([p for p, _ in pr], axis=0)
    recall = np.nanmean([r for _, r in pr], axis=0)
    f = f_scores(precision, recall)
    best = int(np.argmax(f))
    overall = {"f_score": float(f[best]), "lt_precision": float(precision[best]), "lt_recall": float(recall[best])}
    curves = {"precision_recall": {"x": recall.tolist(), "y": precision.tolist(), "thresholds": thresholds.tolist()},
              "f_score": {"x": thresholds.tolist(), "y": f.tolist(), "best": best}}
    return overall, curves


def score_longterm(dataset, sequences: list[Sequence], imported: ImportedResults, profile: Profile):
    """F-score, precision and recall (+ per sequence, per attribute) of imported long-term runs."""
    from sotbench.scores import Scores

    if imported.errors:
        raise ValueError("unreadable long-term results:\n  " + "\n  ".join(imported.errors[:10]))
    done = [s for s in sequences if s.name in imported.results]
    missing = [s.name for s in sequences if s.name not in imported.results]
    if not done:
        raise ValueError("no sequence has results to score")
    conf = {s.name: imported.results[s.name].values[CONFIDENCE] for s in done}
    thresholds = determine_thresholds(np.concatenate(list(conf.values())))[::-1]
    pr = [precision_recall(_overlaps(imported.results[s.name].trajectories[0], s, profile), conf[s.name],
                           thresholds, _visible(s)) for s in done]
    overall, curves = _aggregate(pr, thresholds)
    rows = []
    for s, (p, r) in zip(done, pr):
        f = f_scores(p, r)
        k = int(np.argmax(f))
        rows.append({"sequence": s.name, "f_score": f[k], "lt_precision": p[k], "lt_recall": r[k],
                     "n_frames": len(s.gt), "n_visible": _visible(s)})
    table = pd.DataFrame(rows).set_index("sequence")
    attr_rows, attr_curves = [], {}
    long_names = dict(dataset.spec.attributes)
    for code in list(long_names) + sorted({a for s in done for a in s.attributes} - set(long_names)):
        idx = [i for i, s in enumerate(done) if code in s.attributes]
        if idx:
            sub, sub_curves = _aggregate([pr[i] for i in idx], thresholds)
            attr_rows.append({"attribute": code, "name": long_names.get(code, code), "n_sequences": len(idx), **sub})
            attr_curves[code] = sub_curves
    per_attr = pd.DataFrame(attr_rows, columns=["attribute", "name", "n_sequences", *LT_KEYS]).set_index("attribute")
    warnings = list(imported.warnings)
    if missing:
        warnings.insert(0, f"{len(missing)} of {len(sequences)} sequences have no results "
                           f"({', '.join(missing[:5])}); the scores cover the others only")
    return Scores(dataset=dataset.key, split=dataset.split, protocol="longterm", profile=profile.name,
                  profile_hash=profile.hash, overall=overall, per_sequence=table, curves=curves,
                  per_attribute=per_attr, attribute_curves=attr_curves, default_profile=dataset.spec.default_profile,
                  coverage={"evaluated": len(done), "total": len(sequences), "missing": missing}, warnings=warnings)
