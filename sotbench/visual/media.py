"""Writing what ``show`` draws: MP4 (imageio-ffmpeg, which ships its own ffmpeg), animated GIF
(Pillow) and PNG (OpenCV), chosen by the file's extension.

Every file is written to a temporary name in the target folder and renamed when complete, so an
interrupted or failed render never leaves a truncated file (nor replaces an existing one).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from sotbench.visual.tracks import ShowError

__all__ = ["VIDEO_SUFFIXES", "SUFFIXES", "FrameWriter", "open_writer", "write_png"]

VIDEO_SUFFIXES = (".mp4", ".gif")
SUFFIXES = VIDEO_SUFFIXES + (".png",)


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _finish(tmp: Path, path: Path) -> None:
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # readable like any other output (mkstemp makes it private)
    os.replace(tmp, path)


def write_png(path: str | os.PathLike, image_bgr: np.ndarray) -> Path:
    """Write a BGR image as PNG, atomically."""
    import cv2

    path = Path(path)
    ok, data = cv2.imencode(".png", image_bgr)
    if not ok:
        raise ShowError(f"{path}: OpenCV could not encode the image as PNG")
    tmp = _temporary(path)
    try:
        tmp.write_bytes(data.tobytes())
        _finish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class FrameWriter:
    """Frames appended one at a time to an MP4 or GIF; ``close()`` completes the file, ``abort()`` drops it."""

    def __init__(self, path: Path, fps: float):
        self.path, self.fps = path, fps
        self.tmp = _temporary(path)
        self._mp4 = None
        self._gif: list = []
        self.count = 0

    def append(self, frame_bgr: np.ndarray) -> None:
        """Add one BGR frame (all frames one size)."""
        rgb = np.ascontiguousarray(frame_bgr[:, :, ::-1])
        if self.path.suffix.lower() == ".gif":
            from PIL import Image

            # quantised now: a palette frame is a third of the RGB array
            self._gif.append(Image.fromarray(rgb).quantize(colors=255, method=Image.Quantize.MEDIANCUT))
        else:
            rgb = _even(rgb)
            if self._mp4 is None:
                self._mp4 = _mp4_writer(self.tmp, (rgb.shape[1], rgb.shape[0]), self.fps)
            self._mp4.send(rgb)
        self.count += 1

    def close(self) -> Path:
        """Finish the file and move it into place."""
        try:
            if self.path.suffix.lower() == ".gif":
                if not self._gif:
                    raise ShowError(f"{self.path}: no frames to write")
                self._gif[0].save(self.tmp, format="GIF", save_all=True, append_images=self._gif[1:],
                                  duration=max(20, round(1000 / self.fps)), loop=0, optimize=False)
            else:
                if self._mp4 is None:
                    raise ShowError(f"{self.path}: no frames to write")
                self._mp4.close()
            _finish(self.tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Stop and remove the unfinished file (an existing file at ``path`` is left as it was)."""
        if self._mp4 is not None:
            try:
                self._mp4.close()
            except Exception:  # noqa: BLE001 - the encoder may already have failed; the file goes anyway
                pass
            self._mp4 = None
        self.tmp.unlink(missing_ok=True)


def _even(rgb: np.ndarray) -> np.ndarray:
    """yuv420p (the MP4 every player reads) needs even sizes: pad one black row/column if needed."""
    h, w = rgb.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return rgb
    out = np.zeros((h + h % 2, w + w % 2, 3), np.uint8)
    out[:h, :w] = rgb
    return out


def _mp4_writer(tmp: Path, size: tuple[int, int], fps: float):
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ShowError("writing MP4 needs imageio-ffmpeg (pip install 'sotbench[video]'); "
                        "or write a .gif or .png") from None
    gen = imageio_ffmpeg.write_frames(str(tmp), size, fps=fps, codec="libx264", pix_fmt_in="rgb24",
                                      pix_fmt_out="yuv420p", macro_block_size=1, quality=7,
                                      output_params=["-movflags", "+faststart"], ffmpeg_log_level="error")
    gen.send(None)
    return gen


def open_writer(path: str | os.PathLike, fps: float = 25.0) -> FrameWriter:
    """A writer for ``path`` (``.mp4`` or ``.gif``); other extensions are refused, listing the known ones."""
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise ShowError(f"{path}: unknown video extension {path.suffix or '(none)'!r}, "
                        f"known: {', '.join(VIDEO_SUFFIXES)}")
    if not fps > 0:
        raise ShowError(f"frame rate must be positive, got {fps}")
    return FrameWriter(path, fps)
