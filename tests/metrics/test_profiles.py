"""Named profiles: valid fields, documented, per-benchmark overrides, hashes, thresholds."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from sotbench.metrics.profile import Profile, matlab_colon
from sotbench.metrics.profiles import PROFILES, get_profile, profile_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "profiles.md"
REQUIRED = ("pysot", "pysot-toolkit", "otb-matlab", "lasot-matlab", "got10k", "pytracking", "mmtracking",
            "trackingnet", "vot-python", "vot-legacy")


def test_every_required_profile_exists_with_a_source():
    assert set(REQUIRED) <= set(PROFILES)
    for p in PROFILES.values():
        assert p.source and p.toolkit and p.notes


def test_docs_table_is_the_code_and_names_every_field():
    text = DOCS.read_text()
    start, end = text.index("<!-- profile-table -->\n"), text.index("<!-- /profile-table -->")
    assert text[start + len("<!-- profile-table -->\n"):end] == profile_table()
    for f in fields(Profile):
        assert f"`{f.name}`" in text, f.name


def test_bad_values_are_rejected_with_the_valid_ones():
    with pytest.raises(ValueError, match="first_frame='first', expected one of as_written, gt, drop"):
        Profile(name="x", toolkit="t", source="s", first_frame="first")
    with pytest.raises(ValueError, match="unknown threshold spec"):
        Profile(name="x", toolkit="t", source="s", success_thresholds="np.arange(0, 1, 0.1)")
    with pytest.raises(ValueError, match="unknown fields"):
        Profile(name="x", toolkit="t", source="s", overrides={"lasot": {"nope": 1}})
    with pytest.raises(ValueError, match="unknown metric profile 'otb', known: pysot, pysot-toolkit"):
        get_profile("otb")


def test_overrides_apply_only_to_their_benchmark():
    pyt = get_profile("pytracking")
    assert pyt.invalid_gt_precision == "fail" and pyt.denominator == "valid"
    uav = pyt.for_dataset("uav123")
    assert uav.invalid_gt_precision == "correct" and uav.denominator == "all" and uav.name == "pytracking"
    assert pyt.for_dataset("otb100") is pyt
    got = get_profile("got10k").for_dataset("got10k")
    assert (got.first_frame, got.sequence_weight, got.success_score) == ("drop", "frames", "average_overlap")
    assert uav.hash != pyt.hash


def test_hash_ignores_documentation_but_not_conventions():
    p = get_profile("pysot")
    assert replace(p, notes="other words").hash == p.hash
    assert replace(p, success_compare=">=").hash != p.hash
    assert len({q.hash for q in PROFILES.values()}) == len(PROFILES)


def test_threshold_arrays_differ_only_in_the_last_bit():
    arange, linspace, matlab = (get_profile(n).thresholds("success") for n in ("pysot", "got10k", "otb-matlab"))
    assert len(arange) == len(linspace) == len(matlab) == 21
    np.testing.assert_allclose(arange, linspace, atol=1e-15)
    np.testing.assert_allclose(matlab, linspace, atol=1e-15)
    assert arange[3] == 0.15000000000000002 and linspace[3] == 0.15000000000000002
    # MATLAB builds the upper half down from the end point: 1 - 3 * 0.05
    assert matlab[17] == 1 - 3 * 0.05 and matlab[10] == 0.5 and matlab[20] == 1.0
    assert (arange != matlab).any()
    assert matlab_colon(0, 0.05, 1).tolist() == matlab.tolist()


def test_vot_fields_are_the_keywords_of_the_vot_functions():
    kw = get_profile("pysot").vot_kwargs()
    assert kw["overlap_mode"] == "trax" and kw["index_convention"] == "pysot"
    assert get_profile("vot-python").vot_kwargs()["accuracy_aggregation"] == "length_weighted"
    assert "robustness" not in kw
