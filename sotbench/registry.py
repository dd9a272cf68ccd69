"""Name tables: look up a built-in by name, an installed plugin by entry point, or ``module:attr``.

Looking a name up never calls what it finds: ``module:attr`` walks attributes statically (no
module ``__getattr__``, property or descriptor runs), and the caller checks what came back,
knowing where it came from, before it calls it.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from importlib.metadata import entry_points
from typing import Any, Mapping

__all__ = ["lookup", "import_object", "is_class", "known_names", "BUILTIN", "PLUGIN", "PATH"]

BUILTIN, PLUGIN, PATH = "built-in", "plugin", "module path"


def import_object(path: str) -> Any:
    """Import ``"package.module:attr"`` (``attr`` may be dotted) without calling anything on the way."""
    module, _, attr = path.partition(":")
    if not module or not attr:
        raise ValueError(f"expected 'module:attr', got {path!r}")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        # getattr_static: a module __getattr__ or a metaclass property would run code here
        obj = inspect.getattr_static(obj, part)
    return obj


def is_class(obj: Any) -> bool:
    """Whether ``obj`` is a class, asked of its real type (``inspect.isclass`` may read a
    ``__class__`` property, i.e. run code of ``obj``)."""
    return issubclass(type(obj), type)


def _plugins(group: str | None) -> dict[str, Any]:
    if group is None:
        return {}
    return {ep.name: ep for ep in entry_points(group=group)}


def known_names(table: Mapping[str, str], group: str | None = None) -> list[str]:
    """Built-in names followed by names registered by installed plugins."""
    return list(table) + sorted(n for n in _plugins(group) if n not in table)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def lookup(table: Mapping[str, str], name: str, kind: str, group: str | None = None) -> tuple[Any, str]:
    """``(object, origin)`` for ``name`` (origin: ``BUILTIN``, ``PLUGIN`` or ``PATH``); the object is
    not called.  Unknown names raise ``ValueError`` listing the valid ones."""
    if name in table:
        return import_object(table[name]), BUILTIN
    plugins = _plugins(group)
    if name in plugins:
        try:
            return plugins[name].load(), PLUGIN
        except Exception as exc:  # noqa: BLE001 - an installed plugin can fail in any way
            raise ValueError(f"cannot load {kind} plugin {name!r}: {_first_line(exc)}") from None
    if ":" in name:
        try:
            return import_object(name), PATH
        except Exception as exc:  # noqa: BLE001 - ImportError, AttributeError, a module failing at import
            raise ValueError(f"cannot import {kind} {name!r}: {_first_line(exc)}") from None
    names = known_names(table, group)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ValueError(f"unknown {kind} {name!r}{hint}, known: {', '.join(names)}")
