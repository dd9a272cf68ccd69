"""Batched crop-and-resize on torch tensors (CPU or GPU), bit-exact with both codebases.

A crop takes, per stream, a window of the frame (origin ``x0, y0`` and size in frame
pixels; pixels outside the frame take the stream's padding colour) and resamples it to
``out x out``.  Both resamplers are written as gathers over four taps, so every stream may
have its own window size and one call serves a whole batch:

* ``crop_cv2_linear``: ``cv2.resize(INTER_LINEAR)`` on uint8, reproduced in integer
  arithmetic (11-bit fixed-point coefficients, OpenCV's SIMD vertical pass
  ``((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16) + 2 >> 2``; OpenCV clamps the
  horizontal taps at the borders but only the row indices vertically).  Used by pysot.
* ``crop_bilinear``: ``F.interpolate(mode='bilinear', align_corners=False)`` on float32 as
  PyTorch's CPU kernel computes it (its multiply-adds are fused: ``fma(a, wa, b * wb)``,
  emulated exactly through float64).  Used by mmtracking.

Integer and float64 tensor ops round the same way on every device, so GPU crops equal CPU
crops.  ``frames`` is one ``(H, W, 3)`` uint8 frame for all streams, ``(B, H, W, 3)``, or a
``PackedFrames`` (frames of different sizes in one buffer: the batched engine's streams run on
different videos).  Output: ``(B, 3, out, out)`` float32, channels in the frame's order (BGR).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["PackedFrames", "bilinear_taps", "crop_bilinear", "crop_cv2_linear", "cv2_linear_taps", "frame_size"]


@dataclass
class PackedFrames:
    """Frames of any sizes in one flat ``(N, 3)`` uint8 pixel buffer; stream ``b`` reads the
    ``height[b] x width[b]`` frame whose first pixel is at row ``base[b]`` (int64 ``(B,)``)."""

    pixels: torch.Tensor
    base: torch.Tensor
    height: torch.Tensor
    width: torch.Tensor


def frame_size(frames: torch.Tensor | PackedFrames):
    """``(H, W)``: ints for a frame tensor, per-stream ``(B,)`` tensors for ``PackedFrames``."""
    if isinstance(frames, PackedFrames):
        return frames.height, frames.width
    return frames.shape[-3], frames.shape[-2]


def _gather_packed(frames: PackedFrames, rows: torch.Tensor, cols: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
    h, w = frames.height[:, None], frames.width[:, None]
    inside = (((rows >= 0) & (rows < h))[:, :, None, None]) & (((cols >= 0) & (cols < w))[:, None, :, None])
    r = torch.minimum(rows.clamp(min=0), h - 1) * w + frames.base[:, None]
    c = torch.minimum(cols.clamp(min=0), w - 1)
    vals = frames.pixels[r[:, :, None] + c[:, None, :]]
    return torch.where(inside, vals.to(pad.dtype), pad[:, None, None, :])


def _gather(frames: torch.Tensor | PackedFrames, rows: torch.Tensor, cols: torch.Tensor,
            pad: torch.Tensor) -> torch.Tensor:
    """Pixels at frame ``rows (B, R)`` x ``cols (B, C)`` -> ``(B, R, C, 3)`` in ``pad``'s dtype;
    outside the frame: the stream's ``pad (B, 3)``."""
    if isinstance(frames, PackedFrames):
        return _gather_packed(frames, rows, cols, pad)
    h, w = frames.shape[-3], frames.shape[-2]
    inside = (((rows >= 0) & (rows < h))[:, :, None, None]) & (((cols >= 0) & (cols < w))[:, None, :, None])
    r = rows.clamp(0, h - 1) * w
    if frames.dim() == 4:
        r = r + (torch.arange(frames.shape[0], device=rows.device) * (h * w))[:, None]
    vals = frames.reshape(-1, 3)[r[:, :, None] + cols.clamp(0, w - 1)[:, None, :]]
    return torch.where(inside, vals.to(pad.dtype), pad[:, None, None, :])


def cv2_linear_taps(n: torch.Tensor, out: int, clamp_weights: bool):
    """OpenCV INTER_LINEAR taps ``(i0, i1, w0, w1)`` ``(B, out)`` for source sizes ``n (B,)``.

    ``clamp_weights``: the horizontal rule (taps outside the source get weight 0 and the
    border pixel); vertically OpenCV only clamps the row indices.
    """
    dev = n.device
    n64 = n.to(torch.float64)[:, None]
    d = torch.arange(out, device=dev, dtype=torch.float64)[None, :]
    scale = 1.0 / (out / n64)  # OpenCV: scale_x = 1. / inv_scale_x, in double
    f = ((d + 0.5) * scale - 0.5).to(torch.float32)
    s = torch.floor(f)
    f = f - s
    s = s.to(torch.int64)
    last = n[:, None] - 1
    if clamp_weights:
        lo, hi = s < 0, s >= last
        f = torch.where(lo | hi, torch.zeros_like(f), f)
        s = torch.where(lo, torch.zeros_like(s), torch.where(hi, last.expand_as(s), s))
    w0 = torch.round((1.0 - f) * 2048).to(torch.int32)
    w1 = torch.round(f * 2048).to(torch.int32)
    i0 = torch.minimum(s.clamp(min=0), last)
    i1 = torch.minimum((s + 1).clamp(min=0), last)
    return i0, i1, w0, w1


