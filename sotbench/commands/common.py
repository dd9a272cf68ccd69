"""Argument helpers shared by several commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from sotbench.datasets import DATASETS, Dataset, load_dataset
from sotbench.errors import CommandError
from sotbench.sequences import AnnotationError

__all__ = ["add_dataset_arguments", "open_dataset", "parse_sequences", "add_backend_arguments", "backend_options",
           "add_bootstrap_arguments", "bootstrap_spec"]


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


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    """How streams are tracked (``run`` and ``search``): ``--batch``, ``--precision``, ``--decoder``,
    ``--compile``, ``--no-engine``."""
    from sotbench.trackers.backends import DECODERS, PRECISIONS

    g = p.add_argument_group("batched tracking (trackers with their own batch backend, e.g. SiamRPN++'s engine)")
    g.add_argument("--batch", type=int, metavar="N",
                   help="streams tracked per step (default: sized to the GPU's memory; 8 on the CPU)")
    g.add_argument("--precision", choices=PRECISIONS, default="fp32",
                   help="fp32 (default), tf32 or bf16 (faster, not bit-exact; needs the tracker's batch backend)")
    g.add_argument("--decoder", choices=DECODERS, default="auto",
                   help="frame decoding: cpu thread pool, nvjpeg (GPU) or auto (nvjpeg for tf32/bf16; default)")
    g.add_argument("--compile", action="store_true", help="torch.compile the network for full batches")
    g.add_argument("--no-engine", action="store_true",
                   help="do not use the tracker's own batch backend: one single-stream tracker per stream, "
                        "stepped frame by frame")


def backend_options(args: argparse.Namespace, jobs: int = 1, joblib_backend: str = "loky"):
    """The ``BackendOptions`` of the flags above (a bad value is a one-line error)."""
    from sotbench.trackers.backends import BackendOptions, OptionsError

    try:
        return BackendOptions(batch=args.batch, precision=args.precision, decoder=args.decoder, compile=args.compile,
                              own_backend=not args.no_engine, jobs=jobs, joblib_backend=joblib_backend)
    except OptionsError as exc:
        raise CommandError(str(exc)) from None


def add_bootstrap_arguments(p: argparse.ArgumentParser) -> None:
    """``--resamples``, ``--seed``: how the 95 % intervals are drawn (``eval``, ``compare``)."""
    g = p.add_argument_group("confidence intervals (percentile bootstrap over the sequences)")
    g.add_argument("--resamples", type=int, default=10_000, metavar="N",
                   help="resamples of the sequences for the 95%% intervals and paired tests (default 10000; "
                        "0: no intervals)")
    g.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the resamples (default 0)")


def bootstrap_spec(args: argparse.Namespace):
    """The ``Bootstrap`` of ``--resamples`` / ``--seed`` (a bad value is a one-line error)."""
    from sotbench.metrics.bootstrap import Bootstrap

    try:
        return Bootstrap(resamples=args.resamples, seed=args.seed)
    except ValueError as exc:
        raise CommandError(f"--resamples/--seed: {exc}") from None
