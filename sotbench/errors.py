"""Exceptions shared across modules, and the one-line wording of an operating-system error."""

from __future__ import annotations

import errno

__all__ = ["CommandError", "os_error_message"]


class CommandError(Exception):
    """A user-facing CLI error: printed as one line, exit status 2."""


_HINTS = {
    errno.ENOTDIR: "a file is where a folder is expected: choose another folder",
    errno.EEXIST: "a file is where a folder is expected: choose another folder",
    errno.EISDIR: "a folder is where a file is expected: choose another path",
    errno.EACCES: "not writable: choose a writable folder or fix its permissions",
    errno.EPERM: "not writable: choose a writable folder or fix its permissions",
    errno.EROFS: "a read-only file system: choose a writable folder",
    errno.ENOSPC: "the disk is full: free space and run again",
    errno.EDQUOT: "the disk quota is exhausted: free space and run again",
}


def os_error_message(exc: OSError, action: str = "cannot write") -> str:
    """``<action> PATH: <reason> (<what to do>)`` in one line."""
    path = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = _HINTS.get(exc.errno or 0)
    where = f" {path}" if path else ""
    return f"{action}{where}: {reason}" + (f" ({hint})" if hint else "")
