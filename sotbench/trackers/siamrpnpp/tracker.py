"""The single-stream SiamRPN++ tracker (the ``sotbench`` tracker contract).

One stream is a batch of one through the batched pieces (``flavours``, ``crop``,
``postprocess``, ``model``): the state stays a device tensor, and each ``update`` makes one
device-to-host copy (the box and score it must return).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from sotbench.trackers.base import TrackerOutput
from sotbench.trackers.siamrpnpp import postprocess as pp
from sotbench.trackers.siamrpnpp.anchors import make_anchors, make_window
from sotbench.trackers.siamrpnpp.flavours import FLAVOUR_CLASSES, Knobs, MMTracking
from sotbench.trackers.siamrpnpp.model import Kernels, SiamRPNpp
from sotbench.trackers.siamrpnpp.params import Params, score_size

__all__ = ["SiamRPNppTracker", "StepResult"]


@dataclass
class StepResult:
    """Everything one search step produced (device tensors, batch of one)."""

    crop: torch.Tensor
    cls: torch.Tensor
    loc: torch.Tensor
    scale_z: torch.Tensor
    post: pp.PostOut


class SiamRPNppTracker:
    """SiamRPN++ R50 reproducing pysot's or mmtracking's tracker (``params.flavour``)."""

    name = "siamrpnpp"
    deterministic = True

    def __init__(self, params: Params, model: SiamRPNpp, device: torch.device,
                 weights: dict[str, Any] | None = None):
        self.p = params
        self.flavour = FLAVOUR_CLASSES[params.flavour]
        self.device = device
        self.model = model.to(device).eval()
        self._weights = dict(weights or {})
        self._grids: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self.knobs = Knobs.full(1, params.penalty_k, params.window_influence, params.lr, device)
        self._lt_knobs = Knobs.full(1, params.penalty_k, 0.001, params.lr, device)
        self.kernels: Kernels | None = None
        self.state: torch.Tensor | None = None
        self.f32 = torch.zeros(1, dtype=torch.bool, device=device)
        self.pad: torch.Tensor | None = None
        self.bounds: torch.Tensor | None = None
        self.lost = False  # SiamRPNLTTracker's long-term (re-detection) state

    # -- contract --------------------------------------------------------------------------
    def init(self, image: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Start on ``image`` from a benchmark region; returns the box reported for frame 0."""
        state, box = self.flavour.init(region)
        self.init_state(image, state)
        return box

    def update(self, image: np.ndarray) -> TrackerOutput:
        """Track one frame: the box ``(x, y, w, h)`` and the chosen cell's score."""
        res = self.step(image)
        host = torch.cat([res.post.box[0], res.post.best_score[:1].double()]).cpu().numpy()
        if not np.isfinite(host).all():
            raise RuntimeError(f"SiamRPN++ produced a non-finite box {host[:4].tolist()} "
                               f"({self.weights_info().get('source', 'weights')}): check the checkpoint")
        if self.p.long_term:
            score = host[4]
            self.lost = score < self.p.confidence_low or (self.lost and score <= self.p.confidence_high)
        return TrackerOutput(box=host[:4], score=float(host[4]))

    # -- lower level (tests, teacher forcing) -----------------------------------------------
    def frame_tensor(self, image: np.ndarray) -> torch.Tensor:
        """A BGR uint8 ``(H, W, 3)`` frame on the tracker's device."""
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected a BGR uint8 (H, W, 3) image, got {image.dtype} {image.shape}")
        return torch.from_numpy(np.ascontiguousarray(image)).to(self.device)

    @torch.no_grad()
    def init_state(self, image: np.ndarray, state: np.ndarray) -> torch.Tensor:
        """Initialise from a ``(cx, cy, w, h)`` state (pysot ``tracker.init`` after its
        centre convention); returns the template crop."""
        frame = self.frame_tensor(image)
        if self.flavour is MMTracking:
            self.pad = MMTracking.padding_tensor(frame)[None]
        else:
            self.pad = torch.from_numpy(self.flavour.padding(image)).to(self.device)[None]
        h, w = image.shape[:2]
        self.bounds = torch.tensor([[w, h]], dtype=torch.float64, device=self.device)
        self.set_state(state, f32=False)
        z = self.flavour.template_crop(frame, self.state, self.f32, self.p, self.pad)
        self.kernels = self.model.template(z)
        self.lost = False
        return z

    def set_state(self, state: np.ndarray, f32: bool = False) -> None:
        """Set ``(cx, cy, w, h)`` (teacher forcing); ``f32``: mmtracking's float32 state."""
        self.state = torch.tensor(np.asarray(state, dtype=np.float64).reshape(1, 4), device=self.device)
        self.f32 = torch.tensor([bool(f32)], device=self.device)

    def grids(self, instance: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Anchors and window for a search size (cached)."""
        if instance not in self._grids:
            size = score_size(self.p, instance)
            self._grids[instance] = (make_anchors(self.p, size, self.device), make_window(self.p, size, self.device))
        return self._grids[instance]

    @torch.no_grad()
    def step(self, image: np.ndarray) -> StepResult:
        """One search step from the current state; updates the state (no host sync)."""
        if self.kernels is None or self.state is None:
            raise RuntimeError("update() called before init()")
        lost = self.p.long_term and self.lost
        instance = self.p.lost_instance_size if lost else self.p.instance_size
        frame = self.frame_tensor(image)
        x, scale_z = self.flavour.search_crop(frame, self.state, self.f32, self.p, instance, self.pad)
        cls_map, loc = self.model.track(x, self.kernels)
        anchors, window = self.grids(instance)
        size = score_size(self.p, instance)
        if cls_map.shape[-1] != size:
            raise RuntimeError(f"score map is {cls_map.shape[-1]}x{cls_map.shape[-1]}, expected {size} "
                               "from instance_size, exemplar_size, anchor_stride and base_size")
        knobs = self._lt_knobs if lost else self.knobs
        post = self.flavour.postprocess(cls_map, loc, anchors, window, self.state, self.f32, scale_z,
                                        knobs, self.bounds, self.p, self.p.long_term)
        self.state = post.state
        if self.flavour is MMTracking:
            self.f32 = torch.ones_like(self.f32)
        return StepResult(x, cls_map, loc, scale_z, post)

    # -- reported in the run manifest --------------------------------------------------------
    def params(self) -> dict:
        """The full parameter set."""
        return self.p.to_dict()

    def weights_info(self) -> dict:
        """Where the weights came from and their sha256 (or how random weights were made)."""
        return dict(self._weights)

    def device_info(self) -> dict:
        """Device, its name, torch version, dtype and CPU threads."""
        info = {"device": str(self.device), "torch": torch.__version__, "dtype": "float32",
                "threads": torch.get_num_threads()}
        if self.device.type == "cuda":
            info["name"] = torch.cuda.get_device_name(self.device)
        return info
