"""Finding the ``sotbench`` command lines that the docs and the ``--help`` epilogs show."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC_FILES = ("README.md", "docs/**/*.md", "datasets/README.md", "trackers/README.md")
# quoted CLI output such as "sotbench search: error: ..." is not a command
_OUTPUT = re.compile(r"^sotbench [\w-]+:")


def normalise(line: str) -> str:
    """A command as a key: shell words joined by single spaces, the ``#`` comment dropped."""
    return " ".join(shlex.split(line, comments=True))


def _commands_in_lines(lines: list[str]) -> list[str]:
    """Command lines among ``lines`` (all of them code), ``\\`` continuations joined."""
    out, i = [], 0
    while i < len(lines):
        text = lines[i].strip()
        if text.startswith("$ "):
            text = text[2:]
        if text.startswith("sotbench ") and not _OUTPUT.match(text):
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text[:-1] + " " + lines[i].strip()
            out.append(normalise(text))
        i += 1
    return out


def markdown_commands(path: Path) -> list[str]:
    """Commands in the fenced and indented code blocks of a Markdown file."""
    code: list[str] = []
    fenced, prev_blank = False, True
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            code.append("")  # a block boundary: no continuation across it
        elif fenced or (line.startswith("    ") and (prev_blank or code and code[-1])):
            code.append(line)
        else:
            code.append("")
        prev_blank = not line.strip()
    return _commands_in_lines(code)


def doc_files() -> list[Path]:
    """The Markdown files whose commands are checked."""
    files: list[Path] = []
    for pattern in DOC_FILES:
        files += sorted(REPO.glob(pattern))
    return files


def epilog_commands() -> dict[str, list[str]]:
    """``sotbench CMD --help`` epilog examples, per command."""
    import argparse

    from sotbench.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {name: _commands_in_lines((p.epilog or "").splitlines()) for name, p in sub.choices.items()}


def all_commands() -> dict[str, list[str]]:
    """Every command shown anywhere -> where it is shown (file paths, ``--help`` of CMD)."""
    found: dict[str, list[str]] = {}
    for path in doc_files():
        for cmd in markdown_commands(path):
            found.setdefault(cmd, []).append(str(path.relative_to(REPO)))
    for name, cmds in epilog_commands().items():
        for cmd in cmds:
            found.setdefault(cmd, []).append(f"sotbench {name} --help")
    return found
