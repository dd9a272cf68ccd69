"""A run killed mid-way resumes where it stopped and loses nothing already written."""

import signal
import subprocess
import sys
import time

import pytest

from sotbench.datasets.synthetic import generate


@pytest.mark.slow
def test_killed_run_resumes(tmp_path):
    root = generate(tmp_path / "syn")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sotbench", "run", "--tracker", "opencv-mil", "--dataset", "synthetic",
           "--root", str(root), "--out", str(out), "--no-progress"]
    run_dir = out / "synthetic" / "opencv-mil"
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(run_dir.glob("*_time.txt"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = {p.name: p.read_bytes() for p in run_dir.glob("*.txt") if not p.name.endswith("_time.txt")}
    assert 1 <= len(written) < 8, "the run should have been killed part-way"
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(written)} already finished" in resumed.stdout
    for name, data in written.items():
        assert (run_dir / name).read_bytes() == data
    assert len([p for p in run_dir.glob("*.txt") if not p.name.endswith("_time.txt")]) == 8
    for p in run_dir.glob("*.txt"):  # no half-written file survived the kill
        assert p.read_text().endswith("\n")
    # opencv-mil is marked deterministic: the resumed run equals an uninterrupted one byte for byte
    whole = out / "whole"
    subprocess.run([*cmd[:-3], "--out", str(whole), "--no-progress"], check=True, capture_output=True, timeout=300)
    for p in run_dir.glob("*.txt"):
        if not p.name.endswith("_time.txt"):
            assert p.read_bytes() == (whole / "synthetic" / "opencv-mil" / p.name).read_bytes(), p.name
