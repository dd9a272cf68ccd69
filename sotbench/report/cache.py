"""Scores for a report: reuse a run's score file while it is fresh, else evaluate the run.

A score file is fresh when it was computed on the same dataset split, with the same profile
(``profile_hash``) and from result files with the same content (``results_hash``: sha256 over
the relative paths and bytes of the result files the evaluator reads), and records how complete
it is and on what weights (``sotbench.caveats.has_facts``) and its intervals (``bootstrap``;
older files do not).  Changing,
adding or removing a result file, or switching profile, re-evaluates; anything else reuses the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sotbench.caveats import has_facts
from sotbench.report.board import SCHEMA, ReportError

__all__ = ["CachedScores", "scores_for_run", "current_hashes", "is_fresh"]


@dataclass(frozen=True)
class CachedScores:
    """A run's score dict, the file it is in, and whether it was (re-)evaluated just now."""

    scores: dict
    path: Path
    evaluated: bool


def current_hashes(dataset, run_dir: Path, profile=None, protocol: str | None = None) -> tuple[str, str]:
    """``(results_hash, profile_hash)`` the evaluator would record for ``run_dir`` now."""
    from sotbench.evaluate import import_run, resolve_profile, resolve_run, results_hash

    protocol, run_dir = resolve_run(dataset, run_dir, protocol)
    prof = resolve_profile(dataset, profile, protocol)
    imported = import_run(dataset, run_dir, protocol, dataset.names)
    return results_hash(imported.paths, run_dir), prof.hash


def _load(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else None


def is_fresh(scores: dict | None, dataset, hashes: tuple[str, str], protocol: str | None = None) -> bool:
    """Whether ``scores`` belong to ``dataset`` (and ``protocol``), match the current result and
    profile hashes and record their completeness, weights and intervals."""
    if not scores or not has_facts(scores) or "bootstrap" not in scores:  # older files: no intervals
        return False
    return (scores.get("dataset") == dataset.key and scores.get("split", dataset.split) == dataset.split
            and scores.get("protocol", dataset.protocol) == (protocol or dataset.protocol)
            and scores.get("results_hash") == hashes[0] and scores.get("profile_hash") == hashes[1])


def _score_file_name(dataset, profile, protocol: str | None = None) -> str:
    from sotbench.evaluate import resolve_profile
    from sotbench.scores import score_file_names

    return score_file_names(resolve_profile(dataset, profile, protocol).name, dataset.spec.default_profile)[0]


def scores_for_run(dataset, run_dir: str | Path, cache_dir: str | Path, profile=None,
                   force: bool = False, protocol: str | None = None) -> CachedScores:
    """Fresh scores of ``run_dir`` (under ``protocol``, default: the run's or the dataset's): from
    ``cache_dir`` or the run folder, else evaluated into ``cache_dir``."""
    from sotbench.evaluate import EvaluationError, evaluate, resolve_run

    run_dir, cache_dir = Path(run_dir), Path(cache_dir)
    try:
        protocol, run_dir = resolve_run(dataset, run_dir, protocol)
        name = _score_file_name(dataset, profile, protocol)
        candidates = [(p, _load(p)) for p in (cache_dir / name, run_dir / name)] if not force else []
        candidates = [(p, data) for p, data in candidates if data is not None]
        if candidates:  # hashing reads every result file: only worth it when there is a file to reuse
            hashes = current_hashes(dataset, run_dir, profile, protocol)
            for candidate, data in candidates:
                if is_fresh(data, dataset, hashes, protocol):
                    return CachedScores(data, candidate, evaluated=False)
        scores = evaluate(dataset, run_dir, profile, out=cache_dir, protocol=protocol)
    except (EvaluationError, FileNotFoundError, ValueError) as exc:
        raise ReportError(f"cannot evaluate {run_dir}: {exc}") from None
    return CachedScores(scores.to_json(), cache_dir / name, evaluated=True)
