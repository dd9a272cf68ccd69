"""A whole tracker step (crop, network, post-processing) replayed as one CUDA graph.

Every op of a step is sync-free and shape-static for a given frame size, so the step can be
captured once per frame size and replayed: one launch instead of a few hundred (at batch 1
the launches, not the arithmetic, bound pysot's loop).  The graph reads and writes the
tracker's persistent buffers (state, kernels, padding, bounds), which re-initialisation
refills in place, so a captured graph stays valid across ``init`` calls.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import torch

__all__ = ["GraphCache"]


class _Captured:
    """One captured step for frames of one size."""

    def __init__(self, step: Callable[[torch.Tensor], tuple], frame: torch.Tensor, buffers: list[torch.Tensor]):
        self.frame = frame
        saved = [b.clone() for b in buffers]
        try:
            stream = torch.cuda.Stream(device=frame.device)
            stream.wait_stream(torch.cuda.current_stream(frame.device))
            with torch.cuda.stream(stream):
                for _ in range(2):  # warm-up: cuDNN autotuning, lazy caches, allocator pools
                    step(frame)
            torch.cuda.current_stream(frame.device).wait_stream(stream)
            self.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self.graph):
                self.outputs = step(frame)
        finally:
            for b, s in zip(buffers, saved):  # the warm-up moved the state: put it back
                b.copy_(s)

    def run(self, frame: torch.Tensor) -> tuple:
        self.frame.copy_(frame)
        self.graph.replay()
        return self.outputs


class GraphCache:
    """Captured steps by frame size (a few kept; sequences rarely change size)."""

    def __init__(self, step: Callable[[torch.Tensor], tuple], buffers: Callable[[], list[torch.Tensor]],
                 size: int = 4):
        self._step, self._buffers, self._size = step, buffers, size
        self._graphs: OrderedDict[tuple, _Captured] = OrderedDict()

    def run(self, frame: torch.Tensor) -> tuple:
        """Copy ``frame`` into the graph's input and replay (capturing on first use)."""
        key = tuple(frame.shape)
        if key not in self._graphs:
            self._graphs[key] = _Captured(self._step, frame.clone(), self._buffers())
            while len(self._graphs) > self._size:
                self._graphs.popitem(last=False)
        self._graphs.move_to_end(key)
        return self._graphs[key].run(frame)

    def clear(self) -> None:
        """Drop every captured graph (e.g. after the buffers were reallocated)."""
        self._graphs.clear()
