"""``sotbench report``: leaderboards (Markdown, CSV, LaTeX, HTML) and plots for runs of one dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sotbench.commands.common import add_display_name_arguments, display_name_mapping, int_range
from sotbench.errors import CommandError

EPILOG = """examples:
  sotbench report --dataset otb100 --root ~/data/OTB100 --results-root results --out reports/otb100
  sotbench report --dataset otb100 --root ~/data/OTB100 --results-root ~/published/OTB100 \\
      --runs results/OTB100/my_run --out reports/otb100
  sotbench report --dataset vot2018 --results-root results --profile vot-legacy --formats md,png
  sotbench report --scores a/scores.json b/scores.json --out reports/mine
  sotbench report --dataset otb100 --results-root results --protocol tre   # "Success plots of TRE on OTB100"

Runs are evaluated when their scores are missing or stale (result files or profile changed);
scores are cached in OUT/scores/. Runs with missing sequences (results missing, or a root that
holds part of the benchmark) are listed with their coverage and a "partial: N of M sequences"
caveat, but not ranked unless --allow-partial; runs on random weights are marked too.

Scores are shown with ± half their 95% bootstrap interval over the sequences (the CSV file has
both bounds); the "p vs #1" column tests each ranked run against the leader on the primary
metric (paired bootstrap over the sequences both scored) and marks with ≈ the runs that are not
significantly different from it (p >= 0.05). --ci-bands shades the curves' bands.

A run that cannot be scored (run.json says it is still running, an unreadable run.json or result
file) does not stop the report: the others are reported and the skipped run is listed with the
reason on stderr and under "Skipped runs" in the Markdown and HTML files.

Each run is shown by its display name: --name FOLDER=LABEL or --names FILE (FOLDER: LABEL lines),
else the display name its run.json records (sotbench run --display-name), else its folder name.
The HTML page has a per-sequence table (sequences.csv/.tex too) whose rows link each sequence's
IoU-over-time plot and, with --galleries, its failure gallery (sequences/ folder).

exit status: 0 every run is in the report; 1 the report was written without the runs listed as
skipped; 2 bad input (nothing reportable, unknown dataset or format, runs of mixed datasets).
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
    p.add_argument("--dpi", type=int_range(10, 2400), default=300, metavar="N",
                   help="PNG resolution, 10 <= N <= 2400 (default 300)")
    p.add_argument("--title", metavar="TEXT", help="benchmark name in titles (default: the dataset's)")
    p.add_argument("--force", action="store_true", help="re-evaluate every run even if its scores are fresh")
    add_display_name_arguments(p)
    p.add_argument("--galleries", action="store_true",
                   help="a failure gallery per sequence (each run's worst frames; needs the frames under --root), "
                        "linked from the HTML page's per-sequence table")
    p.add_argument("--gallery-frames", type=int_range(1, 200), default=12, metavar="K",
                   help="frames per run in a gallery, 1 <= K <= 200 (default 12)")
    p.add_argument("--no-sequence-plots", action="store_true",
                   help="no IoU-over-time plot per sequence (the per-sequence table stays)")
    from sotbench.commands.common import add_protocol_argument

    add_protocol_argument(p, "report the runs' results")
    p.add_argument("--ci-bands", action="store_true",
                   help="shade the 95%% bootstrap band (over the sequences) around each success / precision curve")


def _run(args: argparse.Namespace):
    from sotbench.report import make_report, report_from_scores

    names = display_name_mapping(args)
    if args.gallery_frames < 1:
        raise CommandError(f"--gallery-frames must be at least 1, got {args.gallery_frames}")
    if args.scores:
        if args.runs or args.results_root:
            raise CommandError("--scores renders score files as they are; do not combine it with --runs/--results-root")
        out = args.out or Path("reports") / "scores"
        return report_from_scores(args.scores, out, args.formats, allow_partial=args.allow_partial,
                                  percent=args.percent, dpi=args.dpi, title=args.title, names=names,
                                  ci_bands=args.ci_bands)
    if not args.dataset:
        raise CommandError("--dataset is required (or --scores FILE ... to render existing score files)")
    from sotbench.commands.common import open_dataset

    args.sequences = None
    dataset = open_dataset(args)
    own = args.protocol in (None, dataset.protocol)
    out = args.out or Path("reports") / (dataset.key if own else f"{dataset.key}-{args.protocol}")
    return make_report(dataset, args.runs, out, args.profile, args.formats, results_roots=args.results_root,
                       allow_partial=args.allow_partial, percent=args.percent, dpi=args.dpi, title=args.title,
                       force=args.force, names=names, sequence_plots=not args.no_sequence_plots,
                       galleries=args.galleries, gallery_frames=args.gallery_frames, protocol=args.protocol,
                       ci_bands=args.ci_bands,
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
    for s in paths.skipped:
        print(f"warning: skipped, not in the report: {s.line()}", file=sys.stderr)
    return 1 if paths.skipped else 0
