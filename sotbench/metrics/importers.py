"""Read a folder of tracker results in any common toolkit layout, matched to a dataset.

Layouts (detected automatically, or named):

* ``flat`` - pysot, pytracking, sotbench, OTB/LaSOT kits: ``<dir>/<seq>.txt`` (commas, tabs
  or spaces), timing in ``<dir>/<seq>_time.txt`` or ``<dir>/times/<seq>_time.txt``;
* ``got10k`` - ``<dir>/<seq>/<seq>_001.txt`` (``_002`` ... repetitions), ``<seq>_time.txt``;
* ``vot`` - ``<dir>/baseline/<seq>/<seq>_001.txt`` (or without ``baseline/``), one line per
  frame: ``1`` init, ``2`` failure, ``0`` skipped, else a box or an 8-number polygon.

File names are matched to sequence names with ``sotbench.metrics.names.match_names``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sotbench.metrics.names import match_names
from sotbench.metrics.readers import ResultError, box_warnings, read_boxes, read_times
from sotbench.metrics.vot_io import VotResultError, read_vot_trajectory

__all__ = ["ResultFile", "ImportedResults", "detect_layout", "resolve_layout", "candidate_files", "import_results",
           "is_corner_row", "LAYOUTS"]

LAYOUTS = ("auto", "flat", "got10k", "vot")
_REP = re.compile(r"^(?P<seq>.+)_(?P<rep>\d{3})\.txt$")


@dataclass
class ResultFile:
    """One sequence's result: its trajectories (one per repetition) and where they came from.

    One-pass: ``(N, 4)`` arrays; reset protocol: ``sotbench.metrics.vot_io.VotTrajectory``.
    """

    seq: str
    paths: list[Path]
    trajectories: list
    times: np.ndarray | None = None
    corner_first_row: bool = False
    values: dict[str, np.ndarray] = field(default_factory=dict)  # other per-frame values (long-term: confidence)


@dataclass
class ImportedResults:
    """What a results folder holds for a dataset, plus everything unusual found while reading."""

    layout: str
    results: dict[str, ResultFile]
    missing: list[str]
    unmatched: list[str]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        """Every result file read, sorted (the input of the results hash)."""
        return sorted(p for r in self.results.values() for p in r.paths)


def detect_layout(run_dir: Path) -> str:
    """``vot``, ``got10k`` or ``flat`` from what the folder contains."""
    if (run_dir / "baseline").is_dir():
        return "vot"
    for sub in run_dir.iterdir():
        if sub.is_dir() and (sub / f"{sub.name}_001.txt").is_file():
            first = sub / f"{sub.name}_001.txt"
            head = first.read_text(errors="replace").split("\n", 1)[0].strip()
            return "vot" if head == "1" else "got10k"
    return "flat"


def resolve_layout(run_dir: Path, layout: str = "auto") -> str:
    """The layout of ``run_dir``: ``layout`` itself, or the detected one for ``auto``."""
    if not run_dir.is_dir():
        raise FileNotFoundError(f"results folder not found: {run_dir}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown results layout {layout!r}, known: {', '.join(LAYOUTS)}")
    return detect_layout(run_dir) if layout == "auto" else layout


def _flat_files(run_dir: Path) -> dict[str, list[Path]]:
    return {p.stem: [p] for p in run_dir.glob("*.txt")
            if not p.stem.endswith("_time") and not p.name.startswith(".")}


def _repetition_files(folder: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        reps = sorted(p for p in sub.glob(f"{sub.name}_[0-9][0-9][0-9].txt"))
        if reps:
            out[sub.name] = reps
    return out


def candidate_files(run_dir: Path, layout: str) -> dict[str, list[Path]]:
    """File stem -> result files (one per repetition) of a folder in ``layout`` (not auto)."""
    if layout == "flat":
        return _flat_files(run_dir)
    if layout == "vot" and (run_dir / "baseline").is_dir():
        return _repetition_files(run_dir / "baseline")
    return _repetition_files(run_dir)


def is_corner_row(row: np.ndarray, gt0: np.ndarray) -> bool:
    """True when a first result row is ``x1, y1, x2, y2`` of the GT box rather than ``x, y, w, h``."""
    row, gt0 = np.asarray(row, dtype=np.float64), np.asarray(gt0, dtype=np.float64)[:4]
    if not (np.isfinite(row).all() and np.isfinite(gt0).all()) or gt0[2] <= 0 or gt0[3] <= 0:
        return False
    tol = np.maximum(2.0, 0.05 * gt0[2:4])
    as_corner = np.concatenate([row[:2], row[2:] - row[:2]])

    def near(box: np.ndarray) -> bool:
        return bool((np.abs(box - gt0) <= np.concatenate([tol, tol])).all())

    return near(as_corner) and not near(row)


def _times_for(run_dir: Path, layout: str, stem: str, paths: list[Path]) -> np.ndarray | None:
    if layout == "flat":
        candidates = [run_dir / f"{stem}_time.txt", run_dir / "times" / f"{stem}_time.txt"]
    elif layout == "got10k":
        candidates = [paths[0].parent / f"{stem}_time.txt"]
    else:
        candidates = [paths[0].with_name(paths[0].stem + "_time.value")]
    for c in candidates:
        times = read_times(c)
        if times is not None:
            return times
    return None


def _read_one(stem: str, seq: str, paths: list[Path], layout: str, gt0, out: ImportedResults, rel) -> ResultFile | None:
    trajs = []
    for path in paths:
        try:
            arr = read_vot_trajectory(path) if layout == "vot" else read_boxes(path)
        except (ResultError, VotResultError) as exc:
            out.errors.append(str(exc))
            return None
        if layout != "vot":
            out.warnings.extend(box_warnings(rel(path), arr))
        trajs.append(arr)
    corner = layout != "vot" and gt0 is not None and is_corner_row(trajs[0][0], gt0)
    return ResultFile(seq, list(paths), trajs, None, corner)


def import_results(
    run_dir: str | os.PathLike,
    names: list[str],
    *,
    layout: str = "auto",
    first_gt: dict[str, np.ndarray] | None = None,
) -> ImportedResults:
    """Read every result file of ``run_dir`` that belongs to one of the sequences ``names``.

    ``first_gt`` (sequence -> first GT box) enables the check for corner-form first rows.
    Unreadable files are collected in ``errors`` (the caller decides to stop), never skipped
    silently.
    """
    run_dir = Path(run_dir)
    layout = resolve_layout(run_dir, layout)
    files = candidate_files(run_dir, layout)
    mapping, notes = match_names(files, names)
    unmatched = sorted(s for s in files if s not in mapping)
    out = ImportedResults(layout, {}, [], unmatched)
    if notes:
        out.warnings.append(f"{len(notes)} result files matched by a normalised name, e.g. "
                            + "; ".join(notes[:4]))

    def rel(p: Path) -> str:
        return os.path.relpath(p, run_dir.parent)

    for stem, seq in sorted(mapping.items()):
        rf = _read_one(stem, seq, files[stem], layout, (first_gt or {}).get(seq), out, rel)
        if rf is not None:
            rf.times = _times_for(run_dir, layout, stem, rf.paths)
            out.results[seq] = rf
    matched = set(mapping.values())
    out.missing = [n for n in names if n not in matched]
    return out
