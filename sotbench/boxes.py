"""The box convention of sotbench and every conversion between conventions.

A box is ``(x, y, w, h)``: float, top-left corner and size, in the benchmark's own
coordinates exactly as its files give them (OTB/UAV/LaSOT are 1-based MATLAB values and are
*not* shifted; every toolkit uses them as they are).  A *region* is either such a box or a
polygon of 8 numbers ``x1, y1, ..., x4, y4`` (VOT).  In ``(N, 8)`` region arrays a rectangle
row carries its 4 numbers in columns 0-3 and NaN in columns 4-7.

Pixel conventions differ between toolkits (continuous ``x + w`` vs inclusive ``x + w - 1``);
the metric code selects one by parameter and uses the helpers here.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_boxes",
    "xywh_to_xyxy",
    "xyxy_to_xywh",
    "is_polygon",
    "region_to_polygon",
    "polygon_bounds",
    "axis_aligned_pysot",
    "axis_aligned_mmtrack",
    "iou",
    "center",
]


def as_boxes(boxes: np.ndarray | list) -> np.ndarray:
    """Return ``boxes`` as a float64 ``(N, 4)`` array (a single box becomes ``(1, 4)``)."""
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"expected boxes of shape (N, 4), got {arr.shape}")
    return arr


def xywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """``(x, y, w, h)`` -> ``(x1, y1, x2, y2)`` with ``x2 = x + w`` (continuous convention)."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([b[..., :2], b[..., :2] + b[..., 2:4]], axis=-1)


def xyxy_to_xywh(boxes: np.ndarray) -> np.ndarray:
    """``(x1, y1, x2, y2)`` -> ``(x, y, w, h)`` with ``w = x2 - x1``."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([b[..., :2], b[..., 2:4] - b[..., :2]], axis=-1)


def is_polygon(region: np.ndarray) -> bool:
    """True when a single region row is an 8-number polygon (not a NaN-padded rectangle)."""
    r = np.asarray(region, dtype=np.float64).ravel()
    return r.size >= 8 and not np.isnan(r[4:8]).all()


def region_to_polygon(region: np.ndarray, inclusive: bool = False) -> np.ndarray:
    """One region -> its 8 corner numbers; rectangles span ``x .. x+w`` (``x+w-1`` if inclusive)."""
    r = np.asarray(region, dtype=np.float64).ravel()
    if is_polygon(r):
        return r[:8].copy()
    x, y, w, h = r[:4]
    d = 1.0 if inclusive else 0.0
    x2, y2 = x + w - d, y + h - d
    return np.array([x, y, x2, y, x2, y2, x, y2], dtype=np.float64)


def polygon_bounds(region: np.ndarray) -> np.ndarray:
    """Axis-aligned bounding box ``(x, y, w, h)`` of one region (min/max of the corners)."""
    r = np.asarray(region, dtype=np.float64).ravel()
    if not is_polygon(r):
        return r[:4].copy()
    xs, ys = r[0:8:2], r[1:8:2]
    return np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])


def _polygon_fit(poly: np.ndarray) -> tuple[float, float, float, float, float]:
    """Centre, bounding extent and the area-preserving scale used by pysot and mmtracking."""
    cx, cy = float(poly[0:8:2].mean()), float(poly[1:8:2].mean())
    x1, x2 = float(poly[0:8:2].min()), float(poly[0:8:2].max())
    y1, y2 = float(poly[1:8:2].min()), float(poly[1:8:2].max())
    a1 = float(np.linalg.norm(poly[0:2] - poly[2:4]) * np.linalg.norm(poly[2:4] - poly[4:6]))
    a2 = (x2 - x1) * (y2 - y1)
    s = float(np.sqrt(a1 / a2))
    return cx, cy, x2 - x1, y2 - y1, s


def axis_aligned_pysot(region: np.ndarray) -> tuple[float, float, float, float]:
    """pysot ``get_axis_aligned_bbox``: ``(cx, cy, w, h)``; polygons get ``w = s*(x2-x1) + 1``."""
    r = np.asarray(region, dtype=np.float64).ravel()
    if is_polygon(r):
        cx, cy, bw, bh, s = _polygon_fit(r)
        return cx, cy, s * bw + 1.0, s * bh + 1.0
    x, y, w, h = (float(v) for v in r[:4])
    return x + w / 2, y + h / 2, w, h


def axis_aligned_mmtrack(region: np.ndarray) -> tuple[float, float, float, float]:
    """mmtracking ``quad2bbox``: like pysot but without the ``+1`` on polygon sizes."""
    r = np.asarray(region, dtype=np.float64).ravel()
    if is_polygon(r):
        cx, cy, bw, bh, s = _polygon_fit(r)
        return cx, cy, s * bw, s * bh
    x, y, w, h = (float(v) for v in r[:4])
    return x + w / 2, y + h / 2, w, h


def center(boxes: np.ndarray, offset: float = -0.5) -> np.ndarray:
    """Box centres ``x + w/2 + offset``; the default gives pysot/got10k's ``x + (w-1)/2``."""
    b = np.asarray(boxes, dtype=np.float64)
    return b[..., :2] + b[..., 2:4] / 2 + offset


