"""``sotbench demo``: the embedded default — generate the synthetic benchmark, run the
weight-free trackers on it, evaluate them and print a leaderboard (no downloads, no GPU)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sotbench.commands.common import positive_int
from sotbench.errors import CommandError

EPILOG = """examples:
  sotbench demo
  sotbench demo --out /tmp/demo --jobs 2
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                   help="results root (default: results/); the benchmark is generated under "
                        "<data root>/synthetic (data root = $SOTBENCH_DATA or ./datasets)")
    p.add_argument("--root", type=Path, metavar="DIR", help="where to generate the synthetic benchmark")
    p.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR",
                   help="report folder root (default: reports/)")
    p.add_argument("--trackers", metavar="A,B", help="trackers to run (default: all weight-free ones)")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="parallel worker processes, N >= 1 (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def demo_trackers() -> list[str]:
    """The weight-free trackers this installation can run."""
    from sotbench.trackers.opencv import available

    return ["identity"] + [f"opencv-{k}" for k in ("mil", "kcf", "csrt") if available(k)]


def _with_spread(scores, key: str) -> str:
    """``0.779 ± 0.031``: the score and half its 95 % bootstrap interval over the sequences."""
    ci = scores.interval(key)
    spread = f" ± {(ci[1] - ci[0]) / 2:.3f}" if ci else ""
    return f"{scores.overall[key]:.3f}{spread}"


def _leaderboard(rows: list[tuple[str, object, float | None]]) -> str:
    keys = ("success_auc", "precision", "norm_precision")
    lines = [f"{'tracker':14s} {'success AUC':>13s} {'precision':>13s} {'norm. prec.':>13s} {'fps':>9s}"]
    for name, scores, fps in sorted(rows, key=lambda r: -r[1].overall["success_auc"]):
        speed = f"{fps:9.1f}" if fps else f"{'-':>9s}"
        lines.append(f"{name:14s} " + " ".join(f"{_with_spread(scores, k):>13s}" for k in keys) + f" {speed}")
    lines.append("± half the 95% bootstrap interval over the sequences")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from sotbench.datasets import load_dataset
    from sotbench.evaluate import evaluate
    from sotbench.run import RunOptions, run_dataset
    from sotbench.trackers import TrackerSpec
    from sotbench.trackers.backends import BackendOptions

    dataset = load_dataset("synthetic", root=args.root)
    print(f"synthetic benchmark: {len(dataset)} sequences at {dataset.root}")
    rows, run_dirs = [], []
    names = args.trackers.split(",") if args.trackers else demo_trackers()
    for name in names:
        summary = run_dataset(TrackerSpec(name), dataset,
                              RunOptions(out=args.out, progress=not args.no_progress,
                                         tracking=BackendOptions(jobs=args.jobs)))
        if not summary.ok:
            raise CommandError(f"{name} failed on {', '.join(summary.failed)}")
        scores = evaluate(dataset, summary.run_dir)
        fps = scores.speed.get("tracker_fps") if getattr(scores, "speed", None) else None
        rows.append((name, scores, fps))
        run_dirs.append(summary.run_dir)
    print(f"\nLeaderboard: synthetic/{dataset.split}, profile {dataset.spec.default_profile}\n")
    print(_leaderboard(rows))
    print(f"\nresults: {Path(args.out) / dataset.spec.folder}")
    from sotbench.report import make_report

    paths = make_report(dataset, run_dirs, Path(args.reports) / "synthetic")
    print(f"report: {paths.html}  (plots, Markdown/CSV/LaTeX tables beside it)")
    return 0
