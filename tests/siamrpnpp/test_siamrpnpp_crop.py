"""The batched crops against their references: cv2.resize (uint8) and F.interpolate (float32)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sotbench.trackers.siamrpnpp.crop import crop_bilinear, crop_cv2_linear
from sotbench.trackers.siamrpnpp.flavours import MMTracking, Pysot

H, W = 90, 120
RNG = np.random.default_rng(7)
IMG = RNG.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
# windows inside, over every edge, far outside; sizes below, at and above the output size,
# including exact 2x downscales (cv2 switches to INTER_AREA there)
WINDOWS = [(10, 5, 40), (-25, -30, 64), (100, 70, 64), (-300, 40, 200), (30, 20, 127), (0, 0, 254),
           (-5, -5, 255), (3, 1, 17), (-2, 60, 510), (50, -9, 1001), (7, 8, 128)]


def _padded(img: np.ndarray, x0: int, y0: int, w: int, h: int, pad) -> np.ndarray:
    """Reference window: a canvas of the padding colour with the image pasted in."""
    canvas = np.empty((h, w, 3), dtype=np.asarray(pad).dtype)
    canvas[:] = pad
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(W, x0 + w), min(H, y0 + h)
    if xe > xs and ye > ys:
        canvas[ys - y0:ye - y0, xs - x0:xe - x0] = img[ys:ye, xs:xe]
    return canvas


@pytest.mark.parametrize("out", [127, 255])
def test_cv2_linear_is_cv2_resize(out):
    """Every window, one batched call, byte-identical to cv2.resize(INTER_LINEAR) on uint8."""
    pad = np.array([17, 200, 93], np.uint8)
    x0, y0, size = (torch.tensor(c) for c in zip(*WINDOWS))
    res = crop_cv2_linear(torch.from_numpy(IMG), x0, y0, size, out, torch.from_numpy(pad).expand(len(WINDOWS), 3))
    for k, (x, y, s) in enumerate(WINDOWS):
        patch = _padded(IMG, x, y, s, s, pad)
        ref = patch if s == out else cv2.resize(patch, (out, out))
        np.testing.assert_array_equal(res[k].permute(1, 2, 0).numpy().astype(np.uint8), ref, err_msg=str(WINDOWS[k]))


def test_cv2_linear_many_sizes():
    """Random content, source sizes 2 to 1300 px into 255 (a uniform-noise image)."""
    sizes = torch.tensor(sorted({*range(2, 1300, 13), 254, 256, 509, 510, 511, 1020}))
    img = RNG.integers(0, 256, size=(1300, 1300, 3), dtype=np.uint8)
    zeros = torch.zeros(len(sizes), dtype=torch.int64)
    res = crop_cv2_linear(torch.from_numpy(img), zeros, zeros, sizes, 255, torch.zeros(len(sizes), 3))
    for k, s in enumerate(sizes.tolist()):
        ref = cv2.resize(img[:s, :s], (255, 255)) if s != 255 else img[:s, :s]
        assert np.array_equal(res[k].permute(1, 2, 0).numpy().astype(np.uint8), ref), f"size {s}"


@pytest.mark.parametrize("out", [127, 255])
def test_bilinear_is_torch_interpolate(out):
    """Float padding, square and non-square windows, against F.interpolate (CPU) bit for bit."""
    pad = np.array([127.75893, 132.25262, 134.31743], np.float32)
    wins = [(x, y, s + 1, s + dh) for x, y, s in WINDOWS for dh in (0, 1)]
    x0, y0, w, h = (torch.tensor(c) for c in zip(*wins))
    res = crop_bilinear(torch.from_numpy(IMG), x0, y0, w, h, out, torch.from_numpy(pad).expand(len(wins), 3))
    for k, (x, y, ww, hh) in enumerate(wins):
        patch = torch.from_numpy(_padded(IMG.astype(np.float32), x, y, ww, hh, pad)).permute(2, 0, 1)[None]
        ref = F.interpolate(patch, size=(out, out), mode="bilinear", align_corners=False)[0]
        assert torch.equal(res[k], ref), wins[k]


def test_batched_frames_equal_single():
    """A batch of different frames gives each stream what a batch of one gives."""
    frames = torch.from_numpy(RNG.integers(0, 256, size=(3, H, W, 3), dtype=np.uint8))
    x0, y0, s = torch.tensor([-10, 5, 60]), torch.tensor([3, -40, 50]), torch.tensor([80, 150, 33])
    pad = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.uint8)
    batch = crop_cv2_linear(frames, x0, y0, s, 127, pad)
    fb = crop_bilinear(frames, x0, y0, s + 1, s, 127, pad.float() + 0.5)
    for k in range(3):
        one = crop_cv2_linear(frames[k], x0[k:k + 1], y0[k:k + 1], s[k:k + 1], 127, pad[k:k + 1])
        assert torch.equal(batch[k], one[0])
        one = crop_bilinear(frames[k], x0[k:k + 1], y0[k:k + 1], s[k:k + 1] + 1, s[k:k + 1], 127, pad[k:k + 1].float() + 0.5)
        assert torch.equal(fb[k], one[0])


def test_pysot_window_rounds_half_up():
    """Origin ``floor(c - (s + 1)/2 + 0.5)``: ``c - (s+1)/2`` = 8.5 -> 9, -5.5 -> -5, 7.5 -> 8."""
    x0, y0 = Pysot.window(torch.tensor([[11.0, 10.0, 0, 0], [-3.0, 10.0, 0, 0]], dtype=torch.float64),
                          torch.tensor([4, 4]))
    assert x0.tolist() == [9, -5] and y0.tolist() == [8, 8]


def test_mmtracking_window_truncates_and_loses_the_edge_column():
    """``int()`` truncates toward zero (-6.4 -> -6, so a window starting left of the frame is
    s wide, not s + 1); a window reaching x1 >= W (y1 >= H) loses its last column (row)."""
    win = MMTracking._window(torch.tensor([[13.6, 50.0, 0, 0]], dtype=torch.float64), torch.tensor([40.0]))
    assert win.tolist() == [[-6.0, 33.0, 30.0, 70.0]]
    x0, y0, w, h = MMTracking.window((100, 100), win)
    assert (int(x0), int(y0), int(w), int(h)) == (-6, 30, 40, 41)
    x0, y0, w, h = MMTracking.window((70, 33), win)  # H = 70 <= y1, W = 33 <= x1
    assert (int(w), int(h)) == (39, 40)
