"""``sotbench datasets``: where each benchmark is looked for, what was found, how to get it."""

from __future__ import annotations

import argparse
from pathlib import Path

from typing import TYPE_CHECKING

from sotbench.datasets import DATA_ENV, DATASETS, dataset_class
from sotbench.commands.common import non_negative_int
from sotbench.errors import CommandError

if TYPE_CHECKING:
    from sotbench.datasets.base import Dataset
    from sotbench.datasets.inventory import SplitReport

EPILOG = f"""The data root is --root, else ${DATA_ENV}, else ./datasets; each benchmark lives in its
own folder there (OTB100/, UAV123/, LaSOT/, TrackingNet/, VOT2018/, GOT-10k/).

examples:
  sotbench datasets
  sotbench datasets --root /data/tracking
  sotbench datasets lasot --all-splits
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME", help=f"one dataset ({', '.join(DATASETS)})")
    p.add_argument("--root", type=Path, metavar="DIR", help=f"data root (default: ${DATA_ENV} or ./datasets)")
    p.add_argument("--all-splits", action="store_true", help="inspect every split, not only the default one")
    p.add_argument("--show-missing", type=non_negative_int, default=8, metavar="N",
                   help="list up to N missing sequences, N >= 0 (default 8)")


def _where(cls: type[Dataset], base: Path) -> Path:
    for folder in (cls.spec.folder, *cls.data_folders):
        if (base / folder).exists():
            return base / folder
    return base / cls.spec.folder


def _describe(report: SplitReport, show: int) -> list[str]:
    head = f"  [{report.split}] "
    if not report.found:
        return [head + (f"{report.status}: {report.problem}" if report.problem else report.status)]
    total = f"/{report.expected}" if report.expected is not None else ""
    lines = [head + f"{report.status} ({report.layout}): {report.sequences}{total} sequences, "
                    f"{report.frames:,} frames, {report.with_images} with images"]
    if report.missing:
        more = ", ..." if len(report.missing) > show else ""
        lines.append(f"      missing {len(report.missing)}: {', '.join(report.missing[:show])}{more}")
    for name, err in list(report.errors.items())[:show]:
        lines.append(f"      error {name}: {err}")
    if len(report.errors) > show:
        lines.append(f"      ... {len(report.errors) - show} more sequences with errors")
    return lines


def _how_to_get(cls: type[Dataset]) -> list[str]:
    from sotbench.datasets.inventory import downloadable

    spec = cls.spec
    lines = [f"  how to get: {spec.how_to_get}"] if spec.how_to_get else []
    if spec.homepage:
        lines.append(f"  homepage: {spec.homepage}")
    if downloadable(cls):
        lines.append(f"  download: sotbench download {spec.key}")
    elif spec.needs_registration:
        lines.append("  download: needs registration on the homepage (not automatic)")
    return lines


def main(args: argparse.Namespace) -> int:
    from sotbench.datasets.base import data_root
    from sotbench.datasets.inventory import inspect_split

    base = data_root(args.root)
    keys = list(DATASETS)
    if args.name:
        try:
            dataset_class(args.name)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        keys = [args.name.lower()]
    print(f"data root: {base.resolve()}  (--root, ${DATA_ENV}, or ./datasets)")
    for key in keys:
        cls = dataset_class(key)
        root = _where(cls, base)
        splits = cls.spec.splits if args.all_splits or args.name else (cls.spec.default_split,)
        print(f"\n{key}: {cls.spec.title} [{cls.spec.protocol}] at {root}")
        reports = [inspect_split(cls, root, s) for s in splits]
        for report in reports:
            print("\n".join(_describe(report, args.show_missing)))
        if not all(r.found and not r.missing for r in reports):
            print("\n".join(_how_to_get(cls)))
    return 0
