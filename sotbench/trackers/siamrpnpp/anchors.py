"""Anchors, cosine window and flat score-map order of each flavour.

The network's channel layout is the same in both codebases (``class * A + anchor``,
``coord * A + anchor``), but they flatten the ``(A, S, S)`` maps differently: pysot
anchor-major (``idx = a * S*S + row * S + col``), mmtracking location-major
(``idx = (row * S + col) * A + a``).  ``argmax`` returns the first maximum, so ties resolve
by this order; every per-cell array (scores, boxes, anchors, window) is flattened with
``flatten`` so that flat indices mean what they mean in the reproduced codebase.

Anchor sizes differ for ratios 2 and 3: pysot ``ws = int(sqrt(stride^2 / r))``,
``hs = int(ws * r)`` (40x80, 32x96); mmtracking ``int(stride / sqrt(r)) * scale`` by
``int(stride * sqrt(r)) * scale`` in float32 (40x88, 32x104).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from sotbench.trackers.siamrpnpp.params import Params

__all__ = ["ORDERS", "base_sizes", "flatten", "make_anchors", "make_window"]

ORDERS = {"pysot": "anchor_major", "mmtracking": "location_major"}


def base_sizes(params: Params) -> list[tuple[float, float]]:
    """``(w, h)`` of the A base anchors, ratio-major then scale, in the flavour's rule."""
    stride = params.anchor_stride
    out = []
    for r in params.anchor_ratios:
        if params.flavour == "pysot":
            ws = int(math.sqrt(stride * stride * 1.0 / r))
            hs = int(ws * r)
        else:  # mmdet AnchorGenerator arithmetic, float32 ratios
            h_ratio = np.sqrt(np.float32(r), dtype=np.float32)
            w_ratio = np.float32(1) / h_ratio
            ws, hs = int(np.float32(stride) * w_ratio), int(np.float32(stride) * h_ratio)
        out += [(float(ws * s), float(hs * s)) for s in params.anchor_scales]
    return out


def flatten(x: torch.Tensor, order: str) -> torch.Tensor:
    """``(..., A, S, S)`` -> ``(..., A*S*S)`` in ``anchor_major`` or ``location_major`` order."""
    if order == "anchor_major":
        return x.reshape(*x.shape[:-3], -1)
    if order == "location_major":
        return x.movedim(-3, -1).reshape(*x.shape[:-3], -1)
    raise ValueError(f"unknown order {order!r}, known: anchor_major, location_major")


def make_anchors(params: Params, size: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Anchors ``(4, N)`` float32 ``(cx, cy, w, h)`` relative to the crop centre, flat order."""
    wh = torch.tensor(base_sizes(params), dtype=torch.float32)  # (A, 2)
    a = wh.shape[0]
    offs = (torch.arange(size, dtype=torch.float32) - size // 2) * params.anchor_stride
    grid = torch.empty(4, a, size, size, dtype=torch.float32)
    grid[0] = offs.view(1, 1, size)
    grid[1] = offs.view(1, size, 1)
    grid[2] = wh[:, 0].view(a, 1, 1)
    grid[3] = wh[:, 1].view(a, 1, 1)
    return flatten(grid, ORDERS[params.flavour]).contiguous().to(device)


def make_window(params: Params, size: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Cosine window ``outer(hanning, hanning)`` (float64, ``(N,)``), flat order."""
    hann = np.hanning(size)
    w2d = torch.from_numpy(np.outer(hann, hann))
    full = w2d.expand(params.anchor_num, size, size)
    return flatten(full, ORDERS[params.flavour]).contiguous().to(device)
