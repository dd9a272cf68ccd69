"""Batched SiamRPN++ post-processing: scores, box decoding, penalties, best box, update.

Every function works on a leading stream dimension ``B`` (the single tracker uses B = 1) and
takes the tuning knobs as ``(B,)`` float64 tensors, so a batched engine can give every
stream its own ``penalty_k``, ``window_influence`` and ``lr``.  Nothing here leaves the
device.  The arithmetic follows each codebase's dtypes (see ``flavours.py``): pysot computes
penalties in float64 numpy from float32 network outputs; mmtracking stays in float32 except
where its float64 window promotes the final score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from sotbench.trackers.siamrpnpp.anchors import flatten
from sotbench.trackers.siamrpnpp.params import STREAM_PARAMS

__all__ = [
    "MMDET_WH_CLAMP",
    "Knobs",
    "PostOut",
    "change",
    "clip_boxes",
    "decode_mmtrack",
    "decode_pysot",
    "enlarged_size",
    "fg_scores",
    "flat_deltas",
    "penalised_scores",
    "per_dtype",
    "pick",
    "sqrt_rn",
]

# mmdet DeltaXYWHBBoxCoder: dw, dh clamped to |log(16 / 1000)|
MMDET_WH_CLAMP = float(np.abs(np.log(16 / 1000)))


class Knobs:
    """Per-stream tuning knobs (``params.STREAM_PARAMS``) as ``(B,)`` float64 tensors, by name."""

    def __init__(self, penalty_k: torch.Tensor, window_influence: torch.Tensor, lr: torch.Tensor):
        self.penalty_k, self.window_influence, self.lr = penalty_k, window_influence, lr

    @classmethod
    def full(cls, n: int, penalty_k: float, window_influence: float, lr: float, device) -> Knobs:
        """The same values for ``n`` streams."""
        def col(v: float) -> torch.Tensor:
            return torch.full((n,), float(v), dtype=torch.float64, device=device)
        return cls(col(penalty_k), col(window_influence), col(lr))

    @classmethod
    def of(cls, params: list, device) -> Knobs:
        """The knobs of each stream's ``Params`` (one row per entry)."""
        return cls(**{name: torch.tensor([getattr(p, name) for p in params], dtype=torch.float64, device=device)
                      for name in STREAM_PARAMS})

    def select(self, index: torch.Tensor) -> Knobs:
        """The rows ``index``."""
        return Knobs(**{name: getattr(self, name).index_select(0, index) for name in STREAM_PARAMS})

    def put(self, index: torch.Tensor, rows: Knobs) -> None:
        """Write ``rows`` into the rows ``index`` (in place)."""
        for name in STREAM_PARAMS:
            getattr(self, name).index_copy_(0, index, getattr(rows, name))


