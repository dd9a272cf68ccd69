"""The ``sotbench`` command line: ``main(argv) -> exit status``.

Each sub-command lives in ``sotbench/commands/<name>.py`` with ``EPILOG``,
``add_arguments(parser)`` and ``main(args) -> int``; ``COMMANDS`` lists them with their one-line
help.  Only the command being run is imported (``sotbench --help`` imports none), and command
modules import their heavy dependencies inside ``main``, so start-up and argument errors are
fast (``tests/core/test_startup.py``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable

from sotbench import __version__
from sotbench.errors import CommandError, os_error_message

__all__ = ["main", "console_main", "COMMANDS"]

COMMANDS: dict[str, tuple[str, str]] = {  # name -> (module, one-line help)
    "demo": ("sotbench.commands.demo", "the built-in demo: weight-free trackers on the generated synthetic benchmark"),
    "run": ("sotbench.commands.run", "run a tracker over a dataset (one result file per sequence, resumable)"),
    "list": ("sotbench.commands.list", "list the names sotbench knows: datasets, trackers, presets, metric profiles"),
    "datasets": ("sotbench.commands.datasets", "which benchmarks are on disk (sequences, frames, annotations only?) and how to get them"),
    "download": ("sotbench.commands.download", "download a benchmark's archives or a tracker checkpoint (resumable, verified)"),
    "eval": ("sotbench.commands.eval", "score results (any toolkit's layout); write scores.json + per_sequence.csv"),
    "compare": ("sotbench.commands.compare", "paired comparison of two runs on one benchmark: the difference, its 95%% interval and p-values"),
    "pack": ("sotbench.commands.pack", "pack results for an evaluation server (TrackingNet TEST, GOT-10k test)"),
    "search": ("sotbench.commands.search", "tune a tracker's parameters on a validation split (Optuna; resumable, distributed)"),
    "report": ("sotbench.commands.report", "leaderboards (Markdown, CSV, LaTeX, HTML) and plots for the runs on one dataset"),
    "show": ("sotbench.commands.show", "draw the ground truth and runs' boxes on real frames: video, contact sheet, gallery"),
}


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The top-level parser; the sub-parsers of ``commands`` (default: all) are complete, the
    others carry only their name and help."""
    parser = argparse.ArgumentParser(
        prog="sotbench",
        description="Evaluate and tune single-object visual trackers on the standard benchmarks.",
    )
    parser.add_argument("--version", action="version", version=f"sotbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    full = set(COMMANDS) if commands is None else set(commands)
    for name, (module_path, help_text) in COMMANDS.items():
        if name not in full:
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(module_path)
        p = sub.add_parser(name, help=help_text, description=help_text.replace("%%", "%"), epilog=module.EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The sub-command named in ``argv`` (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_of(argv)
    parser = build_parser([command] if command else [])
    args = parser.parse_args(argv)
    if getattr(args, "_module", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args._module.main(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except CommandError as exc:
        print(f"sotbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the environment (a file in the way, permissions, a full disk), not a bug
        print(f"sotbench {args.command}: error: {os_error_message(exc, 'cannot use')}", file=sys.stderr)
        return 2


def console_main() -> None:
    """Console-script entry point."""
    sys.exit(main())
