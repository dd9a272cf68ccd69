"""``identity``: reports the initial box on every frame (a sanity floor for tests)."""

from __future__ import annotations

import numpy as np

from sotbench.trackers.base import as_box

__all__ = ["IdentityTracker", "build"]


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


def build(params: dict | None = None, **_: object) -> IdentityTracker:
    """Build the identity tracker (it has no parameters)."""
    if params:
        raise ValueError(f"identity takes no parameters, got {sorted(params)}")
    return IdentityTracker()
