"""Weight-free OpenCV trackers (MIL; CSRT and KCF where the contrib build is installed)."""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from sotbench.trackers.base import as_box
from sotbench.trackers.definition import BuildOptions, TrackerDef, no_params

__all__ = ["OpenCVTracker", "available", "MIL", "CSRT", "KCF"]

_FACTORIES = {"mil": "TrackerMIL_create", "csrt": "TrackerCSRT_create", "kcf": "TrackerKCF_create"}


def available(kind: str) -> bool:
    """Whether the installed OpenCV provides tracker ``kind`` (mil, csrt, kcf)."""
    import cv2

    return hasattr(cv2, _FACTORIES[kind])


class OpenCVTracker:
    """Wraps ``cv2.Tracker*``: integer boxes in, float boxes out; keeps the last box on loss.

    MIL draws its Haar features from the C library's ``rand()`` and its samples from OpenCV's
    global generator, so its boxes would depend on every tracker that ran before in the process
    (earlier sequences, other streams stepped in lockstep).  Both generators are seeded before
    each call from this tracker's own call count (reset by ``init``): the output depends on the
    sequence alone, as ``deterministic`` says.
    """

    deterministic = True
    SEED = 0

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
        self._calls = 0
        if kind == "mil" and _c_srand() is None:  # its features would stay unseeded
            self.deterministic = False

    def _seed(self) -> None:
        import cv2

        # hashed, not SEED + k: OpenCV's generator gives correlated draws for neighbouring seeds
        seed = int.from_bytes(hashlib.sha256(f"{self.SEED}:{self._calls}".encode()).digest()[:4], "little") >> 1
        cv2.setRNGSeed(seed)
        srand = _c_srand()
        if srand is not None:
            srand(seed)
        self._calls += 1

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        import cv2

        self._calls = 0
        self._seed()
        box = as_box(region)
        self._tracker = getattr(cv2, _FACTORIES[self.kind])()
        rect = tuple(int(round(v)) for v in box)
        rect = (rect[0], rect[1], max(1, rect[2]), max(1, rect[3]))
        self._tracker.init(image, rect)
        self._last = box

    def update(self, image: np.ndarray) -> np.ndarray:
        if self._tracker is None or self._last is None:
            raise RuntimeError("update() called before init()")
        self._seed()
        ok, rect = self._tracker.update(image)
        if ok:
            self._last = np.asarray(rect, dtype=np.float64)
        return self._last.copy()

    def params(self) -> dict:
        import cv2

        return {"opencv": cv2.__version__}


@functools.lru_cache(maxsize=None)
def _c_srand() -> Callable[[int], Any] | None:
    """The C library's ``srand`` (what OpenCV's ``rand()`` calls draw from); None where not found."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(None) if sys.platform != "win32" else ctypes.cdll.msvcrt
        srand = libc.srand
    except (OSError, AttributeError):
        return None
    srand.argtypes, srand.restype = [ctypes.c_uint], None
    return srand


def _definition(kind: str, description: str) -> TrackerDef:
    def build(params: object, options: BuildOptions) -> OpenCVTracker:
        return OpenCVTracker(kind)
    return TrackerDef(name=f"opencv-{kind}", build=build, parse=no_params(f"opencv-{kind}"), description=description)


MIL = _definition("mil", "OpenCV's MIL tracker")
CSRT = _definition("csrt", "OpenCV's CSRT tracker (contrib build)")
KCF = _definition("kcf", "OpenCV's KCF tracker (contrib build)")
