"""Hand-computed cases, written as fractions: every frame rule of every profile field."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

import numpy as np
import pytest

from sotbench.metrics.ope import overlaps
from sotbench.metrics.prepare import PredictionError
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import score_sequences
from sotbench.sequences import Sequence

GT = [0.0, 0.0, 20.0, 10.0]


def _score(profile, gt, pred, absent=None, name="s", shift=5.0):
    """Score one sequence; boxes are moved by ``shift`` px so that no GT touches x = 0 or y = 0
    (the MATLAB kits count such a box as invalid; that rule has its own test)."""
    move = np.array([shift, shift, 0, 0])
    seq = Sequence(name, np.asarray(gt, dtype=np.float64) + move, absent=absent)
    scoring = score_sequences([seq], {name: np.asarray(pred, dtype=np.float64) + move}, profile)
    return scoring.overall()[0], scoring


def _approx(value, tol=1e-12):
    return pytest.approx(float(value), abs=tol)


@pytest.mark.parametrize("name", ["pysot", "otb-matlab", "got10k", "trackingnet", "mmtracking"])
def test_iou_is_the_same_fraction_in_every_pixel_convention(name):
    # inter = 10 x 10 = 100, union = 400 + 400 - 100 = 700.  The "+1" convention (right edge
    # x + w - 1, width right - left + 1) cancels out algebraically; mmtracking computes in float32.
    iou = overlaps(np.array([[20.0, 20, 20, 20]]), np.array([[10.0, 10, 20, 20]]), get_profile(name))
    assert iou[0] == _approx(F(1, 7), 1e-7 if name == "mmtracking" else 1e-15)


def test_success_curve_strict_and_inclusive_comparison():
    # IoUs 0, 1/7, 1/2 (exact), 1 against GT (0, 0, 20, 10); frame 0 is the GT itself.
    gt = [GT] * 4
    pred = [GT, [0, 0, 10, 10], [0, 20, 20, 10], [0, 0, 20, 10]]
    pred[1] = [10, 0, 10, 10]  # inter 100 of union 200: 1/2
    pred[2] = [0, 20, 20, 10]  # no overlap: 0
    pred[3] = [0, 0, 20, 10]
    pred[0] = [0, 0, 5, 10]  # inter 50 / union 200 = 1/4
    # per-frame IoU: 1/4, 1/2, 0, 1 -> thresholds passed with ">": 5 (0..0.20), 10 (0..0.45), 0, 20
    strict, _ = _score(get_profile("pysot"), gt, pred)
    assert strict["success_auc"] == _approx(F(5 + 10 + 0 + 20, 4 * 21))
    # ">=" (TrackingNet devkit): 1/4 passes 0..0.25 (6), 1/2 passes 0..0.5 (11), 0 passes 0 (1), 1 all (21)
    inclusive = replace(get_profile("pysot"), success_compare=">=", name="t")
    ge, _ = _score(inclusive, gt, pred)
    assert ge["success_auc"] == _approx(F(6 + 11 + 1 + 21, 4 * 21))


def test_trapezoid_score_of_the_trackingnet_devkit():
    # One frame with IoU 1/2 under ">=" and linspace: curve = 1 for t <= 0.5 (11 points), then 0.
    # Trapezoid on x = 0..1 step 1/20: 10 full intervals + the half interval at 0.5 -> 10.5 / 20.
    prof = get_profile("trackingnet")
    gt = [[0, 0, 20, 10], [0, 0, 20, 10]]
    pred = [[0, 0, 20, 10], [10, 0, 10, 10]]
    overall, scoring = _score(prof, gt, pred)
    assert scoring.table["success_auc"].iloc[0] == _approx(F(1, 2) * 1 + F(1, 2) * F(21, 40))
    assert overall["success_auc"] == _approx(F(1, 2) + F(1, 2) * F(21, 40))


def test_precision_at_20_pixels_counts_distance_equal_to_threshold():
    # Centre shifts of (12, 16) -> 20 px (exact), (0, 21) -> 21 px, (3, 4) -> 5 px, (0, 0).
    gt = [[0, 0, 10, 10]] * 4
    pred = [[0, 0, 10, 10], [12, 16, 10, 10], [0, 21, 10, 10], [3, 4, 10, 10]]
    overall, _ = _score(get_profile("pysot"), gt, pred)
    assert overall["precision"] == _approx(F(3, 4))


def test_normalized_precision_at_0_20():
    # GT 10 x 20: a shift of 1.23 px in x is 0.123, a shift of 6.3 px in y is 0.315.
    gt = [[0, 0, 10, 20]] * 3
    pred = [[0, 0, 10, 20], [1.23, 0, 10, 20], [0, 6.3, 10, 20]]
    for name in ("pysot", "lasot-matlab", "mmtracking", "pytracking"):
        overall, _ = _score(get_profile(name), gt, pred)
        assert overall["norm_precision"] == _approx(F(2, 3)), name
    # got10k reports the mean of the 51-point curve over 0..0.5: 0.123 passes thresholds 0.13..0.5
    # (38 of 51), 0.315 passes 0.32..0.5 (19), the exact first frame all 51.
    overall, _ = _score(get_profile("got10k"), gt, pred)
    assert overall["norm_precision"] == _approx(F(51 + 38 + 19, 3 * 51))


def test_first_frame_rules():
    gt = [[0, 0, 20, 10]] * 3
    pred = [[0, 20, 20, 10], [0, 0, 20, 10], [0, 0, 20, 10]]  # frame 0 misses completely
    as_written, _ = _score(get_profile("pysot"), gt, pred)
    assert as_written["success_auc"] == _approx(F(2 * 20, 3 * 21))
    forced, _ = _score(get_profile("otb-matlab"), gt, pred)
    assert forced["success_auc"] == _approx(F(3 * 20, 3 * 21))
    dropped, _ = _score(replace(get_profile("pysot"), first_frame="drop", name="d"), gt, pred)
    assert dropped["success_auc"] == _approx(F(2 * 20, 2 * 21))


def test_absent_frames_fail_or_are_ignored():
    gt = [[0, 0, 20, 10]] * 5
    absent = np.array([False, True, True, False, False])
    pred = gt
    fail, _ = _score(get_profile("pysot"), gt, pred, absent)  # pysot / LaSOT kit: out of numerator only
    assert fail["success_auc"] == _approx(F(3 * 20, 5 * 21))
    assert fail["precision"] == _approx(F(3, 5))
    ignore, _ = _score(replace(get_profile("pysot"), absent="ignore", name="i"), gt, pred, absent)
    assert ignore["success_auc"] == _approx(F(20, 21))
    score, _ = _score(get_profile("got10k"), gt, pred, absent)  # got10k's LaSOT experiment ignores flags
    assert score["success_auc"] == _approx(F(20, 21))


def test_nan_ground_truth_is_invalid_whatever_its_absence_flag():
    # UAV123: a NaN row (also flagged absent) fails success but is correct for precision (pysot),
    # and is dropped entirely by got10k.
    nan = [np.nan] * 4
    gt = [[0, 0, 20, 10], nan, [0, 0, 20, 10], [0, 0, 20, 10]]
    pred = [[0, 0, 20, 10]] * 4
    absent = np.array([False, True, False, False])
    pysot, _ = _score(get_profile("pysot"), gt, pred, absent)
    assert pysot["success_auc"] == _approx(F(3 * 20, 4 * 21))
    assert pysot["precision"] == 1.0 and pysot["norm_precision"] == 1.0
    got10k, _ = _score(get_profile("got10k"), gt, pred, absent)
    assert got10k["success_auc"] == _approx(F(20, 21))


def test_gt_validity_rules_differ_on_a_box_at_the_image_border():
    # x = 0: valid for pysot (w, h > 0), invalid for pysot-toolkit (all four > 0).
    gt = [[5, 5, 20, 10], [0, 5, 20, 10]]
    pred = gt
    pysot, _ = _score(get_profile("pysot"), gt, pred, shift=0)
    ptk, _ = _score(get_profile("pysot-toolkit"), gt, pred, shift=0)
    assert pysot["success_auc"] == _approx(F(2 * 20, 2 * 21))
    assert ptk["success_auc"] == _approx(F(20, 2 * 21))


def test_matlab_kits_replace_invalid_predictions_by_the_previous_box():
    gt = [[0, 0, 20, 10]] * 4
    pred = [[0, 0, 20, 10], [np.nan] * 4, [3, 3, 0, 5], [0, 0, 20, 10]]
    matlab, scoring = _score(get_profile("otb-matlab"), gt, pred)
    assert matlab["success_auc"] == _approx(F(4 * 20, 4 * 21))
    assert any("2 NaN or non-positive-size" in w for w in scoring.warnings)
    pysot, _ = _score(get_profile("pysot"), gt, pred)  # scored as written: two failures
    assert pysot["success_auc"] == _approx(F(2 * 20, 4 * 21))


def test_pytracking_rejects_nan_and_fills_zero_sizes():
    gt = [[0, 0, 20, 10]] * 3
    with pytest.raises(PredictionError, match=r"s:2: NaN"):
        _score(get_profile("pytracking"), gt, [[0, 0, 20, 10], [np.nan] * 4, [0, 0, 20, 10]])
    overall, _ = _score(get_profile("pytracking"), gt, [[0, 0, 20, 10], [0, 0, 20, 0], [0, 0, 20, 10]])
    assert overall["success_auc"] == _approx(F(20, 21))


def test_length_rules():
    gt = [[0, 0, 20, 10]] * 4
    short = [[0, 0, 20, 10]] * 3
    pad, scoring = _score(get_profile("pysot"), gt, short)
    assert pad["success_auc"] == _approx(F(3 * 20, 4 * 21))
    assert "3 rows for 4 frames" in scoring.warnings[0]
    cut, _ = _score(replace(get_profile("pysot"), shorter_results="truncate", name="c"), gt, short)
    assert cut["success_auc"] == _approx(F(20, 21))
    with pytest.raises(PredictionError, match="3 rows for 4 frames"):
        _score(replace(get_profile("pysot"), shorter_results="error", name="e"), gt, short)
    long, scoring = _score(get_profile("pysot"), gt, gt + [[0, 0, 1, 1]])
    assert long["success_auc"] == _approx(F(20, 21))
    assert "5 rows for 4 frames" in scoring.warnings[0]


def test_aggregation_equal_weights_frame_pooling_and_dropping_zero_sequences():
    seqs = [Sequence("a", np.array([[0, 0, 20, 10.0]] * 2)), Sequence("b", np.array([[0, 0, 20, 10.0]] * 4))]
    miss = [[0, 0, 20, 10]] + [[0, 50, 20, 10]] * 3
    trajs = {"a": np.array([[0, 0, 20, 10.0]] * 2), "b": np.array(miss, dtype=float)}
    # no first-frame forcing, so b scores 1/4 of its frames
    pysot = score_sequences(seqs, trajs, get_profile("pysot")).overall()[0]
    assert pysot["average_overlap"] == _approx((F(1) + F(1, 4)) / 2)
    pooled = score_sequences(seqs, trajs, replace(get_profile("pysot"), sequence_weight="frames", name="p"))
    assert pooled.overall()[0]["average_overlap"] == _approx(F(2 + 1, 6))
    # an all-zero sequence is dropped by the MATLAB kits' mean
    trajs["b"] = np.array([[0, 50, 20, 10.0]] * 4)
    kept = score_sequences(seqs, trajs, get_profile("pysot")).overall()[0]
    dropped = score_sequences(seqs, trajs, replace(get_profile("pysot"), drop_zero_sequences=True, name="z"))
    assert kept["success_auc"] == _approx(F(20, 21) / 2)
    assert dropped.overall()[0]["success_auc"] == _approx(F(20, 21))


def test_repetitions_are_pooled_frame_by_frame():
    seq = Sequence("a", np.array([[0, 0, 20, 10.0]] * 2))
    good, bad = np.array([[0, 0, 20, 10.0]] * 2), np.array([[0, 0, 20, 10.0], [0, 50, 20, 10]])
    scoring = score_sequences([seq], {"a": [good, bad]}, get_profile("pysot"))
    assert scoring.table["average_overlap"].iloc[0] == _approx(F(3, 4))
    assert scoring.table["n_frames"].iloc[0] == 2
