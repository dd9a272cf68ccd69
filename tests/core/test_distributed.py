"""``run --jobs N --backend dask --scheduler ADDRESS`` against a real Dask cluster (local processes
on 127.0.0.1): the result files equal a run in this process."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset

distributed = pytest.importorskip("distributed", reason="needs dask's distributed scheduler (pip install 'sotbench[dask]')")


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()


def test_a_dask_cluster_runs_what_one_process_runs(scheduler, synthetic_root, tmp_path):
    base = ["run", "--tracker", "ncc", "--dataset", "synthetic", "--root", str(synthetic_root), "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "local")]) == 0
    assert main([*base, "--out", str(tmp_path / "dask"), "--jobs", "2", "--backend", "dask",
                 "--scheduler", scheduler]) == 0
    for name in load_dataset("synthetic", root=synthetic_root).names:
        a = np.loadtxt(tmp_path / "local/synthetic/ncc" / f"{name}.txt", delimiter=",")
        b = np.loadtxt(tmp_path / "dask/synthetic/ncc" / f"{name}.txt", delimiter=",")
        np.testing.assert_array_equal(a, b)
    import json

    manifest = json.loads((tmp_path / "dask/synthetic/ncc/run.json").read_text())
    assert manifest["backend"] == {"backend": "lockstep", "jobs": 2, "joblib_backend": "dask", "scheduler": scheduler}


def test_an_unreachable_scheduler_is_one_line(synthetic_root, tmp_path, capsys):
    code = main(["run", "--tracker", "ncc", "--dataset", "synthetic", "--root", str(synthetic_root), "--no-progress",
                 "--out", str(tmp_path), "--jobs", "2", "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("sotbench run: error: cannot reach the Dask scheduler tcp://127.0.0.1:9")


def test_scheduler_needs_a_cluster_backend(synthetic_root, tmp_path, capsys):
    code = main(["run", "--tracker", "ncc", "--dataset", "synthetic", "--root", str(synthetic_root), "--no-progress",
                 "--out", str(tmp_path), "--jobs", "2", "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2 and "--scheduler needs --backend dask, not loky" in capsys.readouterr().err
    assert not (tmp_path / "synthetic").exists()  # refused before the run folder was made
