"""The engine's per-stream device buffers: one row per slot.

Each slot holds a stream's tracker state ``(cx, cy, w, h)`` (float64), mmtracking's float32
flag, the padding colour, the frame bounds of its last initialisation, its knobs (a ``Knobs``:
one tensor per name of ``params.STREAM_PARAMS``) and its correlation kernels (6 tensors of
``(C, 5, 5)``).  A step gathers the rows of its streams, and writes the new states back.
"""

from __future__ import annotations

import torch

from sotbench.trackers.siamrpnpp.flavours import Knobs
from sotbench.trackers.siamrpnpp.model import Kernels

__all__ = ["Slots"]


class Slots:
    """Device buffers for ``capacity`` streams."""

    def __init__(self, capacity: int, device: torch.device, pad_dtype: torch.dtype):
        self.capacity, self.device = capacity, device
        f64 = {"dtype": torch.float64, "device": device}
        self.state = torch.zeros(capacity, 4, **f64)
        self.f32 = torch.zeros(capacity, dtype=torch.bool, device=device)
        self.pad = torch.zeros(capacity, 3, dtype=pad_dtype, device=device)
        self.bounds = torch.zeros(capacity, 2, **f64)
        self.knobs = Knobs.full(capacity, 0.0, 0.0, 0.0, device)
        self.kernels: list[torch.Tensor] | None = None
        self.levels = 0

    def _ensure_kernels(self, kernels: Kernels) -> None:
        if self.kernels is None:
            self.levels = len(kernels.cls)
            self.kernels = [torch.zeros((self.capacity, *k.shape[1:]), dtype=k.dtype, device=self.device)
                            for k in kernels.cls + kernels.loc]

    def initialise(self, slots: torch.Tensor, which: torch.Tensor, kernels: Kernels, state: torch.Tensor,
                   pad: torch.Tensor, bounds: torch.Tensor, knobs: Knobs) -> None:
        """Slot ``slots[i]`` takes template ``which[i]`` (rows of ``kernels``, ``state``, ``pad``,
        ``bounds``) and knobs ``knobs[i]``; its float32 flag is cleared."""
        self._ensure_kernels(kernels)
        for buf, k in zip(self.kernels, kernels.cls + kernels.loc):
            buf.index_copy_(0, slots, k.index_select(0, which).to(buf.dtype))
        self.state.index_copy_(0, slots, state.index_select(0, which))
        self.pad.index_copy_(0, slots, pad.index_select(0, which).to(self.pad.dtype))
        self.bounds.index_copy_(0, slots, bounds.index_select(0, which))
        self.knobs.put(slots, knobs)
        self.f32.index_fill_(0, slots, False)

    def gather(self, idx: torch.Tensor):
        """``(state, f32, pad, bounds, knobs, kernels)`` of the slots ``idx``."""
        kern = [b.index_select(0, idx) for b in self.kernels]
        return (self.state.index_select(0, idx), self.f32.index_select(0, idx), self.pad.index_select(0, idx),
                self.bounds.index_select(0, idx), self.knobs.select(idx),
                Kernels(kern[:self.levels], kern[self.levels:]))

    def update(self, slots: torch.Tensor, state: torch.Tensor, set_f32: bool) -> None:
        """Write the new states of ``slots``; ``set_f32``: mmtracking holds them in float32 now."""
        self.state.index_copy_(0, slots, state)
        if set_f32:
            self.f32.index_fill_(0, slots, True)
