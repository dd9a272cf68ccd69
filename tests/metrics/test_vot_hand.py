"""Hand-computed VOT metric cases, expected values written as fractions."""

from __future__ import annotations

import math
from fractions import Fraction as Fr

import numpy as np
import pytest

from sotbench.metrics.overlap import region_overlaps
from sotbench.metrics.vot import PYSOT, VOT_TOOLKIT, split_kwargs, vot_aggregate, vot_sequence_stats
from sotbench.metrics.vot_eao import eao_curve, eao_score, fragments_pysot, fragments_votpy

NAN4 = [np.nan] * 4


def rects(*rows) -> np.ndarray:
    return np.array([list(r) + NAN4 for r in rows], dtype=np.float64)


def overlap(a, b, bounds, mode) -> float:
    return float(region_overlaps(rects(a), rects(b), bounds, mode=mode)[0])


@pytest.mark.parametrize("a, b, bounds, trax, votpy", [
    # trax covers x..x+w (3x3 pixels for a 2x2 box), votpy x..x+w-1 (2x2)
    ((0, 0, 2, 2), (1, 0, 2, 2), None, Fr(6, 12), Fr(2, 6)),
    # bounds (W, H): trax keeps pixel column W, votpy stops at W-1
    ((0, 0, 2, 2), (1, 0, 2, 2), (2, 2), Fr(6, 9), Fr(2, 4)),
    # pysot's EAO bounds (W-1, H-1) squeeze the second box to zero width: trax answers 0
    ((0, 0, 2, 2), (1, 0, 2, 2), (1, 1), Fr(0), Fr(0)),
    # touching boxes share pixel column 2 after trax's inclusive fill, but its box test says 0
    ((0, 0, 2, 2), (2, 0, 2, 2), None, Fr(0), Fr(0)),
    # halves: trax rounds away from zero (0.5 -> 1), votpy to even (0.5 -> 0)
    ((0.5, 0, 2, 2), (1, 0, 2, 2), None, Fr(1), Fr(2, 6)),
    # votpy: a one-column union box counts as "two empty regions" -> 1, wherever the rows are
    ((5, 0, 1, 3), (5, 50, 1, 3), None, Fr(0), Fr(1)),
    # entirely outside the image
    ((300, 10, 5, 5), (300, 10, 5, 5), (100, 100), Fr(0), Fr(0)),
])
def test_rectangle_overlaps(a, b, bounds, trax, votpy):
    assert overlap(a, b, bounds, "trax") == float(np.float32(float(trax)))
    assert overlap(a, b, bounds, "votpy") == float(votpy)


def test_code_frames():
    pred = rects((0, 0, 2, 2), (0, 0, 2, 2))
    gt = rects((0, 0, 2, 2), (0, 0, 2, 2))
    special = np.array([True, False])
    assert np.isnan(region_overlaps(pred, gt, None, mode="trax", pred_special=special)[0])
    assert region_overlaps(pred, gt, None, mode="votpy", pred_special=special).tolist() == [0.0, 1.0]


# -- a 30-frame sequence: boxes equal to the ground truth except where noted --------------------

GT = (0, 0, 2, 2)
HALF = (1, 0, 2, 2)  # overlap 1/2 (trax) or 1/3 (votpy) with GT
OFF = (20, 20, 2, 2)  # overlap 0


def sequence(entries) -> tuple[list, np.ndarray]:
    traj = [e if isinstance(e, int) else list(e) for e in entries]
    return traj, rects(*([GT] * len(entries)))


def stats(traj, gt, profile, **extra):
    seq_kw, agg_kw = split_kwargs({**profile, **extra})
    s = vot_sequence_stats([traj], gt, (100, 100), None, name="s", **seq_kw)
    return s, vot_aggregate([s], eao_interval=(2, 5), **agg_kw)


