"""Drawing on BGR frames with OpenCV: regions, labels, the legend and the frame header.

Pixel convention: a box ``x, y, w, h`` (the benchmark's own numbers, as every toolkit's
visualisation uses them) covers the pixel columns ``round(x) .. round(x + w) - 1`` and rows
``round(y) .. round(y + h) - 1``; its outline is drawn on the outermost pixels of that area and
grows inwards with the thickness, so a drawn box never covers a pixel outside it.  Polygon
vertices are rounded to the nearest pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GT_COLOUR", "FAIL_COLOUR", "hex_to_bgr", "box_pixels", "draw_region", "draw_text", "FrameMark",
           "annotate_frame", "text_scale"]

GT_COLOUR = (255, 255, 255)  # BGR white, outlined in black: visible on any frame and unlike every palette colour
FAIL_COLOUR = (40, 40, 230)
_FONT = 0  # cv2.FONT_HERSHEY_SIMPLEX


def hex_to_bgr(colour: str) -> tuple[int, int, int]:
    """``"#1f77b4"`` -> ``(180, 119, 31)`` (OpenCV's channel order)."""
    c = colour.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"expected a colour like '#1f77b4', got {colour!r}")
    r, g, b = (int(c[i: i + 2], 16) for i in (0, 2, 4))
    return b, g, r


def _is_rect(region: np.ndarray) -> bool:
    return region.size <= 4 or bool(np.isnan(region[4:]).all())


def box_pixels(box) -> tuple[int, int, int, int] | None:
    """``(left, top, right, bottom)`` pixel indices (inclusive) of a box, or ``None`` when it
    covers no pixel or is not finite."""
    x, y, w, h = (float(v) for v in np.asarray(box, dtype=np.float64)[:4])
    if not np.isfinite([x, y, w, h]).all():
        return None
    left, top, right, bottom = round(x), round(y), round(x + w) - 1, round(y + h) - 1
    if right < left or bottom < top:
        return None
    return left, top, right, bottom


