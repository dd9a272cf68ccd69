"""Speed of the OPE metrics: sotbench vs got10k's report vs a pysot-style loop, 1 / 10 / 50 trackers.

Uses the bundled real raw results (``../shared/data``) on OTB100, UAV123 and LaSOT (test).
A benchmark holds fewer real trackers than asked for (OTB100 10, UAV123 6, LaSOT 2): the
trackers are repeated, each repeat read from its own folder like a tracker of its own.
Sequences whose result length differs from the ground truth (which got10k's report asserts
on) are left out for every method.  For each dataset and tracker count, one table row:

* ``sotbench``: ``import_results`` + ``score_sequences`` per tracker (what ``eval``, ``report``
  and the search run), under the ``got10k`` profile and under the ``pysot`` profile;
* ``got10k``: ``ExperimentOTB.report`` (UAV123: ``ExperimentUAV123``) of the installed got10k package itself (``np.loadtxt``
  per file, its ``_calc_metrics`` / ``_calc_curves``), plotting switched off;
* ``pysot-style``: pysot-toolkit's per-sequence NumPy computation (its ``success_overlap`` /
  ``success_error``: one comparison per threshold) on files read by ``np.loadtxt``.

Each row times reading and scoring together ("from files"), and separately the scoring of
arrays already in memory ("parsed": the same trajectories for every method).  Every method
must give the same success AUC as sotbench under the matching profile to 1e-12; the script
stops otherwise.  Runs on 2 cores (the CI budget).  Usage::

    python benchmarks/metrics.py [--data ../shared/data] [--trackers 1,10,50] [--datasets otb100,uav123,lasot]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from sotbench.datasets import load_dataset
from sotbench.metrics.importers import import_results
from sotbench.metrics.names import match_names
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import score_sequences

DATASETS = {"otb100": ("annotations/OTB100/pysot", "OTB100"),
            "uav123": ("annotations/UAV123", "UAV123"),
            "lasot": ("annotations/LaSOT", "LaSOT")}
TOLERANCE = 1e-12


def _pin_two_cores() -> None:
    """Run on at most 2 cores (the CI machine's budget)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "2")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])


class _Got10kDataset:
    """What ``ExperimentOTB.report`` reads of a dataset: names, length, ``(files, anno)`` items."""

    def __init__(self, gts: dict[str, np.ndarray]):
        self.seq_names, self._gts = list(gts), gts

    def __len__(self) -> int:
        return len(self.seq_names)

    def __iter__(self):
        for name in self.seq_names:
            yield None, self._gts[name].copy()


def _got10k_experiment(key: str, gts: dict[str, np.ndarray], results: Path, reports: Path):
    """got10k's experiment for benchmark ``key`` (it has none for LaSOT: the OTB one, as the profile)."""
    from got10k.experiments import ExperimentOTB, ExperimentUAV123

    cls = ExperimentUAV123 if key == "uav123" else ExperimentOTB  # UAV123's drops NaN ground truth
    exp = object.__new__(cls)  # its __init__ wants the images on disk
    exp.dataset, exp.result_dir, exp.report_dir = _Got10kDataset(gts), str(results), str(reports)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    exp.plot_curves = lambda *a, **k: None  # plotting is not scoring
    return exp


class Bench:
    """One benchmark's sequences, its real trackers' files under got10k's names, and their parse."""

    def __init__(self, data: Path, key: str, work: Path):
        ann, folder = DATASETS[key]
        self.key = key
        ds = load_dataset(key, root=data / ann)
        src = data / "results" / folder
        self.real = sorted(p.name for p in src.iterdir() if p.is_dir())
        parsed, self.files = {}, {}
        for t in self.real:
            files = {p.stem: p for p in (src / t).glob("*.txt") if not p.stem.endswith("_time")}
            mapping, _ = match_names(files, ds.names)
            self.files[t] = {seq: files[stem] for stem, seq in mapping.items()}
            parsed[t] = {seq: np.loadtxt(p, delimiter=",") for seq, p in self.files[t].items()}
        # the sequences every real tracker has, with as many rows as frames (got10k asserts it)
        seqs = [s for s in ds if all(s.name in parsed[t] and len(parsed[t][s.name]) == len(s.gt) for t in self.real)]
        self.dropped = len(ds.names) - len(seqs)
        self.seqs, self.names = seqs, [s.name for s in seqs]
        self.gts = {s.name: s.gt[:, :4].copy() for s in seqs}
        self.parsed = {t: {n: parsed[t][n] for n in self.names} for t in self.real}
        self.work = work / key
        self.frames = sum(len(s.gt) for s in seqs)

    def tracker(self, i: int) -> str:
        """The real tracker the i-th (repeated) tracker is."""
        return self.real[i % len(self.real)]

    def folders(self, n: int) -> Path:
        """``n`` tracker folders ``T000..`` of symlinks named as got10k expects; their root."""
        root = self.work / f"n{n}"
        for i in range(n):
            folder = root / f"T{i:03d}"
            if folder.is_dir():
                continue
            folder.mkdir(parents=True)
            for seq in self.names:
                (folder / f"{seq}.txt").symlink_to(self.files[self.tracker(i)][seq])
        return root


def sotbench_files(bench: Bench, root: Path, n: int, profile) -> tuple[float, list[float]]:
    prof, aucs, t0 = profile.for_dataset(bench.key), [], time.perf_counter()
    for i in range(n):
        imp = import_results(root / f"T{i:03d}", bench.names)
        trajs = {s: r.trajectories[0] for s, r in imp.results.items()}
        aucs.append(score_sequences(bench.seqs, trajs, prof).overall()[0]["success_auc"])
    return time.perf_counter() - t0, aucs


def sotbench_parsed(bench: Bench, n: int, profile) -> tuple[float, list[float]]:
    prof, aucs, t0 = profile.for_dataset(bench.key), [], time.perf_counter()
    for i in range(n):
        aucs.append(score_sequences(bench.seqs, bench.parsed[bench.tracker(i)], prof).overall()[0]["success_auc"])
    return time.perf_counter() - t0, aucs


def got10k_files(bench: Bench, root: Path, n: int) -> tuple[float, list[float]]:
    exp = _got10k_experiment(bench.key, bench.gts, root, Path(tempfile.mkdtemp()))
    names = [f"T{i:03d}" for i in range(n)]
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # its "Evaluating T000" lines
        perf = exp.report(names)
    return time.perf_counter() - t0, [perf[t]["overall"]["success_score"] for t in names]


def got10k_parsed(bench: Bench, n: int) -> tuple[float, list[float]]:
    """got10k's per-sequence computation (``_calc_metrics``, ``_calc_curves``) on parsed arrays."""
    exp = _got10k_experiment(bench.key, bench.gts, Path("."), Path("."))
    aucs, t0 = [], time.perf_counter()
    for i in range(n):
        trajs = bench.parsed[bench.tracker(i)]
        curves = []
        for name in bench.names:
            boxes, anno = trajs[name].copy(), bench.gts[name]
            boxes[0] = anno[0]
            curves.append(exp._calc_curves(*exp._calc_metrics(boxes, anno))[0])
        aucs.append(float(np.mean(np.mean(curves, axis=0))))
    return time.perf_counter() - t0, aucs


def _pysot_sequence(gt: np.ndarray, pred: np.ndarray, visible: np.ndarray, th_iou: np.ndarray,
                    th_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pysot-toolkit's ``success_overlap`` / ``success_error`` of one sequence: its visible frames,
    its validity masks, one comparison per threshold, divided by the sequence's length."""
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


def _visible(seq) -> np.ndarray:
    """pysot keeps the frames its LaSOT JSON marks visible (a NaN GT row stays: it is invalid GT)."""
    if seq.absent is None:
        return np.ones(len(seq.gt), dtype=bool)
    return ~np.asarray(seq.absent, dtype=bool) | np.isnan(seq.gt).any(axis=1)


def pysot_loop(bench: Bench, n: int, profile, root: Path | None) -> tuple[float, list[float]]:
    """The pysot-style loop from files (``root``) or over the parsed arrays (``root=None``)."""
    th_iou, th_px = profile.thresholds("success"), profile.thresholds("precision")
    aucs, t0 = [], time.perf_counter()
    for i in range(n):
        trajs = bench.parsed[bench.tracker(i)]
        curves = []
        for seq in bench.seqs:
            name = seq.name
            pred = np.loadtxt(root / f"T{i:03d}" / f"{name}.txt", delimiter=",") if root else trajs[name]
            curves.append(_pysot_sequence(bench.gts[name], pred, _visible(seq), th_iou, th_px)[0])
        aucs.append(float(np.mean(curves)))
    return time.perf_counter() - t0, aucs


def _check(name: str, got: list[float], want: list[float]) -> float:
    worst = max(abs(a - b) for a, b in zip(got, want))
    if worst > TOLERANCE:
        raise SystemExit(f"{name} disagrees with sotbench by {worst:.2e} (> {TOLERANCE:g})")
    return worst


def measure(bench: Bench, n: int, g10k, pysot) -> dict:
    """One row: every method from files and parsed, with the agreement checked."""
    root = bench.folders(n)
    row = {"dataset": bench.key, "trackers": n, "frames": bench.frames * n}
    row["sot_g_files"], ref_g = sotbench_files(bench, root, n, g10k)
    row["sot_g_parsed"], again = sotbench_parsed(bench, n, g10k)
    row["sot_p_files"], ref_p = sotbench_files(bench, root, n, pysot)
    row["sot_p_parsed"], _ = sotbench_parsed(bench, n, pysot)
    row["g10k_files"], got = got10k_files(bench, root, n)
    row["g10k_parsed"], got_p = got10k_parsed(bench, n)
    row["pysot_files"], pys = pysot_loop(bench, n, pysot, root)
    row["pysot_parsed"], pys_p = pysot_loop(bench, n, pysot, None)
    row["agree"] = max(_check("sotbench parsed", again, ref_g), _check("got10k", got, ref_g),
                       _check("got10k parsed", got_p, ref_g), _check("pysot-style", pys, ref_p),
                       _check("pysot-style parsed", pys_p, ref_p))
    return row


def _print(rows: list[dict], notes: list[str]) -> None:
    print("\n".join(notes))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"seconds; x = the other method's time / sotbench's (same profile's rules); {cores} cores\n")
    head = (f"{'dataset':8s} {'trk':>4s} {'frames':>11s} | {'from files: sotbench':>20s} {'got10k':>8s} {'x':>6s} "
            f"{'pysot-style':>11s} {'x':>6s} | {'parsed: sotbench':>16s} {'got10k':>8s} {'x':>6s} "
            f"{'pysot-style':>11s} {'x':>6s} | {'max |dAUC|':>10s}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['dataset']:8s} {r['trackers']:4d} {r['frames']:11,d} | "
              f"{r['sot_g_files']:20.2f} {r['g10k_files']:8.2f} {r['g10k_files'] / r['sot_g_files']:6.2f} "
              f"{r['pysot_files']:11.2f} {r['pysot_files'] / r['sot_p_files']:6.2f} | "
              f"{r['sot_g_parsed']:16.3f} {r['g10k_parsed']:8.3f} {r['g10k_parsed'] / r['sot_g_parsed']:6.2f} "
              f"{r['pysot_parsed']:11.3f} {r['pysot_parsed'] / r['sot_p_parsed']:6.2f} | {r['agree']:10.1e}")
    print("\nsotbench columns: the got10k profile against got10k, the pysot profile against pysot-style "
          "(its from-files / parsed seconds under the pysot profile are within a few % of the got10k ones)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--trackers", default="1,10,50", help="tracker counts (default 1,10,50)")
    ap.add_argument("--datasets", default="otb100,uav123,lasot", help=f"of: {', '.join(DATASETS)}")
    args = ap.parse_args()
    _pin_two_cores()
    counts = [int(x) for x in args.trackers.split(",")]
    keys = [k.strip() for k in args.datasets.split(",")]
    unknown = [k for k in keys if k not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown dataset {unknown[0]!r}, known: {', '.join(DATASETS)}")
    g10k, pysot = get_profile("got10k"), get_profile("pysot")
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as work:
        for key in keys:
            bench = Bench(args.data, key, Path(work))
            notes.append(f"{key}: {len(bench.names)} sequences ({bench.dropped} left out: a result length differs "
                         f"from the ground truth), {bench.frames:,} frames, real trackers {', '.join(bench.real)}")
            for n in counts:
                rows.append(measure(bench, n, g10k, pysot))
    _print(rows, notes)


if __name__ == "__main__":
    main()
