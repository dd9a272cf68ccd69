"""``ncc``: a weight-free template matcher with SiamRPN's test-time post-processing.

Normalised cross-correlation (``cv2.matchTemplate``, ``TM_CCOEFF_NORMED``) of the first-frame
template over a search region, at a few scales and aspect ratios.  The response maps are then
treated exactly as SiamRPN treats its score map (pysot ``SiamRPNTracker.track``):

* scale/aspect-change penalty ``exp(-(r_c * s_c - 1) * penalty_k)`` with
  ``s_c = change(sz(candidate) / sz(current))``, ``r_c = change(aspect / candidate aspect)``;
* cosine window: ``pscore * (1 - window_influence) + window * window_influence``;
* size learning rate ``penalty[best] * score[best] * lr`` (the centre moves fully);
* clipping of the centre to the image and of the size to ``[10, image size]``.

It has the same three knobs as SiamRPN++ and its quality depends on them, which makes it the
CPU test bed of ``sotbench search``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from sotbench.trackers.base import TrackerOutput, as_box
from sotbench.trackers.definition import BuildOptions, TrackerDef

__all__ = ["NCCTracker", "NCCParams", "TRACKER", "DEFAULTS", "STREAM_PARAMS", "SEARCH_SPACE"]

DEFAULTS: dict[str, float | int] = {
    "penalty_k": 0.04,        # pysot's defaults (pysot/core/config.py)
    "window_influence": 0.44,
    "lr": 0.4,
    "context_amount": 0.5,
    "exemplar_size": 32,      # template side, pixels
    "instance_factor": 2.0,   # search side / template side (SiamRPN: 255 / 127)
    "scale_step": 1.05,
    "aspect_step": 1.05,
}


STREAM_PARAMS = ("penalty_k", "window_influence", "lr")  # SiamRPN's three post-processing knobs
SEARCH_SPACE = {"penalty_k": (0.0, 0.6), "window_influence": (0.0, 0.65), "lr": (0.1, 0.8)}  # siamban tune.py


@dataclass(frozen=True)
class NCCParams:
    """The ``ncc`` parameters (defaults: ``DEFAULTS``), checked on construction."""

    penalty_k: float
    window_influence: float
    lr: float
    context_amount: float
    exemplar_size: int
    instance_factor: float
    scale_step: float
    aspect_step: float

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"ncc: {f.name} must be a finite number, got {value!r}")
        if self.instance_factor <= 1:
            raise ValueError("ncc: instance_factor must be > 1 (the search region must exceed the template)")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> NCCParams:
        """Parameters over ``DEFAULTS``; unknown names raise, listing the valid ones."""
        unknown = sorted(set(values) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"ncc: unknown parameters {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
        return cls(**{**DEFAULTS, **dict(values)})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return asdict(self)


def _change(r: np.ndarray) -> np.ndarray:
    return np.maximum(r, 1.0 / r)


def _sz(w: np.ndarray | float, h: np.ndarray | float) -> np.ndarray:
    pad = (w + h) * 0.5
    return np.sqrt((w + pad) * (h + pad))


def _gray(image: np.ndarray) -> np.ndarray:
    """Grey levels (NCC is computed on intensity; colour triples the cost for little gain here)."""
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def _crop(image: np.ndarray, cx: float, cy: float, size_w: float, size_h: float, out: int,
          fill: tuple[float, ...]) -> np.ndarray:
    """The ``size_w x size_h`` region centred on ``(cx, cy)`` resized to ``out x out``
    (outside the image: the mean colour, as pysot's ``get_subwindow`` pads)."""
    import cv2

    sx, sy = out / size_w, out / size_h
    matrix = np.array([[sx, 0.0, out / 2.0 - sx * cx], [0.0, sy, out / 2.0 - sy * cy]])
    patch = cv2.warpAffine(image, matrix, (out, out), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return patch.astype(np.float32)


class NCCTracker:
    """Multi-scale NCC template matching with SiamRPN's penalty, window and size update."""

    name = "ncc"
    deterministic = True

    def __init__(self, **params: float) -> None:
        self._p = NCCParams.from_dict(params).to_dict()
        self.template_side = int(self._p["exemplar_size"])
        self.search_side = int(round(self.template_side * float(self._p["instance_factor"])))
        if self.search_side <= self.template_side:
            raise ValueError("ncc: instance_factor must be > 1 (the search region must exceed the template)")
        steps = (-1, 0, 1)
        s, a = float(self._p["scale_step"]), float(self._p["aspect_step"])
        # candidate (width factor, height factor): scale s^i, aspect a^j applied as (sqrt, 1/sqrt)
        self._factors = np.array([(s ** i * a ** (j / 2), s ** i * a ** (-j / 2)) for i in steps for j in steps])
        m = self.search_side - self.template_side + 1
        hann = np.hanning(m)  # pysot: np.outer(np.hanning(score_size), np.hanning(score_size))
        self._window = np.outer(hann, hann).ravel()
        self._map_side = m
        self._state: tuple[float, float, float, float] | None = None

    def params(self) -> dict:
        """The full parameter set (recorded in run manifests)."""
        return dict(self._p)

    def _context_size(self, w: float, h: float) -> float:
        c = float(self._p["context_amount"]) * (w + h)
        return math.sqrt((w + c) * (h + c))

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        x, y, w, h = as_box(region)
        cx, cy = x + w / 2.0, y + h / 2.0
        image = _gray(image)
        self._fill = (float(image.mean()),)
        s_z = self._context_size(w, h)
        self._template = _crop(image, cx, cy, s_z, s_z, self.template_side, self._fill)
        self._state = (cx, cy, float(w), float(h))

    def _scores(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """Response maps of every candidate, flattened ``(candidates * m * m,)``, and ``s_x``."""
        import cv2

        assert self._state is not None
        cx, cy, w, h = self._state
        s_x = self._context_size(w, h) * float(self._p["instance_factor"])
        maps = []
        for fw, fh in self._factors:
            search = _crop(image, cx, cy, s_x * fw, s_x * fh, self.search_side, self._fill)
            maps.append(cv2.matchTemplate(search, self._template, cv2.TM_CCOEFF_NORMED).ravel())
        return np.clip(np.concatenate(maps), 0.0, 1.0), s_x

    def update(self, image: np.ndarray) -> TrackerOutput:
        if self._state is None:
            raise RuntimeError("update() called before init()")
        cx, cy, w, h = self._state
        score, s_x = self._scores(_gray(image))
        n = self._map_side * self._map_side
        fw, fh = np.repeat(self._factors[:, 0], n), np.repeat(self._factors[:, 1], n)
        s_c = _change(_sz(w * fw, h * fh) / _sz(w, h))
        r_c = _change((w / h) / ((w * fw) / (h * fh)))
        penalty = np.exp(-(r_c * s_c - 1.0) * float(self._p["penalty_k"]))
        pscore = penalty * score
        wi = float(self._p["window_influence"])
        pscore = pscore * (1.0 - wi) + np.tile(self._window, len(self._factors)) * wi
        best = int(np.argmax(pscore))
        cand, pos = divmod(best, n)
        row, col = divmod(pos, self._map_side)
        half = (self._map_side - 1) / 2.0
        pixel = s_x / self.search_side  # one search-patch pixel in image pixels (before the factor)
        cx += (col - half) * pixel * self._factors[cand, 0]
        cy += (row - half) * pixel * self._factors[cand, 1]
        rate = float(penalty[best] * score[best] * float(self._p["lr"]))
        w = w * (1.0 - rate) + w * self._factors[cand, 0] * rate
        h = h * (1.0 - rate) + h * self._factors[cand, 1] * rate
        height, width = image.shape[:2]
        cx, cy = min(max(cx, 0.0), width), min(max(cy, 0.0), height)
        w, h = min(max(w, 10.0), width), min(max(h, 10.0), height)
        self._state = (cx, cy, w, h)
        return TrackerOutput(box=np.array([cx - w / 2.0, cy - h / 2.0, w, h]), score=float(score[best]))


def _build(params: NCCParams, options: BuildOptions) -> NCCTracker:
    return NCCTracker(**params.to_dict())


TRACKER = TrackerDef(name="ncc", build=_build, parse=NCCParams.from_dict, stream_params=STREAM_PARAMS,
                     search_space=SEARCH_SPACE, description="weight-free NCC template matching with SiamRPN's knobs")
