"""``sotbench pack``: the archive an evaluation server expects (TrackingNet, GOT-10k test)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sotbench.commands.common import add_dataset_arguments, open_dataset
from sotbench.errors import CommandError

EPILOG = """The archive is read back and checked after writing.

examples:
  sotbench pack --dataset trackingnet --root ~/data/TrackingNet --results results/TrackingNet/SiamRPN++
  sotbench pack --dataset got10k --split test --results results/GOT-10k-test/MyTracker --out my.zip
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_arguments(p)
    p.add_argument("--results", required=True, type=Path, metavar="DIR", help="the tracker's result folder")
    p.add_argument("--out", type=Path, metavar="FILE.zip",
                   help="archive to write (default: <results>-<dataset>-submission.zip beside the folder)")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="pack even when some sequences have no results")


def main(args: argparse.Namespace) -> int:
    from sotbench.pack import PackError, pack_results

    dataset = open_dataset(args)
    results = args.results.resolve() if args.results.exists() else args.results
    out = args.out or results.parent / f"{results.name}-{dataset.key}-submission.zip"
    try:
        report = pack_results(dataset, args.results, out, allow_incomplete=args.allow_incomplete)
    except (PackError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    for w in report.warnings:
        print(f"warning: {w}")
    print(f"wrote {report.archive} ({report.sequences} sequences, {report.entries} files; read back and checked)")
    return 0
