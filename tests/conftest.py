"""Shared test fixtures: the ../shared data folder, GPU skipping, small synthetic data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SOTBENCH_SHARED", REPO.parent / "shared"))


def pytest_collection_modifyitems(config, items):
    """Skip ``gpu`` tests without CUDA."""
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder (real annotations, sequences, results, fixtures); skip if absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"needs the shared test data folder at {SHARED} (set SOTBENCH_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def shared_data(shared) -> Path:
    """``../shared/data``."""
    return shared / "data"


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory) -> Path:
    """The generated synthetic benchmark (generated once per test session)."""
    from sotbench.datasets.synthetic import generate

    return generate(tmp_path_factory.mktemp("synthetic"))
