"""Fixtures of the metric tests: raw annotations and results of the shared data, read directly.

The parity tests hand the same arrays to sotbench and to the reference implementation, so the
ground truth is read here straight from the shared files (no dataset adapter involved).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sotbench.metrics.names import match_names
from sotbench.metrics.readers import read_boxes


def _rows(path: Path) -> np.ndarray:
    return read_boxes(path)


@pytest.fixture(scope="session")
def otb_gt(shared_data) -> dict[str, np.ndarray]:
    """OTB100 ground truth from pysot's OTB100.json (Tiger1 from frame 6, as pysot)."""
    data = json.loads((shared_data / "annotations/OTB100/pysot/OTB100.json").read_text())
    return {k: np.asarray(v["gt_rect"], dtype=np.float64) for k, v in data.items()}


@pytest.fixture(scope="session")
def uav_gt(shared_data) -> dict[str, np.ndarray]:
    """UAV123 ground truth (NaN rows where the target is absent)."""
    folder = shared_data / "annotations/UAV123/anno/UAV123"
    return {p.stem: _rows(p) for p in sorted(folder.glob("*.txt"))}


@pytest.fixture(scope="session")
def lasot_gt(shared_data) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """LaSOT test ground truth and absence flags (280 sequences)."""
    root = shared_data / "annotations/LaSOT"
    names = (root / "sequence_evaluation_config/testing_set.txt").read_text().split()
    out = {}
    for n in names:
        absent = np.array((root / "annos/absent" / f"{n}.txt").read_text().split(), dtype=np.int64) > 0
        out[n] = (_rows(root / "annos" / f"{n}.txt"), absent)
    return out


def _load_results(folder: Path, names: list[str]) -> dict[str, np.ndarray]:
    files = {p.stem: p for p in folder.glob("*.txt")}
    mapping, _ = match_names(files, names)
    return {seq: read_boxes(files[stem]) for stem, seq in mapping.items()}


@pytest.fixture(scope="session")
def load_results():
    """``load_results(folder, names)``: a tracker's result files matched to sequence ``names``."""
    return _load_results


@pytest.fixture(scope="session")
def results_root(shared_data) -> Path:
    return shared_data / "results"
