"""``make_report``: evaluate what is stale, then render the leaderboard, plots and HTML page."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from sotbench.report.board import ReportError, benchmark_name, build_board, read_scores
from sotbench.report.cache import scores_for_run
from sotbench.report.render import FORMATS, ReportPaths, render_board
from sotbench.report.runs import check_manifests, find_runs

__all__ = ["make_report", "report_from_scores"]


def _open_dataset(dataset, root=None, split=None):
    if not isinstance(dataset, str):
        return dataset
    from sotbench.datasets import load_dataset

    try:
        return load_dataset(dataset, root=root, split=split)
    except (KeyError, ValueError) as exc:
        raise ReportError(str(exc).strip("'\"")) from None


def _cache_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name) or "run"


def _merged_scores(dataset, run, cache_dir: Path, profile, force: bool, protocol: str):
    """The mean scores of a run's run ids (each cached on its own) and their spread, cached too."""
    import json

    from sotbench.repeats import merge_score_docs
    from sotbench.report.cache import CachedScores
    from sotbench.report.files import write_text

    parts = [scores_for_run(dataset, path, cache_dir / _cache_name(name), profile, force, protocol)
             for name, path in run.members]
    try:
        doc = merge_score_docs([p.scores for p in parts], [name for name, _ in run.members], run.name)
    except ValueError as exc:
        raise ReportError(f"{run.name}: {exc}") from None
    path = cache_dir / parts[0].path.name
    write_text(path, json.dumps(doc, indent=1) + "\n")
    return CachedScores(doc, path, evaluated=any(p.evaluated for p in parts))


def _check_protocol(dataset, protocol: str | None) -> str:
    from sotbench.protocols import check_protocol

    try:
        return check_protocol(protocol or dataset.protocol, dataset).name
    except ValueError as exc:
        raise ReportError(str(exc)) from None


def _title(dataset) -> str:
    title = benchmark_name(dataset.spec)
    return title if dataset.split == dataset.spec.default_split else f"{title} ({dataset.split})"


def make_report(
    dataset,
    run_dirs: Iterable[str | os.PathLike] = (),
    out: str | os.PathLike = "reports/report",
    profile: str | None = None,
    formats: Iterable[str] | str = FORMATS,
    *,
    root: str | os.PathLike | None = None,
    split: str | None = None,
    results_roots: Iterable[str | os.PathLike] = (),
    allow_partial: bool = False,
    percent: bool = False,
    dpi: int = 300,
    title: str | None = None,
    force: bool = False,
    log: Callable[[str], None] | None = None,
    protocol: str | None = None,
) -> ReportPaths:
    """Report runs of ``dataset`` (a ``Dataset``, or a name opened at ``root`` / ``split``) into ``out``.

    Runs are the folders ``run_dirs`` plus every tracker folder under ``results_roots``
    (imported raw results of other toolkits included).  Each run is evaluated under
    ``profile`` (default: the dataset's) unless a fresh score file exists; scores are cached
    in ``out/scores/<run>/``.  Runs with missing sequences are listed with their coverage but
    not ranked or plotted unless ``allow_partial``.  ``protocol`` (default: the dataset's own)
    reports a derived protocol's results (TRE, SRE, long-term: each run's protocol sub-folder).
    Raises ``ReportError`` on bad input.
    """
    dataset = _open_dataset(dataset, root, split)
    out = Path(out)
    protocol = _check_protocol(dataset, protocol)
    runs = find_runs(dataset, list(run_dirs), list(results_roots), protocol)
    check_manifests(runs, dataset)
    paths = ReportPaths(out=out)
    items = []
    for run in runs:
        cache = _cache_name(run.name if protocol == dataset.protocol else f"{run.name}-{protocol}")
        if run.members:
            cached = _merged_scores(dataset, run, out / "scores" / cache, profile, force, protocol)
        else:
            cached = scores_for_run(dataset, run.path, out / "scores" / cache, profile, force, protocol)
        if cached.evaluated:
            paths.evaluated.append(run.name)
        if log:
            n_warn = len(cached.scores.get("warnings") or [])
            log(f"{run.name}: {'evaluated' if cached.evaluated else 'scores up to date'} ({cached.path})"
                + (f"; {n_warn} warning{'s' * (n_warn != 1)} (listed in the HTML page)" if n_warn else ""))
        paths.scores[run.name] = cached.path
        items.append((run.name, cached.scores, str(cached.path)))
    board = build_board(items, allow_partial=allow_partial, title=title or _title(dataset))
    return render_board(board, out, formats, percent, paths, dpi)


def report_from_scores(
    score_files: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    formats: Iterable[str] | str = FORMATS,
    *,
    allow_partial: bool = False,
    percent: bool = False,
    dpi: int = 300,
    title: str | None = None,
) -> ReportPaths:
    """Render existing ``scores.json`` files (no evaluation); each run is named by its ``run`` field."""
    items = []
    for f in score_files:
        data = read_scores(f)
        name = data.get("run") or Path(f).parent.name
        items.append((str(name), data, str(f)))
    paths = ReportPaths(out=Path(out), scores={n: Path(p) for n, _, p in items})
    board = build_board(items, allow_partial=allow_partial, title=title)
    return render_board(board, out, formats, percent, paths, dpi)
