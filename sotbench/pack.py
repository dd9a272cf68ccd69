"""Archives for the evaluation servers of benchmarks whose test ground truth is hidden.

* TrackingNet TEST: a flat zip of ``<seq>.txt`` files, one ``x,y,w,h`` row per frame
  (what the TrackingNet devkit / server reads with ``pandas.read_csv(sep=",")``);
* GOT-10k test: ``<seq>/<seq>_001.txt`` (``_002``, ``_003`` for repetitions) and
  ``<seq>/<seq>_time.txt`` (what the got10k toolkit uploads).

Every archive is read back after writing and compared with the results it was made from.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sotbench.datasets.base import Dataset
from sotbench.metrics.fit import ResultsMismatch, check_fit, known_length
from sotbench.metrics.importers import ImportedResults, import_results, resolve_layout

__all__ = ["PACKERS", "PackError", "PackReport", "pack_results"]


class PackError(ValueError):
    """The results cannot be packed (missing or malformed files); the message says which."""


@dataclass
class PackReport:
    """What was written."""

    archive: Path
    entries: int
    sequences: int
    warnings: list[str] = field(default_factory=list)


def _rows(boxes: np.ndarray) -> str:
    return "".join(f"{b[0]:.4f},{b[1]:.4f},{b[2]:.4f},{b[3]:.4f}\n" for b in boxes)


def _trackingnet_entries(imported: ImportedResults) -> dict[str, str]:
    return {f"{seq}.txt": _rows(r.trajectories[0]) for seq, r in imported.results.items()}


def _got10k_entries(imported: ImportedResults) -> dict[str, str]:
    out = {}
    for seq, r in imported.results.items():
        for i, traj in enumerate(r.trajectories, 1):
            out[f"{seq}/{seq}_{i:03d}.txt"] = _rows(traj)
        if r.times is not None:
            out[f"{seq}/{seq}_time.txt"] = "".join(f"{t:.8f}\n" for t in r.times)
    return out


PACKERS = {"trackingnet": _trackingnet_entries, "got10k": _got10k_entries}


def _check_lengths(dataset: Dataset, imported: ImportedResults) -> list[str]:
    problems = []
    for seq, r in imported.results.items():
        n = known_length(dataset[seq])
        for path, traj in zip(r.paths, r.trajectories):
            if n is not None and len(traj) != n:
                problems.append(f"{path}: {len(traj)} rows for {n} frames")
            elif not np.isfinite(traj).all():
                row = int(np.flatnonzero(~np.isfinite(traj).all(axis=1))[0]) + 1
                problems.append(f"{path}:{row}: NaN or infinite box (the server cannot score it)")
    return problems


def _verify(archive: Path, entries: dict[str, str]) -> None:
    """Read the archive back: same names, and every box file parses to the written numbers."""
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        if names != set(entries):
            raise PackError(f"{archive}: read back {len(names)} entries, expected {len(entries)}")
        for name, text in entries.items():
            data = zf.read(name).decode()
            if data != text:
                raise PackError(f"{archive}: entry {name} differs from what was written")
            if not name.endswith("_time.txt"):
                arr = np.loadtxt(io.StringIO(data), delimiter=",", ndmin=2)
                if arr.shape[1] != 4:
                    raise PackError(f"{archive}: entry {name} does not hold x,y,w,h rows")


def pack_results(
    dataset: Dataset,
    results_dir: str | os.PathLike,
    out: str | os.PathLike,
    *,
    allow_incomplete: bool = False,
    layout: str = "auto",
) -> PackReport:
    """Write the server archive of ``dataset`` for the results in ``results_dir`` to ``out``."""
    if dataset.key not in PACKERS:
        raise PackError(f"no evaluation-server format for {dataset.key!r}; known: {', '.join(PACKERS)}")
    names = dataset.names
    layout = resolve_layout(Path(results_dir), layout)
    try:
        check_fit(dataset, Path(results_dir), layout)
    except ResultsMismatch as exc:
        raise PackError(str(exc)) from None
    imported = import_results(results_dir, names, layout=layout)
    problems = list(imported.errors) + _check_lengths(dataset, imported)
    if imported.missing and not allow_incomplete:
        problems.append(f"{len(imported.missing)} of {len(names)} sequences have no results: "
                        f"{', '.join(imported.missing[:8])}{', ...' if len(imported.missing) > 8 else ''} "
                        "(--allow-incomplete packs anyway; the server scores a missing sequence as a failure)")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise PackError("cannot pack: " + "; ".join(problems[:5]) + more)
    entries = PACKERS[dataset.key](imported)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(entries):
                zf.writestr(name, entries[name])
        _verify(tmp, entries)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    warnings = list(imported.warnings)
    unknown = [seq for seq in imported.results if known_length(dataset[seq]) is None]
    if unknown:
        warnings.append(f"frame counts unknown for {len(unknown)} sequences (no frames under --root): their "
                        "row counts were not checked")
    if imported.missing:
        warnings.append(f"{len(imported.missing)} sequences missing from the archive")
    if imported.unmatched:
        warnings.append(f"ignored {len(imported.unmatched)} files that match no sequence: "
                        f"{', '.join(imported.unmatched[:5])}")
    return PackReport(out, len(entries), len(imported.results), warnings)
