"""Name tables: look up a built-in by name, an installed plugin by entry point, or ``module:attr``."""

from __future__ import annotations

import difflib
import importlib
from importlib.metadata import entry_points
from typing import Any, Mapping

__all__ = ["resolve", "import_object", "known_names", "plugins"]


def import_object(path: str) -> Any:
    """Import ``"package.module:attr"``."""
    module, _, attr = path.partition(":")
    if not attr:
        raise ValueError(f"expected 'module:attr', got {path!r}")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def plugins(group: str | None) -> dict[str, Any]:
    """Entry points of ``group`` by name (installed plugins; not loaded)."""
    if group is None:
        return {}
    return {ep.name: ep for ep in entry_points(group=group)}


def known_names(table: Mapping[str, str], group: str | None = None) -> list[str]:
    """Built-in names followed by names registered by installed plugins."""
    return list(table) + sorted(n for n in plugins(group) if n not in table)


def resolve(table: Mapping[str, str], name: str, kind: str, group: str | None = None) -> Any:
    """Return the object registered as ``name``; unknown names raise listing the valid ones."""
    if name in table:
        return import_object(table[name])
    found = plugins(group)
    if name in found:
        return found[name].load()
    if ":" in name:
        try:
            return import_object(name)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"cannot import {kind} {name!r}: {exc}") from None
    names = known_names(table, group)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ValueError(f"unknown {kind} {name!r}{hint}, known: {', '.join(names)}")
