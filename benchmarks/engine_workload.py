"""Workloads for ``benchmarks/engine.py``: generated JPEG sequences and SiamRPN++ weights.

Sequences: a smooth colour texture that pans, plus noise (compresses like natural video), and a
textured target rectangle that moves along a smooth path and changes size; JPEG quality 90,
written by a thread pool.  Weights: the golden fixtures' ``sotbench-randw-v1`` generator when
``$SOTBENCH_SHARED/fixtures`` (or ../shared) has it (activations of a realistic scale), else
PyTorch's default initialisation (seed 0), or a checkpoint file.
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]

__all__ = ["load_model", "make_sequences", "shared_fixtures"]


def shared_fixtures() -> Path | None:
    """``$SOTBENCH_SHARED/fixtures`` (default ../shared) when it holds the weight generator."""
    root = Path(os.environ.get("SOTBENCH_SHARED", REPO.parent / "shared")) / "fixtures"
    return root if (root / "pysot_random_weights.py").is_file() else None


def load_model(weights: str, flavour: str, device: torch.device):
    """``(model, params, description)``: SiamRPN++ with ``weights`` = auto, fixtures, random or a path."""
    from sotbench.trackers.siamrpnpp.builder import build
    from sotbench.trackers.siamrpnpp.weights import load_strict

    fixtures = shared_fixtures()
    if weights == "auto":
        weights = "fixtures" if fixtures else "random"
    if weights not in ("fixtures", "random"):
        trk = build({"flavour": flavour}, device=str(device), checkpoint=weights)
        return trk.model, trk.p, f"checkpoint {Path(weights).name}"
    trk = build({"flavour": flavour}, device=str(device), allow_random_weights=True)
    if weights == "random":
        return trk.model, trk.p, "PyTorch default init (seed 0)"
    if fixtures is None:
        raise SystemExit("--weights fixtures: no shared/fixtures (set SOTBENCH_SHARED)")
    spec = importlib.util.spec_from_file_location("pysot_random_weights", fixtures / "pysot_random_weights.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    arrays = gen.generate_state_dict(gen.load_keys(str(fixtures / "siamrpn_r50_l234_dwxcorr.keys.json")))
    model = trk.model  # shared by the builder's cache: a private copy keeps it clean
    model = type(model)().eval()
    load_strict(model, {k: torch.from_numpy(v) for k, v in arrays.items()}, "sotbench-randw-v1")
    return model.to(device), trk.p, "sotbench-randw-v1 (fixture generator)"


def _texture(rng: np.random.Generator, w: int, h: int, cell: int) -> np.ndarray:
    coarse = rng.integers(0, 256, (h // cell + 2, w // cell + 2, 3), dtype=np.uint8)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


def _write_frame(path: Path, base: np.ndarray, target: np.ndarray, box: tuple[int, int, int, int],
                 shift: int, noise_seed: int) -> None:
    h, w = base.shape[:2]
    frame = np.roll(base, shift, axis=1)
    x, y, bw, bh = box
    frame[y:y + bh, x:x + bw] = cv2.resize(target, (bw, bh))
    noise = np.random.default_rng(noise_seed).integers(-8, 9, (h, w, 1), dtype=np.int16)
    frame = np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])


def _path(n: int, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, 4)`` int boxes: a target drifting smoothly inside the frame."""
    t = np.arange(n)[:, None]
    f = rng.uniform(0.002, 0.01, (1, 4))
    ph = rng.uniform(0, 2 * np.pi, (1, 4))
    s = 0.5 + 0.5 * np.sin(t * f * 2 * np.pi + ph)
    bw = (w * (0.08 + 0.15 * s[:, 2])).astype(int)
    bh = (h * (0.1 + 0.2 * s[:, 3])).astype(int)
    x = (s[:, 0] * (w - bw - 1)).astype(int)
    y = (s[:, 1] * (h - bh - 1)).astype(int)
    return np.stack([x, y, bw, bh], axis=1)


def make_sequences(folder: Path, size: tuple[int, int], lengths: list[int], threads: int = 16) -> list:
    """Write JPEG sequences (skipped when already there) and return them as ``Sequence`` objects."""
    from sotbench.frames import ImageFiles
    from sotbench.sequences import Sequence

    w, h = size
    seqs, tasks = [], []
    for k, n in enumerate(lengths):
        rng = np.random.default_rng([w, h, k])
        d = folder / f"{w}x{h}_{k:02d}"
        d.mkdir(parents=True, exist_ok=True)
        boxes = _path(n, w, h, rng)
        base, target = _texture(rng, w, h, 16), _texture(rng, 64, 64, 8)
        paths = [d / f"{i:05d}.jpg" for i in range(n)]
        for i, p in enumerate(paths):
            if not p.is_file():
                tasks.append((p, base, target, tuple(boxes[i]), 3 * i, k * 100000 + i))
        seqs.append(Sequence(d.name, boxes.astype(np.float64), ImageFiles(paths)))
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda a: _write_frame(*a), tasks))
    return seqs
