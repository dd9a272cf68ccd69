"""``sotbench download``: fetch a benchmark's public archives (resumable, checksum verified)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sotbench.datasets import DATA_ENV, DATASETS, dataset_class
from sotbench.errors import CommandError

EPILOG = f"""Files go to <data root>/<Dataset>/ (data root: --root, ${DATA_ENV} or ./datasets);
archives are kept in .downloads/ while in progress, resumed after an interruption, verified
against their checksums when the benchmark publishes them (else against the size the server
announces, and by reading the archive to its end: a truncated one is removed and fetched anew
on the next run), and unpacked safely (names from a downloaded description that would leave
the data root are refused before anything is fetched).
Datasets that need registration (GOT-10k, TrackingNet) print where to get them.
Tracker checkpoints (e.g. siamrpnpp-r50-lasot; `sotbench download siamrpnpp` lists a tracker's
model zoo) go to --root, $SOTBENCH_WEIGHTS or ./weights, verified against their sha256 prefix.

examples:
  sotbench download otb100
  sotbench download siamrpnpp-r50-lasot
  sotbench download lasot --only airplane,bear --root /data/tracking
  sotbench download vot2018 --list
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME",
                   help=f"dataset ({', '.join(DATASETS)}), a tracker's checkpoint (e.g. siamrpnpp-r50-lasot), "
                        "or a tracker name (lists its model zoo)")
    p.add_argument("--root", type=Path, metavar="DIR", help=f"data root (default: ${DATA_ENV} or ./datasets)")
    p.add_argument("--only", metavar="A,B,...", help="only these archives (e.g. LaSOT classes, OTB videos)")
    p.add_argument("--list", action="store_true", help="list the archives and exit")
    p.add_argument("--keep-archives", action="store_true", help="keep the archives after unpacking")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def _zoo_of(name: str):
    """``(tracker name, WeightsZoo)`` of the tracker called ``name`` or owning checkpoint ``name``."""
    from sotbench.trackers import TRACKERS, resolve_definition

    for tracker in TRACKERS:
        zoo = resolve_definition(tracker).zoo
        if zoo is not None and (name == tracker or name in zoo.names()):
            return tracker, zoo
    return None


def _checkpoint_names() -> list[str]:
    """Every built-in tracker's checkpoint names."""
    from sotbench.trackers import TRACKERS, resolve_definition

    zoos = [resolve_definition(t).zoo for t in TRACKERS]
    return [name for zoo in zoos if zoo is not None for name in zoo.names()]


def _download_checkpoint(args: argparse.Namespace, tracker: str, zoo) -> int:
    """A model-zoo entry (the tracker's name or ``--list``: the whole zoo)."""
    if args.list or args.name == tracker:
        print(zoo.describe())
        return 0
    try:
        path = zoo.download(args.name, args.root, not args.no_progress)
    except zoo.error as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.name}: {path}")
    return 0


def main(args: argparse.Namespace) -> int:
    from sotbench.datasets.base import data_root
    from sotbench.datasets.downloads import download_dataset, download_items, item_name
    from sotbench.download import DownloadError

    if args.name.lower() not in DATASETS and ":" not in args.name:
        owner = _zoo_of(args.name)
        if owner is not None:
            return _download_checkpoint(args, *owner)
        raise CommandError(f"unknown dataset or checkpoint {args.name!r}; datasets: {', '.join(DATASETS)}; "
                           f"checkpoints: {', '.join(_checkpoint_names())}")
    try:
        cls = dataset_class(args.name)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    base = data_root(args.root)
    # subsets (OTB2013, OTB50) go into the full benchmark's folder unless their own exists
    folder = cls.spec.folder if (base / cls.spec.folder).exists() or not cls.data_folders else cls.data_folders[0]
    root = base / folder
    only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
    try:
        if args.list:
            for item in download_items(cls, root):
                print(f"{item_name(item):40s} {item.url}")
            return 0
        report = download_dataset(cls, root, only=only, keep_archives=args.keep_archives,
                                  progress=not args.no_progress)
    except DownloadError as exc:
        raise CommandError(str(exc)) from None
    print(f"{cls.spec.title}: {len(report.fetched)} archives fetched, {len(report.skipped)} already there, "
          f"in {report.root}")
    print(f"check it with: sotbench datasets {cls.spec.key}" + (f" --root {args.root}" if args.root else ""))
    return 0
