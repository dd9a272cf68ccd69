"""Frame supply: decode the frames of planned steps ahead of the compute, in a background thread.

Each step needs one frame per running job (every stream of a job sees the same frame, so a
frame is decoded once however many streams track it).  The feeder thread takes step plans,
decodes their frames (``decode.py``: a CPU thread pool, or nvJPEG on the GPU) and packs each
step's frames into one flat ``(N, 3)`` uint8 device buffer (``crop.PackedFrames`` reads
frames of any sizes from it).  On CUDA the upload runs on a side stream; the compute stream
waits on an event, so decoding and copying overlap the network.  A frame that cannot be read
fails its job (the job's streams run on a 1x1 stand-in frame until the job ends; their results
are discarded).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from sotbench.trackers.siamrpnpp.engine.decode import Decoded
from sotbench.trackers.siamrpnpp.engine.schedule import StepPlan

__all__ = ["Feeder", "PackedStep"]


@dataclass
class PackedStep:
    """One step's frames on the device and where each job's frame lies in the buffer."""

    plan: StepPlan
    pixels: torch.Tensor
    index: dict[int, int]  # job id -> entry in base/height/width
    base: np.ndarray
    height: np.ndarray
    width: np.ndarray
    errors: dict[int, str] = field(default_factory=dict)
    ready: Any = None  # a CUDA event the compute stream waits on
    decode_seconds: float = 0.0

    def frame(self, job_id: int) -> torch.Tensor:
        """Job ``job_id``'s frame as an ``(H, W, 3)`` view."""
        k = self.index[job_id]
        b, h, w = int(self.base[k]), int(self.height[k]), int(self.width[k])
        return self.pixels[b:b + h * w].view(h, w, 3)

    def wait(self) -> None:
        """Make the current stream wait until the frames are on the device."""
        if self.ready is not None:
            stream = torch.cuda.current_stream(self.pixels.device)
            stream.wait_event(self.ready)
            self.pixels.record_stream(stream)


class Feeder:
    """A background thread turning step plans into ``PackedStep`` objects, in order."""

    def __init__(self, decoder, device: torch.device, depth: int = 64):
        self.decoder, self.device = decoder, device
        self.inq: queue.Queue = queue.Queue()
        self.outq: queue.Queue = queue.Queue(maxsize=depth)
        self.side = torch.cuda.Stream(device) if device.type == "cuda" else None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="sotbench-engine-feeder", daemon=True)
        self.thread.start()

    def put(self, plan: StepPlan, sources: dict[int, Any]) -> None:
        """Queue a plan; ``sources``: job id -> its ``FrameSource`` (for the jobs in the plan)."""
        self.inq.put((plan, sources))

    def get(self) -> PackedStep:
        """The next step's frames (blocks until decoded); re-raises a feeder failure."""
        item = self.outq.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Stop the thread (pending work is dropped)."""
        self._stop.set()
        self.inq.put(None)
        while self.thread.is_alive():
            try:  # unblock a thread waiting to put
                self.outq.get_nowait()
            except queue.Empty:
                pass
            self.thread.join(timeout=0.05)

    # -- the thread ---------------------------------------------------------------------------
    def _loop(self) -> None:
        pending: deque = deque()
        try:
            while not self._stop.is_set():
                block = not pending
                while True:
                    try:
                        item = self.inq.get(block=block)
                    except queue.Empty:
                        break
                    if item is None:
                        return
                    pending.append(self._submit(*item))
                    block = False
                if pending:
                    self._emit(pending.popleft())
        except BaseException as exc:  # hand the failure to the compute thread
            self.outq.put(exc)

    def _submit(self, plan: StepPlan, sources: dict[int, Any]):
        futures = [(jid, self.decoder.submit(sources[jid], t, (jid, t))) for jid, t in plan.frames]
        return plan, futures

    def _emit(self, item) -> None:
        plan, futures = item
        t0 = time.perf_counter()
        decoded: list[Decoded] = [f.result() for _, f in futures]
        packed = self._pack(plan, [jid for jid, _ in futures], decoded)
        packed.decode_seconds = time.perf_counter() - t0
        while not self._stop.is_set():
            try:
                self.outq.put(packed, timeout=0.1)
                return
            except queue.Full:
                continue

    def _pack(self, plan: StepPlan, jids: list[int], decoded: list[Decoded]) -> PackedStep:
        errors = {jid: d.error for jid, d in zip(jids, decoded) if d.error is not None}
        if self.side is not None:
            with torch.cuda.stream(self.side):
                images = self.decoder.materialise(decoded, self.device)
                pixels, sizes = _concat(images, self.device)
                ready = torch.cuda.Event()
                ready.record(self.side)
        else:
            images = self.decoder.materialise(decoded, self.device)
            pixels, sizes = _concat(images, self.device)
            ready = None
        height = np.array([h for h, _ in sizes], dtype=np.int64)
        width = np.array([w for _, w in sizes], dtype=np.int64)
        base = np.concatenate([[0], np.cumsum(height * width)[:-1]]).astype(np.int64)
        return PackedStep(plan, pixels, {jid: k for k, jid in enumerate(jids)}, base, height, width,
                          errors, ready)


def _upload(host: list[np.ndarray], device: torch.device) -> torch.Tensor:
    """Host images -> one ``(N, 3)`` device buffer through pinned memory (asynchronous copy)."""
    total = sum(im.shape[0] * im.shape[1] for im in host)
    try:
        buf = torch.empty((total, 3), dtype=torch.uint8, pin_memory=True)
    except RuntimeError:  # no pinned memory: a pageable buffer (the copy then blocks)
        buf = torch.empty((total, 3), dtype=torch.uint8)
    arr, off = buf.numpy(), 0
    for im in host:
        n = im.shape[0] * im.shape[1]
        arr[off:off + n] = im.reshape(-1, 3)
        off += n
    return buf.to(device, non_blocking=True)


def _concat(images: list, device: torch.device) -> tuple[torch.Tensor, list[tuple[int, int]]]:
    """``(H, W, 3)`` uint8 images (numpy on the host or tensors on the device) -> one
    ``(N, 3)`` buffer on ``device`` and the sizes."""
    sizes = [(int(im.shape[0]), int(im.shape[1])) for im in images]
    if not images:
        return torch.zeros((0, 3), dtype=torch.uint8, device=device), sizes
    if device.type != "cuda":
        host = [im if isinstance(im, np.ndarray) else im.cpu().numpy() for im in images]
        return torch.from_numpy(np.concatenate([im.reshape(-1, 3) for im in host])), sizes
    on_host = [i for i, im in enumerate(images) if isinstance(im, np.ndarray)]
    if len(on_host) == len(images):
        return _upload(images, device), sizes
    parts = list(images)
    if on_host:
        up, off = _upload([images[i] for i in on_host], device), 0
        for i in on_host:
            n = sizes[i][0] * sizes[i][1]
            parts[i], off = up[off:off + n], off + n
    return torch.cat([im.reshape(-1, 3) for im in parts]), sizes