def crop_cv2_linear(frames: torch.Tensor, x0: torch.Tensor, y0: torch.Tensor, size: torch.Tensor,
                    out: int, pad: torch.Tensor) -> torch.Tensor:
    """``size x size`` windows at ``(x0, y0)`` (int64 ``(B,)``), uint8 padding ``pad (B, 3)``,
    resized to ``out`` exactly as ``cv2.resize`` (INTER_LINEAR) does on uint8."""
    yi0, yi1, b0, b1 = cv2_linear_taps(size, out, clamp_weights=False)
    xi0, xi1, a0, a1 = cv2_linear_taps(size, out, clamp_weights=True)
    rows0, rows1 = yi0 + y0[:, None], yi1 + y0[:, None]
    cols0, cols1 = xi0 + x0[:, None], xi1 + x0[:, None]
    pad = pad.to(torch.int32)
    a0, a1 = a0[:, None, :, None], a1[:, None, :, None]
    h0 = _gather(frames, rows0, cols0, pad) * a0 + _gather(frames, rows0, cols1, pad) * a1
    h1 = _gather(frames, rows1, cols0, pad) * a0 + _gather(frames, rows1, cols1, pad) * a1
    v0 = ((h0 >> 4) * b0[:, :, None, None]) >> 16
    v1 = ((h1 >> 4) * b1[:, :, None, None]) >> 16
    res = ((v0 + v1 + 2) >> 2).clamp(0, 255)
    return res.permute(0, 3, 1, 2).to(torch.float32).contiguous()


def bilinear_taps(n: torch.Tensor, out: int):
    """PyTorch bilinear (align_corners=False) taps ``(i0, i1, l0, l1)`` ``(B, out)`` for sizes ``n``."""
    dev = n.device
    scale = n.to(torch.float32)[:, None] / out
    d = torch.arange(out, device=dev, dtype=torch.float64)[None, :] + 0.5
    src = (scale.to(torch.float64) * d - 0.5).to(torch.float32)  # fma(scale, d + 0.5, -0.5)
    src = src.clamp(min=0)
    last = n[:, None] - 1
    i0 = torch.minimum(torch.floor(src).to(torch.int64), last)
    l1 = (src - i0.to(torch.float32)).clamp(0, 1)
    l0 = 1 - l1
    i1 = torch.minimum(i0 + 1, last)
    return i0, i1, l0, l1


def _fma32(a: torch.Tensor, wa: torch.Tensor, b: torch.Tensor, wb: torch.Tensor) -> torch.Tensor:
    """float32 ``fma(a, wa, b * wb)``: the product a*wa is exact in float64, one rounding."""
    return (a.double() * wa.double() + (b * wb).double()).to(torch.float32)


def crop_bilinear(frames: torch.Tensor, x0: torch.Tensor, y0: torch.Tensor, width: torch.Tensor,
                  height: torch.Tensor, out: int, pad: torch.Tensor) -> torch.Tensor:
    """``width x height`` windows at ``(x0, y0)`` (int64 ``(B,)``), float padding
    ``pad (B, 3)``, resized to ``out`` as PyTorch's CPU bilinear interpolation does."""
    yi0, yi1, ly0, ly1 = bilinear_taps(height, out)
    xi0, xi1, lx0, lx1 = bilinear_taps(width, out)
    rows0, rows1 = yi0 + y0[:, None], yi1 + y0[:, None]
    cols0, cols1 = xi0 + x0[:, None], xi1 + x0[:, None]
    pad = pad.to(torch.float32)
    lx0, lx1 = lx0[:, None, :, None], lx1[:, None, :, None]
    t0 = _fma32(_gather(frames, rows0, cols0, pad), lx0, _gather(frames, rows0, cols1, pad), lx1)
    t1 = _fma32(_gather(frames, rows1, cols0, pad), lx0, _gather(frames, rows1, cols1, pad), lx1)
    res = _fma32(t0, ly0[:, :, None, None], t1, ly1[:, :, None, None])
    return res.permute(0, 3, 1, 2).contiguous()
