"""Start-up time of the command line against ``python -c "import numpy"`` (same interpreter, same run).

    python benchmarks/startup.py [--repeat 7]

Prints, per command, the median wall time of a fresh process and its ratio to importing numpy
(the issue's target: at most 2x for --help, list and argument errors).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = [
    ("python -c 'import numpy' (baseline)", [sys.executable, "-c", "import numpy"]),
    ("sotbench --help", [sys.executable, "-m", "sotbench", "--help"]),
    ("sotbench list trackers", [sys.executable, "-m", "sotbench", "list", "trackers"]),
    ("sotbench list datasets", [sys.executable, "-m", "sotbench", "list", "datasets"]),
    ("sotbench run (argument error)", [sys.executable, "-m", "sotbench", "run"]),
    ("sotbench search --trials 0 (argument error)", [sys.executable, "-m", "sotbench", "search", "--trials", "0"]),
    ("sotbench eval (argument error)", [sys.executable, "-m", "sotbench", "eval"]),
    ("sotbench bogus (argument error)", [sys.executable, "-m", "sotbench", "bogus"]),
]


def _time(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7, help="runs per command (median reported)")
    args = p.parse_args(argv)
    rows = []
    for _ in range(2):  # interleaved rounds: a load spike hits all rows alike
        rows.append([_time(cmd, max(1, args.repeat // 2)) for _, cmd in CASES])
    medians = [statistics.median(col) for col in zip(*rows)]
    base = medians[0]
    print(f"{'command':48s} {'median s':>9s} {'x numpy':>8s}")
    for (name, _), t in zip(CASES, medians):
        print(f"{name:48s} {t:9.3f} {t / base:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
