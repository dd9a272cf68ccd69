"""What a dataset root holds: sequences, frames, images or annotations only, what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sotbench.datasets.base import Dataset
from sotbench.frames import FrameError
from sotbench.sequences import AnnotationError

__all__ = ["SplitReport", "inspect_split", "downloadable"]


@dataclass
class SplitReport:
    """The state of one split of one dataset under a root."""

    key: str
    split: str
    root: Path
    found: bool = False
    layout: str = ""
    sequences: int = 0
    expected: int | None = None
    frames: int = 0
    with_images: int = 0
    missing: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    error: bool = False

    @property
    def status(self) -> str:
        """``images``, ``annotations only``, ``partial images``, ``not found``, ``none found`` or ``error``."""
        if not self.found:
            if not self.root.exists():
                return "not found"
            return "error" if self.error else "none found"
        if self.with_images == self.sequences - len(self.errors) and self.with_images:
            return "images"
        return "partial images" if self.with_images else "annotations only"


def inspect_split(cls: type[Dataset], root: Path, split: str) -> SplitReport:
    """Index ``split`` of ``cls`` under ``root`` and load every sequence's annotations."""
    report = SplitReport(key=cls.spec.key, split=split, root=root)
    if cls.spec.key == "synthetic":  # generated on first use: never write while inspecting
        if not (root / "synthetic.json").is_file():
            report.problem = "generated on first use"
            return report
    try:
        ds = cls(root=root, split=split)
        names = ds.names
        report.layout, report.found = ds.layout, True
        report.missing = ds.missing_names
        expected = ds.expected_names()
        report.expected = len(expected) if expected is not None else None
    except (FileNotFoundError, ValueError, AnnotationError, OSError) as exc:
        report.problem = str(exc).strip("'\"")
        report.error = not isinstance(exc, FileNotFoundError)
        return report
    report.sequences = len(names)
    for name in names:
        try:
            seq = ds[name]
        except (AnnotationError, FrameError, ValueError, OSError) as exc:
            report.errors[name] = str(exc)
            continue
        report.frames += len(seq)
        report.with_images += seq.frames is not None
    return report


def downloadable(cls: type[Dataset]) -> bool:
    """Whether ``sotbench download`` can fetch this dataset."""
    return bool(cls.spec.downloads) or callable(getattr(cls, "download_items", None))
