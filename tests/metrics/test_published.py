"""Published numbers of the bundled raw results, reproduced to the printed digits.

``../shared/spec/published-scores.md`` lists them.  Scored here under each benchmark's default
profile from the raw annotation files (the adapter-level run of the same numbers is in
``test_published_datasets.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import score_sequences
from sotbench.sequences import Sequence


def _overall(sequences, trajectories, profile, key):
    return score_sequences(sequences, trajectories, get_profile(profile).for_dataset(key)).overall()[0]


def test_otb100_siamrpnpp(otb_gt, results_root, load_results):
    seqs = [Sequence(n, g) for n, g in otb_gt.items()]
    trajs = load_results(results_root / "OTB100" / "SiamRPN++", list(otb_gt))
    assert len(trajs) == 100
    o = _overall(seqs, trajs, "pysot", "otb100")
    assert round(o["success_auc"], 3) == 0.696
    # pysot's model zoo prints 0.914 for another run of this model; these files give 0.905
    # under every toolkit (published-scores.md, note 1)
    assert round(o["precision"], 3) == 0.905
    assert o["success_auc"] == pytest.approx(0.6955, abs=5e-5) and o["precision"] == pytest.approx(0.9054, abs=5e-5)


def test_lasot_siamrpnpp(lasot_gt, results_root, load_results):
    seqs = [Sequence(n, g, absent=a) for n, (g, a) in lasot_gt.items()]
    trajs = load_results(results_root / "LaSOT" / "SiamRPN++", list(lasot_gt))
    assert len(seqs) == len(trajs) == 280
    for profile in ("pysot", "lasot-matlab"):  # the default, and the LaSOT kit itself
        o = _overall(seqs, trajs, profile, "lasot")
        assert round(o["success_auc"], 3) == 0.496, profile
        assert round(o["norm_precision"], 3) == 0.569, profile


def test_lasot_absent_frames_stay_in_the_denominator(lasot_gt, results_root, load_results):
    """Note 3 of published-scores.md: dropping absent frames entirely gives another number."""
    seqs = [Sequence(n, g, absent=a) for n, (g, a) in lasot_gt.items()]
    trajs = load_results(results_root / "LaSOT" / "SiamRPN++", list(lasot_gt))
    from dataclasses import replace

    ignore = replace(get_profile("pysot"), absent="ignore", name="ignore-absent")
    o = score_sequences(seqs, trajs, ignore).overall()[0]
    assert round(o["success_auc"], 3) != 0.496
    assert np.isfinite(o["success_auc"])
