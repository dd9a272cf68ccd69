"""JPEG decode speed: sotbench's frame reader (libjpeg-turbo via simplejpeg) vs a cv2.imread loop.

    python benchmarks/decode.py [--n 150] [--repeat 5] [--quality 90]

Test JPEGs (640x480 and 1280x720, textured like video frames) are generated in a temporary
folder; both readers decode the same files in the same run, best of ``--repeat`` passes.
Images per second, and our speed relative to cv2.imread, are printed as a table; the
decoded pixels are checked to be identical.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sotbench.frames import ImageFiles  # noqa: E402

SIZES = ((640, 480), (1280, 720))


def make_jpegs(folder: Path, size: tuple[int, int], n: int, quality: int) -> list[Path]:
    """``n`` frames of smooth colour texture plus noise (compresses like natural video)."""
    rng = np.random.default_rng(size[0])
    w, h = size
    base = cv2.resize(rng.integers(0, 256, (h // 16, w // 16, 3), dtype=np.uint8), (w, h),
                      interpolation=cv2.INTER_CUBIC)
    paths = []
    for i in range(n):
        frame = np.roll(base, 3 * i, axis=1).astype(np.int16) + rng.integers(-12, 13, (h, w, 3))
        path = folder / f"{w}x{h}_{i:05d}.jpg"
        cv2.imwrite(str(path), np.clip(frame, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
        paths.append(path)
    return paths


def best_rates(readers, n: int, repeat: int) -> list[float]:
    """Images/s of each reader; passes alternate between readers so load drift hits both alike."""
    best = [float("inf")] * len(readers)
    for _ in range(repeat):
        for k, read in enumerate(readers):
            t0 = time.perf_counter()
            for i in range(n):
                read(i)
            best[k] = min(best[k], time.perf_counter() - t0)
    return [n / b for b in best]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=150, help="images per size")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--quality", type=int, default=90)
    args = p.parse_args()
    cv2.setNumThreads(1)
    print(f"cv2 {cv2.__version__}, {os.cpu_count()} CPUs, {args.n} images per size, best of {args.repeat}")
    print(f"{'size':>10s} {'sotbench img/s':>15s} {'cv2.imread img/s':>17s} {'ratio':>6s} {'identical':>9s}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            paths = make_jpegs(Path(tmp), size, args.n, args.quality)
            frames = ImageFiles(paths)
            ours, theirs = best_rates([lambda i: frames[i], lambda i: cv2.imread(str(paths[i]), cv2.IMREAD_COLOR)],
                                      len(paths), args.repeat)
            same = all(np.array_equal(frames[i], cv2.imread(str(paths[i]))) for i in range(0, len(paths), 10))
            print(f"{size[0]:>4d}x{size[1]:<5d} {ours:15.0f} {theirs:17.0f} {ours / theirs:5.2f}x {str(same):>9s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
