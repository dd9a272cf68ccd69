"""Frame decoders for the engine: a CPU thread pool (libjpeg-turbo / OpenCV, the pixels
``cv2.imread`` gives) or nvJPEG on the GPU (``torchvision.io.decode_jpeg``).

``submit(source, t, key)`` starts reading frame ``t`` of a ``FrameSource`` in the pool and
returns a future of ``Decoded``; ``materialise(decoded, device)`` turns a step's results into
``(H, W, 3)`` BGR uint8 images (numpy arrays, or device tensors for nvJPEG).  OpenCV and
simplejpeg release the GIL while decoding, so the pool scales with threads.  nvJPEG may give
pixels a few levels away from libjpeg-turbo's (its IDCT and chroma upsampling differ), which
is why ``choose_decoder`` keeps the CPU pool for fp32 unless nvJPEG is asked for.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sotbench.frames import ImageFiles, decode_image
from sotbench.trackers.siamrpnpp.engine.precision import warn

__all__ = ["CpuDecoder", "Decoded", "NvjpegDecoder", "choose_decoder", "nvjpeg_available"]

_JPEG_MAGIC = b"\xff\xd8"
STAND_IN = np.zeros((1, 1, 3), dtype=np.uint8)  # the frame a failed job's streams see


@dataclass
class Decoded:
    """A frame: decoded on the host, or JPEG bytes for the GPU, or the reason it failed."""

    image: np.ndarray | None = None
    jpeg: Any = None  # uint8 tensor of the file's bytes
    path: Path | None = None
    error: str | None = None


def _check(image: Any, where: str) -> np.ndarray:
    if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3):
        shape = getattr(image, "shape", None)
        raise ValueError(f"{where}: expected a BGR uint8 (H, W, 3) frame, got {getattr(image, 'dtype', type(image))} "
                         f"{shape}")
    return np.ascontiguousarray(image)


class CpuDecoder:
    """Decode frames in a thread pool on the host."""

    name = "cpu"

    def __init__(self, threads: int):
        self.threads = threads
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sotbench-decode")
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, source: Any) -> threading.Lock | None:
        """Sources other than image files (videos) are read one frame at a time."""
        if isinstance(source, ImageFiles):
            return None
        with self._guard:
            return self._locks.setdefault(id(source), threading.Lock())

    def _host(self, source: Any, t: int) -> Decoded:
        try:
            lock = self._lock(source)
            if lock is None:
                image = source[t]
            else:
                with lock:
                    image = source[t]
            return Decoded(image=_check(image, _describe(source, t)))
        except Exception as exc:  # reported as the job's error
            return Decoded(error=f"{type(exc).__name__}: {exc}")

    def submit(self, source: Any, t: int, key: Any = None) -> Future:
        """Decode frame ``t`` of ``source`` in the pool."""
        if source is None:
            fut: Future = Future()
            fut.set_result(Decoded(error="FrameError: no frames on disk (this dataset root holds annotations only)"))
            return fut
        return self.pool.submit(self._host, source, t)

    def materialise(self, decoded: list[Decoded], device) -> list[Any]:
        """Host images (a 1x1 stand-in where decoding failed)."""
        return [STAND_IN if d.image is None else d.image for d in decoded]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _describe(source: Any, t: int) -> str:
    describe = getattr(source, "describe", None)
    return describe(t) if callable(describe) else f"frame {t}"


class NvjpegDecoder(CpuDecoder):
    """JPEG files decoded on the GPU in batches (other frames on the host)."""

    name = "nvjpeg"

    def _read(self, source: ImageFiles, t: int) -> Decoded:
        import torch

        path = source.paths[t]
        try:
            data = path.read_bytes()
        except OSError:
            return self._host(source, t)  # the host path words the error
        if data[:2] != _JPEG_MAGIC:
            return self._host(source, t)
        return Decoded(jpeg=torch.frombuffer(bytearray(data), dtype=torch.uint8), path=path)

    def submit(self, source: Any, t: int, key: Any = None) -> Future:
        if isinstance(source, ImageFiles):
            return self.pool.submit(self._read, source, t)
        return super().submit(source, t, key)

    def materialise(self, decoded: list[Decoded], device) -> list[Any]:
        """Decode the step's JPEGs in one batched nvJPEG call (BGR, ``(H, W, 3)`` views)."""
        from torchvision.io import ImageReadMode, decode_jpeg

        out = super().materialise(decoded, device)
        todo = [i for i, d in enumerate(decoded) if d.jpeg is not None]
        if not todo:
            return out
        try:
            images = decode_jpeg([decoded[i].jpeg for i in todo], device=device, mode=ImageReadMode.RGB)
            for i, im in zip(todo, images):
                out[i] = im.flip(0).permute(1, 2, 0)
        except Exception as exc:  # a file nvJPEG rejects: the host decoder words the error
            warn(f"nvJPEG failed on a batch ({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); "
                 "decoding it on the CPU")
            for i in todo:
                try:
                    out[i] = _check(decode_image(decoded[i].path), str(decoded[i].path))
                except Exception as err:
                    decoded[i].error = f"{type(err).__name__}: {err}"
                    out[i] = STAND_IN
        return out


def nvjpeg_available(device) -> str | None:
    """``None`` when nvJPEG decodes on ``device``, else why not."""
    if device.type != "cuda":
        return "not a CUDA device"
    try:
        import cv2
        import torch
        from torchvision.io import ImageReadMode, decode_jpeg

        _, enc = cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))
        img = decode_jpeg([torch.from_numpy(enc.ravel().copy())], device=device, mode=ImageReadMode.RGB)[0]
        if tuple(img.shape) != (3, 16, 16):
            return f"nvJPEG self-test gave shape {tuple(img.shape)}"
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return None


def choose_decoder(choice: str, precision: str, device, threads: int) -> CpuDecoder:
    """The decoder for ``choice`` (``auto``: nvJPEG for tf32/bf16 where it works, else the CPU
    pool; fp32 keeps the CPU pool, whose pixels are those of ``cv2.imread``)."""
    if choice == "cpu" or (choice == "auto" and (precision == "fp32" or device.type != "cuda")):
        return CpuDecoder(threads)
    why = nvjpeg_available(device)
    if why is None:
        return NvjpegDecoder(threads)
    if choice == "nvjpeg":
        warn(f"nvJPEG unavailable ({why}); decoding on the CPU")
    return CpuDecoder(threads)
