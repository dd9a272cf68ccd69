"""Drawing lands on the right pixels; the failure frames are the ones where the overlap drops or is lost."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.visual.draw import GT_COLOUR, FrameMark, annotate_frame, box_pixels, draw_region, hex_to_bgr
from sotbench.visual.gallery import contact_sheet, worst_frames

RED = (0, 0, 255)


def _coloured(img: np.ndarray, colour=RED) -> np.ndarray:
    return (img == np.array(colour, np.uint8)).all(axis=2)


def test_a_box_is_drawn_on_its_outermost_pixels():
    img = np.zeros((60, 80, 3), np.uint8)
    assert draw_region(img, [10, 20, 30, 15], RED, thickness=1)
    on = _coloured(img)
    # columns 10..39, rows 20..34: the outline is exactly the border of that area
    assert on[20, 10:40].all() and on[34, 10:40].all() and on[20:35, 10].all() and on[20:35, 39].all()
    assert not on[19].any() and not on[35].any() and not on[:, 9].any() and not on[:, 40].any()
    assert not on[21:34, 11:39].any()  # nothing inside
    assert on.sum() == 2 * 30 + 2 * 13


def test_thickness_grows_inwards_never_outside_the_box():
    img = np.zeros((60, 80, 3), np.uint8)
    draw_region(img, [10.4, 19.6, 30, 15], RED, thickness=3)  # rounds to columns 10..39, rows 20..34
    on = _coloured(img)
    assert on[20:23, 10:40].all() and on[32:35, 10:40].all() and on[20:35, 37:40].all()
    assert not on[23:32, 13:37].any()
    ys, xs = np.nonzero(on)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (20, 34, 10, 39)


def test_polygon_vertices_and_empty_regions():
    img = np.zeros((60, 80, 3), np.uint8)
    assert draw_region(img, [40, 5, 70, 30, 40, 55, 10, 30], (255, 0, 0), thickness=1)
    blue = (img[:, :, 0] > 0)
    assert blue[5, 40] and blue[30, 70] and blue[55, 40] and blue[30, 10] and not blue[30, 40]
    blank = np.zeros((10, 10, 3), np.uint8)
    assert not draw_region(blank, [np.nan] * 4, RED) and not draw_region(blank, [2, 2, 0, 5], RED)
    assert not blank.any() and box_pixels([1, 1, 0.2, 3]) is None


def test_annotated_frame_has_ground_truth_run_box_header_and_failure_border():
    frame = np.full((240, 320, 3), 90, np.uint8)
    mark = FrameMark("A", RED, np.array([100.0, 100, 50, 40]), iou=0.5)
    img = annotate_frame(frame, "seq #1/10", np.array([60.0, 50, 40, 30]), [mark])
    assert (frame == 90).all()  # the input is not drawn on
    white = _coloured(img, GT_COLOUR)
    assert white[51, 61:99].all() and white[78, 61:99].all() and not white[54:76, 64:95].any()  # inside its halo
    assert _coloured(img, (0, 0, 0))[50, 60]  # the halo is the box's outermost pixel
    assert _coloured(img)[100, 100:150].all() and _coloured(img)[139, 100:150].all()
    assert (img[:12, :60] != 90).any()  # header text
    failed = annotate_frame(frame, "x", None, [FrameMark("A", RED, None, code=2)])
    assert (failed[0, 100] == (40, 40, 230)).all() and (failed[239, 100] == (40, 40, 230)).all()


def test_hex_colours_in_opencv_order():
    assert hex_to_bgr("#1f77b4") == (180, 119, 31)
    with pytest.raises(ValueError, match="#1f77b4"):
        hex_to_bgr("blue")


def test_worst_frames_prefer_losses_then_the_largest_drops_one_per_event():
    iou = np.full(200, 0.8)
    iou[30] = 0.3                 # a drop of 0.5
    iou[100:140] = 0.0            # lost for 40 frames
    iou[170] = 0.6                # a small drop
    iou[5] = np.nan               # not scored
    picked = worst_frames(iou, iou == 0, k=3, gap=20)
    assert picked == [30, 100, 120]  # the loss first (its first frame), a later frame of it, then the drop
    assert worst_frames(iou, iou == 0, k=2, gap=50) == [30, 100]
    assert worst_frames(np.full(10, 0.7), np.zeros(10, bool), k=4) == []  # nothing drops: nothing to show


def test_contact_sheet_layout():
    tiles = [np.full((20, 30, 3), i * 40, np.uint8) for i in range(5)]
    sheet = contact_sheet(tiles, columns=3, gap=2)
    assert sheet.shape == (2 * 22 + 2, 3 * 32 + 2, 3)
    assert (sheet[2:22, 2:32] == 0).all() and (sheet[24:44, 34:64] == 160).all()
    assert (sheet[24:44, 66:96] == 255).all()  # the sixth slot is empty page
