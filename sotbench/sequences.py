"""``Sequence``: one tracking target in one video, with its ground truth and metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from sotbench.frames import FrameSource

__all__ = ["Sequence", "AnnotationError"]


class AnnotationError(ValueError):
    """A ground-truth or metadata file does not have the expected content.

    The message names the file, the line (1-based) where it applies, and what was expected.
    """

    def __init__(self, path: Any, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=False)
class Sequence:
    """A target in a video: frames, ground truth and the benchmark's per-frame flags.

    ``gt`` is ``(N, 4)`` boxes or ``(N, 8)`` regions (VOT; rectangle rows NaN-padded), one
    row per frame, in the benchmark's own coordinates.  A ground truth that is not public
    (TrackingNet / GOT-10k test) has only the first row.  ``frames`` may be ``None`` for an
    annotation-only dataset (evaluation needs no images).
    """

    name: str
    gt: np.ndarray
    frames: FrameSource | None = None
    absent: np.ndarray | None = None
    cover: np.ndarray | None = None
    attributes: frozenset[str] = frozenset()
    tags: Mapping[str, np.ndarray] = field(default_factory=dict)
    image_size: tuple[int, int] | None = None
    text: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        gt = np.asarray(self.gt, dtype=np.float64)
        if gt.ndim != 2 or gt.shape[1] not in (4, 8) or gt.shape[0] == 0:
            raise ValueError(f"{self.name}: ground truth must be (N, 4) or (N, 8), got {gt.shape}")
        gt.setflags(write=False)
        object.__setattr__(self, "gt", gt)
        object.__setattr__(self, "attributes", frozenset(self.attributes))
        object.__setattr__(self, "tags", _frozen(self.tags))
        object.__setattr__(self, "meta", _frozen(self.meta))
        for name in ("absent", "cover"):
            arr = getattr(self, name)
            if arr is not None and len(arr) != len(self):
                raise ValueError(f"{self.name}: {name} has {len(arr)} values for {len(self)} frames")

    def __len__(self) -> int:
        """Number of frames (of ground-truth rows when the ground truth is complete)."""
        if self.frames is not None:
            return len(self.frames)
        return int(self.meta.get("n_frames", self.gt.shape[0]))

    @property
    def has_full_gt(self) -> bool:
        """True when every frame has a ground-truth row (public ground truth)."""
        return self.gt.shape[0] == len(self)

    @property
    def init_region(self) -> np.ndarray:
        """The first frame's region (4 numbers, or 8 for a polygon)."""
        row = self.gt[0]
        return row[:4] if np.isnan(row[4:]).all() else row

    def __repr__(self) -> str:
        return f"Sequence({self.name!r}, {len(self)} frames)"
