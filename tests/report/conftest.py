"""Fixtures of the report tests (score dicts from ``scoredicts``)."""

from __future__ import annotations

import pytest

from scoredicts import OTB_ATTRS, ope_scores


@pytest.fixture
def otb_items():
    """Three complete runs and their expected order by success AUC."""
    def attrs(base):
        return {code: (n, base - 0.01 * i) for i, (code, n) in enumerate(OTB_ATTRS.items())}

    return [
        ("SiamFC", ope_scores("SiamFC", 0.587, attributes=attrs(0.58)), "a/scores.json"),
        ("SiamRPN++", ope_scores("SiamRPN++", 0.696, attributes=attrs(0.69),
                                 tracker={"tracker": "siamrpnpp", "params": {"lr": 0.4}},
                                 speed={"tracker_fps": 160.2, "end_to_end_fps": 98.5}), "b/scores.json"),
        ("ATOM", ope_scores("ATOM", 0.663, attributes=attrs(0.66)), "c/scores.json"),
    ]
