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
    """One file a dataset can be fetched from (``sotbench download``).

    ``extract_to`` is the folder (relative to the dataset root) an archive is unpacked into;
    ``None`` keeps the file as it is, saved as ``filename`` (default: the URL's last part).
    """

    url: str
    sha256: str | None = None
    size: int | None = None
    extract_to: str | None = "."
    md5: str | None = None
    filename: str | None = None


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
    needs_registration: bool = False

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
    ``_index()`` may set ``self.layout`` (which on-disk layout it found), and subclasses may
    override ``expected_names()`` (the split's full list, for reporting what is missing) and
    ``_aliases()`` (other spellings of sequence names, accepted by ``resolve_name``).
    """

    spec: ClassVar[DatasetSpec]
    #: other folders under the data root that may hold this benchmark (e.g. UAV20L inside UAV123)
    data_folders: ClassVar[tuple[str, ...]] = ()

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        self.root = Path(root) if root is not None else self.default_root()
        self.split = split or self.spec.default_split
        if self.split not in self.spec.splits:
            raise ValueError(
                f"unknown split {self.split!r} for dataset {self.spec.key!r}, "
                f"known: {', '.join(self.spec.splits)}"
            )
        self._layout = ""
        self._loaders: dict[str, Callable[[], Sequence]] | None = None
        self._cache: dict[str, Sequence] = {}
        self._alias_map: dict[str, str] | None = None

    @classmethod
    def default_root(cls) -> Path:
        """``<data root>/<spec.folder>``, or the first of ``data_folders`` that exists there."""
        base = data_root()
        for folder in (cls.spec.folder, *cls.data_folders):
            if (base / folder).exists():
                return base / folder
        return base / cls.spec.folder

    # -- to implement -------------------------------------------------------------------
    def _index(self) -> dict[str, Callable[[], Sequence]]:
        raise NotImplementedError

    def expected_names(self) -> list[str] | None:
        """All sequence names of this split per the benchmark (``None`` when not known)."""
        return None

    def _aliases(self) -> dict[str, str]:
        """Other spellings of sequence names (``alias -> name``), e.g. other toolkits' names."""
        return {}

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
    def layout(self) -> str:
        """The on-disk layout found under the root (indexes the dataset on first use)."""
        self._index_once()
        return self._layout

    @layout.setter
    def layout(self, value: str) -> None:
        self._layout = value

    @property
    def names(self) -> list[str]:
        """Sequence names in the benchmark's order."""
        return list(self._index_once())

    @property
    def missing_names(self) -> list[str]:
        """Names of the split that this root does not hold (empty when the list is unknown)."""
        present = self._index_once()
        return [n for n in (self.expected_names() or []) if n not in present]

    def _index_once(self) -> dict[str, Callable[[], Sequence]]:
        if self._loaders is None:
            if not self.root.exists():
                raise FileNotFoundError(
                    f"{self.spec.title} not found at {self.root} "
                    f"(set --root, or ${DATA_ENV}; `sotbench datasets` shows how to get it)"
                )
            loaders = self._index()
            if not loaders:
                raise FileNotFoundError(
                    f"no {self.spec.title} sequences of split {self.split!r} under {self.root} "
                    f"(`sotbench datasets` lists the expected layouts)"
                )
            self._loaders = loaders
        return self._loaders

    def __len__(self) -> int:
        return len(self._index_once())

    def __iter__(self) -> Iterator[Sequence]:
        for name in self.names:
            yield self[name]

    def _folded(self) -> dict[str, str]:
        """Lower-cased names and aliases -> name (spellings that fold together are dropped)."""
        if self._alias_map is None:
            loaders = self._index_once()
            table: dict[str, str | None] = {}
            for alias, name in list(self._aliases().items()) + [(n, n) for n in loaders]:
                if name not in loaders:
                    continue
                key = alias.lower()
                table[key] = name if table.get(key, name) == name else None
            self._alias_map = {k: v for k, v in table.items() if v is not None}
        return self._alias_map

    def resolve_name(self, name: str) -> str:
        """Exact sequence name for ``name``; unknown names raise with close matches listed."""
        loaders = self._index_once()
        if name in loaders:
            return name
        exact = self._aliases().get(name)
        if exact in loaders:
            return exact
        folded = self._folded()
        if name.lower() in folded:
            return folded[name.lower()]
        close = difflib.get_close_matches(name, list(loaders), n=5)
        hint = f"; close: {', '.join(close)}" if close else ""
        listing = ", ".join(list(loaders)[:12]) + (", ..." if len(loaders) > 12 else "")
        missing = " (listed by the benchmark but absent from this root)" if name in self.missing_names else ""
        raise KeyError(f"unknown sequence {name!r}{missing} in {self.spec.key}/{self.split} "
                       f"({len(loaders)} sequences{hint}; known: {listing})")

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


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="strict")
    except FileNotFoundError:
        raise AnnotationError(path, f"{what} is missing") from None
    except IsADirectoryError:
        raise AnnotationError(path, f"expected a {what}, found a folder") from None
    except UnicodeDecodeError:
        raise AnnotationError(path, "not a text file (expected comma/space separated numbers)") from None


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
    return parse_rows(_read_text(path, "annotation file"), path, widths, allow_nan, allow_empty)


