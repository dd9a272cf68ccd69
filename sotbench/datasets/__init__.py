"""Benchmark adapters.  ``DATASETS`` maps each name to its adapter class (imported lazily).

To add a dataset: write ``sotbench/datasets/<name>.py`` with a ``Dataset`` subclass that sets
``spec`` and implements ``_index()``, add one line here, and a test over a small fake tree.
"""

from __future__ import annotations

import importlib
import inspect
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sotbench.registry import is_class, lookup

if TYPE_CHECKING:
    from sotbench.datasets.base import Dataset, DatasetSpec

DATA_ENV = "SOTBENCH_DATA"  # environment variable naming the data root (paths only)

__all__ = ["DATA_ENV", "DATASETS", "load_dataset", "dataset_class", "dataset_title", "benchmark_name", "Dataset",
           "DatasetSpec", "DatasetRef", "data_root"]

DATASETS: dict[str, str] = {
    "otb100": "sotbench.datasets.otb:OTB100",
    "otb2013": "sotbench.datasets.otb:OTB2013",
    "otb50": "sotbench.datasets.otb:OTB50",
    "uav123": "sotbench.datasets.uav123:UAV123",
    "uav20l": "sotbench.datasets.uav123:UAV20L",
    "lasot": "sotbench.datasets.lasot:LaSOT",
    "trackingnet": "sotbench.datasets.trackingnet:TrackingNet",
    "vot2018": "sotbench.datasets.vot:VOT2018",
    "vot2018lt": "sotbench.datasets.vot:VOT2018LT",
    "got10k": "sotbench.datasets.got10k:GOT10k",
    "pysot-json": "sotbench.datasets.pysot_json:PysotJSON",
    "folder": "sotbench.datasets.folder:FolderDataset",
    "synthetic": "sotbench.datasets.synthetic:Synthetic",
}


def __getattr__(name: str) -> Any:
    # the base classes import numpy: loaded on first use, so `sotbench --help` stays light
    if name in ("Dataset", "DatasetSpec", "data_root"):
        return getattr(importlib.import_module("sotbench.datasets.base"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def dataset_class(name: str) -> type[Dataset]:
    """The adapter class registered as ``name`` (or a ``module:Class`` path), checked to be a
    ``Dataset`` subclass before anything calls it (a name from a sweep or score file must not
    reach an arbitrary callable)."""
    from sotbench.datasets.base import Dataset

    obj, _ = lookup(DATASETS, name.lower() if ":" not in name else name, "dataset", "sotbench.datasets")
    if not (is_class(obj) and Dataset in inspect.getmro(obj)):
        raise ValueError(f"dataset {name!r} is not a dataset class (a sotbench.datasets.base.Dataset subclass); "
                         "refusing to call it")
    return obj


def load_dataset(
    name: str, root: str | os.PathLike | None = None, split: str | None = None, **kwargs
) -> Dataset:
    """Open dataset ``name`` from ``root`` (default: its folder under the data root)."""
    return dataset_class(name)(root=root, split=split, **kwargs)


@dataclass(frozen=True)
class DatasetRef:
    """How to open a dataset split again in another process (picklable)."""

    key: str
    root: str
    split: str

    @classmethod
    def of(cls, dataset: Dataset) -> DatasetRef:
        """The reference of an open dataset (its root made absolute)."""
        return cls(dataset.key, str(os.path.abspath(dataset.root)), dataset.split)

    def open(self) -> Dataset:
        """The dataset, opened once per process (a worker tracks many of its sequences)."""
        if self not in _OPEN:
            _OPEN[self] = load_dataset(self.key, root=self.root, split=self.split)
        return _OPEN[self]


_OPEN: dict[DatasetRef, Dataset] = {}  # per-process cache of DatasetRef.open


def dataset_title(key: str, split: str | None = None) -> str:
    """The benchmark's short display name (``OTB100``), from its adapter when known."""
    try:
        spec = dataset_class(key).spec
    except (ValueError, ImportError, AttributeError):  # a plug-in dataset not importable here
        return key if split in (None, "test") else f"{key} ({split})"
    title = benchmark_name(spec)
    return title if split in (None, spec.default_split) else f"{title} ({split})"


def benchmark_name(spec) -> str:
    """The name used in plot titles: the benchmark's folder name (``OTB100``, ``VOT2018``)."""
    name = spec.folder or spec.key
    return name.capitalize() if name.islower() else name
