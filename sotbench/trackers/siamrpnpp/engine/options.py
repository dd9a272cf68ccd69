"""Engine options: batch size, precision, decoder, compilation, pipelining depth.

``batch`` is the number of streams advanced together (``None``: sized to the device: see
``auto_batch``).  ``precision``:

* ``fp32`` (default): true float32 (TF32 off), the shared network as loaded.
  On the CPU, fp32 boxes drift from the single-stream tracker's by float summation order (the
  engine computes several templates in one batch) and the drift grows with the frame count:
  within 2e-3 px over the 140 frames of OTB Couple (measured 1.08e-3 px, the most of six real
  sequences of 74 to 307 frames). On CUDA they were equal: 0.0 px over 60 frames × 2 videos × 2
  settings (H200, benchmarks/RESULTS.md; not re-measured).
* ``tf32``: TF32 tensor-core convolutions on CUDA, BatchNorm folded into the convolutions;
* ``bf16``: bfloat16 autocast, channels-last, BatchNorm folded.

``decoder``: ``cpu`` (libjpeg-turbo/OpenCV thread pool: the pixels ``cv2.imread`` gives, which
the reference toolkits read), ``nvjpeg`` (``torchvision.io.decode_jpeg`` on the GPU; its
pixels may differ from libjpeg-turbo's by a few levels) or ``auto`` (nvJPEG for tf32/bf16 when
torchvision and CUDA are there; the CPU pool otherwise, so fp32 reads the pixels the
single-stream tracker reads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sotbench.trackers.backends import DECODERS, PRECISIONS, BackendOptions, OptionsError

__all__ = ["DECODERS", "PRECISIONS", "EngineOptions", "OptionsError", "auto_batch"]

MAX_AUTO_BATCH = 256
CPU_AUTO_BATCH = 8


@dataclass(frozen=True)
class EngineOptions:
    """How the engine runs (in fp32 only ``decoder='nvjpeg'`` and, on the CPU, the summation order
    of batched templates change results: see the module docstring)."""

    batch: int | None = None
    precision: str = "fp32"
    decoder: str = "auto"
    compile: bool = False
    threads: int | None = None  # decoding threads (default: CPU count, at most 16)
    lag: int = 3  # steps between a step's launch and reading its boxes on the host
    prefetch_frames: int = 64  # frames decoded ahead of the compute

    def __post_init__(self) -> None:
        BackendOptions(batch=self.batch, precision=self.precision, decoder=self.decoder)  # the flags' checks
        if self.lag < 0 or self.prefetch_frames < 1:
            raise OptionsError("lag must be >= 0 and prefetch_frames >= 1")

    @classmethod
    def of(cls, options: BackendOptions) -> EngineOptions:
        """The engine options of the ``run`` / ``search`` flags."""
        return cls(batch=options.batch, precision=options.precision, decoder=options.decoder, compile=options.compile)

    @property
    def decode_threads(self) -> int:
        """Threads of the CPU decoding pool."""
        return self.threads or max(1, min(16, os.cpu_count() or 1))

    def describe(self) -> dict:
        """JSON-ready summary for run manifests."""
        return {"batch": self.batch, "precision": self.precision, "decoder": self.decoder,
                "compile": self.compile, "lag": self.lag}


def auto_batch(device, bytes_per_stream: int | None = None) -> int:
    """Streams per step for ``device``: on CUDA as many as ~70 % of the free memory holds (a
    power of two, at most 256: throughput is flat beyond ~64); on the CPU 8."""
    import torch

    if device.type != "cuda":
        return CPU_AUTO_BATCH
    free, _ = torch.cuda.mem_get_info(device)
    per = bytes_per_stream or 80 * 2**20  # measured ~40-60 MiB per stream in fp32 (see docs/engine.md)
    fit = int(0.7 * free // per)
    b = 1
    while b * 2 <= min(fit, MAX_AUTO_BATCH):
        b *= 2
    return b
