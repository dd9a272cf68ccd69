"""``identity``: reports the initial box on every frame (a sanity floor for tests)."""

from __future__ import annotations

import numpy as np

from sotbench.trackers.base import as_box
from sotbench.trackers.definition import BuildOptions, TrackerDef, no_params

__all__ = ["IdentityTracker", "TRACKER"]


class IdentityTracker:
    """Returns the first frame's box forever."""

    name = "identity"
    deterministic = True

    def __init__(self) -> None:
        self._box: np.ndarray | None = None

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        self._box = as_box(region)

    def update(self, image: np.ndarray) -> np.ndarray:
        if self._box is None:
            raise RuntimeError("update() called before init()")
        return self._box.copy()

    def params(self) -> dict:
        return {}


def _build(params: object, options: BuildOptions) -> IdentityTracker:
    return IdentityTracker()


TRACKER = TrackerDef(name="identity", build=_build, parse=no_params("identity"),
                     description="reports the initial box on every frame (a sanity floor)")
