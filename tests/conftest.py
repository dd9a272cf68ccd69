"""Shared test fixtures: the ../shared data folder, GPU skipping, small synthetic data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from fixture_files import WEIGHTS_DIGEST, import_file

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


# -- SiamRPN++ golden-fixture weights (shared by tests/siamrpnpp and tests/engine) -------------
@pytest.fixture(scope="session")
def fixtures_dir(shared) -> Path:
    """``shared/fixtures`` (skips when missing)."""
    path = shared / "fixtures"
    if not (path / "pysot_random_weights.py").is_file():
        pytest.skip(f"no SiamRPN++ golden fixtures in {path}")
    return path


@pytest.fixture(scope="session")
def randw_state(fixtures_dir) -> dict:
    """The sotbench-randw-v1 weights (pysot key names), digest checked."""
    torch = pytest.importorskip("torch")
    gen = import_file(fixtures_dir / "pysot_random_weights.py", "pysot_random_weights")
    arrays = gen.generate_state_dict(gen.load_keys(str(fixtures_dir / "siamrpn_r50_l234_dwxcorr.keys.json")))
    digest = gen.digest(arrays)
    assert digest == WEIGHTS_DIGEST, f"weight generator gave {digest}, fixtures need {WEIGHTS_DIGEST} (numpy PCG64 changed?)"
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


@pytest.fixture(scope="session")
def randw_model(randw_state):
    """SiamRPN++ with the fixture weights (eval mode, CPU, float32)."""
    from sotbench.trackers.siamrpnpp.model import SiamRPNpp
    from sotbench.trackers.siamrpnpp.weights import load_strict

    model = SiamRPNpp().eval()
    load_strict(model, randw_state, "sotbench-randw-v1")
    return model


@pytest.fixture(scope="session")
def randw_checkpoint(randw_state, tmp_path_factory) -> Path:
    """The fixture weights as a pysot-layout ``.pth`` file."""
    torch = pytest.importorskip("torch")
    path = tmp_path_factory.mktemp("weights") / "randw_pysot.pth"
    torch.save(randw_state, path)
    return path


@pytest.fixture()
def plugin_module(tmp_path, monkeypatch):
    """``plugin_module(name, source)``: writes module ``name`` to a folder on ``sys.path`` and returns
    ``name``; the folder leaves ``sys.path`` and the module ``sys.modules`` after the test."""
    folder, names = tmp_path / "plug", []

    def install(name: str, source: str) -> str:
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.py").write_text(source)
        monkeypatch.syspath_prepend(str(folder))  # after writing: the import system caches folders
        names.append(name)
        return name

    yield install
    for name in names:
        sys.modules.pop(name, None)
