"""Names read from files (annotation files, list files, downloaded descriptions, presets) that
become paths: each must be one path component, and what is built from it must stay inside its
folder.

A sequence name such as ``../../x`` or ``/etc/cron.d/x`` in a pysot JSON file or a served
``description.json`` would otherwise make sotbench read or write outside the data root or the
run folder.  ``name_problem`` says what is wrong with a name; ``check_name`` raises
``UnsafeNameError`` (callers turn it into their own one-line error with file and line);
``inside`` checks a built path after resolving links.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

__all__ = ["UnsafeNameError", "name_problem", "check_name", "check_relative", "inside", "SAFE_NAME_RULE"]

SAFE_NAME_RULE = "one path component: not empty, not '.' or '..', no '/', '\\' or control characters"


class UnsafeNameError(ValueError):
    """A name from a file cannot be used as a file or folder name."""


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot be one path component, or None when it can."""
    if not isinstance(name, str):
        return f"not a string ({type(name).__name__})"
    if not name:
        return "empty"
    if name in (".", ".."):
        return "a reference to a folder"
    if "/" in name or "\\" in name:
        return "a path (it holds a separator)"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "a control character in it"
    return None


def check_name(name: object, what: str = "name") -> str:
    """``name`` when it is one safe path component (see ``SAFE_NAME_RULE``); else ``UnsafeNameError``."""
    problem = name_problem(name)
    if problem is not None:
        raise UnsafeNameError(f"unsafe {what} {name!r} ({problem}); expected {SAFE_NAME_RULE}")
    return name  # type: ignore[return-value]


def check_relative(path: object, what: str = "path") -> str:
    """A relative path of safe components (``a/b``; ``.`` for the folder itself), else ``UnsafeNameError``."""
    if not isinstance(path, str) or not path:
        raise UnsafeNameError(f"unsafe {what} {path!r}; expected a relative path of names ({SAFE_NAME_RULE})")
    if path == ".":
        return path
    parts = PurePosixPath(path).parts
    if PurePosixPath(path).is_absolute() or "\\" in path or not parts:
        raise UnsafeNameError(f"unsafe {what} {path!r} (absolute or with '\\'); expected a relative path of names")
    for part in parts:
        problem = name_problem(part)
        if problem is not None:
            raise UnsafeNameError(f"unsafe {what} {path!r} (part {part!r}: {problem}); "
                                  f"expected a relative path of names ({SAFE_NAME_RULE})")
    return path


def inside(base: str | os.PathLike, path: str | os.PathLike, what: str = "path") -> Path:
    """``path`` when it resolves (links followed) to ``base`` or below; else ``UnsafeNameError``."""
    base_r, path_r = Path(base).resolve(), Path(path).resolve()
    if path_r != base_r and base_r not in path_r.parents:
        raise UnsafeNameError(f"{what} {path} resolves to {path_r}, outside {base_r} (a link?); refused")
    return Path(path)
