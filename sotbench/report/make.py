"""``make_report``: evaluate what is stale, then render the leaderboard, plots and HTML page."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from sotbench.report.board import ReportError, SkippedRun, benchmark_name, build_board, read_scores
from sotbench.report.cache import scores_for_run
from sotbench.report.render import FORMATS, ReportPaths, parse_formats, render_board
from sotbench.report.runs import check_manifests, colour_universe, display_names, find_runs, unfinished_reason
from sotbench.report.sequences import read_per_sequence

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
    names: Mapping[str, str] | None = None,
    sequence_plots: bool = True,
    galleries: bool = False,
    gallery_frames: int = 12,
    protocol: str | None = None,
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
    reason.  ``names`` maps run folder names to display names (default: the ``display_name`` a
    run.json records, else the folder name).  The per-sequence table links each sequence's
    IoU-over-time plot (``sequence_plots``) and, with ``galleries``, its failure gallery (the
    ``gallery_frames`` worst frames of each run; needs the frames in the dataset root).
    ``protocol`` (default: the dataset's own) reports a derived protocol's results (TRE, SRE,
    long-term: each run's protocol sub-folder).  Raises ``ReportError`` on bad input, or when no
    run can be reported.
    """
    dataset = _open_dataset(dataset, root, split)
    out = Path(out)
    protocol = _check_protocol(dataset, protocol)
    runs = find_runs(dataset, list(run_dirs), list(results_roots), protocol)
    check_manifests(runs, dataset)
    display = _display(runs, names)
    paths = ReportPaths(out=out)
    items, skipped = [], []
    for run in runs:
        cache = _cache_name(run.name if protocol == dataset.protocol else f"{run.name}-{protocol}")
        reason, cached = unfinished_reason(run), None
        if reason is None:
            try:
                if run.members:
                    cached = _merged_scores(dataset, run, out / "scores" / cache, profile, force, protocol)
                else:
                    cached = scores_for_run(dataset, run.path, out / "scores" / cache, profile, force, protocol)
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
    board = build_board(items, allow_partial=allow_partial, title=title or _title(dataset), skipped=skipped,
                        display={n: d for n, d in display.items() if n in paths.scores})
    board.colour_names = colour_universe([r.path for r in runs], list(results_roots))
    tables = {name: t for name, _, path in items if (t := read_per_sequence(path)) is not None}
    attributes = _sequence_attributes(dataset)
    files = {}
    # IoU-over-time plots and galleries draw one-pass and reset runs (a TRE/SRE part or a long-term
    # run is not one trajectory per sequence)
    if sequence_plots and protocol in ("ope", "vot_reset") and {"html", "png"} & set(parse_formats(formats)):
        files = _sequence_files(dataset, board, runs, out, profile, galleries, gallery_frames, log)
    return render_board(board, out, formats, percent, paths, dpi, ci_bands,
                        sequences=(tables, attributes if any(attributes.values()) else None, files))


def _sequence_attributes(dataset) -> dict[str, list[str]]:
    """Sequence -> attribute codes (a sequence whose annotations cannot be read has none here:
    the evaluator reports it)."""
    from sotbench.sequences import AnnotationError

    out = {}
    for name in dataset.names:
        try:
            out[name] = sorted(dataset[name].attributes)
        except (AnnotationError, FileNotFoundError, ValueError):
            out[name] = []
    return out


def _display(runs, names: Mapping[str, str] | None) -> dict[str, str]:
    """Display names of ``runs``; a name given for a folder that is not one of them is refused."""
    unknown = sorted(set(names or {}) - {r.name for r in runs})
    if unknown:
        raise ReportError(f"display name given for {', '.join(repr(u) for u in unknown)}, which is not a run "
                          f"of this report; runs: {', '.join(r.name for r in runs)}")
    return display_names(runs, dict(names or {}))


def _sequence_files(dataset, board, runs, out: Path, profile, galleries: bool, k: int, log):
    """Each sequence's IoU-over-time plot (and gallery) for the runs in the board."""
    from sotbench.evaluate import resolve_profile
    from sotbench.report.sequences import write_sequence_files
    from sotbench.report.style import assign_styles

    reported = {e.name for e in board.entries}
    paths = {r.name: r.path for r in runs if r.name in reported}
    styles = assign_styles(paths, board.colour_names)
    display = {e.name: e.shown for e in board.entries}
    return write_sequence_files(dataset, paths, out, resolve_profile(dataset, profile), styles, display=display,
                                galleries=galleries, k=k, log=log)


def report_from_scores(
    score_files: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    formats: Iterable[str] | str = FORMATS,
    *,
    allow_partial: bool = False,
    percent: bool = False,
    dpi: int = 300,
    title: str | None = None,
    names: Mapping[str, str] | None = None,
    ci_bands: bool = False,
) -> ReportPaths:
    """Render existing ``scores.json`` files (no evaluation); each run is named by its ``run`` field
    (shown as ``names[run]`` when given).  An unreadable score file is left out and listed as
    skipped (named by its path)."""
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
    board = build_board(items, allow_partial=allow_partial, title=title, skipped=skipped, display=names)
    tables = {name: t for name, _, path in items if (t := read_per_sequence(path)) is not None}
    return render_board(board, out, formats, percent, paths, dpi, ci_bands, sequences=(tables, None, {}))
