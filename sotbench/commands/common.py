"""Argument helpers shared by several commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from sotbench.errors import CommandError
from sotbench.datasets import DATASETS, Dataset, load_dataset
from sotbench.sequences import AnnotationError

__all__ = ["add_dataset_arguments", "open_dataset", "parse_sequences"]


def add_dataset_arguments(p: argparse.ArgumentParser, required: bool = True) -> None:
    """``--dataset``, ``--root``, ``--split``, ``--sequences``."""
    p.add_argument("--dataset", required=required, metavar="NAME",
                   help=f"benchmark name ({', '.join(DATASETS)}) or module:Class")
    p.add_argument("--root", type=Path, metavar="DIR",
                   help="the dataset's folder (default: <data root>/<Dataset>, data root = $SOTBENCH_DATA or ./datasets)")
    p.add_argument("--split", metavar="NAME", help="dataset split (default: the benchmark's test split)")
    p.add_argument("--sequences", metavar="A,B,...", help="only these sequences (comma separated)")


def parse_sequences(text: str | None) -> tuple[str, ...] | None:
    """``"a,b"`` -> ``("a", "b")``."""
    if not text:
        return None
    return tuple(s.strip() for s in text.split(",") if s.strip())


def open_dataset(args: argparse.Namespace) -> Dataset:
    """Open the dataset named on the command line, turning lookup errors into CommandError."""
    try:
        dataset = load_dataset(args.dataset, root=args.root, split=args.split)
        len(dataset)  # index now, so a missing folder is reported before any work
        if getattr(args, "sequences", None):
            dataset.subset(list(parse_sequences(args.sequences) or ()))
    except (ValueError, KeyError, FileNotFoundError, AnnotationError) as exc:
        raise CommandError(str(exc).strip("'\"")) from None
    return dataset