def _dashed(img: np.ndarray, pts: np.ndarray, colour, thickness: int, dash: int = 6) -> None:
    import cv2

    for a, b in zip(pts, np.roll(pts, -1, axis=0)):
        length = float(np.hypot(*(b - a)))
        steps = max(1, int(length // dash))
        for i in range(0, steps, 2):
            p = a + (b - a) * (i / steps)
            q = a + (b - a) * (min(i + 1, steps) / steps)
            cv2.line(img, tuple(int(v) for v in np.round(p)), tuple(int(v) for v in np.round(q)), colour, thickness)


def draw_region(img: np.ndarray, region, colour, thickness: int = 2, dashed: bool = False) -> bool:
    """Draw a box (4 numbers) or polygon (``2n`` numbers, NaN-padded) on ``img`` in place;
    returns False when there is nothing to draw (NaN, empty box)."""
    import cv2

    r = np.asarray(region, dtype=np.float64).ravel()
    if r.size == 0 or np.isnan(r[:4]).any():
        return False
    if _is_rect(r):
        px = box_pixels(r)
        if px is None:
            return False
        left, top, right, bottom = px
        for k in range(max(1, thickness)):  # inwards, one pixel ring at a time
            if right - k < left + k or bottom - k < top + k:
                break
            corners = np.array([[left + k, top + k], [right - k, top + k], [right - k, bottom - k],
                                [left + k, bottom - k]], dtype=np.int32)
            if dashed:
                _dashed(img, corners, colour, 1)
            else:
                cv2.rectangle(img, (left + k, top + k), (right - k, bottom - k), colour, 1)
        return True
    values = r[~np.isnan(r)]
    pts = np.round(values.reshape(-1, 2)).astype(np.int32)
    if dashed:
        _dashed(img, pts, colour, thickness)
    else:
        cv2.polylines(img, [pts], True, colour, thickness, cv2.LINE_AA)
    return True


def text_scale(height: int) -> float:
    """Font scale readable on a frame ``height`` pixels high (0.4 at 240 px, 0.9 at 1080 px)."""
    return float(np.clip(height / 1200.0, 0.4, 0.9))


def _line_height(scale: float) -> int:
    """Height of one background-filled text line of ``draw_text``."""
    import cv2

    (_, h), base = cv2.getTextSize("Ag", _FONT, scale, 1 if scale < 0.7 else 2)
    return h + base + 2 * max(2, int(4 * scale))


def draw_text(img: np.ndarray, text: str, org: tuple[int, int], colour, scale: float,
              background=(0, 0, 0)) -> tuple[int, int]:
    """``text`` with its top-left corner at ``org`` on a filled background; returns its (width, height)."""
    import cv2

    thickness = 1 if scale < 0.7 else 2
    (w, h), base = cv2.getTextSize(text, _FONT, scale, thickness)
    x, y = org
    pad = max(2, int(4 * scale))
    if background is not None:
        cv2.rectangle(img, (x, y), (x + w + 2 * pad, y + h + base + 2 * pad), background, -1)
    cv2.putText(img, text, (x + pad, y + pad + h), _FONT, scale, colour, thickness, cv2.LINE_AA)
    return w + 2 * pad, h + base + 2 * pad


@dataclass(frozen=True)
class FrameMark:
    """One run on one frame: what to draw and what its legend line says."""

    name: str
    colour: tuple[int, int, int]
    region: np.ndarray | None
    iou: float = float("nan")
    code: int | None = None  # VOT: 0 skipped, 1 (re-)init, 2 failure; None: a region
    dashed: bool = False

    def status(self) -> str:
        """``IoU 0.71``, ``failure``, ``re-init``, ``skipped`` or ``no box``."""
        if self.code == 2:
            return "FAILURE"
        if self.code == 1:
            return "re-init"
        if self.code == 0:
            return "skipped"
        if self.region is None or not np.isfinite(self.iou):
            return "IoU -" if self.region is not None else "no box"
        return f"IoU {self.iou:.2f}"


def _draw_gt(img: np.ndarray, gt, thickness: int) -> None:
    if draw_region(img, gt, (0, 0, 0), thickness + 2):  # black halo, then the white line inside it
        r = np.asarray(gt, dtype=np.float64).ravel()
        if _is_rect(r):
            left, top, right, bottom = box_pixels(r)
            inner = np.array([left + 1, top + 1, right - left - 1, bottom - top - 1], dtype=np.float64)
            draw_region(img, inner, GT_COLOUR, thickness)
        else:
            draw_region(img, r, GT_COLOUR, thickness)


def annotate_frame(frame: np.ndarray, header: str, gt, marks: list[FrameMark], *, thickness: int = 2,
                   legend: bool = True) -> np.ndarray:
    """A copy of ``frame`` with the ground truth, each run's region, a header (sequence and frame
    number) and a legend (each run's name and IoU, failure or re-init)."""
    img = np.ascontiguousarray(frame.copy())
    if gt is not None:
        _draw_gt(img, gt, thickness)
    for m in marks:
        if m.region is not None and m.code is None:
            draw_region(img, m.region, m.colour, thickness, m.dashed)
    scale = text_scale(img.shape[0])
    draw_text(img, header, (0, 0), (255, 255, 255), scale)
    if not legend:
        return img
    lines = [("ground truth", GT_COLOUR, (0, 0, 0))]
    lines += [(f"{m.name}  {m.status()}", m.colour, FAIL_COLOUR if m.code == 2 else (0, 0, 0)) for m in marks]
    line_h = _line_height(scale)
    y = img.shape[0] - line_h * len(lines)
    for text, colour, background in lines:
        draw_text(img, text, (0, max(0, y)), colour if background != FAIL_COLOUR else (255, 255, 255), scale,
                  background)
        y += line_h
    if any(m.code == 2 for m in marks):  # a failure frame: a red border the eye catches in a video
        import cv2

        cv2.rectangle(img, (0, 0), (img.shape[1] - 1, img.shape[0] - 1), FAIL_COLOUR, max(2, thickness))
    return img
