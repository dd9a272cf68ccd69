"""``Scores``: the result of evaluating one run, and its score files.

``scores.json`` (schema ``sotbench-scores-v1``, see docs/architecture.md) holds overall
scores, curves, per-attribute scores and provenance (profile and results hashes, so a report
can tell stale scores); ``per_sequence.csv`` has one row per sequence.  Both are written
atomically.  All scores are fractions in [0, 1] (VOT robustness: failures per 100 frames).
Every score has a 95 % bootstrap interval over the sequences (``ci95``, per attribute too, and
bands on the curves); ``sequence_sums`` holds what the scores are computed from, per sequence,
so a report can test two runs against each other (``sotbench.metrics.paired``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sotbench.caveats import captions
from sotbench.results import write_atomic

__all__ = ["Scores", "SCHEMA", "score_file_names", "read_scores", "json_safe"]

SCHEMA = "sotbench-scores-v1"


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps`` writes as strict JSON (NaN and infinities as null)."""
    return _clean(value)


def _pair(lo: Any, hi: Any) -> list[float] | None:
    """``[lo, hi]``, or ``None`` when the interval is undefined."""
    if lo is None or hi is None or lo != lo or hi != hi:
        return None
    return [float(lo), float(hi)]


def score_file_names(profile: str, default_profile: str) -> tuple[str, str]:
    """``(scores.json, per_sequence.csv)``, suffixed with the profile unless it is the default."""
    if profile == default_profile:
        return "scores.json", "per_sequence.csv"
    return f"scores-{profile}.json", f"per_sequence-{profile}.csv"


@dataclass
class Scores:
    """Scores of one run on one dataset split under one profile."""

    dataset: str
    split: str
    protocol: str
    profile: str
    profile_hash: str
    overall: dict[str, float]
    per_sequence: pd.DataFrame
    curves: dict[str, dict]
    per_attribute: pd.DataFrame
    attribute_curves: dict[str, dict] = field(default_factory=dict)
    default_profile: str = "pysot"
    run: str | None = None
    run_dir: str | None = None
    results_hash: str | None = None
    tracker: dict | None = None
    coverage: dict = field(default_factory=dict)  # see sotbench.caveats.coverage_facts
    flags: dict = field(default_factory=dict)  # see sotbench.caveats.score_flags
    speed: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    ci95: dict[str, tuple[float, float] | None] = field(default_factory=dict)  # metric -> 95 % interval
    bootstrap: dict = field(default_factory=dict)  # how the intervals were drawn (empty: none)
    statistics: dict = field(default_factory=dict, repr=False)  # metric -> SequenceStatistic (in memory)

    def interval(self, metric: str) -> tuple[float, float] | None:
        """The 95 % bootstrap interval of an overall score (``None``: none computed)."""
        return self.ci95.get(metric)

    def overall_table(self) -> pd.DataFrame:
        """The overall scores with their intervals: index metric, columns ``value``, ``ci95_lo``, ``ci95_hi``."""
        rows = [{"metric": k, "value": v, "ci95_lo": (self.ci95.get(k) or (None, None))[0],
                 "ci95_hi": (self.ci95.get(k) or (None, None))[1]} for k, v in self.overall.items()]
        return pd.DataFrame(rows, columns=["metric", "value", "ci95_lo", "ci95_hi"]).set_index("metric")

    def _sums_json(self) -> dict | None:
        """The scores' per-sequence sums (``sotbench.metrics.bootstrap``; those that can be written),
        for paired tests."""
        keep = {k: v for k, v in self.statistics.items() if hasattr(v, "to_json")}
        if not keep:
            return None
        return {"sequences": [str(n) for n in self.per_sequence.index],
                "metrics": {k: v.to_json() for k, v in keep.items()}}

    def _attribute_json(self) -> dict:
        out = {}
        for code, row in self.per_attribute.iterrows():
            overall = {k: row[k] for k in self.overall if k in row.index}
            entry = {"name": row.get("name", code)}
            for count in ("n_sequences", "n_frames"):  # sequence attributes / VOT per-frame tags
                if count in row.index and row[count] == row[count]:
                    entry[count] = int(row[count])
            entry.update(overall=overall, curves=self.attribute_curves.get(code, {}))
            if self.bootstrap:
                entry["ci95"] = {k: _pair(row.get(f"{k}_ci95_lo"), row.get(f"{k}_ci95_hi")) for k in overall}
            out[code] = entry
        return out

    def to_json(self) -> dict:
        """The ``scores.json`` document (plain, JSON-safe types); ``caveats`` are its captions."""
        doc = {
            "schema": SCHEMA, "dataset": self.dataset, "split": self.split, "protocol": self.protocol,
            "profile": self.profile, "profile_hash": self.profile_hash,
            "run": self.run, "run_dir": self.run_dir, "results_hash": self.results_hash,
            "tracker": self.tracker, "coverage": self.coverage, "flags": self.flags, "overall": self.overall,
            "curves": self.curves, "per_attribute": self._attribute_json(),
            "speed": self.speed, "warnings": self.warnings,
        }
        if self.bootstrap:
            doc["ci95"] = {k: _pair(*(self.ci95.get(k) or (None, None))) for k in self.overall}
            doc["bootstrap"] = self.bootstrap
        sums = self._sums_json()
        if sums is not None:
            doc["sequence_sums"] = sums
        doc["caveats"] = captions(doc)
        return _clean(doc)

    def write(self, out_dir: str | os.PathLike) -> tuple[Path, Path]:
        """Write ``scores.json`` and ``per_sequence.csv`` into ``out_dir`` (atomically)."""
        out_dir = Path(out_dir)
        json_name, csv_name = score_file_names(self.profile, self.default_profile)
        write_atomic(out_dir / csv_name, self.per_sequence.to_csv(index_label="sequence", float_format="%.6f"))
        write_atomic(out_dir / json_name, json.dumps(self.to_json(), indent=1) + "\n")
        return out_dir / json_name, out_dir / csv_name


def read_scores(path: str | os.PathLike) -> dict:
    """Load a score file, checking its schema."""
    doc = json.loads(Path(path).read_text())
    if doc.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a sotbench score file (schema {doc.get('schema')!r}, expected {SCHEMA})")
    return doc
