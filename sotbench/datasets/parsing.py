"""Parsing of numeric annotation files (boxes, regions) and per-frame flag files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sotbench.sequences import AnnotationError

__all__ = ["read_rows", "parse_rows", "read_flags", "parse_flags"]


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="strict")
    except FileNotFoundError:
        raise AnnotationError(path, f"{what} is missing") from None
    except IsADirectoryError:
        raise AnnotationError(path, f"expected a {what}, found a folder") from None
    except UnicodeDecodeError:
        raise AnnotationError(path, "not a text file (expected comma/space separated numbers)") from None


def read_rows(
    path: str | os.PathLike,
    widths: tuple[int, ...] = (4,),
    allow_nan: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """Parse a numeric annotation file: one row per line, separated by commas, tabs or spaces.

    Returns ``(N, W)`` float64 where ``W`` is the widest row found; narrower rows are
    NaN-padded (VOT files mix 4-number rectangles and 8-number polygons).  A missing final
    newline, CRLF line ends and trailing blank lines are fine; anything else that is not
    ``widths`` numbers raises ``AnnotationError`` naming the line.
    """
    path = Path(path)
    return parse_rows(_read_text(path, "annotation file"), path, widths, allow_nan, allow_empty)


def parse_rows(
    text: str,
    path: str | os.PathLike,
    widths: tuple[int, ...] = (4,),
    allow_nan: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """``read_rows`` on text already read (``path`` is named in errors)."""
    rows = _parse_uniform(text, widths, allow_nan)
    if rows is not None:
        return rows
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        if allow_empty:
            return np.zeros((0, max(widths)))
        raise AnnotationError(path, "file is empty (expected one box per line)")
    return _read_rows_slow(Path(path), lines, widths, allow_nan)


def _parse_uniform(text: str, widths: tuple[int, ...], allow_nan: bool) -> np.ndarray | None:
    """Fast path for the common case: every line holds the same allowed number of values.

    Returns ``None`` whenever anything is unusual (ragged rows, blank lines, odd line breaks,
    non-numbers, NaN where not allowed); the line-by-line reader then parses or reports it.
    Tokens are converted by numpy's bytes-to-float cast, which rounds exactly like ``float()``.
    """
    body = text.replace("\r\n", "\n").rstrip()
    if not body or "\r" in body:
        return None
    raw = body.encode()
    data = np.frombuffer(raw, np.uint8)
    sep = (data == 32) | (data == 10) | (data == 44) | (data == 9)
    newline = data == 10
    n_lines = int(newline.sum()) + 1
    starts = ~sep
    starts[1:] &= sep[:-1]
    per_line = np.bincount(np.cumsum(newline)[starts], minlength=n_lines)
    width = int(per_line[0])
    if width not in widths or (per_line != width).any():
        return None
    try:
        rows = np.array(raw.replace(b",", b" ").split()).astype(np.float64).reshape(n_lines, width)
    except ValueError:
        return None
    return rows if _rows_ok(rows, allow_nan) else None


def _rows_ok(rows: np.ndarray, allow_nan: bool) -> bool:
    if np.isinf(rows).any():
        return False
    return allow_nan or not np.isnan(rows).any()


def _read_rows_slow(path: Path, lines: list[str], widths: tuple[int, ...], allow_nan: bool) -> np.ndarray:
    width = max(widths)
    out = np.full((len(lines), width), np.nan)
    expect = " or ".join(str(w) for w in widths)
    found = 0
    for i, line in enumerate(lines):
        parts = line.replace(",", " ").split()
        if len(parts) not in widths:
            raise AnnotationError(path, f"expected {expect} numbers, found {len(parts)}: {line.strip()[:60]!r}", i + 1)
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            raise AnnotationError(path, f"expected numbers, found {line.strip()[:60]!r}", i + 1) from None
        arr = np.array(vals)
        if np.isinf(arr).any():
            raise AnnotationError(path, "infinite value", i + 1)
        if np.isnan(arr).any() and not allow_nan:
            raise AnnotationError(path, "NaN is not allowed in this benchmark's ground truth", i + 1)
        out[i, : len(vals)] = arr
        found = max(found, len(vals))
    return out[:, :found] if found < width else out


def read_flags(path: str | os.PathLike, n: int | None = None, dtype=np.int64) -> np.ndarray:
    """Parse a per-frame flag/label file (one value per line or one comma-separated line)."""
    path = Path(path)
    return parse_flags(_read_text(path, "flag file"), path, n, dtype)


def parse_flags(text: str, path: str | os.PathLike, n: int | None = None, dtype=np.int64) -> np.ndarray:
    """``read_flags`` on text already read (``path`` is named in errors)."""
    parts = text.encode().replace(b",", b" ").split()
    try:
        vals = np.array(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
    except ValueError:
        try:
            vals = np.array(parts).astype(np.float64)
        except ValueError:
            raise AnnotationError(path, "expected one integer flag per frame") from None
        if not np.isfinite(vals).all() or (vals != np.round(vals)).any():
            raise AnnotationError(path, "expected one integer flag per frame") from None
    vals = vals.astype(dtype)
    if n is not None and len(vals) != n:
        raise AnnotationError(path, f"expected {n} values (one per frame), found {len(vals)}")
    return vals
