"""The single-stream SiamRPN++ tracker (the ``sotbench`` tracker contract).

One stream is a batch of one through the batched pieces (``flavours``, ``crop``,
``postprocess``, ``model``).  State, template kernels, padding colour and frame bounds live in
persistent device buffers that every step reads and updates in place; each ``update`` makes
one device-to-host copy (the box and score it must return).  On CUDA the step is replayed as
a CUDA graph (``cudagraph.py``), falling back to eager execution if capture fails.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from sotbench.trackers.base import TrackerOutput
from sotbench.trackers.siamrpnpp import postprocess as pp
from sotbench.trackers.siamrpnpp.anchors import make_anchors, make_window
from sotbench.trackers.siamrpnpp.cudagraph import GraphCache
from sotbench.trackers.siamrpnpp.flavours import FLAVOUR_CLASSES, Knobs, MMTracking
from sotbench.trackers.siamrpnpp.model import Kernels, SiamRPNpp
from sotbench.trackers.siamrpnpp.params import Params, score_size

__all__ = ["SiamRPNppTracker", "StepResult", "configure_cuda"]


@dataclass
class StepResult:
    """Everything one search step produced (device tensors, batch of one).  With CUDA graphs
    these are the graph's own output buffers: copy what you keep."""

    crop: torch.Tensor
    cls: torch.Tensor
    loc: torch.Tensor
    scale_z: torch.Tensor
    post: pp.PostOut
    summary: torch.Tensor  # (5,) float64: x, y, w, h, score


def configure_cuda() -> dict:
    """True float32 convolutions (no TF32: the fidelity contract is fp32) and cuDNN autotuning."""
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    return {"tf32": False, "cudnn_benchmark": True}