def parse_rows(
    text: str,
    path: str | os.PathLike,
    widths: tuple[int, ...] = (4,),
    allow_nan: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """``read_rows`` on text already read (``path`` is named in errors)."""
    rows = _parse_uniform(text, widths, allow_nan)
    if rows is not None:
        return rows
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        if allow_empty:
            return np.zeros((0, max(widths)))
        raise AnnotationError(path, "file is empty (expected one box per line)")
    return _read_rows_slow(Path(path), lines, widths, allow_nan)


def _parse_uniform(text: str, widths: tuple[int, ...], allow_nan: bool) -> np.ndarray | None:
    """Fast path for the common case: every line holds the same allowed number of values.

    Returns ``None`` whenever anything is unusual (ragged rows, blank lines, odd line breaks,
    non-numbers, NaN where not allowed); the line-by-line reader then parses or reports it.
    Tokens are converted by numpy, which rounds exactly like ``float()``.
    """
    body = text.replace("\r\n", "\n").rstrip()
    if not body or "\r" in body:
        return None
    data = np.frombuffer(body.encode(), np.uint8)
    sep = (data == 32) | (data == 10) | (data == 44) | (data == 9)
    newline = data == 10
    n_lines = int(newline.sum()) + 1
    starts = ~sep
    starts[1:] &= sep[:-1]
    per_line = np.bincount(np.cumsum(newline)[starts], minlength=n_lines)
    width = int(per_line[0])
    if width not in widths or (per_line != width).any():
        return None
    try:
        rows = np.array(body.replace(",", " ").split(), dtype=np.float64).reshape(n_lines, width)
    except ValueError:
        return None
    return rows if _rows_ok(rows, allow_nan) else None


def _rows_ok(rows: np.ndarray, allow_nan: bool) -> bool:
    if np.isinf(rows).any():
        return False
    return allow_nan or not np.isnan(rows).any()


def _read_rows_slow(path: Path, lines: list[str], widths: tuple[int, ...], allow_nan: bool) -> np.ndarray:
    width = max(widths)
    out = np.full((len(lines), width), np.nan)
    expect = " or ".join(str(w) for w in widths)
    found = 0
    for i, line in enumerate(lines):
        parts = line.replace(",", " ").split()
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
        found = max(found, len(vals))
    return out[:, :found] if found < width else out


def read_flags(path: str | os.PathLike, n: int | None = None, dtype=np.int64) -> np.ndarray:
    """Parse a per-frame flag/label file (one value per line or one comma-separated line)."""
    path = Path(path)
    return parse_flags(_read_text(path, "flag file"), path, n, dtype)


def parse_flags(text: str, path: str | os.PathLike, n: int | None = None, dtype=np.int64) -> np.ndarray:
    """``read_flags`` on text already read (``path`` is named in errors)."""
    parts = text.replace(",", " ").split()
    try:
        vals = np.array(parts, dtype=np.int64)
    except ValueError:
        try:
            vals = np.array(parts, dtype=np.float64)
        except ValueError:
            raise AnnotationError(path, "expected one integer flag per frame") from None
        if not np.isfinite(vals).all() or (vals != np.round(vals)).any():
            raise AnnotationError(path, "expected one integer flag per frame") from None
    vals = vals.astype(dtype)
    if n is not None and len(vals) != n:
        raise AnnotationError(path, f"expected {n} values (one per frame), found {len(vals)}")
    return vals
