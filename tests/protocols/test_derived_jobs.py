"""TRE segments and SRE boxes, hand-computed from the OTB kit's rules (splitSeqTRE.m,
shiftInitBB.m), and streams that start at a frame from a box of their own, in the lockstep
backend."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.jobs import Job, Stream
from sotbench.protocols import SRE_SHIFTS, protocol_streams, shift_box, sre_regions, tre_starts
from sotbench.sequences import Sequence
from sotbench.trackers.lockstep import step_job


def _seq(n: int, bad: tuple[int, ...] = (), **meta) -> Sequence:
    gt = np.tile([10.0, 20.0, 35.0, 45.0], (n, 1))
    gt[list(bad), 2] = 0  # zero width: no segment starts there
    return Sequence(name="s", gt=gt, image_size=(60, 70), meta=meta)


def test_tre_starts_spread_over_the_usable_frames():
    # 100 frames, all usable: the last start with 20 frames to go is index 80 (e = 81 candidates);
    # MATLAB floor(1 : 81/19 : 81) = 1 5 9 13 18 22 26 30 35 39 43 47 52 56 60 64 69 73 77, then 81
    assert tre_starts(_seq(100)) == [0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63, 68, 72, 76, 80]


def test_tre_starts_skip_init_omit_and_invalid_ground_truth():
    seq = _seq(100, bad=(30,), start_frame=1, init_omit=((1, 5), (50, 59)))
    # usable: indices 5..48 except 30 (43 frames), then 59..99; those with >= 20 frames to go:
    # 5..48 \ {30} and 59..80 -> e = 43 + 22 = 65; floor(1 : 65/19 : 65) = 1 4 7 11 14 18 21 24 28
    # 31 35 38 42 45 48 52 55 59 62, then 65 (1-based positions in the usable list)
    usable = [i for i in range(5, 49) if i != 30] + list(range(59, 81))
    picks = [1, 4, 7, 11, 14, 18, 21, 24, 28, 31, 35, 38, 42, 45, 48, 52, 55, 59, 62, 65]
    assert tre_starts(seq) == [usable[p - 1] for p in picks]
    assert tre_starts(seq)[:3] == [5, 8, 11] and tre_starts(seq)[-1] == 80


def test_init_omit_is_in_image_numbers():
    # Tiger1 starts at image 6: the kit's omitted images 1-5 lie before it, 9-15 are indices 3..9
    seq = _seq(60, start_frame=6, init_omit=((1, 5), (9, 15)))
    # usable with 20 frames to go: 0 1 2 10..40 (e = 34); floor(1 : 34/19 : 34) starts 1 2 4 6
    assert tre_starts(seq)[:4] == [0, 1, 10, 12]


def test_too_short_for_tre():
    with pytest.raises(ValueError, match="no frame to start a TRE segment"):
        tre_starts(_seq(19))


@pytest.mark.parametrize("kind,expected", [
    # box (10, 20, 35, 45): centre (27.5, 42.5), bottom-right pixel (44, 64); image 60 x 70
    ("left", [6, 20, 35, 45]), ("right", [14, 20, 35, 45]),  # ceil(0.1 * 35) = 4
    ("up", [10, 15, 35, 45]), ("down", [10, 25, 35, 45]),  # ceil(0.1 * 45) = 5
    ("topLeft", [7, 16, 38, 49]),  # round(6.5) = 7 (MATLAB: half away from zero), round(15.5) = 16
    ("topRight", [10, 16, 39, 49]),  # right edge round(47.5) = 48
    ("bottomLeft", [7, 20, 38, 50]),  # bottom edge round(68.5) = 69
    ("bottomRight", [10, 20, 39, 50]),
    ("scale_8", [14, 25, 28, 36]),  # 28 x 36 about the centre: round(13.5), round(24.5)
    ("scale_9", [12, 22, 32, 41]),  # 31.5 x 40.5 -> 32 x 41 at round(11.75), round(22.25)
    ("scale_11", [8, 18, 39, 50]),  # 38.5 x 49.5
    ("scale_12", [7, 16, 42, 54]),
])
def test_shift_box_hand_cases(kind, expected):
    assert shift_box(np.array([10.0, 20, 35, 45]), kind, (60, 70)).tolist() == expected


def test_shift_box_is_cut_to_the_image():
    assert shift_box(np.array([50.0, 60, 20, 20]), "right", (60, 70)).tolist() == [52, 60, 9, 11]
    assert shift_box(np.array([1.0, 1, 20, 20]), "topLeft", (60, 70)).tolist() == [1, 1, 22, 22]


def test_sre_starts_on_the_first_segment_with_twelve_boxes():
    seq = _seq(40, start_frame=1, init_omit=((1, 3),))
    start, boxes = sre_regions(seq)
    assert start == 3 and len(boxes) == len(SRE_SHIFTS) == 12
    assert boxes[0].tolist() == [6, 20, 35, 45]  # "left" first, as main_running.m lists them


class Recorder:
    """Reports its initial box, moved 1 px right per frame; remembers where it started."""

    def __init__(self):
        self.inits = []

    def init(self, image, region):
        self.inits.append(np.asarray(region, float).tolist())
        self.box = np.asarray(region[:4], float)

    def update(self, image):
        self.box = self.box + [1, 0, 0, 0]
        return self.box, 0.5


class Frames(list):
    def describe(self, i):
        return f"frame {i}"


def test_streams_start_late_from_their_own_box():
    seq = _seq(6)
    seq = Sequence(name="s", gt=seq.gt, frames=Frames([np.zeros((70, 60, 3), np.uint8)] * 6), image_size=(60, 70))
    streams = [Stream(None, "a"), Stream(None, "b", start=2), Stream(None, "c", start=3, init=(1.0, 2.0, 3.0, 4.0))]
    trackers = [Recorder() for _ in streams]
    res = step_job(trackers, Job(seq, streams))
    a, b, c = res.outputs
    assert [t.inits for t in trackers] == [[[10, 20, 35, 45]], [[10, 20, 35, 45]], [[1, 2, 3, 4]]]
    assert (a.start, b.start, c.start) == (0, 2, 3)
    assert a.boxes.shape == (6, 4) and b.boxes.shape == (4, 4) and c.boxes.shape == (3, 4)
    assert c.boxes[:, 0].tolist() == [1, 2, 3]  # frame 3: the init box; then tracked
    assert np.isnan(c.scores[0]) and c.scores[1:].tolist() == [0.5, 0.5]


def test_protocol_streams_are_tagged_by_run_and_part():
    seq = _seq(100)
    tre = protocol_streams("tre", seq, "P", run_id=2)
    assert [s.tag for s in tre] == [(2, k) for k in range(1, 21)] and [s.start for s in tre] == tre_starts(seq)
    sre = protocol_streams("sre", seq, "P")
    assert len(sre) == 12 and all(s.start == 0 and s.init is not None for s in sre)
    assert [s.tag for s in protocol_streams("ope", seq, "P")] == [(None, 1)]
