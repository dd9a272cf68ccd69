"""Cost of the bootstrap intervals: ``evaluate`` of 10 trackers on LaSOT test, with and without.

Uses the bundled real raw results (``../shared/data``): LaSOT has 2 trackers (ATOM, SiamRPN++),
each evaluated 5 times (10 evaluations, every one reading its result files and writing its score
files, as ``sotbench eval`` does).  ``without`` is ``evaluate(..., bootstrap=None)`` (the code path
before intervals existed); ``with`` draws 10,000 resamples per score, per attribute and per curve
point.  The two passes alternate tracker by tracker so machine load hits both alike.
Usage: ``python benchmarks/intervals.py [--data ../shared/data] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sotbench.datasets import load_dataset
from sotbench.evaluate import evaluate
from sotbench.metrics.bootstrap import DEFAULT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--repeats", type=int, default=5, help="evaluations per tracker (default 5: 10 in all)")
    args = parser.parse_args()
    ds = load_dataset("lasot", root=args.data / "annotations/LaSOT")
    ds.names  # index once: both passes read the same annotations
    runs = sorted(p for p in (args.data / "results/LaSOT").iterdir() if p.is_dir())
    seconds = {"without": 0.0, "with": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for run in runs:
                for label, spec in (("without", None), ("with", DEFAULT)):
                    t0 = time.perf_counter()
                    evaluate(ds, run, out=Path(tmp) / label / f"{run.name}-{i}", bootstrap=spec)
                    seconds[label] += time.perf_counter() - t0
    n = args.repeats * len(runs)
    print(f"evaluate, {n} runs on LaSOT test ({len(ds)} sequences; {', '.join(r.name for r in runs)} x {args.repeats})")
    print("| intervals | seconds | per run | vs without |")
    print("|---|---:|---:|---:|")
    for label in seconds:
        print(f"| {label} | {seconds[label]:.1f} | {seconds[label] / n:.2f} | {seconds[label] / seconds['without']:.2f}x |")


if __name__ == "__main__":
    main()
