"""Workers of a killed ``sotbench run --jobs N`` stop with it instead of tracking on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SLOW = textwrap.dedent('''
    import os
    import time

    import numpy as np

    LOG = os.environ["SLOW_LOG"]


    class Slow:
        """Holds the box; each update takes 50 ms and leaves a line (its pid) in SLOW_LOG."""
        deterministic = True

        def init(self, image, region):
            self.box = np.asarray(region[:4], float)

        def update(self, image):
            time.sleep(0.05)
            with open(LOG, "a") as f:
                f.write(f"{os.getpid()}\\n")
            return self.box
''')


def _pids(log) -> set[int]:
    return {int(p) for p in log.read_text().split()} if log.exists() else set()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_workers_stop_when_the_run_is_killed(synthetic_root, tmp_path):
    (tmp_path / "plug").mkdir()
    (tmp_path / "plug" / "slowplug.py").write_text(SLOW)
    log, out = tmp_path / "updates.log", tmp_path / "out"
    env = {**os.environ, "SLOW_LOG": str(log), "PYTHONPATH": str(tmp_path / "plug")}
    proc = subprocess.Popen([sys.executable, "-m", "sotbench", "run", "--tracker", "slowplug:Slow", "--dataset",
                             "synthetic", "--root", str(synthetic_root), "--out", str(out), "--jobs", "2",
                             "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(_pids(log)) < 2:  # both workers are tracking
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    workers = _pids(log)
    assert len(workers) == 2, "both workers should have been tracking when the run was killed"
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "workers outlived the killed run"
    size, results = log.stat().st_size, sorted(out.rglob("*.txt"))
    time.sleep(1.5)
    assert log.stat().st_size == size and sorted(out.rglob("*.txt")) == results  # nothing tracks or writes on