class SiamRPNppTracker:
    """SiamRPN++ R50 reproducing pysot's or mmtracking's tracker (``params.flavour``)."""

    name = "siamrpnpp"
    deterministic = True

    def __init__(self, params: Params, model: SiamRPNpp, device: torch.device,
                 weights: dict[str, Any] | None = None, cuda_graph: bool | None = None):
        self.p = params
        self.flavour = FLAVOUR_CLASSES[params.flavour]
        self.device = device
        self._cuda = configure_cuda() if device.type == "cuda" else {}
        self.model = model.to(device).eval()
        self._weights = dict(weights or {})
        self._grids: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self.knobs = Knobs.full(1, params.penalty_k, params.window_influence, params.lr, device)
        self._lt_knobs = Knobs.full(1, params.penalty_k, 0.001, params.lr, device)
        self.kernels: Kernels | None = None
        self.state = torch.zeros(1, 4, dtype=torch.float64, device=device)
        self.f32 = torch.zeros(1, dtype=torch.bool, device=device)
        self.bounds = torch.zeros(1, 2, dtype=torch.float64, device=device)
        self.pad: torch.Tensor | None = None
        self.lost = False  # SiamRPNLTTracker's long-term (re-detection) state
        use_graph = device.type == "cuda" and not params.long_term if cuda_graph is None else cuda_graph
        self._graphs = GraphCache(self._step_core, self._buffers) if use_graph else None

    # -- contract --------------------------------------------------------------------------
    def init(self, image: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Start on ``image`` from a benchmark region; returns the box reported for frame 0."""
        try:
            state, box = self.flavour.init(region)
        except ZeroDivisionError:  # a polygon without area
            state, box = np.full(4, np.nan), None
        if not (np.isfinite(state).all() and state[2] > 0 and state[3] > 0):
            raise ValueError(f"cannot initialise SiamRPN++ from region {np.asarray(region).tolist()} "
                             f"(gives centre/size {state.tolist()})")
        self.init_state(image, state)
        return box

    def update(self, image: np.ndarray) -> TrackerOutput:
        """Track one frame: the box ``(x, y, w, h)`` and the chosen cell's score."""
        host = self.step(image).summary.cpu().numpy()
        if not np.isfinite(host).all():
            raise RuntimeError(f"SiamRPN++ produced a non-finite box {host[:4].tolist()} "
                               f"({self.weights_info().get('source', 'weights')}): check the checkpoint")
        if self.p.long_term:
            score = host[4]
            self.lost = score < self.p.confidence_low or (self.lost and score <= self.p.confidence_high)
        return TrackerOutput(box=host[:4].copy(), score=float(host[4]))

    # -- lower level (tests, teacher forcing, benchmarks) -----------------------------------
    def frame_tensor(self, image: np.ndarray) -> torch.Tensor:
        """A BGR uint8 ``(H, W, 3)`` frame on the tracker's device."""
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected a BGR uint8 (H, W, 3) image, got {image.dtype} {image.shape}")
        return torch.from_numpy(np.ascontiguousarray(image)).to(self.device)

    @torch.no_grad()
    def init_state(self, image: np.ndarray, state: np.ndarray) -> torch.Tensor:
        """Initialise from a ``(cx, cy, w, h)`` state (after the flavour's init conventions);
        returns the exemplar crop.  Buffers are refilled in place (captured graphs stay valid)."""
        frame = self.frame_tensor(image)
        if self.flavour is MMTracking:
            pad = MMTracking.padding_tensor(frame)[None]
        else:
            pad = torch.from_numpy(self.flavour.padding(image)).to(self.device)[None]
        self.pad = pad if self.pad is None else self.pad.copy_(pad)
        h, w = image.shape[:2]
        self.bounds.copy_(torch.tensor([[w, h]], dtype=torch.float64))
        self.set_state(state, f32=False)
        z = self.flavour.template_crop(frame, self.state, self.f32, self.p, self.pad)
        kernels = self.model.template(z)
        if self.kernels is None:
            self.kernels = kernels
        else:
            for old, new in zip(self.kernels.cls + self.kernels.loc, kernels.cls + kernels.loc):
                old.copy_(new)
        self.lost = False
        return z

    def set_state(self, state: np.ndarray, f32: bool = False) -> None:
        """Set ``(cx, cy, w, h)`` (teacher forcing); ``f32``: mmtracking's float32 state."""
        self.state.copy_(torch.tensor(np.asarray(state, dtype=np.float64).reshape(1, 4)))
        self.f32.fill_(bool(f32))

    def grids(self, instance: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Anchors and window for a search size (cached)."""
        if instance not in self._grids:
            size = score_size(self.p, instance)
            self._grids[instance] = (make_anchors(self.p, size, self.device), make_window(self.p, size, self.device))
        return self._grids[instance]

    def _buffers(self) -> list[torch.Tensor]:
        return [self.state, self.f32]

    def _step_core(self, frame: torch.Tensor) -> StepResult:
        """Crop, network, post-processing, state update: device ops only (graph-capturable)."""
        lost = self.p.long_term and self.lost
        instance = self.p.lost_instance_size if lost else self.p.instance_size
        x, scale_z = self.flavour.search_crop(frame, self.state, self.f32, self.p, instance, self.pad)
        cls_map, loc = self.model.track(x, self.kernels)
        size = score_size(self.p, instance)
        if cls_map.shape[-1] != size:
            raise RuntimeError(f"score map is {cls_map.shape[-1]}x{cls_map.shape[-1]}, expected {size} "
                               "from instance_size, exemplar_size, anchor_stride and base_size")
        anchors, window = self.grids(instance)
        post = self.flavour.postprocess(cls_map, loc, anchors, window, self.state, self.f32, scale_z,
                                        self._lt_knobs if lost else self.knobs, self.bounds, self.p,
                                        self.p.long_term)
        self.state.copy_(post.state)
        if self.flavour is MMTracking:
            self.f32.fill_(True)
        summary = torch.cat([post.box[0], post.best_score[:1].to(torch.float64)])
        return StepResult(x, cls_map, loc, scale_z, post, summary)

    @torch.no_grad()
    def step(self, image: np.ndarray) -> StepResult:
        """One search step from the current state; updates the state (no host sync)."""
        if self.kernels is None:
            raise RuntimeError("update() called before init()")
        frame = self.frame_tensor(image)
        if self._graphs is not None:
            try:
                return self._graphs.run(frame)
            except RuntimeError as exc:  # capture unsupported here: run eagerly from now on
                print(f"warning: CUDA graph capture failed ({str(exc).splitlines()[0]}); running eagerly",
                      file=sys.stderr)
                self._graphs = None
        return self._step_core(frame)

    # -- reported in the run manifest --------------------------------------------------------
    def params(self) -> dict:
        """The full parameter set."""
        return self.p.to_dict()

    def weights_info(self) -> dict:
        """Where the weights came from and their sha256 (or how random weights were made)."""
        return dict(self._weights)

    def device_info(self) -> dict:
        """Device, its name, torch version, dtype, CPU threads, CUDA settings."""
        info = {"device": str(self.device), "torch": torch.__version__, "dtype": "float32",
                "threads": torch.get_num_threads(), **self._cuda}
        if self.device.type == "cuda":
            info["name"] = torch.cuda.get_device_name(self.device)
            info["cuda_graph"] = self._graphs is not None
        return info
