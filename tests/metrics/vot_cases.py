"""Random and adversarial regions and reset-protocol trajectories for the VOT metric tests."""

from __future__ import annotations

import numpy as np

WIDTH = 24  # numbers per region row (up to 12-vertex polygons)


def _row(values) -> np.ndarray:
    row = np.full(WIDTH, np.nan)
    row[: len(values)] = values
    return row


def _rect(rng, w_img, h_img) -> list[float]:
    x, y = rng.uniform(-0.3 * w_img, 1.1 * w_img), rng.uniform(-0.3 * h_img, 1.1 * h_img)
    w, h = rng.uniform(-3, 0.6 * w_img), rng.uniform(-3, 0.6 * h_img)
    vals = [x, y, w, h]
    snap = rng.random(4)
    for i in range(4):  # exact integers and exact halves exercise every rounding rule
        if snap[i] < 0.25:
            vals[i] = float(np.round(vals[i]))
        elif snap[i] < 0.5:
            vals[i] = float(np.floor(vals[i])) + 0.5
    return vals


def _polygon(rng, w_img, h_img) -> list[float]:
    kind = rng.integers(0, 6)
    cx, cy = rng.uniform(-0.2 * w_img, 1.2 * w_img), rng.uniform(-0.2 * h_img, 1.2 * h_img)
    if kind <= 1:  # rotated rectangle, as in the VOT ground truth
        a, w, h = rng.uniform(0, np.pi), rng.uniform(0.5, 0.5 * w_img), rng.uniform(0.5, 0.5 * h_img)
        c, s = np.cos(a), np.sin(a)
        pts = [(cx + c * dx - s * dy, cy + s * dx + c * dy) for dx, dy in
               ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))]
    elif kind == 2:  # axis-aligned polygon (horizontal edges), sometimes with half coordinates
        x0, y0 = np.floor(cx) + rng.choice([0, 0.5]), np.floor(cy) + rng.choice([0, 0.5])
        w, h = rng.integers(0, 40), rng.integers(0, 40)
        pts = [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]
    elif kind == 3:  # arbitrary (often non-convex, self-intersecting) polygon
        n = rng.integers(3, 13)
        pts = [(cx + rng.normal(0, 20), cy + rng.normal(0, 20)) for _ in range(n)]
    elif kind == 4:  # thin sliver / degenerate: collinear or repeated points
        pts = [(cx, cy), (cx + rng.uniform(0, 30), cy + rng.uniform(-1, 1)), (cx, cy)]
        if rng.random() < 0.5:
            pts.append((cx + rng.uniform(0, 3), cy + rng.uniform(0, 30)))
    else:  # integer lattice polygon: many nodes exactly on rows
        n = rng.integers(3, 7)
        pts = [(float(rng.integers(-5, 30)) + cx // 1, float(rng.integers(-5, 30)) + cy // 1) for _ in range(n)]
    return [v for p in pts for v in p]


def random_regions(rng, n: int, size: tuple[int, int], special_share: float = 0.1):
    """``n`` rows of mixed rectangles / polygons (``(n, WIDTH)``) and a mask of code rows."""
    w_img, h_img = size
    rows, special = [], []
    for _ in range(n):
        r = rng.random()
        special.append(r < special_share)
        rows.append(_row(_rect(rng, w_img, h_img) if r < 0.55 else _polygon(rng, w_img, h_img)))
    return np.array(rows), np.array(special)


def near(rng, gt_row: np.ndarray, jitter: float) -> np.ndarray:
    """A rectangle around a ground-truth region, jittered (a plausible tracker output)."""
    vals = gt_row[~np.isnan(gt_row)]
    if vals.size == 4:
        x, y, w, h = vals
    else:
        xs, ys = vals[0::2], vals[1::2]
        x, y, w, h = xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()
    d = rng.normal(0, jitter, 4) * np.array([w, h, w, h])
    return _row([x + d[0], y + d[1], max(w + d[2], 0.5), max(h + d[3], 0.5)])


def reset_run(rng, gt: np.ndarray, fail_prob: float, skip: int = 5) -> list:
    """A reset-protocol run as per-frame entries: 1 / box / 2 / 0 ... 0 / 1 / box ..."""
    n = gt.shape[0]
    out: list = []
    restart = 0
    for i in range(n):
        if i < restart:
            out.append(0)
        elif i == restart:
            out.append(1)
        elif rng.random() < fail_prob:
            out.append(2)
            restart = i + skip
        else:
            out.append(list(near(rng, gt[i], 0.15)[:4]))
    return out


def paired_regions(rng, n: int, size: tuple[int, int]):
    """Prediction / ground-truth pairs: a third identical, a third slightly moved, a third
    independent -- so that overlaps of 0, 1 and everything between occur often."""
    pred, special = random_regions(rng, n, size)
    gt, _ = random_regions(rng, n, size, special_share=0.0)
    gt[::3] = pred[::3]
    moved = pred[1::3] + rng.normal(0, 2.0, pred[1::3].shape)
    moved[:, 2:4] = np.where(np.isnan(pred[1::3, 4:6]), pred[1::3, 2:4] * rng.uniform(0.7, 1.3, (moved.shape[0], 2)),
                             moved[:, 2:4])
    gt[1::3] = moved
    return pred, special, gt
