"""The dataset base class, benchmark facts (``DatasetSpec``) and annotation-file parsing."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from sotbench.sequences import AnnotationError, Sequence

__all__ = [
    "DatasetSpec",
    "VotSettings",
    "DownloadItem",
    "Dataset",
    "data_root",
    "read_rows",
    "read_flags",
]

DATA_ENV = "SOTBENCH_DATA"


@dataclass(frozen=True)
class VotSettings:
    """Reset-protocol and analysis facts of a VOT edition (VOT stack files)."""

    repetitions: int = 15
    skip_initialize: int = 5
    failure_overlap: float = 0.0
    burnin: int = 10
    eao_interval: tuple[int, int] = (100, 356)
    eao_peak: int | None = None
    ar_sensitivity: float = 30.0


@dataclass(frozen=True)
class DownloadItem:
    """One file a dataset can be fetched from (``sotbench download``)."""

    url: str
    sha256: str | None = None
    size: int | None = None
    extract_to: str = "."


@dataclass(frozen=True)
class DatasetSpec:
    """What a benchmark is: its protocol, splits, attributes and reference conventions."""

    key: str
    title: str
    folder: str
    protocol: str = "ope"  # "ope" (one pass) or "vot_reset" (supervised, re-initialise on failure)
    splits: tuple[str, ...] = ("test",)
    default_split: str = "test"
    public_gt_splits: tuple[str, ...] = ("test",)
    test_splits: tuple[str, ...] = ("test",)
    attributes: tuple[tuple[str, str], ...] = ()
    default_profile: str = "pysot"
    vot: VotSettings | None = None
    homepage: str = ""
    how_to_get: str = ""
    downloads: tuple[DownloadItem, ...] = ()
    version: str = "1"
    layout: str = ""

    def has_public_ground_truth(self, split: str) -> bool:
        """Whether ``split``'s full ground truth is distributed (else: evaluation server only)."""
        return split in self.public_gt_splits


def data_root(explicit: str | os.PathLike | None = None) -> Path:
    """The folder that holds the benchmark folders: ``explicit``, ``$SOTBENCH_DATA`` or ``./datasets``."""
    if explicit is not None:
        return Path(explicit)
    return Path(os.environ.get(DATA_ENV, "datasets"))


class Dataset:
    """A benchmark split read from its native layout.  Sequences are parsed lazily, on access.

    Subclasses set ``spec`` and implement ``_index()``, which returns an ordered mapping
    ``name -> loader``; a loader builds one ``Sequence`` (and may raise ``AnnotationError``).
    """

    spec: ClassVar[DatasetSpec]

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        self.root = Path(root) if root is not None else data_root() / self.spec.folder
        self.split = split or self.spec.default_split
        if self.split not in self.spec.splits:
            raise ValueError(
                f"unknown split {self.split!r} for dataset {self.spec.key!r}, "
                f"known: {', '.join(self.spec.splits)}"
            )
        self._loaders: dict[str, Callable[[], Sequence]] | None = None
        self._cache: dict[str, Sequence] = {}

    # -- to implement -------------------------------------------------------------------
    def _index(self) -> dict[str, Callable[[], Sequence]]:
        raise NotImplementedError

    # -- public API ----------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def protocol(self) -> str:
        return self.spec.protocol

    @property
    def has_public_ground_truth(self) -> bool:
        return self.spec.has_public_ground_truth(self.split)

    @property
    def names(self) -> list[str]:
        """Sequence names in the benchmark's order."""
        return list(self._index_once())

    def _index_once(self) -> dict[str, Callable[[], Sequence]]:
        if self._loaders is None:
            if not self.root.exists():
                raise FileNotFoundError(
                    f"{self.spec.title} not found at {self.root} "
                    f"(set --root, or ${DATA_ENV}; `sotbench datasets` shows how to get it)"
                )
            self._loaders = self._index()
        return self._loaders

    def __len__(self) -> int:
        return len(self._index_once())

    def __iter__(self) -> Iterator[Sequence]:
        for name in self.names:
            yield self[name]

    def resolve_name(self, name: str) -> str:
        """Exact sequence name for ``name``; unknown names raise with close matches listed."""
        loaders = self._index_once()
        if name in loaders:
            return name
        folded = {n.lower(): n for n in loaders}
        if name.lower() in folded:
            return folded[name.lower()]
        close = difflib.get_close_matches(name, list(loaders), n=5)
        hint = f"; close: {', '.join(close)}" if close else ""
        raise KeyError(f"unknown sequence {name!r} in {self.spec.key} ({len(loaders)} sequences{hint})")

    def __getitem__(self, key: str | int) -> Sequence:
        loaders = self._index_once()
        name = list(loaders)[key] if isinstance(key, int) else self.resolve_name(key)
        if name not in self._cache:
            self._cache[name] = loaders[name]()
        return self._cache[name]

    def subset(self, names: list[str]) -> list[str]:
        """Resolve a list of requested sequence names (each must exist)."""
        return [self.resolve_name(n) for n in names]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(root={str(self.root)!r}, split={self.split!r})"