@pytest.mark.parametrize("profile, half", [(PYSOT, Fr(1, 2)), (VOT_TOOLKIT, Fr(1, 3))])
def test_burnin_boundaries(profile, half):
    # init at 0: frames 0..9 are burn-in (frame 9 is off-target and must not count), frame 10
    # counts; failure at 15, skipped 16..19, re-init at 20: 20..29 are burn-in
    entries = [1] + [GT] * 8 + [OFF] + [HALF] + [GT] * 4 + [2, 0, 0, 0, 0, 1] + [GT] * 9
    traj, gt = sequence(entries)
    s, res = stats(traj, gt, profile)
    assert res["accuracy"] == pytest.approx(float((half + 4) / 5), abs=1e-7)
    assert res["failures"] == 1 and res["robustness"] == pytest.approx(100 / 30)
    assert res["mean_failures"] == 1 and res["reliability"] == pytest.approx(math.exp(-30 / 30))
    valid = ~np.isnan(s.frame_overlaps[0])
    assert np.flatnonzero(valid).tolist() == [10, 11, 12, 13, 14]


def test_burnin_parameter():
    entries = [1] + [OFF] * 2 + [GT] * 3
    traj, gt = sequence(entries)
    assert stats(traj, gt, VOT_TOOLKIT, burnin=3)[1]["accuracy"] == 1.0
    assert stats(traj, gt, VOT_TOOLKIT, burnin=2)[1]["accuracy"] == pytest.approx(3 / 4)


def _curve(entries, rule):
    traj, gt = sequence(entries)
    profile = {**(PYSOT if rule == "pysot" else VOT_TOOLKIT)}
    return stats(traj, gt, profile)


def test_one_failure_eao_curve():
    # 12 frames, failure at 4, re-init at 9
    entries = [1, GT, GT, GT, 2, 0, 0, 0, 0, 1, GT, GT]
    _, py = _curve(entries, "pysot")
    want = [1, 1, 1, 1] + [Fr(3, j) for j in range(4, 12)]
    np.testing.assert_allclose(py["eao_curve"]["y"], [float(v) for v in want], rtol=0, atol=1e-15)
    assert py["eao"] == pytest.approx(float(Fr(1 + 1 + 1 + Fr(3, 4), 4)), abs=1e-15)  # indices 1..4
    _, vp = _curve(entries, "votpy")
    assert vp["eao_curve"]["y"] == [0.0, 1.0, 1.0, 1.0]  # longest fragment: 4 frames
    assert vp["eao"] == 1.0 and vp["eao_curve"]["interval"] == [2, 5]


def test_failure_in_last_five_frames():
    # failure at 9 of 12: no restart point (9 + 5 > 12)
    entries = [1] + [GT] * 8 + [2, 0, 0]
    _, py = _curve(entries, "pysot")  # one succeeded fragment [init, 1 x 8, 0, 0, 0]
    want = [1] + [1] * 8 + [Fr(8, 9), Fr(8, 10), Fr(8, 11)]
    np.testing.assert_allclose(py["eao_curve"]["y"], [float(v) for v in want], rtol=0, atol=1e-15)
    _, vp = _curve(entries, "votpy")  # one failed fragment, no succeeded tail
    assert vp["eao_curve"]["y"] == [0.0] + [1.0] * 8


def test_restart_exactly_at_the_end():
    codes = np.array([1, -1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0])
    ov = np.where(codes == -1, 1.0, np.nan)
    frags = fragments_pysot(codes, ov, 12)
    assert [(f.values.size, f.failed) for f in frags] == [(12, True), (0, False)]
    assert frags[0].values.tolist() == [0.0] + [1.0] * 6 + [0.0] * 5
    # pysot's tag weight divides by the slice length p1 - p0 + 1 even past the end
    assert (frags[0].tag_start, frags[0].tag_stop, frags[0].tag_length) == (0, 13, 13.0)
    frags = fragments_votpy(codes, np.nan_to_num(ov))
    assert [(f.values.size, f.failed) for f in frags] == [(7, True)]


def test_weights_and_interval_conventions():
    frags = fragments_votpy(np.array([1, -1, -1, 2, 0, 0, 0, 0, 1, -1]),
                            np.array([0, 1, 1, 0, 0, 0, 0, 0, 0, 0.5]))
    # failed [0, 1, 1] and succeeded [0, 0.5]
    curve = eao_curve(frags, np.array([1.0, 3.0]), rule="votpy")
    assert curve.tolist() == [0.0, float(Fr(1 + 3 * Fr(1, 2), 4)), 1.0]
    assert eao_score(curve, (1, 2), "votpy") == (float((Fr(5, 8) + 1) / 2), (1, 2))
    assert eao_score(curve, (1, 2), "pysot") == (float(Fr(5, 8) / 2), (0, 1))
    assert eao_score(np.array([1.0, np.nan, 0.5]), (2, 3), "pysot")[0] == 0.5
    assert math.isnan(eao_score(np.array([1.0, np.nan, 0.5]), (1, 2), "votpy")[0])


