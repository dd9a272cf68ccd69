"""Throughput of the VOT region overlaps and of a full VOT2018 evaluation.

Baseline measured in the same run: the VOT toolkit's own numba overlaps (``vot-toolkit``
package, first call compiled beforehand).  Needs the shared data folder (``SOTBENCH_SHARED`` or
``../shared``).  Usage: ``python benchmarks/vot_overlaps.py [tracker]``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from sotbench.datasets.vot import VOT2018
from sotbench.metrics.overlap import region_overlaps
from sotbench.metrics.vot import PYSOT, VOT_TOOLKIT, split_kwargs, vot_aggregate, vot_sequence_stats
from sotbench.metrics.vot_io import read_vot_repetitions

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SOTBENCH_SHARED", REPO.parent / "shared")) / "data"


def load(tracker: str):
    """(name, gt, (W, H), tags, runs) per sequence, through the VOT2018 dataset adapter."""
    seqs = []
    for seq in VOT2018(SHARED / "annotations" / "VOT2018"):
        runs = read_vot_repetitions(SHARED / "results" / "VOT2018" / tracker / "baseline" / seq.name)
        seqs.append((seq.name, seq.gt, seq.image_size, dict(seq.tags), runs))
    return seqs


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def oracle_overlaps(seqs):
    from vot.region import Special, calculate_overlaps
    from vot.region.shapes import Polygon, Rectangle

    def to_vot(row, code=-1):
        if code >= 0:
            return Special(int(code))
        v = row[~np.isnan(row)]
        return Rectangle(*v) if v.size == 4 else Polygon(list(zip(v[0::2], v[1::2])))

    data = [([to_vot(r, c) for r, c in zip(runs[0].regions, runs[0].codes)], [to_vot(r) for r in gt], size)
            for _, gt, size, _, runs in seqs]
    calculate_overlaps(data[0][0][:5], data[0][1][:5], data[0][2])  # compile
    return lambda: [calculate_overlaps(p, g, s) for p, g, s in data]


def main() -> int:
    tracker = sys.argv[1] if len(sys.argv) > 1 else "SiamRPN++"
    seqs = load(tracker)
    frames = sum(gt.shape[0] for _, gt, *_ in seqs)
    rows = []
    for mode in ("votpy", "trax"):
        def ours(mode=mode):
            for _, gt, size, _, runs in seqs:
                region_overlaps(runs[0].regions, gt, size, mode=mode, pred_special=runs[0].codes >= 0)
        rows.append((f"sotbench overlaps ({mode})", timed(ours)))
    try:
        rows.insert(0, ("vot-toolkit calculate_overlaps (baseline)", timed(oracle_overlaps(seqs))))
    except ImportError:
        print("vot-toolkit not installed: no baseline row")
    for label, preset in (("PYSOT", PYSOT), ("VOT_TOOLKIT", VOT_TOOLKIT)):
        seq_kw, agg_kw = split_kwargs(preset)

        def full(seq_kw=seq_kw, agg_kw=agg_kw):
            stats = [vot_sequence_stats(runs, gt, size, rec, name=n, **seq_kw) for n, gt, size, rec, runs in seqs]
            vot_aggregate(stats, eao_interval=(100, 356), **agg_kw)
        rows.append((f"full evaluation, {label} preset", timed(full, 2)))
    base = rows[0][1]
    print(f"VOT2018 {tracker}: {len(seqs)} sequences, {frames} frames, 1 run")
    print(f"{'what':48s} {'seconds':>8s} {'frames/s':>10s} {'vs first row':>12s}")
    for label, sec in rows:
        print(f"{label:48s} {sec:8.3f} {frames / sec:10.0f} {base / sec:11.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
