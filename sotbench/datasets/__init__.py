"""Benchmark adapters.  ``DATASETS`` maps each name to its adapter class (imported lazily).

To add a dataset: write ``sotbench/datasets/<name>.py`` with a ``Dataset`` subclass that sets
``spec`` and implements ``_index()``, add one line here, and a test over a small fake tree.
"""

from __future__ import annotations

import os

from sotbench.datasets.base import Dataset, DatasetSpec, data_root
from sotbench.registry import resolve

__all__ = ["DATASETS", "load_dataset", "dataset_class", "dataset_title", "benchmark_name", "Dataset", "DatasetSpec",
           "data_root"]

DATASETS: dict[str, str] = {
    "otb100": "sotbench.datasets.otb:OTB100",
    "otb2013": "sotbench.datasets.otb:OTB2013",
    "otb50": "sotbench.datasets.otb:OTB50",
    "uav123": "sotbench.datasets.uav123:UAV123",
    "uav20l": "sotbench.datasets.uav123:UAV20L",
    "lasot": "sotbench.datasets.lasot:LaSOT",
    "trackingnet": "sotbench.datasets.trackingnet:TrackingNet",
    "vot2018": "sotbench.datasets.vot:VOT2018",
    "got10k": "sotbench.datasets.got10k:GOT10k",
    "pysot-json": "sotbench.datasets.pysot_json:PysotJSON",
    "folder": "sotbench.datasets.folder:FolderDataset",
    "synthetic": "sotbench.datasets.synthetic:Synthetic",
}


def dataset_class(name: str) -> type[Dataset]:
    """The adapter class registered as ``name`` (or a ``module:Class`` path)."""
    return resolve(DATASETS, name.lower() if ":" not in name else name, "dataset", "sotbench.datasets")


def load_dataset(
    name: str, root: str | os.PathLike | None = None, split: str | None = None, **kwargs
) -> Dataset:
    """Open dataset ``name`` from ``root`` (default: its folder under the data root)."""
    return dataset_class(name)(root=root, split=split, **kwargs)


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
