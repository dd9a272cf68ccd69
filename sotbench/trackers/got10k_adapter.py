"""Adapters between sotbench's tracker contract and the ``got10k`` package's ``Tracker``.

got10k feeds PIL RGB images and ``(x, y, w, h)`` boxes; sotbench feeds BGR arrays and the
benchmark's region.  ``ToGot10k(tracker)`` lets a sotbench tracker run in got10k experiments;
``FromGot10k(got10k_tracker)`` lets any got10k tracker run under ``sotbench run``.
"""

from __future__ import annotations

import numpy as np

from sotbench.trackers.base import as_box, as_output

__all__ = ["ToGot10k", "FromGot10k"]


def _pil_to_bgr(image) -> np.ndarray:
    arr = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)
    return np.ascontiguousarray(arr[..., ::-1])


def _bgr_to_pil(image: np.ndarray):
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(image[..., ::-1]))


def _got10k_base():
    try:
        from got10k.trackers import Tracker as Got10kTracker
    except ImportError as exc:
        raise ImportError("the got10k package is needed for this adapter: pip install got10k") from exc
    return Got10kTracker


class FromGot10k:
    """Runs a ``got10k.trackers.Tracker`` under the sotbench contract."""

    def __init__(self, tracker):
        self.tracker = tracker
        self.name = getattr(tracker, "name", type(tracker).__name__)
        self.deterministic = bool(getattr(tracker, "is_deterministic", True))

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        self.tracker.init(_bgr_to_pil(image), as_box(region))

    def update(self, image: np.ndarray) -> np.ndarray:
        return np.asarray(self.tracker.update(_bgr_to_pil(image)), dtype=np.float64)

    def params(self) -> dict:
        return {"got10k_class": f"{type(self.tracker).__module__}.{type(self.tracker).__qualname__}"}


def ToGot10k(tracker, name: str | None = None, deterministic: bool = True):
    """Wrap a sotbench tracker as a ``got10k.trackers.Tracker`` instance."""
    base = _got10k_base()

    class _Adapter(base):  # type: ignore[misc, valid-type]
        def __init__(self):
            super().__init__(name=name or getattr(tracker, "name", type(tracker).__name__),
                             is_deterministic=deterministic)
            self.inner = tracker

        def init(self, image, box):
            self.inner.init(_pil_to_bgr(image), np.asarray(box, dtype=np.float64))

        def update(self, image):
            return as_output(self.inner.update(_pil_to_bgr(image))).box

    return _Adapter()
