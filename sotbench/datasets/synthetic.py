"""``synthetic``: a small deterministic benchmark generated on demand, in OTB layout.

Textured targets move over textured backgrounds with scale change (SV), occlusion (OCC),
illumination change (IV) and fast motion (FM).  Ground truth is exact: the target is drawn
at integer positions and sizes, and ``groundtruth_rect.txt`` holds those rectangles
(0-based pixel coordinates).  Nothing is downloaded; the images are written the first time
the dataset is opened (about 1,000 small JPEGs, a few seconds).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sotbench.datasets.base import DatasetSpec
from sotbench.datasets.folder import FolderDataset

__all__ = ["Synthetic", "generate", "SEQUENCES"]

GENERATOR_VERSION = "sotbench-synthetic-v1"
FRAME_W, FRAME_H = 320, 240


@dataclass(frozen=True)
class SeqRecipe:
    """How one synthetic sequence moves and what happens to it."""

    name: str
    split: str
    n_frames: int
    attributes: tuple[str, ...]
    size: tuple[int, int] = (48, 40)
    speed: float = 1.0  # amplitude of the smooth path, in frame widths
    scale: tuple[float, float] = (1.0, 1.0)  # size factor at the start and at the end
    jumps: bool = False  # fast motion: the path jumps every few frames
    occlusion: bool = False
    illumination: bool = False


SEQUENCES: tuple[SeqRecipe, ...] = (
    SeqRecipe("Drift", "test", 80, ()),
    SeqRecipe("ScaleUp", "test", 80, ("SV",), size=(32, 28), scale=(1.0, 2.2)),
    SeqRecipe("ScaleDown", "test", 80, ("SV",), size=(72, 60), scale=(1.0, 0.45)),
    SeqRecipe("Occluder", "test", 80, ("OCC",), occlusion=True),
    SeqRecipe("Lights", "test", 80, ("IV",), illumination=True),
    SeqRecipe("Jumps", "test", 80, ("FM",), jumps=True),
    SeqRecipe("Bounce", "test", 80, ("SV", "FM"), scale=(1.0, 1.7), jumps=True, speed=1.3),
    SeqRecipe("Dusk", "test", 80, ("IV", "OCC"), illumination=True, occlusion=True),
    SeqRecipe("ValWalk", "val", 60, ("SV",), size=(40, 36), scale=(1.0, 1.6), speed=0.8),
    SeqRecipe("ValHide", "val", 60, ("OCC", "IV"), occlusion=True, illumination=True),
    SeqRecipe("ValDash", "val", 60, ("FM",), jumps=True, speed=1.2),
    SeqRecipe("ValShrink", "val", 60, ("SV", "FM"), size=(64, 56), scale=(1.0, 0.6), jumps=True),
)

ATTRIBUTES = (
    ("IV", "Illumination Variation"),
    ("SV", "Scale Variation"),
    ("OCC", "Occlusion"),
    ("FM", "Fast Motion"),
)


def _texture(rng: np.random.Generator, h: int, w: int, cells: int, tint: np.ndarray) -> np.ndarray:
    """Smooth colour noise: random cells upsampled bilinearly, tinted."""
    import cv2

    base = rng.integers(0, 256, size=(cells, max(2, cells * w // h), 3), dtype=np.uint8)
    tex = cv2.resize(base, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.clip(tex * 0.6 + tint * 0.4, 0, 255)


def _path(recipe: SeqRecipe, rng: np.random.Generator) -> np.ndarray:
    """Target boxes ``(n, 4)`` as integers (x, y, w, h)."""
    n = recipe.n_frames
    t = np.linspace(0.0, 1.0, n)
    scale = recipe.scale[0] + (recipe.scale[1] - recipe.scale[0]) * t
    w = np.round(recipe.size[0] * scale)
    h = np.round(recipe.size[1] * scale)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    amp_x, amp_y = 0.28 * FRAME_W * recipe.speed, 0.22 * FRAME_H * recipe.speed
    cx = FRAME_W / 2 + amp_x * np.sin(2 * np.pi * 0.9 * t + phase[0])
    cy = FRAME_H / 2 + amp_y * np.sin(2 * np.pi * 1.3 * t + phase[1])
    if recipe.jumps:
        offsets = rng.uniform(-0.22, 0.22, size=(n // 8 + 1, 2)) * [FRAME_W, FRAME_H]
        step = np.repeat(offsets, 8, axis=0)[:n]
        cx, cy = cx + step[:, 0], cy + step[:, 1]
    x = np.clip(np.round(cx - w / 2), 0, FRAME_W - w)
    y = np.clip(np.round(cy - h / 2), 0, FRAME_H - h)
    return np.stack([x, y, w, h], axis=1).astype(np.int64)


def _render(recipe: SeqRecipe, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Frames (BGR uint8) and exact boxes of one sequence."""
    import cv2

    rng = np.random.default_rng([seed, sum(map(ord, recipe.name))])
    background = _texture(rng, FRAME_H, FRAME_W, 12, rng.uniform(60, 200, 3))
    target = _texture(rng, 128, 128, 6, rng.uniform(0, 255, 3))
    target[:6, :], target[-6:, :], target[:, :6], target[:, -6:] = 30, 30, 30, 30
    occluder = _texture(rng, FRAME_H, 40, 5, np.array([90.0, 90.0, 90.0]))
    boxes = _path(recipe, rng)
    frames = []
    n = recipe.n_frames
    for i, (x, y, w, h) in enumerate(boxes):
        frame = background.copy()
        frame[y : y + h, x : x + w] = cv2.resize(target, (int(w), int(h)), interpolation=cv2.INTER_AREA)
        if recipe.occlusion and n // 3 <= i < n // 3 + 16:
            ox = int(x + w / 2 - 20 + (i - n // 3 - 8) * 4)
            ox = int(np.clip(ox, 0, FRAME_W - 40))
            frame[:, ox : ox + 40] = occluder
        if recipe.illumination:
            gain = 1.0 - 0.65 * np.sin(np.pi * i / (n - 1)) ** 2
            frame = frame * gain + 12 * np.sin(i / 5.0)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames, boxes.astype(np.float64)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def generate(root: str | os.PathLike, seed: int = 0) -> Path:
    """Write the synthetic benchmark under ``root`` (OTB layout) and return ``root``."""
    import cv2

    root = Path(root)
    for recipe in SEQUENCES:
        seq_dir = root / recipe.name
        (seq_dir / "img").mkdir(parents=True, exist_ok=True)
        frames, boxes = _render(recipe, seed)
        for i, frame in enumerate(frames):
            cv2.imwrite(str(seq_dir / "img" / f"{i + 1:04d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
        rows = "\n".join(",".join(str(int(v)) for v in b) for b in boxes)
        _write_atomic(seq_dir / "groundtruth_rect.txt", rows + "\n")
        _write_atomic(seq_dir / "attributes.txt", ",".join(recipe.attributes) + "\n")
    info = {"generator": GENERATOR_VERSION, "seed": seed,
            "splits": {s: [r.name for r in SEQUENCES if r.split == s] for s in ("test", "val")}}
    _write_atomic(root / "synthetic.json", json.dumps(info, indent=1) + "\n")
    return root


class Synthetic(FolderDataset):
    """The generated benchmark (``test``: 8 sequences, ``val``: 4 for hyperparameter search)."""

    spec = DatasetSpec(
        key="synthetic",
        title="Synthetic (generated)",
        folder="synthetic",
        extra_protocols=("tre", "sre"),  # OTB layout and rules: the OTB protocols run on it too
        splits=("test", "val"),
        public_gt_splits=("test", "val"),
        test_splits=("test",),
        attributes=ATTRIBUTES,
        default_profile="pysot",
        how_to_get="Generated on first use (no download): `sotbench run --dataset synthetic ...`.",
        version=GENERATOR_VERSION,
        layout="<root>/<Seq>/img/%04d.jpg, groundtruth_rect.txt, attributes.txt; synthetic.json",
    )

    def expected_names(self) -> list[str]:
        return [r.name for r in SEQUENCES if r.split == self.split]

    def _index(self):
        marker = self.root / "synthetic.json"
        if not marker.is_file() or json.loads(marker.read_text()).get("generator") != GENERATOR_VERSION:
            generate(self.root)
        names = json.loads(marker.read_text())["splits"][self.split]
        dirs = {d.name: d for d in super()._sequence_dirs()}
        return {n: (lambda d=dirs[n]: self._load(d)) for n in names}

    def _index_once(self):
        if self._loaders is None:
            self.root.mkdir(parents=True, exist_ok=True)
        return super()._index_once()
