"""Per-frame region overlap exactly as the VOT toolkits compute it (rasterised, bounded).

Two conventions, selected by ``mode``:

``"trax"`` -- the trax C library bundled with pysot (``toolkit/utils/region.pyx`` +
``src/region.c``, non-legacy rasterisation).  A rectangle ``x,y,w,h`` becomes the polygon with
corners ``x`` and ``x + w`` (so it covers ``w + 1`` pixel columns once filled inclusively);
coordinates are stored as float32; each region's bounding box is floored/ceiled and cut by the
bounds ``(W, H)`` which cover pixels ``0 .. W`` *inclusive*; regions whose boxes do not overlap
(touching boxes included) give 0; the polygons are shifted to the union box, their vertices
rounded half away from zero and scan-line filled.  The result is the float32 quotient
``|A & B| / |A | B|`` (NaN when both masks are empty); a code frame (init / failure / skipped)
gives NaN.

``"votpy"`` -- the Python VOT toolkit (``vot.region.raster.calculate_overlap``, used by
mmtracking too).  Rectangles are rounded (half to even) and cover columns ``x .. x + w - 1``;
polygon vertices are rounded and scan-line filled; bounds ``(W, H)`` restrict the raster to
pixels ``0 .. W-1``.  An empty union box gives 1, a union box outside the bounds 0, an empty
union 0.  Code frames are empty regions (overlap normally 0).

``bounds`` is ``(W, H)`` (or an ``(N, 2)`` array, or ``None`` for no bound) and is used as the
respective toolkit uses the tuple it is given: pysot passes ``(W, H)`` for accuracy and
``(W - 1, H - 1)`` for EAO; the Python toolkit passes ``(W, H)``.
"""

import numpy as np

from sotbench.metrics.overlap_trax import trax_overlaps
from sotbench.metrics.overlap_votpy import votpy_overlaps

__all__ = ["OVERLAP_MODES", "region_overlaps", "region_overlaps_multi", "region_kinds"]

OVERLAP_MODES = ("trax", "votpy")


def region_kinds(regions: np.ndarray, special: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row: kind (0 code/empty, 1 rectangle, 2 polygon) and number of polygon vertices."""
    r = np.asarray(regions, dtype=np.float64)
    finite = np.isfinite(r)
    count = finite.sum(axis=1)
    kind = np.where(count == 4, 1, np.where((count >= 6) & (count % 2 == 0), 2, 0))
    kind[count == 0] = 0
    if special is not None:
        kind[np.asarray(special, dtype=bool)] = 0
    nv = np.where(kind == 2, count // 2, np.where(kind == 1, 4, 0))
    return kind.astype(np.int8), nv.astype(np.int64)


def _bounds_array(bounds, n: int) -> np.ndarray | None:
    if bounds is None:
        return None
    b = np.asarray(bounds, dtype=np.float64)
    if b.shape == (2,):
        b = np.broadcast_to(b, (n, 2))
    if b.shape != (n, 2):
        raise ValueError(f"bounds must be (W, H) or an (N, 2) array, got shape {b.shape}")
    return b


def region_overlaps(pred: np.ndarray, gt: np.ndarray, bounds=None, *, mode: str,
                    pred_special: np.ndarray | None = None) -> np.ndarray:
    """Per-frame overlap of two ``(N, K)`` region arrays (rectangle rows NaN-padded).

    ``mode``: ``"trax"`` (pysot) or ``"votpy"`` (Python VOT toolkit, mmtracking); ``bounds``:
    ``(W, H)``, an ``(N, 2)`` array or ``None``; ``pred_special``: rows of ``pred`` that are
    codes (all-NaN rows are codes anyway).  Returns float64 ``(N,)``.
    """
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.ndim != 2 or gt.ndim != 2 or pred.shape[0] != gt.shape[0]:
        raise ValueError(f"region arrays must be (N, K) with the same N, got {pred.shape} and {gt.shape}")
    if mode not in OVERLAP_MODES:
        raise ValueError(f"unknown overlap mode {mode!r}, known: {', '.join(OVERLAP_MODES)}")
    kinds_p, kinds_g = region_kinds(pred, pred_special), region_kinds(gt)
    b = _bounds_array(bounds, pred.shape[0])
    fn = trax_overlaps if mode == "trax" else votpy_overlaps
    return fn(pred, gt, kinds_p, kinds_g, b)


def _extent(regions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest x and y any region reaches (rectangles: both ends), NaN-safe."""
    r = np.asarray(regions, dtype=np.float64)
    rect = np.isnan(r[:, 4:]).all(axis=1) if r.shape[1] > 4 else np.ones(r.shape[0], dtype=bool)
    xs = np.where(rect[:, None], np.stack([r[:, 0], r[:, 0] + r[:, 2]], axis=1), np.nan)
    ys = np.where(rect[:, None], np.stack([r[:, 1], r[:, 1] + r[:, 3]], axis=1), np.nan)
    with np.errstate(invalid="ignore"):
        mx = np.fmax(np.nanmax(np.where(rect[:, None], np.nan, r[:, 0::2]), axis=1, initial=-np.inf), xs.max(axis=1))
        my = np.fmax(np.nanmax(np.where(rect[:, None], np.nan, r[:, 1::2]), axis=1, initial=-np.inf), ys.max(axis=1))
    return mx, my


def region_overlaps_multi(pred: np.ndarray, gt: np.ndarray, bounds_list: list, *, mode: str,
                          pred_special: np.ndarray | None = None) -> list[np.ndarray]:
    """:func:`region_overlaps` under several bounds (e.g. pysot's ``(W, H)`` and ``(W-1, H-1)``).

    Bounds only matter for regions that reach the right or bottom border, so after the first
    bounds only the frames that come within 3 pixels of the smallest bound are recomputed.
    """
    first = region_overlaps(pred, gt, bounds_list[0], mode=mode, pred_special=pred_special)
    out = [first]
    if len(bounds_list) == 1:
        return out
    finite = [b for b in bounds_list if b is not None]
    n = np.asarray(pred).shape[0]
    if len(finite) != len(bounds_list):
        redo = np.ones(n, dtype=bool)
    else:
        lim = np.min([_bounds_array(b, n) for b in finite], axis=0)
        (px, py), (gx, gy) = _extent(pred), _extent(gt)
        with np.errstate(invalid="ignore"):
            mx, my = np.fmax(px, gx), np.fmax(py, gy)
            redo = ~((np.ceil(mx) + 3 < lim[:, 0]) & (np.ceil(my) + 3 < lim[:, 1]))
    special = None if pred_special is None else np.asarray(pred_special, dtype=bool)[redo]
    for b in bounds_list[1:]:
        ov = first.copy()
        if redo.any():
            bb = _bounds_array(b, n)
            ov[redo] = region_overlaps(np.asarray(pred)[redo], np.asarray(gt)[redo],
                                       None if bb is None else bb[redo], mode=mode, pred_special=special)
        out.append(ov)
    return out
