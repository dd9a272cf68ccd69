"""The ncc tracker applies SiamRPN's post-processing, and its knobs act as in SiamRPN."""

import math

import numpy as np
import pytest

from sotbench.datasets import load_dataset
from sotbench.trackers import TrackerSpec
from sotbench.trackers.lockstep import run_ope
from sotbench.trackers.ncc import NCCTracker, _change, _sz


def test_penalty_terms_match_pysot_formulas():
    # pysot: change(r) = max(r, 1/r); sz(w, h) = sqrt((w + p)(h + p)), p = (w + h) / 2
    assert _change(np.array([2.0]))[0] == 2.0 and _change(np.array([0.5]))[0] == 2.0
    assert _sz(40.0, 20.0) == pytest.approx(math.sqrt(70 * 50))
    # a candidate 5% wider and 5% taller than the target of 40 x 20, penalty_k = 0.3:
    s_c = _change(_sz(42.0, 21.0) / _sz(40.0, 20.0))
    r_c = _change(np.array([(40 / 20) / (42 / 21)]))
    assert s_c == pytest.approx(1.05) and r_c[0] == pytest.approx(1.0)
    assert math.exp(-(r_c[0] * s_c - 1) * 0.3) == pytest.approx(math.exp(-0.015))


@pytest.fixture(scope="module")
def val(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root, split="val")


def test_window_influence_one_pins_the_centre_and_lr_zero_pins_the_size(val):
    seq = val["ValDash"]
    x, y, w, h = seq.gt[0]
    pinned = run_ope(NCCTracker(window_influence=1.0), seq).boxes
    centres = pinned[1:, :2] + pinned[1:, 2:] / 2
    assert np.allclose(centres, [x + w / 2, y + h / 2])  # the cosine window peaks at the centre
    frozen = run_ope(NCCTracker(lr=0.0), seq).boxes
    assert np.allclose(frozen[1:, 2:], [w, h])           # no size learning
    moving = run_ope(NCCTracker(), seq).boxes
    assert not np.allclose(moving[1:, :2], pinned[1:, :2])


def test_tracks_a_smooth_sequence(val):
    seq = val["ValWalk"]
    boxes = run_ope(NCCTracker(window_influence=0.2, lr=0.5), seq).boxes
    gt = seq.gt[:, :4]
    error = np.hypot(*((boxes[:, :2] + boxes[:, 2:] / 2) - (gt[:, :2] + gt[:, 2:] / 2)).T)
    assert np.median(error) < 6.0  # pixels, on a 320 x 240 frame with a ~50 px target


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="unknown parameters penalty; known: penalty_k"):
        NCCTracker(penalty=0.1)
    with pytest.raises(ValueError, match="instance_factor must be > 1"):
        NCCTracker(instance_factor=1.0)
    tracker = TrackerSpec("ncc", {"lr": 0.3}).build()
    assert tracker.params()["lr"] == 0.3 and tracker.params()["penalty_k"] == 0.04