def iou(a: np.ndarray, b: np.ndarray, inclusive: bool = False) -> np.ndarray:
    """Row-wise IoU of two ``(N, 4)`` box arrays; ``inclusive`` uses the ``+1`` pixel convention."""
    a, b = as_boxes(a), as_boxes(b)
    d = 1.0 if inclusive else 0.0
    left = np.maximum(a[:, 0], b[:, 0])
    top = np.maximum(a[:, 1], b[:, 1])
    right = np.minimum(a[:, 0] + a[:, 2] - d, b[:, 0] + b[:, 2] - d)
    bottom = np.minimum(a[:, 1] + a[:, 3] - d, b[:, 1] + b[:, 3] - d)
    inter = np.maximum(0.0, right - left + d) * np.maximum(0.0, bottom - top + d)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = inter / union
    return np.clip(out, 0.0, 1.0)


def _as_points(region: np.ndarray) -> np.ndarray:
    """A region as a counter-clockwise ``(k, 2)`` vertex array."""
    poly = region_to_polygon(region).reshape(-1, 2)
    if _signed_area(poly) < 0:
        poly = poly[::-1]
    return poly


def _signed_area(pts: np.ndarray) -> float:
    if len(pts) < 3:
        return 0.0
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _clip(subject: np.ndarray, clipper: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: ``subject`` clipped by the convex, counter-clockwise ``clipper``."""
    out = subject
    for i in range(len(clipper)):
        if len(out) == 0:
            break
        a, b = clipper[i], clipper[(i + 1) % len(clipper)]
        edge = b - a
        side = edge[0] * (out[:, 1] - a[1]) - edge[1] * (out[:, 0] - a[0])
        inside = side >= 0
        pts = []
        for j in range(len(out)):
            p, q = out[j], out[(j + 1) % len(out)]
            sp, sq = side[j], side[(j + 1) % len(out)]
            if inside[j]:
                pts.append(p)
            if inside[j] != (sq >= 0):
                t = sp / (sp - sq)
                pts.append(p + t * (q - p))
        out = np.array(pts).reshape(-1, 2)
    return out


def polygon_iou(a: np.ndarray, b: np.ndarray, bounds: tuple[float, float] | None = None) -> float:
    """Continuous IoU of two regions (boxes or convex polygons), optionally inside ``(W, H)``.

    Used to detect failures in the reset protocol (overlap 0 means failure); the toolkits'
    rasterised overlaps for the VOT metrics live in ``sotbench.metrics``.
    """
    pa, pb = _as_points(a), _as_points(b)
    if bounds is not None:
        w, h = bounds
        frame = np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]])
        pa, pb = _clip(pa, frame), _clip(pb, frame)
    area_a, area_b = abs(_signed_area(pa)), abs(_signed_area(pb))
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = abs(_signed_area(_clip(pa, pb)))
    return float(inter / (area_a + area_b - inter))
