"""The bundled real VOT2018 results reproduce published numbers under pysot's conventions.

SiamRPN++ is the project's regression target (spec/published-scores.md: pysot MODEL_ZOO
``siamrpn_r50_l234_dwxcorr``).  The other trackers are an independent check against the
numbers their authors printed, found after the code was written:
DaSiamRPN and NanoTrack -- HonglinChu/SiamTrackers README (EXPERIMENTAL table at 007ed90, NanoTrack
table at 248663f); Ocean-online -- JudasDie/Comparison README (VOT18 column, EAO/A/R).
"""

from __future__ import annotations

import pytest

from sotbench.metrics.vot import PYSOT, VOT_TOOLKIT
from vot2018_data import evaluate

PYSOT_KEY = tuple(sorted(PYSOT.items()))


def _rounded(result: dict) -> tuple:
    return (round(result["eao"], 3), round(result["accuracy"], 3), round(result["robustness"], 3),
            result["failures"])


def test_siamrpnpp_pysot_model_zoo(shared_data):
    _, res = evaluate(shared_data, "SiamRPN++", PYSOT_KEY)
    assert _rounded(res) == (0.415, 0.601, 0.234, 50.0)
    assert res["n_frames"] == 21356 and res["n_sequences"] == 60
    assert res["eao_curve"]["interval"] == [99, 355]


@pytest.mark.parametrize("tracker, eao, acc, rob, lost", [
    ("DaSiamRPN", 0.383, 0.586, 0.276, 59.0),
    ("NanoTrack", 0.311, None, None, None),
    ("Ocean-online", 0.489, 0.592, 0.117, None),
])
def test_other_trackers_match_their_authors(shared_data, tracker, eao, acc, rob, lost):
    _, res = evaluate(shared_data, tracker, PYSOT_KEY)
    got = _rounded(res)
    want = (eao, acc, rob, lost)
    assert [g for g, w in zip(got, want) if w is not None] == [w for w in want if w is not None]


def test_ocean_length_mismatch_is_reported(shared_data):
    """The 'Ocean' set has a short (bag) and a long (fish1) file: pysot evaluates the common
    frames, the VOT toolkit refuses."""
    _, res = evaluate(shared_data, "Ocean", PYSOT_KEY)
    assert len(res["warnings"]) == 2 and "bag" in res["warnings"][0] and "fish1" in res["warnings"][1]
    assert 0.38 < res["eao"] < 0.39
    with pytest.raises(ValueError, match="196 ground-truth frames"):
        evaluate(shared_data, "Ocean", tuple(sorted(VOT_TOOLKIT.items())))


def test_per_tag_eao_and_accuracy(shared_data):
    _, res = evaluate(shared_data, "SiamRPN++", PYSOT_KEY)
    tags = res["per_tag"]
    assert list(tags) == ["all", "camera_motion", "illum_change", "motion_change", "size_change",
                          "occlusion", "empty"]
    assert tags["all"]["eao"] == res["eao"] and tags["all"]["n_frames"] == 21356
    assert tags["all"]["accuracy"] == pytest.approx(res["accuracy"], abs=1e-15)
    assert tags["all"]["failures"] == pytest.approx(50.0)
    for t in ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion"):
        assert 0.2 < tags[t]["eao"] < 0.6 and 0 < tags[t]["n_frames"] < 21356
    assert sum(tags[t]["failures"] for t in ("empty",)) < 50
