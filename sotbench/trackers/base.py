"""The tracker contract: ``init(image, region)`` then ``update(image)`` once per frame.

Images are BGR ``uint8`` arrays ``(H, W, 3)`` (as ``cv2.imread`` returns them).  ``region``
is the first frame's ground truth exactly as the benchmark gives it: 4 numbers
``(x, y, w, h)``, or 8 numbers (a VOT polygon).  A tracker that only understands boxes calls
``as_box(region)``.  ``update`` returns a box ``(x, y, w, h)`` or a ``TrackerOutput`` with a
confidence score.  ``init`` may return the box it reports for the first frame (pysot reports
a half-pixel-shifted box there); by default the runner writes the ground-truth box.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sotbench.boxes import polygon_bounds
from sotbench.registry import is_class

__all__ = ["Tracker", "TrackerOutput", "as_box", "as_output", "is_tracker_class", "CONTRACT"]

CONTRACT = "a class with init(image, region) and update(image)"


@dataclass(frozen=True)
class TrackerOutput:
    """One frame's prediction: a box ``(x, y, w, h)`` and an optional confidence."""

    box: np.ndarray
    score: float | None = None


@runtime_checkable
class Tracker(Protocol):
    """What ``sotbench run`` drives.  Optional attributes: ``name``, ``deterministic``
    (default True: VOT repetitions stop after 3 identical runs) and ``params()`` (recorded in
    the run manifest)."""

    def init(self, image: np.ndarray, region: np.ndarray) -> Any: ...

    def update(self, image: np.ndarray) -> Any: ...


def is_tracker_class(obj: Any) -> bool:
    """Whether ``obj`` is a class whose own attributes include callable ``init`` and ``update``
    (checked statically: nothing of ``obj`` runs)."""
    if not is_class(obj):
        return False
    for name in ("init", "update"):
        try:
            if not callable(inspect.getattr_static(obj, name)):
                return False
        except AttributeError:
            return False
    return True


def as_box(region: np.ndarray) -> np.ndarray:
    """A region as an axis-aligned ``(x, y, w, h)`` box (polygons: their bounding box)."""
    return polygon_bounds(np.asarray(region, dtype=np.float64))


def as_output(value: Any) -> TrackerOutput:
    """Normalise what ``update`` returned (box, ``(box, score)`` or ``TrackerOutput``)."""
    if isinstance(value, TrackerOutput):
        box, score = value.box, value.score
    elif isinstance(value, tuple) and len(value) == 2 and np.ndim(value[0]) == 1:
        box, score = value
    else:
        box, score = value, None
    box = np.asarray(box, dtype=np.float64).ravel()
    if box.shape != (4,):
        raise ValueError(f"tracker returned {box.shape[0]} numbers, expected a box (x, y, w, h)")
    return TrackerOutput(box=box, score=None if score is None else float(score))
