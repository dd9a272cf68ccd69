"""Repeated runs of a stochastic tracker (``sotbench run --repeat N``): their folders and their
scores merged into one.

The runs of ``<run>`` are the sibling folders ``<run>_000``, ``<run>_001``, ... (pytracking's run
ids: ``results/<tracker>/<parameter>_<run id:03d>``); each is a run folder of its own, scored as
any other.  Their merged scores are the mean over runs of every score, curve point and
per-sequence value (for GOT-10k's frame-pooled AO over runs of equal length this is the pooled
value got10k computes over its three repetitions; for the mean-over-sequences scores of the
other benchmarks it is the mean over runs of each sequence's score, averaged over sequences),
and ``runs`` records the spread across runs: each run's value, their sample standard deviation,
minimum and maximum.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sotbench.results import RUN_ID

__all__ = ["run_id_folders", "group_run_ids", "merge_score_docs", "merge_tables", "run_base"]


def run_base(path: Path) -> str | None:
    """The run name of a run-id folder (``ncc_002`` -> ``ncc``), else ``None``."""
    m = RUN_ID.match(Path(path).name)
    return m.group("base") if m else None


def run_id_folders(path: str | Path) -> list[Path]:
    """The run-id folders of the run at ``path`` (``<path>_000``, ...), in run-id order; empty
    when there are none."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    found = [p for p in path.parent.iterdir() if p.is_dir() and run_base(p) == path.name]
    return sorted(found, key=lambda p: int(RUN_ID.match(p.name).group("id")))


def group_run_ids(folders: list[Path]) -> dict[str, list[Path]]:
    """Run-id folders among ``folders`` grouped by run (two or more siblings make a group)."""
    groups: dict[str, list[Path]] = {}
    for p in folders:
        base = run_base(p)
        if base is not None:
            groups.setdefault(base, []).append(p)
    return {b: sorted(ps, key=lambda p: p.name) for b, ps in groups.items() if len(ps) >= 2}


