"""Failure galleries and contact sheets: where each run lost the target, as one PNG.

``worst_frames`` picks, per run, the ``k`` frames where the overlap drops the most or the target
is lost: each scored frame gets the drop of its overlap below the best overlap of the
``window`` frames before it, a lost frame (overlap 0; VOT: a failure) counts as the largest drop
(1 + the drop, so the first frames of a loss come first), and frames are taken best first with
no two closer than ``gap`` frames (one event, one tile).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sotbench.visual.draw import FrameMark, annotate_frame, draw_text, hex_to_bgr, text_scale
from sotbench.visual.tracks import Track

__all__ = ["worst_frames", "drop_scores", "contact_sheet", "tile", "gallery_image", "TILE_SIZE"]

TILE_SIZE = (320, 240)  # (width, height) of one gallery tile


def drop_scores(iou: np.ndarray, lost: np.ndarray, window: int = 10) -> np.ndarray:
    """Per frame: how far the overlap fell below the best of the ``window`` frames before it
    (lost frames: 1 + that drop; frames that are not scored: -inf)."""
    iou = np.asarray(iou, dtype=np.float64)
    n = len(iou)
    filled = np.where(np.isfinite(iou), iou, -np.inf)
    best_before = np.full(n, -np.inf)
    for k in range(1, window + 1):  # a sliding maximum over the frames before each frame
        best_before[k:] = np.maximum(best_before[k:], filled[:-k])
    drop = np.where(np.isfinite(best_before), best_before - np.nan_to_num(iou, nan=0.0), 0.0)
    score = np.maximum(drop, 0.0) + np.asarray(lost, dtype=bool)
    return np.where(np.isfinite(iou) | np.asarray(lost, dtype=bool), score, -np.inf)


def worst_frames(iou: np.ndarray, lost: np.ndarray, k: int = 12, gap: int | None = None,
                 window: int = 10) -> list[int]:
    """Up to ``k`` frame indices, in frame order, where the overlap drops the most or the target is lost."""
    score = drop_scores(iou, lost, window)
    n = len(score)
    gap = max(1, n // (4 * max(k, 1))) if gap is None else gap
    order = np.lexsort((np.arange(n), -score))  # highest score first, earliest frame on ties
    taken: list[int] = []
    blocked = np.zeros(n, dtype=bool)
    for i in order:
        if len(taken) >= k or not np.isfinite(score[i]) or score[i] <= 0:
            break
        if blocked[i]:
            continue
        taken.append(int(i))
        blocked[max(0, i - gap + 1): i + gap] = True
    return sorted(taken)


def _crop_box(regions: list[np.ndarray], shape: tuple[int, int], aspect: float) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)``: the regions' joint bounding box with context, at ``aspect`` (w/h), in the image."""
    h_img, w_img = shape
    pts = [r[~np.isnan(r)].reshape(-1, 2) if r.size > 4 and not np.isnan(r[4:]).all()
           else np.array([[r[0], r[1]], [r[0] + r[2], r[1] + r[3]]]) for r in regions if r is not None]
    pts = [p for p in pts if np.isfinite(p).all()]
    if not pts:
        return 0, 0, w_img, h_img
    allp = np.concatenate(pts)
    (x0, y0), (x1, y1) = allp.min(axis=0), allp.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, 16) * 1.8, max(y1 - y0, 16) * 1.8
    w, h = max(w, h * aspect), max(h, w / aspect)
    w, h = min(w, w_img), min(h, h_img)
    left = int(round(np.clip(cx - w / 2, 0, w_img - w)))
    top = int(round(np.clip(cy - h / 2, 0, h_img - h)))
    return left, top, left + int(round(w)), top + int(round(h))


def _moved(region: np.ndarray | None, left: int, top: int, scale: float) -> np.ndarray | None:
    """``region`` in the coordinates of a crop at ``(left, top)`` resized by ``scale``."""
    if region is None:
        return None
    r = np.asarray(region, dtype=np.float64).copy()
    if r.size > 4 and not np.isnan(r[4:]).all():
        r[0::2] = (r[0::2] - left) * scale
        r[1::2] = (r[1::2] - top) * scale
    else:
        r[:4] = [(r[0] - left) * scale, (r[1] - top) * scale, r[2] * scale, r[3] * scale]
    return r


