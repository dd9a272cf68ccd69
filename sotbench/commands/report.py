"""``sotbench report``: leaderboards (Markdown, CSV, LaTeX, HTML) and plots for runs of one dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sotbench.errors import CommandError

HELP = "leaderboards and plots (Markdown, CSV, LaTeX, HTML; PNG, PDF, SVG) for runs on one dataset"
EPILOG = """examples:
  sotbench report --dataset otb100 --root ~/data/OTB100 --results-root results --out reports/otb100
  sotbench report --dataset otb100 --root ../shared/data/annotations/OTB100/pysot \\
      --results-root ../shared/data/results/OTB100 --runs results/OTB100/my_run --out reports/otb100
  sotbench report --dataset vot2018 --results-root results --profile vot-legacy --formats md,png
  sotbench report --scores a/scores.json b/scores.json --out reports/mine

Runs are evaluated when their scores are missing or stale (result files or profile changed);
scores are cached in OUT/scores/. Runs with missing sequences are listed with their coverage
but not ranked unless --allow-partial.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sotbench.datasets import DATASETS
    from sotbench.report.render import FORMATS

    p.add_argument("--dataset", metavar="NAME", help=f"benchmark name ({', '.join(DATASETS)}) or module:Class")
    p.add_argument("--root", type=Path, metavar="DIR", help="the dataset's folder (annotation-only roots work)")
    p.add_argument("--split", metavar="NAME", help="dataset split (default: the benchmark's test split)")
    p.add_argument("--runs", nargs="+", action="extend", default=[], type=Path, metavar="DIR",
                   help="run folders (sotbench runs or other toolkits' raw results); the folder name is the "
                        "leaderboard name")
    p.add_argument("--results-root", nargs="+", action="extend", default=[], type=Path, metavar="DIR",
                   help="every tracker folder inside DIR (or inside DIR/<Dataset>/) is a run")
    p.add_argument("--scores", nargs="+", action="extend", default=[], type=Path, metavar="FILE",
                   help="render these scores.json files as they are (no dataset, no evaluation)")
    p.add_argument("--profile", metavar="NAME", help="metric profile (default: the dataset's)")
    p.add_argument("--out", type=Path, metavar="DIR", help="report folder (default: reports/<dataset>)")
    p.add_argument("--formats", default="all", metavar="LIST",
                   help=f"comma-separated subset of {','.join(FORMATS)} (default: all)")
    p.add_argument("--allow-partial", action="store_true",
                   help="rank and plot runs with missing sequences (scored on the sequences they have)")
    p.add_argument("--percent", action="store_true", help="print scores in percent (69.6) instead of 0.696")
    p.add_argument("--dpi", type=int, default=300, metavar="N", help="PNG resolution (default 300)")
    p.add_argument("--title", metavar="TEXT", help="benchmark name in titles (default: the dataset's)")
    p.add_argument("--force", action="store_true", help="re-evaluate every run even if its scores are fresh")


def _run(args: argparse.Namespace):
    from sotbench.report import make_report, report_from_scores

    if args.scores:
        if args.runs or args.results_root:
            raise CommandError("--scores renders score files as they are; do not combine it with --runs/--results-root")
        out = args.out or Path("reports") / "scores"
        return report_from_scores(args.scores, out, args.formats, allow_partial=args.allow_partial,
                                  percent=args.percent, dpi=args.dpi, title=args.title)
    if not args.dataset:
        raise CommandError("--dataset is required (or --scores FILE ... to render existing score files)")
    from sotbench.commands.common import open_dataset

    args.sequences = None
    dataset = open_dataset(args)
    out = args.out or Path("reports") / dataset.key
    return make_report(dataset, args.runs, out, args.profile, args.formats, results_roots=args.results_root,
                       allow_partial=args.allow_partial, percent=args.percent, dpi=args.dpi, title=args.title,
                       force=args.force,
                       log=lambda msg: print(msg, file=sys.stderr))


def main(args: argparse.Namespace) -> int:
    from sotbench.report import ReportError
    from sotbench.report.formats import to_markdown
    from sotbench.report.tables import leaderboard

    try:
        paths = _run(args)
    except (ReportError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    print(to_markdown(leaderboard(paths.board), args.percent), end="")
    written = [p for p in (paths.html, paths.markdown, paths.csv, paths.latex) if p is not None]
    print(f"\nreport: {', '.join(str(p) for p in written) or paths.out}"
          + (f" and {sum(len(v) for v in paths.plots.values())} plot files in {paths.out / 'plots'}"
             if paths.plots else ""))
    return 0
