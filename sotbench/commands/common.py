"""Argument helpers shared by several commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from sotbench.datasets import DATASETS, load_dataset
from sotbench.errors import CommandError

if TYPE_CHECKING:
    from sotbench.datasets.base import Dataset

__all__ = ["add_dataset_arguments", "open_dataset", "parse_sequences", "add_backend_arguments", "backend_options",
           "add_display_name_arguments", "display_name_mapping", "int_range", "float_range", "positive_int", "non_negative_int",
           "add_protocol_argument", "add_bootstrap_arguments", "bootstrap_spec"]


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: an integer in ``[low, high]`` (no upper bound when ``high`` is None);
    anything else is the usual one-line usage error, saying the range."""
    expected = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
        return value

    return parse


def float_range(low: float, high: float) -> Callable[[str], float]:
    """An argparse ``type``: a finite number in ``[low, high]``, else a one-line usage error."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number in [{low:g}, {high:g}], got {text!r}") from None
        if not low <= value <= high:  # also refuses NaN
            raise argparse.ArgumentTypeError(f"expected a number in [{low:g}, {high:g}], got {value:g}")
        return value

    return parse


positive_int = int_range(1)
non_negative_int = int_range(0)


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
    from sotbench.sequences import AnnotationError

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
    g.add_argument("--batch", type=positive_int, metavar="N",
                   help="streams tracked per step, N >= 1 (default: sized to the GPU's memory; 8 on the CPU)")
    g.add_argument("--precision", choices=PRECISIONS, default="fp32",
                   help="fp32 (default; SiamRPN++'s engine: the single-stream boxes up to float summation order, "
                        "docs/engine.md), tf32 or bf16 (faster, not bit-exact; needs the tracker's batch backend)")
    g.add_argument("--decoder", choices=DECODERS, default="auto",
                   help="frame decoding: cpu thread pool, nvjpeg (GPU) or auto (nvjpeg for tf32/bf16; default)")
    g.add_argument("--compile", action="store_true", help="torch.compile the network for full batches")
    g.add_argument("--no-engine", action="store_true",
                   help="do not use the tracker's own batch backend: one single-stream tracker per stream, "
                        "stepped frame by frame")


def backend_options(args: argparse.Namespace, jobs: int = 1, joblib_backend: str = "loky",
                    scheduler: str | None = None):
    """The ``BackendOptions`` of the flags above (a bad value is a one-line error)."""
    from sotbench.trackers.backends import BackendOptions, OptionsError

    try:
        return BackendOptions(batch=args.batch, precision=args.precision, decoder=args.decoder, compile=args.compile,
                              own_backend=not args.no_engine, jobs=jobs, joblib_backend=joblib_backend,
                              scheduler=scheduler)
    except OptionsError as exc:
        raise CommandError(str(exc)) from None


def add_display_name_arguments(p: argparse.ArgumentParser) -> None:
    """``--name FOLDER=LABEL`` (repeatable) and ``--names FILE`` (a YAML mapping folder -> label)."""
    p.add_argument("--name", dest="display_names", action="append", default=[], metavar="FOLDER=LABEL",
                   help="show the run in folder FOLDER as LABEL (repeatable; default: the display name in its "
                        "run.json, else the folder name)")
    p.add_argument("--names", type=Path, metavar="FILE",
                   help="a YAML file mapping run folder names to display names (FOLDER: LABEL per line)")


def display_name_mapping(args: argparse.Namespace) -> dict[str, str]:
    """The display names given by ``--names FILE`` and ``--name FOLDER=LABEL`` (the latter win)."""
    mapping: dict[str, str] = {}
    if getattr(args, "names", None):
        mapping.update(_names_file(args.names))
    for item in getattr(args, "display_names", None) or []:
        folder, eq, label = item.partition("=")
        if not eq or not folder.strip() or not label.strip():
            raise CommandError(f"--name expects FOLDER=LABEL, got {item!r}")
        mapping[folder.strip()] = label.strip()
    return mapping


def _names_file(path: Path) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: display-name file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the display-name file ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CommandError(f"{path}{line}: not valid YAML (expected FOLDER: LABEL lines)") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a mapping of run folder names to display names (FOLDER: LABEL), "
                           f"found {type(data).__name__}")
    bad = [k for k, v in data.items() if not isinstance(v, (str, int, float)) or isinstance(v, bool) or not str(v).strip()]
    if bad:
        raise CommandError(f"{path}: the display name of {str(bad[0])!r} must be a non-empty text, "
                           f"found {data[bad[0]]!r}")
    return {str(k): str(v).strip() for k, v in data.items()}


def add_protocol_argument(p: argparse.ArgumentParser, what: str) -> None:
    """``--protocol``: ope, vot_reset, tre, sre, longterm (default: the dataset's own)."""
    from sotbench.protocols import RUN_PROTOCOLS

    p.add_argument("--protocol", choices=list(RUN_PROTOCOLS), metavar="NAME",
                   help=f"{what} under this protocol: {', '.join(RUN_PROTOCOLS)} (default: the dataset's own; "
                        "tre/sre on the OTB benchmarks and synthetic, longterm on any one-pass benchmark; "
                        "docs/protocols.md)")


def add_bootstrap_arguments(p: argparse.ArgumentParser) -> None:
    """``--resamples``, ``--seed``: how the 95 % intervals are drawn (``eval``, ``compare``)."""
    g = p.add_argument_group("confidence intervals (percentile bootstrap over the sequences)")
    g.add_argument("--resamples", type=int_range(0, 1_000_000), default=10_000, metavar="N",
                   help="resamples of the sequences for the 95%% intervals and paired tests, 0 <= N <= 1000000 "
                        "(default 10000; 0: no intervals)")
    g.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                   help="seed of the resamples, N >= 0 (default 0)")


def bootstrap_spec(args: argparse.Namespace):
    """The ``Bootstrap`` of ``--resamples`` / ``--seed`` (a bad value is a one-line error)."""
    from sotbench.metrics.bootstrap import Bootstrap

    try:
        return Bootstrap(resamples=args.resamples, seed=args.seed)
    except ValueError as exc:
        raise CommandError(f"--resamples/--seed: {exc}") from None
