"""Index the complete real annotation sets and load every sequence; prints seconds per dataset.

    python benchmarks/indexing.py [--annotations DIR] [--repeat N]

DIR defaults to ../shared/data/annotations (or $SOTBENCH_SHARED/data/annotations).  The
target is under 5 s in all on 2 CPU cores.  Each dataset is read cold (a fresh adapter, no
cache) and the best of ``--repeat`` runs is reported; the line-by-line ``float()`` reader
(``_read_rows_slow``, what the fast path replaces) is timed on the same files as a baseline.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sotbench.datasets import load_dataset, parsing  # noqa: E402

SETS = (
    ("otb100", "OTB100/tracker_benchmark_tb100"),
    ("otb100", "OTB100/pysot"),
    ("uav123", "UAV123"),
    ("lasot", "LaSOT"),
    ("vot2018", "VOT2018"),
)


def _load_all(key: str, root: Path) -> tuple[int, int, str]:
    ds = load_dataset(key, root=root)
    seqs = list(ds)
    return len(seqs), sum(len(s) for s in seqs), ds.layout


def _timed(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        from sotbench.datasets import pysot_json

        pysot_json._CACHE.clear()  # cold: parse the JSON files again
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _slow_reader():
    """Force the line-by-line reader (the baseline) by disabling the fast path."""
    original = parsing._parse_uniform
    parsing._parse_uniform = lambda *a, **k: None
    return original


def main() -> int:
    shared = Path(os.environ.get("SOTBENCH_SHARED", REPO.parent / "shared"))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--annotations", type=Path, default=shared / "data" / "annotations")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    if not args.annotations.is_dir():
        print(f"no annotations at {args.annotations}", file=sys.stderr)
        return 2
    print(f"{'dataset':8s} {'layout':11s} {'seqs':>5s} {'frames':>8s} {'fast s':>7s} "
          f"{'line-by-line s':>15s} {'speed-up':>8s}")
    total = 0.0
    for key, sub in SETS:
        root = args.annotations / sub
        fast, (n, frames, layout) = _timed(lambda: _load_all(key, root), args.repeat)
        original = _slow_reader()
        try:
            slow, _ = _timed(lambda: _load_all(key, root), 1)
        finally:
            parsing._parse_uniform = original
        if sub != "OTB100/pysot":
            total += fast
        print(f"{key:8s} {layout:11s} {n:5d} {frames:8,d} {fast:7.2f} {slow:15.2f} {slow / fast:7.1f}x")
    print(f"total (OTB100 kit + UAV123 + LaSOT test + VOT2018): {total:.2f} s on {os.cpu_count()} CPUs "
          f"(target < 5 s on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
