"""Turn one sequence's raw predicted boxes into the trajectory a toolkit would score.

Applies the profile's input rules in the order the toolkits apply them: missing file, the
corner-form first row, replacing invalid predictions, length mismatch, rounding and the
first frame.  Every change is reported as a warning naming the file (or sequence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sotbench.metrics.profile import Profile

__all__ = ["Prepared", "PredictionError", "prepare_sequence", "fill_previous"]


class PredictionError(ValueError):
    """A result file that a profile refuses to score; names the file and, if known, the line."""

    def __init__(self, path: object, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


@dataclass
class Prepared:
    """A sequence ready to score: boxes, ground truth and flags of the same length."""

    pred: np.ndarray
    gt: np.ndarray
    absent: np.ndarray
    bounds: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)


def fill_previous(pred: np.ndarray, replace: np.ndarray) -> np.ndarray:
    """Rows flagged in ``replace`` (never row 0) take the last unflagged row before them."""
    replace = replace.copy()
    replace[0] = False
    src = np.where(replace, 0, np.arange(len(pred)))
    np.maximum.accumulate(src, out=src)
    return pred[src]


def _fix_matlab(pred: np.ndarray, gt: np.ndarray, any_nan: bool = True) -> tuple[np.ndarray, int]:
    """MATLAB kits: from frame 2 on, a box with NaN (LaSOT: any; OTB: all four) or w<=0 or h<=0
    takes the previous box, where the GT row has no NaN."""
    nan = np.isnan(pred).any(axis=1) if any_nan else np.isnan(pred).all(axis=1)
    with np.errstate(invalid="ignore"):
        bad = nan | (pred[:, 2] <= 0) | (pred[:, 3] <= 0)
    bad &= ~np.isnan(gt).any(axis=1)
    bad[0] = False
    return (fill_previous(pred, bad), int(bad.sum())) if bad.any() else (pred, 0)


def _check_pytracking(pred: np.ndarray, label: str) -> None:
    """pytracking rejects result files with NaN or negative sizes (before any other rule)."""
    nan_rows = np.flatnonzero(np.isnan(pred).any(axis=1))
    if len(nan_rows):
        raise PredictionError(label, "NaN in a predicted box; the pytracking profile rejects it as pytracking "
                              "does (choose another --profile to score NaN as a failure)", int(nan_rows[0]) + 1)
    neg = np.flatnonzero((pred[:, 2:] < 0).any(axis=1))
    if len(neg):
        raise PredictionError(label, "negative width or height; the pytracking profile rejects it",
                              int(neg[0]) + 1)


def _fix_pytracking(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, int]:
    """pytracking: zero width or height -> previous box, where the GT row has no NaN."""
    zero = (pred[:, 2:] == 0).any(axis=1) & ~np.isnan(gt).any(axis=1)
    zero[0] = False
    return (fill_previous(pred, zero), int(zero.sum())) if zero.any() else (pred, 0)


def _truncate(pred: np.ndarray, n: int, profile: Profile, label: str, out: Prepared) -> np.ndarray:
    """Apply the rule for result files longer than the sequence."""
    if len(pred) <= n:
        return pred
    if profile.longer_results == "error":
        raise PredictionError(label, f"{len(pred)} rows for {n} frames (profile {profile.name} refuses "
                              "longer result files)")
    out.warnings.append(f"{label}: {len(pred)} rows for {n} frames; extra rows ignored "
                        f"(profile {profile.name}: longer_results=truncate)")
    return pred[:n]


def _complete(pred: np.ndarray, n: int, profile: Profile, label: str, out: Prepared) -> np.ndarray:
    """Apply the rule for result files shorter than the sequence; may shorten ``out``'s GT."""
    if len(pred) >= n:
        return pred
    rule = profile.shorter_results
    if rule == "error":
        raise PredictionError(label, f"{len(pred)} rows for {n} frames (profile {profile.name} refuses "
                              "short result files)")
    what = {"pad_nan": "the missing frames count as failures",
            "pad_zeros": "the missing frames get zero boxes (failures)",
            "truncate": "only the first frames are scored"}[rule]
    out.warnings.append(f"{label}: {len(pred)} rows for {n} frames; {what} "
                        f"(profile {profile.name}: shorter_results={rule})")
    if rule == "truncate":
        out.gt, out.absent = out.gt[: len(pred)], out.absent[: len(pred)]
        if out.bounds is not None:
            out.bounds = out.bounds[: len(pred)]
        return pred
    pad = np.full((n - len(pred), 4), np.nan if rule == "pad_nan" else 0.0)
    return np.concatenate([pred, pad])


def _fix(pred: np.ndarray, gt: np.ndarray, profile: Profile, label: str, out: Prepared) -> np.ndarray:
    """Replace invalid predictions by the previous box, as the profile's toolkit does."""
    rule = profile.fix_predictions
    if rule == "none":
        return pred
    if rule == "previous_zero":
        pred, k = _fix_pytracking(pred, gt[: len(pred)])
        what = "zero-size"
    else:
        pred, k = _fix_matlab(pred, gt[: len(pred)], any_nan=rule == "previous")
        what = "NaN or non-positive-size"
    if k:
        out.warnings.append(f"{label}: {k} {what} boxes replaced by the previous box "
                            f"(profile {profile.name}: fix_predictions={rule})")
    return pred


def prepare_sequence(
    pred: np.ndarray | None,
    gt: np.ndarray,
    profile: Profile,
    *,
    label: str,
    absent: np.ndarray | None = None,
    image_size: tuple[int, int] | None = None,
    corner_first_row: bool = False,
) -> Prepared:
    """The trajectory ``profile``'s toolkit would score for one sequence (``pred=None``: no file)."""
    gt = np.asarray(gt, dtype=np.float64)
    n = len(gt)
    absent = np.zeros(n, dtype=bool) if absent is None else np.asarray(absent, dtype=bool)
    bounds = np.tile(np.asarray(image_size, dtype=np.float64), (n, 1)) if image_size else None
    out = Prepared(pred=np.empty((0, 4)), gt=gt, absent=absent, bounds=bounds)
    if pred is None:  # only reached with missing_sequence="zeros" (TrackingNet devkit)
        out.warnings.append(f"{label}: no result file; scored as all-zero boxes (profile {profile.name})")
        pred = np.zeros((n, 4))
    # copied only where a rule changes values (the caller's array is never modified)
    pred = original = np.asarray(pred, dtype=np.float64)
    if corner_first_row and profile.corner_first_row == "convert":
        pred = pred.copy()
        pred[0, 2:] = pred[0, 2:] - pred[0, :2]
    if profile.fix_predictions == "previous_zero":
        _check_pytracking(pred, label)
    pred = _truncate(pred, n, profile, label, out)
    pred = _fix(pred, gt, profile, label, out)  # before padding: padded rows stay failures
    pred = _complete(pred, n, profile, label, out)
    gt = out.gt
    if profile.round_boxes:
        pred, gt = np.round(pred), np.round(gt)
    if profile.first_frame == "gt":
        if np.may_share_memory(pred, original):
            pred = pred.copy()
        pred[0] = gt[0]
    elif profile.first_frame == "drop":
        pred, gt = pred[1:], gt[1:]
        out.absent = out.absent[1:]
        out.bounds = out.bounds[1:] if out.bounds is not None else None
    out.pred, out.gt = pred, gt
    return out