def tile(frame: np.ndarray, gt, mark: FrameMark, caption: str, size: tuple[int, int] = TILE_SIZE) -> np.ndarray:
    """One gallery tile: the frame cropped around the ground truth and the run's region, boxes drawn
    after resizing (so they stay sharp), and a caption."""
    import cv2

    width, height = size
    regions = [np.asarray(gt, dtype=np.float64).ravel() if gt is not None else None, mark.region]
    x0, y0, x1, y1 = _crop_box(regions, frame.shape[:2], width / height)
    crop = frame[y0:y1, x0:x1]
    scale = min(width / max(1, crop.shape[1]), height / max(1, crop.shape[0]))
    resized = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.zeros((height, width, 3), np.uint8)
    canvas[: resized.shape[0], : resized.shape[1]] = resized
    moved = FrameMark(mark.name, mark.colour, _moved(mark.region, x0, y0, scale), mark.iou, mark.code, mark.dashed)
    return annotate_frame(canvas, caption, _moved(regions[0], x0, y0, scale), [moved], legend=False)


def contact_sheet(tiles: list[np.ndarray], columns: int, title: str | None = None, gap: int = 4) -> np.ndarray:
    """Tiles (all one size) in a grid of ``columns``, on a white page, under an optional title strip."""
    if not tiles:
        raise ValueError("a contact sheet needs at least one tile")
    th, tw = tiles[0].shape[:2]
    columns = max(1, min(columns, len(tiles)))
    rows = -(-len(tiles) // columns)
    sheet = np.full((rows * (th + gap) + gap, columns * (tw + gap) + gap, 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, columns)
        y, x = gap + r * (th + gap), gap + c * (tw + gap)
        sheet[y: y + th, x: x + tw] = t
    if title is None:
        return sheet
    scale = text_scale(th * 2)
    probe = np.full((200, sheet.shape[1], 3), 255, np.uint8)
    _, h = draw_text(probe, title, (gap, 0), (0, 0, 0), scale, None)
    strip = probe[: h + gap]
    return np.concatenate([strip, sheet])


def gallery_image(seq, tracks: list[Track], frame: Callable[[int], np.ndarray], k: int = 12,
                  columns: int = 6, size: tuple[int, int] = TILE_SIZE) -> np.ndarray:
    """The failure gallery of one sequence: for each run a titled row block of its ``k`` worst frames
    (``frame(i)`` decodes frame ``i``; each frame is decoded once)."""
    cache: dict[int, np.ndarray] = {}

    def get(i: int) -> np.ndarray:
        if i not in cache:
            cache[i] = frame(i)
        return cache[i]

    blocks = []
    for t in tracks:
        picked = worst_frames(t.overlap.iou, t.overlap.lost, k)
        colour = hex_to_bgr(t.colour)
        if not picked:
            tiles = [np.full((size[1], size[0], 3), 235, np.uint8)]
            draw_text(tiles[0], "no overlap drop or loss", (4, size[1] // 2), (0, 0, 0), 0.45, None)
        else:
            tiles = []
            for i in picked:
                code = _failure_code(t, i)
                mark = FrameMark(t.name, colour, t.region(i) if code is None else None, float(t.overlap.iou[i]),
                                 code, t.dashed)
                what = "FAILURE" if code == 2 else ("lost, IoU 0" if t.overlap.lost[i] else f"IoU {t.overlap.iou[i]:.2f}")
                tiles.append(tile(get(i), seq.gt[i] if i < len(seq.gt) else None, mark, f"#{i + 1} {what}", size))
        mean = t.overlap.mean
        title = f"{seq.name} - {t.name}: mean IoU {mean:.3f}" if np.isfinite(mean) else f"{seq.name} - {t.name}"
        blocks.append(contact_sheet(tiles, columns, title))
    width = max(b.shape[1] for b in blocks)
    padded = [np.concatenate([b, np.full((b.shape[0], width - b.shape[1], 3), 255, np.uint8)], axis=1) for b in blocks]
    return np.concatenate(padded)


def _failure_code(track: Track, frame: int) -> int | None:
    """2 on a VOT failure frame (the tile shows where the target was), else ``None``."""
    return 2 if track.code(frame) == 2 else None