def test_aggregations_over_sequences():
    # sequence A: 20 frames, 1 failure; sequence B: 40 frames, no failure
    a_traj, a_gt = sequence([1] + [GT] * 10 + [HALF] * 2 + [2, 0, 0, 0, 0, 1] + [GT])
    b_traj, b_gt = sequence([1] + [GT] * 10 + [HALF] * 29)
    for profile, half, acc in [
        # valid frames: A 10 (GT), 11-12 (HALF); B 10 (GT), 11-39 (HALF)
        (PYSOT, Fr(1, 2), lambda h: (1 + 2 * h + 1 + 29 * h) / 33),  # frame-pooled
        (VOT_TOOLKIT, Fr(1, 3), lambda h: ((1 + 2 * h) / 3 * 20 + (1 + 29 * h) / 30 * 40) / 60),
    ]:
        seq_kw, agg_kw = split_kwargs(profile)
        st = [vot_sequence_stats([t], g, (100, 100), None, name=n, **seq_kw)
              for n, t, g in (("a", a_traj, a_gt), ("b", b_traj, b_gt))]
        res = vot_aggregate(st, eao_interval=(2, 5), **agg_kw)
        assert res["accuracy"] == pytest.approx(float(acc(half)), abs=1e-7)
        assert res["failures"] == 1 and res["robustness"] == pytest.approx(100 / 60)
        assert res["mean_failures"] == pytest.approx(20 / 60)
        assert res["reliability"] == pytest.approx(math.exp(-30 * (20 / 60) / 30))
        assert [r["failures"] for r in res["per_sequence"]] == [1.0, 0.0]


def test_repetitions_and_run_weights():
    traj, gt = sequence([1, GT, GT, 2, 0, 0, 0, 0, 1, GT])
    seq_kw, _ = split_kwargs(PYSOT)
    assert vot_sequence_stats([traj] * 3, gt, (100, 100), name="s", **seq_kw).n_runs == 1
    assert vot_sequence_stats([traj] * 15, gt, (100, 100), name="s", **seq_kw).n_runs == 15
    seq_kw = {**seq_kw, "repetition_rule": "all", "fragment_weight": "per_run"}
    s = vot_sequence_stats([traj] * 3, gt, (100, 100), name="s", **seq_kw)
    assert s.n_runs == 3 and s.fragment_weights["all"].tolist() == [1 / 3] * 6


def test_per_tag_values():
    # failure at 16 of 20: no restart point, one succeeded fragment over all 20 frames
    traj, gt = sequence([1] + [GT] * 10 + [HALF] * 5 + [2, 0, 0, 0])
    tags = {"occlusion": [0] * 11 + [1] * 9, "size_change": [0] * 20}
    for empty_rule, empty_weight in (("frames", Fr(11, 20)), ("pysot", Fr(4, 20))):
        seq_kw, agg_kw = split_kwargs({**PYSOT, "empty_tag": empty_rule})
        s = vot_sequence_stats([traj], gt, (100, 100), tags, name="s", **seq_kw)
        res = vot_aggregate([s], eao_interval=(2, 5), **agg_kw)
        occ = res["per_tag"]["occlusion"]
        assert occ["n_frames"] == 9 and occ["failures"] == 1 and occ["accuracy"] == 0.5
        assert res["per_tag"]["size_change"]["n_frames"] == 0
        assert math.isnan(res["per_tag"]["size_change"]["accuracy"])
        assert res["per_tag"]["empty"]["accuracy"] == 1.0  # frame 10 only
        # one succeeded fragment of 20 frames: occlusion on 9 of them; pysot's 'empty' counts the
        # tags absent from the whole sequence (4 of 5) instead of frames
        assert s.fragment_weights["occlusion"].tolist() == [9 / 20]
        assert s.fragment_weights["empty"].tolist() == [float(empty_weight)]
