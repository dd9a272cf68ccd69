"""Speed of the OPE metrics: 10 trackers x (OTB100 + UAV123 + LaSOT test) under one profile.

Uses the bundled real raw results (``../shared/data``): OTB100 has 10 trackers; UAV123 has 6,
replicated to 10 (the first 4 twice); LaSOT has 2, replicated 5 times each.  Prints one table:

* ``sotbench``: ``score_sequences`` - all frames of all sequences of a dataset in one
  vectorised pass (what ``sotbench eval`` and the hyperparameter search run);
* ``per-sequence NumPy loop``: the way pysot-toolkit computes it (one NumPy call per sequence
  and threshold), for all 10 trackers;
* ``pure-Python loop``: per sequence and frame in plain Python, measured on ``--python-trackers``
  trackers and scaled to 10 (the table says how many were measured).

Reading the files is timed separately (it is the same for every method).  All three methods
must give the same success AUC; the script checks it.  Usage:
``python benchmarks/metrics.py [--data ../shared/data] [--profile pysot] [--python-trackers 1]``
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import numpy as np

from sotbench.datasets import load_dataset
from sotbench.metrics.importers import import_results
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import score_sequences

DATASETS = (("otb100", "annotations/OTB100/pysot", "OTB100"),
            ("uav123", "annotations/UAV123", "UAV123"),
            ("lasot", "annotations/LaSOT", "LaSOT"))
N_TRACKERS = 10


def _pin_two_cores() -> None:
    """Run on at most 2 cores (the CI machine's budget)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "2")
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))[:2]
        os.sched_setaffinity(0, cores)


def load(data: Path):
    """Sequences and 10 trackers' trajectories per dataset, and the time it took to read them."""
    out, t0, notes = [], time.perf_counter(), []
    for key, ann, folder in DATASETS:
        ds = load_dataset(key, root=data / ann)
        seqs = list(ds)
        trackers = sorted(p.name for p in (data / "results" / folder).iterdir() if p.is_dir())
        runs = [(t, import_results(data / "results" / folder / t, ds.names)) for t in trackers]
        trajs = [{s: r.trajectories[0] for s, r in imp.results.items()} for _, imp in runs]
        reps = [trajs[i % len(trajs)] for i in range(N_TRACKERS)]
        notes.append(f"{key}: {len(trackers)} trackers ({', '.join(trackers)})"
                     + (f", replicated to {N_TRACKERS}" if len(trackers) < N_TRACKERS else ""))
        out.append((key, seqs, reps))
    return out, time.perf_counter() - t0, notes


def vectorised(data, profile) -> tuple[float, list[float]]:
    aucs, t0 = [], time.perf_counter()
    for key, seqs, trackers in data:
        prof = profile.for_dataset(key)
        for trajs in trackers:
            aucs.append(score_sequences(seqs, trajs, prof).overall()[0]["success_auc"])
    return time.perf_counter() - t0, aucs


def _np_sequence(gt, pred, visible, th_iou, th_px):
    """pysot-toolkit's per-sequence computation (visible frames, valid mask, one comparison per threshold)."""
    n = len(gt)
    gt, pred = gt[visible], pred[visible]
    iou = -np.ones(len(gt))
    mask = (gt[:, 2] > 0) & (gt[:, 3] > 0)
    g, p = gt[mask], pred[mask]
    left, right = np.maximum(g[:, 0], p[:, 0]), np.minimum(g[:, 0] + g[:, 2], p[:, 0] + p[:, 2])
    top, bottom = np.maximum(g[:, 1], p[:, 1]), np.minimum(g[:, 1] + g[:, 3], p[:, 1] + p[:, 3])
    inter = np.maximum(0, right - left) * np.maximum(0, bottom - top)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou[mask] = np.clip(inter / (g[:, 2] * g[:, 3] + p[:, 2] * p[:, 3] - inter), 0, 1)
    succ = np.array([np.sum(iou > t) / n for t in th_iou])
    gc, pc = gt[:, :2] + (gt[:, 2:] - 1) / 2, pred[:, :2] + (pred[:, 2:] - 1) / 2
    dist = -np.ones(len(gt))
    cm = (gc > 0).all(axis=1)
    dist[cm] = np.sqrt(((gc[cm] - pc[cm]) ** 2).sum(axis=1))
    prec = np.array([np.sum(dist <= t) / n for t in th_px])
    return succ, prec


