"""SiamRPN++ parameters, anchors/window, and the built-in presets."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.presets import builtin_presets, load_preset
from sotbench.trackers.siamrpnpp.params import Params, ParamsError, score_size

KNOBS = {"flavour": "pysot", "penalty_k": 0.05, "window_influence": 0.42, "lr": 0.38}


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ParamsError, match=r"unknown siamrpnpp parameter\(s\) penalty; valid: flavour, penalty_k"):
        Params.from_dict({**KNOBS, "penalty": 0.1})


def test_missing_knobs_are_named():
    with pytest.raises(ParamsError, match="missing siamrpnpp parameter.*window_influence, lr"):
        Params.from_dict({"flavour": "pysot", "penalty_k": 0.1})


@pytest.mark.parametrize("bad,match", [
    ({"flavour": "pysott"}, "unknown flavour 'pysott', known: pysot, mmtracking"),
    ({"lr": "fast"}, "lr must be a number"),
    ({"window_influence": 1.5}, r"window_influence must be in \[0, 1\]"),
    ({"weighted": "yes"}, "weighted must be true or false"),
    ({"instance_size": 255.5}, "instance_size must be an integer"),
    ({"neck_channels": [256, 256]}, "neck_channels needs 3 numbers"),
    ({"flavour": "mmtracking", "long_term": True}, "only in the pysot flavour"),
    ({"penalty_k": float("nan")}, "penalty_k must be finite"),
])
def test_bad_values(bad, match):
    with pytest.raises(ParamsError, match=match):
        Params.from_dict({**KNOBS, **bad})


def test_yaml_types_are_coerced_and_frozen():
    p = Params.from_dict({**KNOBS, "anchor_ratios": [0.33, 0.5, 1, 2, 3], "penalty_k": 0})
    assert p.anchor_ratios == (0.33, 0.5, 1.0, 2.0, 3.0) and p.penalty_k == 0.0
    assert p.anchor_num == 5
    with pytest.raises(AttributeError):
        p.lr = 0.5  # type: ignore[misc]
    assert Params.from_dict(p.to_dict()) == p


def test_score_size():
    p = Params.from_dict(KNOBS)
    assert score_size(p) == 25  # (255 - 127) // 8 + 1 + 8
    assert score_size(p, 831) == 97  # pysot's LOST_INSTANCE_SIZE
    assert score_size(Params.from_dict({**KNOBS, "instance_size": 287, "base_size": 0})) == 21


def test_anchor_sizes_per_flavour():
    from sotbench.trackers.siamrpnpp.anchors import base_sizes, make_anchors, make_window

    p = Params.from_dict(KNOBS)
    m = Params.from_dict({**KNOBS, "flavour": "mmtracking"})
    assert base_sizes(p) == [(104, 32), (88, 40), (64, 64), (40, 80), (32, 96)]
    assert base_sizes(m) == [(104, 32), (88, 40), (64, 64), (40, 88), (32, 104)]
    a, b = make_anchors(p, 25).numpy(), make_anchors(m, 25).numpy()
    # pysot idx = a*625 + row*25 + col; mmtracking idx = (row*25 + col)*5 + a
    assert a[:, 3 * 625 + 2 * 25 + 7].tolist() == [(7 - 12) * 8, (2 - 12) * 8, 40, 80]
    assert b[:, (2 * 25 + 7) * 5 + 3].tolist() == [(7 - 12) * 8, (2 - 12) * 8, 40, 88]
    wa, wb = make_window(p, 25).numpy(), make_window(m, 25).numpy()
    hann = np.hanning(25)
    assert wa[4 * 625 + 3 * 25 + 9] == hann[3] * hann[9] == wb[(3 * 25 + 9) * 5 + 4]


def test_fixture_anchors_and_windows(golden):
    from sotbench.trackers.siamrpnpp.anchors import make_anchors, make_window

    g, m = golden("vot2018-bag", "default", "pysot"), golden("vot2018-bag", "default", "mmtracking")
    p = Params.from_dict(KNOBS)
    q = Params.from_dict({**KNOBS, "flavour": "mmtracking"})
    np.testing.assert_array_equal(make_anchors(p, 25).T.numpy(), g["anchors"])
    np.testing.assert_array_equal(make_window(p, 25).numpy(), g["window"])
    cx, cy, w, h = make_anchors(q, 25).numpy()
    np.testing.assert_array_equal(np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1), m["anchors_xyxy"])
    np.testing.assert_array_equal(make_window(q, 25).numpy(), m["window"])


# reference.md section 4.7: (flavour, penalty_k, window_influence, lr, weighted, zoo entry)
PUBLISHED = {
    "pysot-vot2018": ("pysot", 0.05, 0.42, 0.38, True, "siamrpnpp-r50-pysot"),
    "pysot-otb100": ("pysot", 0.24, 0.5, 0.25, False, "siamrpnpp-r50-pysot-otb"),
    "pysot-vot2018lt": ("pysot", 0.05, 0.28, 0.22, True, "siamrpnpp-r50-pysot-lt"),
    "mmtracking-lasot": ("mmtracking", 0.05, 0.42, 0.38, True, "siamrpnpp-r50-lasot"),
    "mmtracking-trackingnet": ("mmtracking", 0.05, 0.42, 0.38, True, "siamrpnpp-r50-lasot"),
    "mmtracking-uav123": ("mmtracking", 0.1, 0.1, 0.5, True, "siamrpnpp-r50-uav123"),
    "mmtracking-otb100": ("mmtracking", 0.4, 0.5, 0.4, True, "siamrpnpp-r50-otb100"),
    "mmtracking-vot2018": ("mmtracking", 0.04, 0.44, 0.33, True, "siamrpnpp-r50-vot2018"),
    "default": ("mmtracking", 0.05, 0.42, 0.38, True, "siamrpnpp-r50-lasot"),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_presets_hold_published_parameters(name):
    from sotbench.trackers.siamrpnpp.zoo import zoo_entry

    preset = load_preset(builtin_presets()[f"siamrpnpp/{name}"])
    p = Params.from_dict(preset["params"])  # every preset is complete on its own
    flavour, k, wi, lr, weighted, zoo_name = PUBLISHED[name]
    assert (p.flavour, p.penalty_k, p.window_influence, p.lr, p.weighted) == (flavour, k, wi, lr, weighted)
    assert preset["tracker"] == "siamrpnpp" and preset["weights"] == {"zoo": zoo_name}
    entry = zoo_entry(zoo_name)
    assert all(getattr(p, key) == (tuple(v) if isinstance(v, list) else v) for key, v in entry.requires.items())
    assert p.long_term == (name == "pysot-vot2018lt")
