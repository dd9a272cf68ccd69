"""mmtracking's ``SiamRPN`` (``simple_test_ope`` / ``simple_test_vot``), batched.

mmtracking keeps its state as a torch tensor: float64 from the ground truth at frame 0, then
float32 (the update writes into a float32 tensor).  Streams marked in ``f32 (B,)`` have their
geometry computed in float32 (``postprocess.per_dtype``), the state itself is stored as
float64 holding float32 values.  Two PyTorch details are reproduced: ``int / tensor`` is
``tensor.reciprocal() * int``, and a 0-d float64 tensor does not promote a float32 one.
Square roots are correctly rounded (``sqrt_rn``), as on CUDA; PyTorch's CPU float32 sqrt
can differ by one ulp depending on the CPU.
"""

from __future__ import annotations

import numpy as np
import torch

from sotbench.boxes import is_polygon
from sotbench.trackers.siamrpnpp import crop as crops
from sotbench.trackers.siamrpnpp import postprocess as pp
from sotbench.trackers.siamrpnpp.anchors import ORDERS
from sotbench.trackers.siamrpnpp.params import Params

__all__ = ["MMTracking"]


class MMTracking:
    """The mmtracking flavour (all methods batched over streams)."""

    name = "mmtracking"
    order = ORDERS["mmtracking"]

    @staticmethod
    def init(region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``quad2bbox``: polygons without ``+1``; ``x, y, w, h`` through corners ``x + w``.
        Returns the state and the frame-0 box ``(cx - w/2, cy - h/2, w, h)``."""
        r = torch.tensor(np.asarray(region, dtype=np.float64).ravel())
        if is_polygon(r.numpy()):
            q = r[:8]
            xs, ys = q[0::2], q[1::2]
            x1, x2, y1, y2 = xs.min(), xs.max(), ys.min(), ys.max()
            area1 = torch.norm(q[0:2] - q[2:4]) * torch.norm(q[2:4] - q[4:6])
            s = torch.sqrt(area1 / ((x2 - x1) * (y2 - y1)))
            state = torch.stack([xs.mean(), ys.mean(), s * (x2 - x1), s * (y2 - y1)])
        else:
            x1, y1, x2, y2 = r[0], r[1], r[0] + r[2], r[1] + r[3]
            state = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1])
        st = state.numpy()
        return st, np.array([st[0] - st[2] / 2, st[1] - st[3] / 2, st[2], st[3]])

    @staticmethod
    def padding_tensor(frame: torch.Tensor) -> torch.Tensor:
        """``torch.mean`` over the float32 ``(1, 3, H, W)`` frame (mmtracking's own reduction)."""
        return frame.permute(2, 0, 1)[None].to(torch.float32).contiguous().mean(dim=(0, 2, 3))

    @staticmethod
    def _z_size(state: torch.Tensor, ctx_amount: float) -> torch.Tensor:
        w, h = state[:, 2], state[:, 3]
        return pp.sqrt_rn((w + ctx_amount * (w + h)) * (h + ctx_amount * (w + h)))

    @staticmethod
    def _window(state: torch.Tensor, size: torch.Tensor) -> torch.Tensor:
        """``int(c - s/2)``, ``int(c + s/2)`` for x and y (truncation toward zero)."""
        cx, cy = state[:, 0], state[:, 1]
        return torch.stack([cx - size / 2, cx + size / 2, cy - size / 2, cy + size / 2], dim=1).trunc()

    @staticmethod
    def window(frame_hw: tuple[int, int], window: torch.Tensor):
        """``(x0, y0, width, height)`` of the patch ``get_cropped_img`` resizes: ``x0..x1``
        inclusive, but its canvas is padded by ``max(0, x1 - W)``, one column short when
        ``x1 >= W``, so the slice loses that column (rows likewise)."""
        h, w = frame_hw  # ints, or per-stream tensors (``crop.PackedFrames``)
        x0, x1, y0, y1 = window.to(torch.int64).unbind(1)
        return x0, y0, x1 - x0 + 1 - (x1 >= w).to(torch.int64), y1 - y0 + 1 - (y1 >= h).to(torch.int64)

    @classmethod
    def _crop(cls, frames, window, out, pad) -> torch.Tensor:
        x0, y0, width, height = cls.window(crops.frame_size(frames), window)
        return crops.crop_bilinear(frames, x0, y0, width, height, out, pad)

    @classmethod
    def template_crop(cls, frames, state, f32, p: Params, pad) -> torch.Tensor:
        """Exemplar crop of side ``round(z_size)`` (+1 pixel, see ``window``)."""
        def win(st):
            return cls._window(st, torch.round(cls._z_size(st, p.context_amount)))
        return cls._crop(frames, pp.per_dtype(win, f32, state), p.exemplar_size, pad)

    @classmethod
    def search_crop(cls, frames, state, f32, p: Params, instance: int, pad):
        """Search crop and ``scale_factor = exemplar / z_size`` (in the state's dtype)."""
        ratio = instance / p.exemplar_size

        def win(st):
            return cls._window(st, torch.round(cls._z_size(st, p.context_amount) * ratio))

        def scale(st):  # torch's ``int / tensor`` is ``tensor.reciprocal() * int``
            return torch.reciprocal(cls._z_size(st, p.context_amount)) * p.exemplar_size
        return (cls._crop(frames, pp.per_dtype(win, f32, state), instance, pad),
                pp.per_dtype(scale, f32, state))

    @classmethod
    def select(cls, cls_map, loc, anchors, window, state, f32, scale_z, knobs: pp.Knobs, p: Params):
        """``SiameseRPNHead.get_bbox`` up to the best cell (float32; the window is float64).

        Returns ``(best, best_score, score, pscore, penalty, pred_best, lr_eff)``."""
        score = pp.fg_scores(cls_map, p.anchor_num, cls.order)
        pred = pp.decode_mmtrack(pp.flat_deltas(loc, p.anchor_num, cls.order), anchors)

        def prev_terms(st, s):
            return torch.stack([pp.enlarged_size(st[:, 2] * s, st[:, 3] * s), st[:, 2] / st[:, 3]], 1)
        den, ratio = pp.per_dtype(prev_terms, f32, state, scale_z).to(torch.float32).unbind(1)
        sp = pp.change(pp.enlarged_size(pred[:, 2], pred[:, 3]) / den[:, None])
        ar = pp.change(ratio[:, None] / (pred[:, 2] / pred[:, 3]))
        penalty = torch.exp(-(ar * sp - 1) * knobs.penalty_k.to(torch.float32)[:, None])
        wi = knobs.window_influence
        pscore = pp.penalised_scores(penalty, score, window, wi, (1 - wi).to(torch.float32))
        best = torch.argmax(pscore, dim=1)
        best_score = pp.pick(score, best)
        lr = pp.pick(penalty, best) * best_score * knobs.lr.to(torch.float32)
        return best, best_score, score, pscore, penalty, pp.pick(pred, best), lr

    @staticmethod
    def update(state, f32, pred_best, scale_z, lr, best_score, bounds, p: Params, long_term: bool = False):
        """The smoothed update written into a float32 box, then ``_bbox_clip`` in float32.

        Returns ``(new_state, reported_box, unclipped)`` (float64 tensors of float32 values)."""
        box = pred_best.to(torch.float32) / scale_z.to(torch.float32)[:, None]
        lr = lr.to(torch.float32)

        def upd(st):  # a float32 box and lr promote against a float64 (frame-1) state
            return torch.stack([box[:, 0] + st[:, 0], box[:, 1] + st[:, 1],
                                st[:, 2] * (1 - lr) + box[:, 2] * lr,
                                st[:, 3] * (1 - lr) + box[:, 3] * lr], dim=1)
        new = torch.where(f32[:, None], upd(state.float()).double(), upd(state.double())).to(torch.float32)
        clipped = pp.clip_boxes(new, bounds.to(torch.float32)).to(torch.float64)
        out_box = torch.cat([clipped[:, :2] - clipped[:, 2:] / 2, clipped[:, 2:]], dim=1)
        return clipped, out_box, new.to(torch.float64)

    @classmethod
    def postprocess(cls, cls_map, loc, anchors, window, state, f32, scale_z, knobs: pp.Knobs,
                    bounds, p: Params, long_term: bool = False) -> pp.PostOut:
        """``select`` then ``update``: ``SiamRPN.track`` after the network."""
        best, best_score, score, pscore, penalty, pred_best, lr = cls.select(
            cls_map, loc, anchors, window, state, f32, scale_z, knobs, p)
        new_state, box, upd = cls.update(state, f32, pred_best, scale_z, lr, best_score, bounds, p)
        return pp.PostOut(new_state, box, best, best_score, score, pscore, penalty, pred_best.double(), lr, upd)