def _number(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _mean(values: list) -> float | None:
    nums = [x for x in (_number(v) for v in values) if x is not None]
    return float(np.mean(nums)) if len(nums) == len(values) and nums else None


def _merge_overall(blocks: list[dict]) -> dict:
    keys = list(dict.fromkeys(k for b in blocks for k in b))
    return {k: _mean([b.get(k) for b in blocks]) for k in keys}


def _merge_curve(curves: list[dict]) -> dict:
    first = dict(curves[0])
    ys = [c.get("y") for c in curves]
    if all(isinstance(y, list) and len(y) == len(ys[0]) for y in ys):
        arr = np.array([[np.nan if v is None else v for v in y] for y in ys], dtype=float)
        first["y"] = [None if not np.isfinite(v) else float(v) for v in arr.mean(axis=0)]
    return first


def _merge_curves(blocks: list[dict]) -> dict:
    keys = [k for k in (blocks[0] or {}) if all(k in (b or {}) for b in blocks)]
    return {k: _merge_curve([b[k] for b in blocks]) for k in keys}


def _spread(docs: list[dict], names: list[str]) -> dict:
    keys = list(dict.fromkeys(k for d in docs for k in d.get("overall") or {}))
    per_run = {k: [_number((d.get("overall") or {}).get(k)) for d in docs] for k in keys}
    std, low, high = {}, {}, {}
    for k, values in per_run.items():
        nums = [v for v in values if v is not None]
        if len(nums) == len(values):
            std[k] = float(np.std(nums, ddof=1)) if len(nums) > 1 else 0.0
            low[k], high[k] = min(nums), max(nums)
    return {"n": len(docs), "names": names, "per_run": per_run, "std": std, "min": low, "max": high}


def _check_same(docs: list[dict], names: list[str]) -> None:
    for key in ("dataset", "split", "protocol", "profile_hash"):
        values = {str(d.get(key)) for d in docs}
        if len(values) > 1:
            raise ValueError(f"runs {', '.join(names)} differ in {key} ({', '.join(sorted(values))}); "
                             "only runs of one tracker on one dataset under one profile are merged")


def merge_score_docs(docs: list[dict], names: list[str], run: str) -> dict:
    """One score document for the runs ``names`` of ``run`` (their ``scores.json`` documents):
    scores and curves averaged over runs, the spread across runs under ``runs``."""
    if len(docs) < 2:
        raise ValueError("merging needs at least two runs")
    _check_same(docs, names)
    first = docs[0]
    covered = [(d.get("coverage") or {}).get("evaluated") for d in docs]
    warnings = [f"{n}: {w}" for n, d in zip(names, docs) for w in d.get("warnings") or []]
    if len(set(covered)) > 1:
        warnings.insert(0, "the runs cover different numbers of sequences ("
                        + ", ".join(f"{n}: {c}" for n, c in zip(names, covered))
                        + "); the mean mixes them")
    least = min(range(len(docs)), key=lambda i: covered[i] if isinstance(covered[i], int) else 0)
    attrs = {}
    for code, block in (first.get("per_attribute") or {}).items():
        blocks = [(d.get("per_attribute") or {}).get(code) for d in docs]
        if all(isinstance(b, dict) for b in blocks):
            attrs[code] = {**block, "overall": _merge_overall([b.get("overall") or {} for b in blocks]),
                           "curves": _merge_curves([b.get("curves") or {} for b in blocks])}
    speed = _merge_overall([d.get("speed") or {} for d in docs])
    joined = hashlib.sha256("".join(str(d.get("results_hash")) for d in docs).encode()).hexdigest()
    return {**first, "run": run, "run_dir": None, "results_hash": joined,
            "coverage": docs[least].get("coverage"), "overall": _merge_overall([d.get("overall") or {} for d in docs]),
            "curves": _merge_curves([d.get("curves") or {} for d in docs]), "per_attribute": attrs,
            "speed": speed, "warnings": warnings, "runs": _spread(docs, names)}


def merge_tables(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-sequence tables of the runs averaged row by row (sequences of any run; numbers only)."""
    stacked = pd.concat(tables)
    numeric = stacked.select_dtypes("number")
    merged = numeric.groupby(level=0, sort=False).mean()
    merged["n_runs"] = numeric.groupby(level=0, sort=False).size()
    return merged


def merged_dir(folders: list[Path], protocol_folder: str | None = None) -> Path:
    """Where the merged score files of run-id folders go by default: ``<parent>/<run>[/<protocol>]``."""
    base = run_base(folders[0]) or folders[0].name
    out = folders[0].parent / base
    return out / protocol_folder if protocol_folder else out


def evaluate_runs(dataset, folders: list[Path], profile=None, *, out: Path | None = None, write: bool = True,
                  layout: str = "auto", sequences: list[str] | None = None,
                  protocol: str | None = None) -> tuple[dict, pd.DataFrame]:
    """Score each run-id folder (``sotbench.evaluate.evaluate``; their own score files are written
    beside them unless ``write=False``), then merge: ``(score document, per-sequence table)``,
    written to ``out`` (default: ``merged_dir``)."""
    from sotbench.evaluate import evaluate
    from sotbench.protocols import run_protocol
    from sotbench.results import write_atomic
    from sotbench.scores import score_file_names

    runs = [evaluate(dataset, f, profile, write=write, layout=layout, sequences=sequences, protocol=protocol)
            for f in folders]
    names = [s.run for s in runs]
    base = run_base(Path(names[0])) or names[0]
    doc = merge_score_docs([s.to_json() for s in runs], names, base)
    doc["runs"]["run_dirs"] = [s.run_dir for s in runs]
    table = merge_tables([s.per_sequence for s in runs])
    if write:
        import json

        target = out if out is not None else merged_dir(folders, run_protocol(runs[0].protocol).folder)
        json_name, csv_name = score_file_names(runs[0].profile, runs[0].default_profile)
        write_atomic(target / csv_name, table.to_csv(index_label="sequence", float_format="%.6f"))
        write_atomic(target / json_name, json.dumps(doc, indent=1) + "\n")
        doc["run_dir"] = str(target)
    return doc, table
