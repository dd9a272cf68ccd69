"""The ``sotbench`` command line: ``main(argv) -> exit status``.

Each sub-command lives in ``sotbench/commands/<name>.py`` with ``HELP``, ``EPILOG``,
``add_arguments(parser)`` and ``main(args) -> int``; ``COMMANDS`` lists them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from sotbench import __version__
from sotbench.errors import CommandError

__all__ = ["main", "console_main", "COMMANDS"]

COMMANDS: dict[str, str] = {
    "demo": "sotbench.commands.demo",
    "run": "sotbench.commands.run",
    "list": "sotbench.commands.list",
    "datasets": "sotbench.commands.datasets",
    "download": "sotbench.commands.download",
    "eval": "sotbench.commands.eval",
    "compare": "sotbench.commands.compare",
    "pack": "sotbench.commands.pack",
    "search": "sotbench.commands.search",
    "report": "sotbench.commands.report",
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="sotbench",
        description="Evaluate and tune single-object visual trackers on the standard benchmarks.",
    )
    parser.add_argument("--version", action="version", version=f"sotbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_path in COMMANDS.items():
        module = importlib.import_module(module_path)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP, epilog=module.EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the process exit status."""
    parser = build_parser()
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


def console_main() -> None:
    """Console-script entry point."""
    sys.exit(main())
