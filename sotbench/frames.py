"""Lazy frame sources: image files (libjpeg-turbo through simplejpeg) and video files.

Every source hands out BGR ``uint8`` arrays of shape ``(H, W, 3)``, exactly what
``cv2.imread`` returns (pysot and mmtracking both feed BGR).  Nothing is decoded until a
frame is asked for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

__all__ = ["FrameError", "FrameSource", "ImageFiles", "VideoFrames", "decode_image", "image_size"]

_JPEG_MAGIC = b"\xff\xd8"


class FrameError(RuntimeError):
    """A frame is missing or cannot be decoded."""


@runtime_checkable
class FrameSource(Protocol):
    """A sized, indexable collection of BGR frames."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> np.ndarray: ...

    def describe(self, index: int) -> str:
        """Human-readable location of frame ``index`` (a path, or ``video.avi#12``)."""
        ...


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise FrameError(f"{path}: frame file is missing") from None
    except OSError as exc:
        raise FrameError(f"{path}: cannot read frame ({exc.strerror})") from None


def _simplejpeg():
    """simplejpeg when installed (a thin libjpeg-turbo binding), else None."""
    try:
        import simplejpeg
    except ImportError:
        return None
    return simplejpeg


def decode_image(path: str | os.PathLike) -> np.ndarray:
    """Decode one image file to BGR uint8; JPEG goes through libjpeg-turbo (simplejpeg)."""
    path = Path(path)
    data = _read_bytes(path)
    if data[:2] == _JPEG_MAGIC and _simplejpeg() is not None:
        try:
            return _simplejpeg().decode_jpeg(data, colorspace="BGR")
        except ValueError as exc:
            raise FrameError(f"{path}: corrupt JPEG ({exc})") from None
    import cv2  # OpenCV also decodes JPEG with libjpeg-turbo, with identical pixels

    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise FrameError(f"{path}: not a readable image (expected JPEG, PNG or BMP)")
    return img


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """``(width, height)`` of an image file, reading only its header for JPEG."""
    path = Path(path)
    data = _read_bytes(path)
    if data[:2] == _JPEG_MAGIC and _simplejpeg() is not None:
        h, w, _, _ = _simplejpeg().decode_jpeg_header(data)
        return int(w), int(h)
    img = decode_image(path)
    return int(img.shape[1]), int(img.shape[0])


class ImageFiles:
    """Frames stored as one image file each."""

    def __init__(self, paths: Sequence[str | os.PathLike]):
        self.paths = [Path(p) for p in paths]

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> np.ndarray:
        return decode_image(self.paths[index])

    def describe(self, index: int) -> str:
        return str(self.paths[index])

    def __repr__(self) -> str:
        first = self.paths[0] if self.paths else "-"
        return f"ImageFiles({len(self.paths)} frames from {first})"


class VideoFrames:
    """Frames ``start .. stop-1`` of a video file (``.avi``, ``.mp4``, ...) read with OpenCV.

    Sequential access reads the next frame; any other access seeks.  The open capture is
    not pickled, so the source can travel to worker processes.
    """

    def __init__(self, path: str | os.PathLike, start: int = 0, stop: int | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise FrameError(f"{self.path}: video file is missing")
        self.start = start
        total = self._count_frames()
        self.stop = total if stop is None else min(stop, total)
        if self.stop <= self.start:
            raise FrameError(f"{self.path}: no frames in range {start}..{stop} (video has {total})")
        self._cap = None
        self._next = -1

    def _open(self):
        import cv2

        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            raise FrameError(f"{self.path}: OpenCV cannot open this video")
        return cap

    def _count_frames(self) -> int:
        import cv2

        cap = self._open()
        try:
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            if n <= 0:  # container without an index: count by decoding
                n = 0
                while cap.grab():
                    n += 1
            return n
        finally:
            cap.release()

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, index: int) -> np.ndarray:
        import cv2

        if not 0 <= index < len(self):
            raise IndexError(index)
        pos = self.start + index
        if self._cap is None:
            self._cap = self._open()
            self._next = 0
        if pos != self._next:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, pos)
        ok, frame = self._cap.read()
        if not ok:
            raise FrameError(f"{self.path}: cannot decode frame {pos}")
        self._next = pos + 1
        return frame

    def describe(self, index: int) -> str:
        return f"{self.path}#{self.start + index}"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_cap"], state["_next"] = None, -1
        return state

    def __repr__(self) -> str:
        return f"VideoFrames({self.path}, frames {self.start}..{self.stop - 1})"
