"""Reading VOT reset-protocol trajectories (``<seq>_001.txt`` ... ``<seq>_015.txt``).

One line per frame: a single code (``1`` initialisation, ``2`` failure, ``0`` skipped /
unknown; ``1.0`` etc. are accepted as some trackers write them), a rectangle ``x,y,w,h`` or a
polygon ``x1,y1,x2,y2,...`` (an even count of at least 6 numbers).  As in the VOT toolkit, a
region that contains ``nan`` is read as the unknown code 0.  RLE masks (``m...``, VOT2020+
segmentation results) are refused with a clear error: the VOT2018 reset metrics are defined on
rectangles and polygons.

A trajectory is held as a :class:`VotTrajectory`: per-frame ``codes`` (``-1`` where the frame
has a region) and ``regions``, an ``(N, K)`` array (``K >= 8``) whose rectangle rows carry 4
numbers followed by NaN and whose polygon rows carry ``2n`` numbers followed by NaN -- the same
layout as ``Sequence.gt``.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

__all__ = [
    "REGION",
    "VotResultError",
    "VotTrajectory",
    "parse_vot_line",
    "read_vot_trajectory",
    "read_vot_repetitions",
    "as_trajectory",
]

REGION = -1  # value of ``codes`` for a frame that holds a region
_CODES = {0: "skipped/unknown", 1: "initialisation", 2: "failure"}


class VotResultError(ValueError):
    """A reset-protocol result file does not have the expected content.

    The message names the file, the line (1-based) and what was expected.
    """

    def __init__(self, path: Any, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


@dataclass(frozen=True, eq=False)
class VotTrajectory:
    """One repetition of the reset protocol: per frame a code or a region."""

    codes: np.ndarray  # (N,) int8: REGION (-1), or 0 unknown, 1 init, 2 failure
    regions: np.ndarray  # (N, K) float64, K >= 8, NaN-padded; all-NaN on code frames
    source: str | None = None
    nan_regions: int = 0  # regions read as code 0 because they contained NaN

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def failures(self) -> np.ndarray:
        """Frame indices written as failures (code 2)."""
        return np.flatnonzero(self.codes == 2)

    @property
    def inits(self) -> np.ndarray:
        """Frame indices written as (re-)initialisations (code 1)."""
        return np.flatnonzero(self.codes == 1)

    @property
    def n_failures(self) -> int:
        return int(np.count_nonzero(self.codes == 2))


def parse_vot_line(text: str, path: Any = "<string>", line: int | None = None) -> tuple[int, list[float]]:
    """Parse one line: ``(code, [])`` for a code, ``(REGION, numbers)`` for a region."""
    s = text.strip()
    if not s:
        raise VotResultError(path, "empty line (expected a code 0/1/2 or a region)", line)
    if s[0] in "mM":
        raise VotResultError(
            path, "RLE mask regions ('m...') are not supported: the VOT2018 reset metrics need "
            "rectangles or polygons", line)
    try:
        values = [float(p) for p in s.split(",")]
    except ValueError:
        raise VotResultError(path, f"expected comma-separated numbers, got {s[:60]!r}", line) from None
    return _classify(values, path, line)


def _classify(values: list[float], path: Any, line: int | None) -> tuple[int, list[float]]:
    """A parsed line's numbers as ``(code, [])`` or ``(REGION, numbers)``."""
    if any(math.isinf(v) for v in values):
        raise VotResultError(path, f"infinite value in {values[:8]}", line)
    n = len(values)
    if n == 1:
        v = values[0]
        if math.isnan(v) or v != int(v) or int(v) not in _CODES:
            raise VotResultError(path, f"unknown code {v!r} (expected 0 skipped, 1 init, 2 failure)", line)
        return int(v), []
    if n == 4 or (n >= 6 and n % 2 == 0):
        if any(math.isnan(v) for v in values):
            return 0, []  # the VOT toolkit reads such a region as unknown
        return REGION, values
    raise VotResultError(
        path, f"expected a code, 4 numbers (x,y,w,h) or an even count >= 6 (polygon); got {n} numbers", line)


def _from_parsed(parsed: list[tuple[int, list[float]]], source: str | None, nan_regions: int) -> VotTrajectory:
    n = len(parsed)
    width = max([8] + [len(v) for _, v in parsed])
    codes = np.empty(n, dtype=np.int8)
    regions = np.full((n, width), np.nan)
    for i, (code, values) in enumerate(parsed):
        codes[i] = code
        if values:
            regions[i, : len(values)] = values
    codes.setflags(write=False)
    regions.setflags(write=False)
    return VotTrajectory(codes=codes, regions=regions, source=source, nan_regions=nan_regions)


def read_vot_trajectory(path: str | os.PathLike) -> VotTrajectory:
    """Read one ``<seq>_NNN.txt`` file; trailing blank lines are ignored, inner ones are errors."""
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except UnicodeDecodeError:
        raise VotResultError(path, "not a text file (binary VOT trajectories are not supported)") from None
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise VotResultError(path, "empty result file")
    parsed, nan_regions = [], 0
    for i, text in enumerate(lines, start=1):
        code, values = parse_vot_line(text, path, i)
        if code == 0 and "," in text:
            nan_regions += 1
        parsed.append((code, values))
    return _from_parsed(parsed, str(path), nan_regions)


_REP_RE = r"^{}_(\d{{3,}})\.txt$"


def read_vot_repetitions(seq_dir: str | os.PathLike, seq_name: str | None = None) -> list[VotTrajectory]:
    """All ``<seq>_NNN.txt`` repetitions in a sequence folder, in repetition order."""
    seq_dir = Path(seq_dir)
    name = seq_name if seq_name is not None else seq_dir.name
    pattern = re.compile(_REP_RE.format(re.escape(name)))
    found = []
    for entry in os.listdir(seq_dir) if seq_dir.is_dir() else []:
        m = pattern.match(entry)
        if m:
            found.append((int(m.group(1)), seq_dir / entry))
    return [read_vot_trajectory(p) for _, p in sorted(found)]


def as_trajectory(obj: VotTrajectory | Iterable[Any], source: str | None = None) -> VotTrajectory:
    """A :class:`VotTrajectory` from itself or from per-frame entries (a code, or a list/array
    of numbers: pysot's ``[[1], [x, y, w, h], [2], [0], ...]`` or ``VotRun.lines``)."""
    if isinstance(obj, VotTrajectory):
        return obj
    parsed, nan_regions = [], 0
    for i, entry in enumerate(obj, start=1):
        values = [float(v) for v in np.atleast_1d(np.asarray(entry, dtype=np.float64)).ravel()]
        code, numbers = _classify(values, source or "<trajectory>", i)
        nan_regions += int(code == 0 and len(values) > 1)
        parsed.append((code, numbers))
    return _from_parsed(parsed, source, nan_regions)
