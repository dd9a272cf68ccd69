"""Strict YAML reading for sweep files: duplicate keys are errors and every mapping remembers
the line of each key, so that an unknown key or a bad value is reported with its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["Mapping", "SweepFileError", "load_strict", "line_of"]


class SweepFileError(ValueError):
    """A sweep file is malformed: names the file, the line and what was expected."""

    def __init__(self, path: str | Path | None, message: str, line: int | None = None):
        self.path, self.line, self.message = path, line, message
        where = str(path) if path else "sweep"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {message}")


class Mapping(dict):
    """A dict that remembers the 1-based line of each key (``lines``) and of itself (``line``)."""

    line: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[str, int] = {}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that builds ``Mapping`` objects and refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    out = Mapping()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            raise SweepFileError(loader.name, f"duplicate key {key!r} (first on line {out.lines[key]})", line)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_strict(path: str | Path) -> Any:
    """Parse a YAML file into ``Mapping``/list/scalars; syntax errors name the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SweepFileError(path, "file not found") from None
    except UnicodeDecodeError:
        raise SweepFileError(path, "not a UTF-8 text file") from None
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SweepFileError(path, f"not valid YAML: {exc.problem}", line) from None
    finally:
        loader.dispose()


def line_of(mapping: Any, key: str | None = None) -> int | None:
    """The line of ``key`` in ``mapping`` (or of the mapping itself), when known."""
    if isinstance(mapping, Mapping):
        return mapping.lines.get(key) if key is not None else mapping.line
    return None
