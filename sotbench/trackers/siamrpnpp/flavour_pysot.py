"""pysot's ``SiamRPNTracker`` / ``SiamRPNLTTracker`` with ``tools/test.py`` conventions, batched.

State: ``(B, 4)`` float64 ``(cx, cy, w, h)``, numpy-float64 arithmetic throughout; the
network outputs (float32) are decoded in float32 as pysot's numpy code does.
"""

from __future__ import annotations

import numpy as np
import torch

from sotbench.boxes import axis_aligned_pysot
from sotbench.trackers.siamrpnpp import crop as crops
from sotbench.trackers.siamrpnpp import postprocess as pp
from sotbench.trackers.siamrpnpp.anchors import ORDERS
from sotbench.trackers.siamrpnpp.params import Params

__all__ = ["Pysot"]


class Pysot:
    """The pysot flavour (all methods batched over streams)."""

    name = "pysot"
    order = ORDERS["pysot"]

    @staticmethod
    def init_box(region: np.ndarray) -> np.ndarray:
        """The ``(x, y, w, h)`` that ``tools/test.py`` gives ``tracker.init`` and reports for
        frame 0: ``get_axis_aligned_bbox`` (polygons: ``w = s (x2 - x1) + 1``), then
        ``(cx - (w-1)/2, cy - (h-1)/2, w, h)``."""
        cx, cy, w, h = axis_aligned_pysot(region)
        return np.array([cx - (w - 1) / 2, cy - (h - 1) / 2, w, h])

    @staticmethod
    def state_from_box(box: np.ndarray) -> np.ndarray:
        """``tracker.init``: centre ``x + (w - 1) / 2``, size ``(w, h)``."""
        x, y, w, h = (float(v) for v in np.asarray(box).ravel()[:4])
        return np.array([x + (w - 1) / 2, y + (h - 1) / 2, w, h])

    @classmethod
    def init(cls, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Initial state and the frame-0 box reported, from a benchmark region."""
        box = cls.init_box(region)
        return cls.state_from_box(box), box

    @staticmethod
    def padding(image: np.ndarray) -> np.ndarray:
        """Per-channel frame mean, truncated to uint8 (numpy assignment into a uint8 canvas)."""
        return np.mean(image, axis=(0, 1)).astype(np.uint8)

    @staticmethod
    def padding_tensor(frame: torch.Tensor) -> torch.Tensor:
        """The same on a device frame (float64 mean; differs from numpy's only in the last bits)."""
        return frame.to(torch.float64).mean(dim=(0, 1)).to(torch.uint8)

    @staticmethod
    def _context(state: torch.Tensor, p: Params) -> torch.Tensor:
        w, h = state[:, 2], state[:, 3]
        ctx = p.context_amount * (w + h)
        return pp.sqrt_rn((w + ctx) * (h + ctx))

    @staticmethod
    def window(state: torch.Tensor, size: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``get_subwindow`` origin: ``floor(c - (size + 1) / 2 + 0.5)``; the window is ``size`` px."""
        c = (size.to(torch.float64) + 1) / 2
        return (torch.floor(state[:, 0] - c + 0.5).to(torch.int64),
                torch.floor(state[:, 1] - c + 0.5).to(torch.int64))

    @classmethod
    def template_crop(cls, frames, state, f32, p: Params, pad) -> torch.Tensor:
        """Exemplar crop: side ``round(sqrt(w_z h_z))`` (half to even), resized to 127."""
        size = torch.round(cls._context(state, p)).to(torch.int64)
        x0, y0 = cls.window(state, size)
        return crops.crop_cv2_linear(frames, x0, y0, size, p.exemplar_size, pad)

    @classmethod
    def search_crop(cls, frames, state, f32, p: Params, instance: int, pad):
        """Search crop (side ``round(s_z * instance / exemplar)``) and ``scale_z`` (float64)."""
        s_z = cls._context(state, p)
        size = torch.round(s_z * (instance / p.exemplar_size)).to(torch.int64)
        x0, y0 = cls.window(state, size)
        # a true division, as numpy's (torch's ``int / tensor`` would be reciprocal * int)
        scale_z = torch.full_like(s_z, p.exemplar_size) / s_z
        return crops.crop_cv2_linear(frames, x0, y0, size, instance, pad), scale_z

    @classmethod
    def select(cls, cls_map, loc, anchors, window, state, f32, scale_z, knobs: pp.Knobs, p: Params):
        """Scores, scale/ratio penalties, windowed score and the best cell.

        Returns ``(best, best_score, score, pscore, penalty, pred_best, lr_eff)``."""
        score = pp.fg_scores(cls_map, p.anchor_num, cls.order)
        pred = pp.decode_pysot(pp.flat_deltas(loc, p.anchor_num, cls.order), anchors)
        w, h = state[:, 2:3], state[:, 3:4]
        sc = scale_z[:, None]
        s_c = pp.change(pp.enlarged_size(pred[:, 2], pred[:, 3]).double() / pp.enlarged_size(w * sc, h * sc))
        r_c = pp.change((w / h) / (pred[:, 2] / pred[:, 3]).double())
        penalty = torch.exp(-(r_c * s_c - 1) * knobs.penalty_k[:, None])
        wi = knobs.window_influence
        pscore = pp.penalised_scores(penalty, score, window, wi, 1 - wi)
        best = torch.argmax(pscore, dim=1)
        best_score = pp.pick(score, best)
        lr = pp.pick(penalty, best) * best_score * knobs.lr
        return best, best_score, score, pscore, penalty, pp.pick(pred, best).double(), lr

    @staticmethod
    def update(state, f32, pred_best, scale_z, lr, best_score, bounds, p: Params, long_term: bool = False):
        """Move by the best box, smooth the size with ``lr``, clip to the frame.

        Returns ``(new_state, reported_box, unclipped)``.  Long-term (``SiamRPNLTTracker``):
        below ``confidence_low`` the state stays, and the state is stored unclipped."""
        box = pred_best / scale_z[:, None]
        upd = torch.stack([box[:, 0] + state[:, 0], box[:, 1] + state[:, 1],
                           state[:, 2] * (1 - lr) + box[:, 2] * lr,
                           state[:, 3] * (1 - lr) + box[:, 3] * lr], dim=1)
        if long_term:
            upd = torch.where((best_score < p.confidence_low)[:, None], state, upd)
            new_state, shown = upd, pp.clip_boxes(upd, bounds)
        else:
            new_state = shown = pp.clip_boxes(upd, bounds)
        out_box = torch.cat([shown[:, :2] - shown[:, 2:] / 2, shown[:, 2:]], dim=1)
        return new_state, out_box, upd

    @classmethod
    def postprocess(cls, cls_map, loc, anchors, window, state, f32, scale_z, knobs: pp.Knobs,
                    bounds, p: Params, long_term: bool = False) -> pp.PostOut:
        """``select`` then ``update``: one step of ``SiamRPNTracker.track`` after the network."""
        best, best_score, score, pscore, penalty, pred_best, lr = cls.select(
            cls_map, loc, anchors, window, state, f32, scale_z, knobs, p)
        new_state, box, upd = cls.update(state, f32, pred_best, scale_z, lr, best_score, bounds, p, long_term)
        return pp.PostOut(new_state, box, best, best_score, score, pscore, penalty, pred_best, lr, upd)