def numpy_loop(data, profile) -> tuple[float, list[float]]:
    th_iou, th_px = profile.thresholds("success"), profile.thresholds("precision")
    aucs, t0 = [], time.perf_counter()
    for key, seqs, trackers in data:
        for trajs in trackers:
            curves = [_np_sequence(s.gt[:, :4], _pysot_traj(s, trajs), _visible(s), th_iou, th_px)[0]
                      for s in seqs if s.name in trajs]
            aucs.append(float(np.mean(curves)))
    return time.perf_counter() - t0, aucs


def _visible(seq) -> np.ndarray:
    """pysot keeps the frames its LaSOT JSON marks visible (a NaN GT row stays: it is invalid GT)."""
    if seq.absent is None:
        return np.ones(len(seq.gt), dtype=bool)
    return ~np.asarray(seq.absent, dtype=bool) | np.isnan(seq.gt).any(axis=1)


def _pysot_traj(seq, trajs):
    pred = trajs[seq.name]
    n = len(seq.gt)
    if len(pred) >= n:
        return pred[:n]
    return np.concatenate([pred, np.full((n - len(pred), 4), np.nan)])


def _py_sequence(gt, pred, visible, th_iou):
    n, counts = len(gt), [0] * len(th_iou)
    for (gx, gy, gw, gh), (px, py, pw, ph), vis in zip(gt.tolist(), pred.tolist(), visible.tolist()):
        if not (vis and gw > 0 and gh > 0):
            continue  # invalid GT: a failure at every threshold
        iw = max(0.0, min(gx + gw, px + pw) - max(gx, px))
        ih = max(0.0, min(gy + gh, py + ph) - max(gy, py))
        union = gw * gh + pw * ph - iw * ih
        iou = iw * ih / union if union else math.nan
        iou = min(1.0, max(0.0, iou)) if iou == iou else iou
        for j, t in enumerate(th_iou):
            if iou > t:
                counts[j] += 1
    return sum(c / n for c in counts) / len(counts)


def python_loop(data, profile, n_trackers: int) -> tuple[float, list[float]]:
    th = profile.thresholds("success").tolist()
    aucs, t0 = [], time.perf_counter()
    for key, seqs, trackers in data:
        for trajs in trackers[:n_trackers]:
            per = [_py_sequence(s.gt[:, :4], _pysot_traj(s, trajs), _visible(s), th) for s in seqs if s.name in trajs]
            aucs.append(sum(per) / len(per))
    return time.perf_counter() - t0, aucs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--profile", default="pysot")
    ap.add_argument("--python-trackers", type=int, default=1, help="trackers the pure-Python loop measures")
    args = ap.parse_args()
    _pin_two_cores()
    profile = get_profile(args.profile)
    data, t_read, notes = load(args.data)
    frames = sum(len(s.gt) for _, seqs, _ in data for s in seqs) * N_TRACKERS
    t_vec, auc_vec = vectorised(data, profile)
    t_np, auc_np = numpy_loop(data, profile)
    k = max(1, min(args.python_trackers, N_TRACKERS))
    t_py, auc_py = python_loop(data, profile, k)
    t_py_all = t_py * N_TRACKERS / k
    same_np = max(abs(a - b) for a, b in zip(auc_vec, auc_np))
    py_ref = [auc_vec[d * N_TRACKERS + i] for d in range(len(data)) for i in range(k)]
    same_py = max(abs(a - b) for a, b in zip(py_ref, auc_py))
    print("\n".join(notes))
    print(f"{N_TRACKERS} trackers x 3 datasets = {frames:,} frames scored, profile {args.profile}, "
          f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'} cores")
    print(f"reading result files (all methods): {t_read:.2f} s")
    print(f"{'method':44s} {'seconds':>9s} {'frames/s':>12s} {'vs sotbench':>12s}")
    rows = [("sotbench (vectorised, all metrics)", t_vec),
            ("per-sequence NumPy loop (success+precision)", t_np),
            (f"pure-Python loop (success; {k} of {N_TRACKERS} trackers, scaled)", t_py_all)]
    for name, t in rows:
        print(f"{name:44s} {t:9.2f} {frames / t:12,.0f} {t / t_vec:11.1f}x")
    print(f"max |AUC difference| vs sotbench: NumPy loop {same_np:.1e}, pure Python {same_py:.1e}")
    if same_np > 1e-9 or same_py > 1e-9:
        raise SystemExit("the methods disagree")


if __name__ == "__main__":
    main()