_SEP = re.compile(r"[,\s]+")


def read_rows(
    path: str | os.PathLike,
    widths: tuple[int, ...] = (4,),
    allow_nan: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """Parse a numeric annotation file: one row per line, separated by commas, tabs or spaces.

    Returns ``(N, W)`` float64 where ``W`` is the widest row found; narrower rows are
    NaN-padded (VOT files mix 4-number rectangles and 8-number polygons).  A missing final newline, CRLF line ends and trailing blank lines are fine;
    anything else that is not ``widths`` numbers raises ``AnnotationError`` naming the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig", errors="strict")
    except FileNotFoundError:
        raise AnnotationError(path, "annotation file is missing") from None
    except UnicodeDecodeError:
        raise AnnotationError(path, "not a text file (expected comma/space separated numbers)") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        if allow_empty:
            return np.zeros((0, max(widths)))
        raise AnnotationError(path, "file is empty (expected one box per line)")
    flat = _SEP.sub(" ", "\n".join(lines)).split()
    for width in widths:  # every line has one allowed width: the count tells which, if uniform
        if len(flat) != len(lines) * width:
            continue
        try:
            rows = np.array(flat, dtype=np.float64).reshape(len(lines), width)
        except ValueError:
            break
        if _rows_ok(rows, allow_nan):
            return rows
        break
    return _read_rows_slow(path, lines, widths, allow_nan)


def _rows_ok(rows: np.ndarray, allow_nan: bool) -> bool:
    if np.isinf(rows).any():
        return False
    return allow_nan or not np.isnan(rows).any()


def _read_rows_slow(path: Path, lines: list[str], widths: tuple[int, ...], allow_nan: bool) -> np.ndarray:
    width = max(widths)
    out = np.full((len(lines), width), np.nan)
    expect = " or ".join(str(w) for w in widths)
    for i, line in enumerate(lines):
        parts = [p for p in _SEP.split(line.strip()) if p]
        if len(parts) not in widths:
            raise AnnotationError(path, f"expected {expect} numbers, found {len(parts)}: {line.strip()[:60]!r}", i + 1)
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            raise AnnotationError(path, f"expected numbers, found {line.strip()[:60]!r}", i + 1) from None
        arr = np.array(vals)
        if np.isinf(arr).any():
            raise AnnotationError(path, "infinite value", i + 1)
        if np.isnan(arr).any() and not allow_nan:
            raise AnnotationError(path, "NaN is not allowed in this benchmark's ground truth", i + 1)
        out[i, : len(vals)] = arr
    found = max(len(_SEP.split(ln.strip())) for ln in lines)
    return out[:, :found] if found < width else out


def read_flags(path: str | os.PathLike, n: int | None = None, dtype=np.int64) -> np.ndarray:
    """Parse a per-frame flag/label file (one value per line or one comma-separated line)."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise AnnotationError(path, "flag file is missing") from None
    parts = [p for p in _SEP.split(text.strip()) if p]
    try:
        vals = np.array([float(p) for p in parts]).astype(dtype)
    except ValueError:
        raise AnnotationError(path, "expected one integer flag per frame") from None
    if n is not None and len(vals) != n:
        raise AnnotationError(path, f"expected {n} values (one per frame), found {len(vals)}")
    return vals
