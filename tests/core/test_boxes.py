"""Box conventions and conversions, checked on hand-computed cases."""

from fractions import Fraction

import numpy as np
import pytest

from sotbench import boxes


def test_xywh_xyxy_roundtrip():
    b = np.array([[1.5, 2.0, 10.0, 4.0]])
    assert boxes.xywh_to_xyxy(b).tolist() == [[1.5, 2.0, 11.5, 6.0]]
    np.testing.assert_array_equal(boxes.xyxy_to_xywh(boxes.xywh_to_xyxy(b)), b)


@pytest.mark.parametrize(
    "a, b, inclusive, expected",
    [
        ([0, 0, 10, 10], [5, 5, 10, 10], False, Fraction(25, 175)),
        ([0, 0, 10, 10], [5, 5, 10, 10], True, Fraction(25, 175)),
        ([0, 0, 10, 10], [10, 0, 10, 10], False, Fraction(0)),
        # inclusive: columns 0..9 and 9..18 share column 9 -> 10 px of 190
        ([0, 0, 10, 10], [9, 0, 10, 10], True, Fraction(10, 190)),
        ([0, 0, 4, 4], [0, 0, 4, 4], False, Fraction(1)),
    ],
)
def test_iou_hand_computed(a, b, inclusive, expected):
    assert boxes.iou(np.array(a, float), np.array(b, float), inclusive=inclusive)[0] == pytest.approx(float(expected))


def test_polygon_helpers():
    rect = np.array([10.0, 20.0, 30.0, 40.0, np.nan, np.nan, np.nan, np.nan])
    assert not boxes.is_polygon(rect)
    assert boxes.region_to_polygon(rect).tolist() == [10, 20, 40, 20, 40, 60, 10, 60]
    assert boxes.region_to_polygon(rect, inclusive=True).tolist() == [10, 20, 39, 20, 39, 59, 10, 59]
    diamond = np.array([5.0, 0.0, 10.0, 5.0, 5.0, 10.0, 0.0, 5.0])
    assert boxes.polygon_bounds(diamond).tolist() == [0, 0, 10, 10]


def test_axis_aligned_polygon_conventions():
    # an axis-aligned square as a polygon: s = 1, pysot adds 1 to w and h, mmtracking does not
    square = np.array([10.0, 10.0, 30.0, 10.0, 30.0, 20.0, 10.0, 20.0])
    assert boxes.axis_aligned_pysot(square) == (20.0, 15.0, 21.0, 11.0)
    assert boxes.axis_aligned_mmtrack(square) == (20.0, 15.0, 20.0, 10.0)
    assert boxes.axis_aligned_pysot(np.array([10.0, 10.0, 20.0, 10.0])) == (20.0, 15.0, 20.0, 10.0)


def test_polygon_iou_bounds_and_rotation():
    a = np.array([0.0, 0, 10, 10])
    assert boxes.polygon_iou(a, np.array([5.0, 5, 10, 10])) == pytest.approx(25 / 175)
    # clipped to a 12x12 image: b keeps 7x7 = 49 px
    assert boxes.polygon_iou(a, np.array([5.0, 5, 10, 10]), bounds=(12, 12)) == pytest.approx(25 / 124)
    diamond = np.array([5.0, 0.0, 10.0, 5.0, 5.0, 10.0, 0.0, 5.0])  # area 50, inside a
    assert boxes.polygon_iou(diamond, a) == pytest.approx(50 / 100)
    assert boxes.polygon_iou(a, np.array([20.0, 20, 5, 5])) == 0.0
    assert boxes.polygon_iou(a, np.array([0.0, 0, 0, 5])) == 0.0