def per_dtype(fn: Callable[..., torch.Tensor], f32: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
    """``fn`` evaluated in float64, and in float32 for the streams marked in ``f32 (B,)``
    (mmtracking holds its state in float32 from frame 1 on); result float64."""
    r64 = fn(*[a.to(torch.float64) for a in args])
    r32 = fn(*[a.to(torch.float32) for a in args]).to(torch.float64)
    return torch.where(f32.view(-1, *([1] * (r64.dim() - 1))), r32, r64)


@dataclass
class PostOut:
    """One step's result per stream (float64 state, float32 network-side values)."""

    state: torch.Tensor  # (B, 4) cx, cy, w, h after the update (what the next step uses)
    box: torch.Tensor  # (B, 4) reported x, y, w, h (float64)
    best_idx: torch.Tensor  # (B,) flat index in the flavour's order
    best_score: torch.Tensor  # (B,) foreground score of the chosen cell
    score: torch.Tensor  # (B, N) foreground scores
    pscore: torch.Tensor  # (B, N) penalised, windowed scores (float64)
    penalty: torch.Tensor  # (B, N)
    pred_best: torch.Tensor  # (B, 4) decoded box of the chosen cell, crop pixels, centre-relative
    lr_eff: torch.Tensor  # (B,) penalty * score * lr at the chosen cell
    unclipped: torch.Tensor  # (B, 4) updated state before clipping to the frame


def fg_scores(cls: torch.Tensor, anchor_num: int, order: str) -> torch.Tensor:
    """``(B, 2A, S, S)`` logits -> ``(B, N)`` foreground softmax probability (float32)."""
    b, _, s, _ = cls.shape
    logits = flatten(cls.reshape(b, 2, anchor_num, s, s), order)  # (B, 2, N)
    return torch.softmax(logits, dim=1)[:, 1]


def flat_deltas(loc: torch.Tensor, anchor_num: int, order: str) -> torch.Tensor:
    """``(B, 4A, S, S)`` regression -> ``(B, 4, N)`` (dx, dy, dw, dh)."""
    b, _, s, _ = loc.shape
    return flatten(loc.reshape(b, 4, anchor_num, s, s), order)


def decode_pysot(deltas: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """pysot ``_convert_bbox``: centre/size from anchors ``(4, N)``, no clamp (float32)."""
    ax, ay, aw, ah = anchors
    dx, dy, dw, dh = deltas.unbind(1)
    return torch.stack([dx * aw + ax, dy * ah + ay, torch.exp(dw) * aw, torch.exp(dh) * ah], dim=1)


def decode_mmtrack(deltas: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """mmdet ``delta2bbox`` (means 0, stds 1, dw/dh clamped), then corners -> centre/size."""
    ax, ay, aw, ah = anchors
    x1, y1, x2, y2 = ax - aw * 0.5, ay - ah * 0.5, ax + aw * 0.5, ay + ah * 0.5
    px, py, pw, ph = (x1 + x2) * 0.5, (y1 + y2) * 0.5, x2 - x1, y2 - y1
    dx, dy, dw, dh = deltas.unbind(1)
    gx, gy = px + pw * dx, py + ph * dy
    gw = pw * dw.clamp(-MMDET_WH_CLAMP, MMDET_WH_CLAMP).exp()
    gh = ph * dh.clamp(-MMDET_WH_CLAMP, MMDET_WH_CLAMP).exp()
    bx1, by1, bx2, by2 = gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5
    return torch.stack([(bx1 + bx2) / 2, (by1 + by2) / 2, bx2 - bx1, by2 - by1], dim=1)


def _square_error(r: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``|x - r*r|`` computed exactly enough to rank neighbours (Dekker's exact product)."""
    t = r * 134217729.0  # Veltkamp split of r into 26-bit halves
    hi = t - (t - r)
    lo = r - hi
    p = r * r
    err = ((hi * hi - p) + 2.0 * hi * lo) + lo * lo  # r*r = p + err exactly
    return ((x - p) - err).abs()


def sqrt_rn(x: torch.Tensor) -> torch.Tensor:
    """Correctly rounded square root on every device (as numpy's).  PyTorch's CPU ``sqrt``
    can be one ulp off, depending on the CPU; float32 goes through float64, float64 picks the
    best of the result and its two neighbours."""
    if x.dtype == torch.float32:
        return sqrt_rn(x.to(torch.float64)).to(torch.float32)
    r = torch.sqrt(x)
    down, up = torch.nextafter(r, torch.zeros_like(r)), torch.nextafter(r, torch.full_like(r, float("inf")))
    e, ed, eu = _square_error(r, x), _square_error(down, x), _square_error(up, x)
    best = torch.where(ed < e, down, r)
    return torch.where(eu < torch.minimum(e, ed), up, best)


def change(r: torch.Tensor) -> torch.Tensor:
    """``max(r, 1 / r)``."""
    return torch.maximum(r, 1.0 / r)


def enlarged_size(w: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """``sqrt((w + p)(h + p))`` with ``p = (w + h) / 2``."""
    pad = (w + h) * 0.5
    return sqrt_rn((w + pad) * (h + pad))


def penalised_scores(penalty: torch.Tensor, score: torch.Tensor, window: torch.Tensor,
                     wi: torch.Tensor, one_minus_wi: torch.Tensor) -> torch.Tensor:
    """``penalty * score * (1 - wi) + window * wi`` in float64 (both codebases end there)."""
    ps = (penalty * score) * one_minus_wi[:, None]
    return ps.to(torch.float64) + window[None, :] * wi[:, None]


def pick(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """``x[b, ..., idx[b]]`` for ``x`` of shape ``(B, N)`` or ``(B, K, N)``."""
    if x.dim() == 2:
        return x.gather(1, idx[:, None])[:, 0]
    return x.gather(2, idx[:, None, None].expand(-1, x.shape[1], 1))[:, :, 0]


def clip_boxes(state: torch.Tensor, bounds: torch.Tensor) -> torch.Tensor:
    """Clip ``(cx, cy, w, h)`` to ``cx in [0, W]``, ``cy in [0, H]``, ``w in [10, W]``,
    ``h in [10, H]``; ``bounds`` is ``(B, 2)`` = ``(W, H)`` in the state's dtype."""
    wb, hb = bounds[:, 0], bounds[:, 1]
    cx = torch.minimum(torch.maximum(state[:, 0], torch.zeros_like(wb)), wb)
    cy = torch.minimum(torch.maximum(state[:, 1], torch.zeros_like(hb)), hb)
    w = torch.minimum(torch.maximum(state[:, 2], torch.full_like(wb, 10)), wb)
    h = torch.minimum(torch.maximum(state[:, 3], torch.full_like(hb, 10)), hb)
    return torch.stack([cx, cy, w, h], dim=1)
