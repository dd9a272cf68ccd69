"""``make_report``: evaluate what is stale, then render the leaderboard, plots and HTML page."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from sotbench.report.board import ReportError, SkippedRun, benchmark_name, build_board, read_scores
from sotbench.report.cache import scores_for_run
from sotbench.report.render import FORMATS, ReportPaths, render_board
from sotbench.report.runs import check_manifests, find_runs, unfinished_reason

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


def _one_line(message: str) -> str:
    """A multi-line error (e.g. the list of unreadable files) as one line of a skipped-runs list."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


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
    ci_bands: bool = False,
) -> ReportPaths:
    """Report runs of ``dataset`` (a ``Dataset``, or a name opened at ``root`` / ``split``) into ``out``.

    Runs are the folders ``run_dirs`` plus every tracker folder under ``results_roots``
    (imported raw results of other toolkits included).  Each run is evaluated under
    ``profile`` (default: the dataset's) unless a fresh score file exists; scores are cached
    in ``out/scores/<run>/``.  Runs with missing sequences are listed with their coverage but
    not ranked or plotted unless ``allow_partial``; ``ci_bands`` shades the curves' 95 % bootstrap
    bands.  Each ranked run is tested against the leader (``Board.leader_tests``).  A run that cannot be scored (unfinished,
    unreadable files) is left out and listed in ``paths.skipped`` and the report with the
    reason.  Raises ``ReportError`` on bad input, or when no run can be reported.
    """
    dataset = _open_dataset(dataset, root, split)
    out = Path(out)
    runs = find_runs(dataset, list(run_dirs), list(results_roots))
    check_manifests(runs, dataset)
    paths = ReportPaths(out=out)
    items, skipped = [], []
    for run in runs:
        reason, cached = unfinished_reason(run), None
        if reason is None:
            try:
                cached = scores_for_run(dataset, run.path, out / "scores" / _cache_name(run.name), profile, force)
            except ReportError as exc:  # the message names the folder, which the skipped list names already
                reason = _one_line(str(exc).replace(f"cannot evaluate {run.path}: ", "cannot evaluate: ", 1))
        if cached is None:
            skipped.append(SkippedRun(run.name, str(run.path), reason))
            if log:
                log(f"{run.name}: skipped ({reason})")
            continue
        if cached.evaluated:
            paths.evaluated.append(run.name)
        if log:
            n_warn = len(cached.scores.get("warnings") or [])
            log(f"{run.name}: {'evaluated' if cached.evaluated else 'scores up to date'} ({cached.path})"
                + (f"; {n_warn} warning{'s' * (n_warn != 1)} (listed in the HTML page)" if n_warn else ""))
        paths.scores[run.name] = cached.path
        items.append((run.name, cached.scores, str(cached.path)))
    board = build_board(items, allow_partial=allow_partial, title=title or _title(dataset), skipped=skipped)
    return render_board(board, out, formats, percent, paths, dpi, ci_bands)


def report_from_scores(
    score_files: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    formats: Iterable[str] | str = FORMATS,
    *,
    allow_partial: bool = False,
    percent: bool = False,
    dpi: int = 300,
    title: str | None = None,
    ci_bands: bool = False,
) -> ReportPaths:
    """Render existing ``scores.json`` files (no evaluation); each run is named by its ``run`` field.
    An unreadable score file is left out and listed as skipped (named by its path)."""
    items, skipped = [], []
    for f in score_files:
        try:
            data = read_scores(f)
        except ReportError as exc:
            skipped.append(SkippedRun(str(f), str(f), _one_line(str(exc).removeprefix(f"{f}: "))))
            continue
        name = data.get("run") or Path(f).parent.name
        items.append((str(name), data, str(f)))
    paths = ReportPaths(out=Path(out), scores={n: Path(p) for n, _, p in items})
    board = build_board(items, allow_partial=allow_partial, title=title, skipped=skipped)
    return render_board(board, out, formats, percent, paths, dpi, ci_bands)
