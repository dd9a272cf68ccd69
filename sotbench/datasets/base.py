"""The dataset base class and benchmark facts (``DatasetSpec``); parsers re-exported from ``parsing``."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sotbench.datasets.parsing import parse_flags, parse_rows, read_flags, read_rows
from sotbench.safepath import SAFE_NAME_RULE, name_problem
from sotbench.sequences import AnnotationError, Sequence

__all__ = [
    "DatasetSpec",
    "VotSettings",
    "DownloadItem",
    "Dataset",
    "data_root",
    "check_sequence_name",
    "read_rows",
    "read_flags",
    "parse_rows",
    "parse_flags",
]

from sotbench.datasets import DATA_ENV  # noqa: E402  (one definition, importable without numpy)


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
    protocol: str = "ope"  # "ope" (one pass), "vot_reset" (supervised, re-initialise on failure), "longterm"
    extra_protocols: tuple[str, ...] = ()  # derived protocols the benchmark defines (OTB: "tre", "sre")
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


def check_sequence_name(path: Path | str, name: object, line: int | None = None) -> str:
    """``name`` when it can name a sequence folder and its result files (one path component);
    else an ``AnnotationError`` naming ``path`` (and ``line``)."""
    problem = name_problem(name)
    if problem is not None:
        raise AnnotationError(path, f"unsafe sequence name {name!r} ({problem}); expected {SAFE_NAME_RULE}", line)
    return name  # type: ignore[return-value]


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

    def result_length_fits(self, seq: Sequence, rows: int) -> bool:
        """Whether a result file of ``rows`` rows can be ``seq``'s (adapters add documented exceptions)."""
        return rows == len(seq)

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
            for name in loaders:  # names become result paths: adapters check with file and line, this backstops
                check_sequence_name(self.root, name)
            if not loaders:
                expect = f"; expected {self.spec.layout}" if self.spec.layout else ""
                raise FileNotFoundError(
                    f"no {self.spec.title} sequences of split {self.split!r} under {self.root}{expect}"
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
