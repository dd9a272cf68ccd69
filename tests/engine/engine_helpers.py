"""Helpers of the engine tests (imported by the tests and their conftest)."""

from __future__ import annotations

import numpy as np

KNOBS = [(0.05, 0.42, 0.38), (0.2, 0.3, 0.5), (0.1, 0.2, 0.3)]


class ListFrames:
    """In-memory BGR frames as a ``FrameSource``."""

    def __init__(self, frames):
        self.frames = list(frames)

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, i: int) -> np.ndarray:
        return self.frames[i]

    def describe(self, i: int) -> str:
        return f"memory#{i}"


def params(flavour: str, knobs=KNOBS[0]):
    """SiamRPN++ ``Params`` of a flavour with the given knobs."""
    from sotbench.trackers.siamrpnpp.params import Params

    return Params(flavour=flavour, penalty_k=knobs[0], window_influence=knobs[1], lr=knobs[2])
