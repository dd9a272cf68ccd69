"""Weight-free OpenCV trackers (MIL; CSRT and KCF where the contrib build is installed)."""

from __future__ import annotations

import numpy as np

from sotbench.trackers.base import as_box

__all__ = ["OpenCVTracker", "available", "build_mil", "build_csrt", "build_kcf"]

_FACTORIES = {"mil": "TrackerMIL_create", "csrt": "TrackerCSRT_create", "kcf": "TrackerKCF_create"}


def available(kind: str) -> bool:
    """Whether the installed OpenCV provides tracker ``kind`` (mil, csrt, kcf)."""
    import cv2

    return hasattr(cv2, _FACTORIES[kind])


class OpenCVTracker:
    """Wraps ``cv2.Tracker*``: integer boxes in, float boxes out; keeps the last box on loss."""

    deterministic = True

    def __init__(self, kind: str):
        if kind not in _FACTORIES:
            raise ValueError(f"unknown OpenCV tracker {kind!r}, known: {', '.join(_FACTORIES)}")
        if not available(kind):
            raise RuntimeError(
                f"this OpenCV build has no {kind.upper()} tracker "
                "(install opencv-contrib-python-headless for CSRT and KCF)"
            )
        self.kind = kind
        self.name = f"opencv-{kind}"
        self._tracker = None
        self._last: np.ndarray | None = None

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        import cv2

        box = as_box(region)
        self._tracker = getattr(cv2, _FACTORIES[self.kind])()
        rect = tuple(int(round(v)) for v in box)
        rect = (rect[0], rect[1], max(1, rect[2]), max(1, rect[3]))
        self._tracker.init(image, rect)
        self._last = box

    def update(self, image: np.ndarray) -> np.ndarray:
        if self._tracker is None or self._last is None:
            raise RuntimeError("update() called before init()")
        ok, rect = self._tracker.update(image)
        if ok:
            self._last = np.asarray(rect, dtype=np.float64)
        return self._last.copy()

    def params(self) -> dict:
        import cv2

        return {"opencv": cv2.__version__}


def _build(kind: str, params: dict | None) -> OpenCVTracker:
    if params:
        raise ValueError(f"opencv-{kind} takes no parameters, got {sorted(params)}")
    return OpenCVTracker(kind)


def build_mil(params: dict | None = None, **_: object) -> OpenCVTracker:
    """OpenCV's MIL tracker."""
    return _build("mil", params)


def build_csrt(params: dict | None = None, **_: object) -> OpenCVTracker:
    """OpenCV's CSRT tracker (contrib build)."""
    return _build("csrt", params)


def build_kcf(params: dict | None = None, **_: object) -> OpenCVTracker:
    """OpenCV's KCF tracker (contrib build)."""
    return _build("kcf", params)
