"""--workers: one process per worker, each with its own GPU where several exist."""

import sys

import pytest

from sotbench.search.workers import WorkerFailed, gpu_ids, launch_workers

SHOW = [sys.executable, "-c", "import os, sys; print(os.environ.get('CUDA_VISIBLE_DEVICES'), sys.argv[-1])"]


def test_each_worker_gets_its_gpu_round_robin(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    assert gpu_ids() == ["3", "5"]
    polls = []
    launch_workers(SHOW, 3, tmp_path, lambda: polls.append(1) or True, interval=0.05)
    logs = [(tmp_path / f"worker-{i}.log").read_text().split() for i in range(3)]
    assert logs == [["3", "0"], ["5", "1"], ["3", "2"]]  # worker i: GPU i % 2, --worker-index i
    assert polls


def test_one_gpu_or_none_leaves_the_environment_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    launch_workers(SHOW, 2, tmp_path, lambda: True, interval=0.05)
    assert [(tmp_path / f"worker-{i}.log").read_text().split()[0] for i in range(2)] == ["1", "1"]


def test_failing_workers_are_reported_with_their_log(tmp_path):
    fail = [sys.executable, "-c", "import sys; print('boom: no data'); sys.exit(3)"]
    with pytest.raises(WorkerFailed, match=r"2 of 2 workers failed \(worker 0 exit 3: boom: no data\)"):
        launch_workers(fail, 2, tmp_path, lambda: False, interval=0.05)
