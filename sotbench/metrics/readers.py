"""Parsing one-pass tracker result files (boxes) and timing files.

Reset-protocol (VOT) files are read by ``sotbench.metrics.vot_io``.

Result files come from many toolkits (commas, tabs or spaces; CRLF; trailing blank lines) and
are untrusted: anything that is not the expected numbers raises ``ResultError`` naming the
file, the line and what was expected.  Values that parse but look wrong (NaN, infinite,
negative sizes) are returned as they are, with warnings naming the first offending line; the
profile then decides how they score.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

__all__ = ["ResultError", "read_boxes", "read_times", "box_warnings"]

_TO_SPACE = str.maketrans({",": " ", "\t": " ", ";": " "})


class ResultError(ValueError):
    """A result file that cannot be read; the message names the file, the line and the problem."""

    def __init__(self, path: object, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ResultError(path, "result file is missing") from None
    except UnicodeDecodeError:
        raise ResultError(path, "not a text file (expected comma, tab or space separated numbers)") from None


def _parse_commas(text: str, width: int) -> np.ndarray | None:
    """The common file (``x,y,w,h`` lines, nothing else) parsed in one call; ``None`` for any other."""
    if "," not in text or any(c in text for c in " \t;\r"):
        return None
    body = text.rstrip("\n")
    try:
        boxes = np.loadtxt(io.StringIO(body), dtype=np.float64, delimiter=",", comments=None, ndmin=2)
    except ValueError:
        return None
    return boxes if boxes.shape == (body.count("\n") + 1, width) else None


def _slow_parse(path: Path, lines: list[str], width: int) -> np.ndarray:
    """Line-by-line parse that reports the first bad line."""
    out = np.empty((len(lines), width))
    for i, line in enumerate(lines):
        parts = line.split()
        if len(parts) != width:
            what = "an empty line" if not parts else f"{len(parts)} numbers: {line.strip()[:60]!r}"
            raise ResultError(path, f"expected {width} numbers (x, y, w, h), found {what}", i + 1)
        try:
            out[i] = [float(p) for p in parts]
        except ValueError:
            raise ResultError(path, f"expected numbers, found {line.strip()[:60]!r}", i + 1) from None
    return out


def read_boxes(path: str | os.PathLike, width: int = 4) -> np.ndarray:
    """``(N, width)`` float64 rows of a result file (commas, tabs or spaces; CRLF is fine)."""
    path = Path(path)
    text = _read_text(path)
    boxes = _parse_commas(text, width)  # NumPy's C parser rounds as float() does: the values, exactly
    if boxes is not None:
        return boxes
    lines = text.translate(_TO_SPACE).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ResultError(path, "result file is empty (expected one x, y, w, h row per frame)")
    try:
        boxes = np.loadtxt(lines, dtype=np.float64, comments=None, ndmin=2)
    except ValueError:
        return _slow_parse(path, lines, width)
    if boxes.shape != (len(lines), width):  # a blank line inside, or another row width
        return _slow_parse(path, lines, width)
    return boxes


def box_warnings(path: object, boxes: np.ndarray) -> list[str]:
    """Warnings for rows that parse but are unusual: NaN, infinite values, negative sizes."""
    out = []
    checks = (
        (np.isnan(boxes).any(axis=1), "NaN"),
        (np.isinf(boxes).any(axis=1), "infinite values"),
        ((boxes[:, 2:4] < 0).any(axis=1), "negative width or height"),
    )
    for bad, what in checks:
        if bad.any():
            rows = np.flatnonzero(bad)
            out.append(f"{path}:{rows[0] + 1}: {len(rows)} rows with {what} (first on this line); "
                       "scored as the profile says")
    return out


def read_times(path: str | os.PathLike) -> np.ndarray | None:
    """Per-frame seconds from a timing file (first column when there is one per repetition)."""
    path = Path(path)
    if not path.is_file():
        return None
    rows = [ln.translate(_TO_SPACE).split() for ln in path.read_text(errors="replace").splitlines()]
    try:
        vals = np.array([float(r[0]) for r in rows if r])
    except ValueError:
        return None  # timing is informative only: an unreadable file is ignored
    return vals
