"""Render a ``Board`` into files: tables (Markdown, CSV, LaTeX), plots (PNG, PDF, SVG), HTML."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sotbench.metrics.table import protocol_title, scored_as
from sotbench.report.board import Board, SkippedRun
from sotbench.report.files import write_text as write_atomic
from sotbench.report.formats import markdown_escape, to_csv, to_latex, to_markdown
from sotbench.report.html import render_html
from sotbench.report.plots_ope import CURVES, LONGTERM_CURVES, curve_figure, radar_figure
from sotbench.report.plots_vot import ar_figure, eao_curve_figure, eao_ranking_figure
from sotbench.report.style import add_footnote, assign_styles, rc_context, save_figure
from sotbench.report.sequences import sequence_table
from sotbench.report.tables import Table, attribute_table, leaderboard

__all__ = ["FORMATS", "TABLE_FORMATS", "IMAGE_FORMATS", "ReportPaths", "render_board", "parse_formats"]

TABLE_FORMATS = ("md", "csv", "tex")
IMAGE_FORMATS = ("png", "pdf", "svg")
FORMATS = TABLE_FORMATS + IMAGE_FORMATS + ("html",)


@dataclass
class ReportPaths:
    """Where a report's files are (``None`` / empty when that format was not asked for)."""

    out: Path
    markdown: Path | None = None
    csv: Path | None = None
    latex: Path | None = None
    html: Path | None = None
    tables: dict[str, dict[str, Path]] = field(default_factory=dict)   # table -> format -> path
    plots: dict[str, dict[str, Path]] = field(default_factory=dict)    # plot -> format -> path
    scores: dict[str, Path] = field(default_factory=dict)              # run -> scores.json
    sequences: dict[str, dict[str, Path]] = field(default_factory=dict)  # sequence -> iou / gallery -> PNG
    evaluated: list[str] = field(default_factory=list)                 # runs (re-)evaluated now
    board: Board | None = None

    @property
    def skipped(self) -> list[SkippedRun]:
        """Runs left out of the report, with the reason (listed in it too)."""
        return list(self.board.skipped) if self.board is not None else []


def parse_formats(formats) -> tuple[str, ...]:
    """``"md,png"`` or an iterable of names -> a checked tuple (``all`` = every format)."""
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    names = []
    for f in formats:
        f = {"markdown": "md", "latex": "tex"}.get(f.lower(), f.lower())
        if f == "all":
            names.extend(FORMATS)
        elif f not in FORMATS:
            raise ValueError(f"unknown report format {f!r}, known: {', '.join(FORMATS)}, all")
        else:
            names.append(f)
    return tuple(dict.fromkeys(names))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


def figures(board: Board, percent: bool = False, ci_bands: bool = False) -> list[tuple[str, str, object]]:
    """Every figure of the board as ``(file stem, title, matplotlib Figure)`` (``ci_bands``: the
    overall curves with their 95 % bootstrap bands)."""
    styles = assign_styles((e.name for e in board.entries), board.colour_names)
    out = []
    if scored_as(board.protocol) == "ope":
        for name in CURVES:
            out.append((name, f"{CURVES[name].title} plot",
                        curve_figure(board, styles, name, percent=percent, bands=ci_bands)))
        for name in CURVES:  # success, precision and normalized precision per attribute
            for attr in board.attributes:
                out.append((f"attributes/{name}_{_slug(attr)}",
                            f"{CURVES[name].title} plot: {board.attribute_labels.get(attr, attr)}",
                            curve_figure(board, styles, name, attr=attr, percent=percent)))
    elif scored_as(board.protocol) == "longterm":
        out.append(("precision_recall", "Precision/recall plot", curve_figure(board, styles, "precision_recall",
                                                                     percent=percent, kinds=LONGTERM_CURVES)))
    else:
        out.append(("eao_curve", "Expected overlap curves", eao_curve_figure(board, styles, percent)))
        out.append(("eao_ranking", "EAO ranking", eao_ranking_figure(board, styles, percent)))
        out.append(("ar", "Accuracy-robustness plot", ar_figure(board, styles)))
    out.append(("radar", "Attribute radar chart", radar_figure(board, styles, percent)))
    out = [(stem, title, fig) for stem, title, fig in out if fig is not None]
    for _, _, fig in out:
        add_footnote(fig, board.caveat_lines(board.plotted))
    return out


def _write_tables(tables: dict[str, Table], out: Path, formats, percent: bool, label: str) -> dict:
    written: dict[str, dict[str, Path]] = {}
    for name, table in tables.items():
        paths = {}
        if "csv" in formats:
            paths["csv"] = out / f"{name}.csv"
            write_atomic(paths["csv"], to_csv(table))
        if "tex" in formats:
            paths["tex"] = out / f"{name}.tex"
            write_atomic(paths["tex"], to_latex(table, percent, label=f"{label}-{name}"))
        written[name] = paths
    return written


def _skipped_count(board: Board) -> str:
    n = len(board.skipped)
    return f"{n} run{'s' * (n != 1)} skipped"


def _markdown(board: Board, tables: dict[str, Table], plots: dict[str, dict[str, Path]], out: Path,
              percent: bool) -> str:
    protocol = protocol_title(board.protocol)
    text = [f"# {board.title} leaderboard\n",
            f"{protocol}, split `{board.split}`, metric profile `{board.profile}`; "
            f"{'scores in percent' if percent else 'scores in [0, 1]'}, best in bold."
            + (f" {_skipped_count(board)} (listed under Skipped runs)." if board.skipped else "") + "\n",
            to_markdown(tables["leaderboard"], percent)]
    if "attributes" in tables:
        text += [f"\n## Per attribute\n\n{tables['attributes'].caption}.\n", to_markdown(tables["attributes"], percent)]
    pngs = [(stem, paths["png"]) for stem, paths in plots.items() if "png" in paths and "/" not in stem]
    if pngs:
        text.append("\n## Plots\n")
        text += [f"![{stem}]({p.relative_to(out).as_posix()})" for stem, p in pngs]
    if board.skipped:
        text.append("\n## Skipped runs\n\nNot in this report (not scored):\n")
        text += [f"- {markdown_escape(s.line())}" for s in board.skipped]
    return "\n".join(text) + "\n"


def render_board(board: Board, out: str | Path, formats=FORMATS, percent: bool = False,
                 paths: ReportPaths | None = None, dpi: int = 300, ci_bands: bool = False,
                 sequences=None) -> ReportPaths:
    """Write every requested format of ``board`` under ``out``; returns where they went.

    ``percent`` prints scores as 69.6 instead of 0.696; ``dpi`` is the PNG resolution;
    ``ci_bands`` shades the 95 % bootstrap band around each overall success / precision curve;
    ``sequences`` is ``(run -> per-sequence DataFrame, sequence -> attributes or None,
    sequence -> {"iou"/"gallery": PNG path})`` for the per-sequence table and its links.
    """
    out = Path(out)
    formats = parse_formats(formats)
    paths = paths or ReportPaths(out=out)
    paths.board = board
    tables = {"leaderboard": leaderboard(board)}
    attr = attribute_table(board)
    if attr is not None:
        tables["attributes"] = attr
    per_seq, attributes, seq_files = sequences or ({}, None, {})
    seq_table = sequence_table(board, per_seq, attributes)
    if seq_table is not None:
        tables["sequences"] = seq_table
    paths.sequences = dict(seq_files)
    paths.tables = _write_tables(tables, out, formats, percent, f"tab:{_slug(board.dataset)}")
    paths.csv = paths.tables["leaderboard"].get("csv")
    paths.latex = paths.tables["leaderboard"].get("tex")
    image_formats = [f for f in IMAGE_FORMATS if f in formats]
    embedded: list[tuple[str, bytes]] = []
    if image_formats or "html" in formats:
        with rc_context():
            for stem, title, fig in figures(board, percent, ci_bands):
                if image_formats:
                    paths.plots[stem] = {k: Path(v) for k, v in
                                         save_figure(fig, out / "plots" / stem, image_formats, dpi).items()}
                if "html" in formats:
                    embedded.append((title, _png_bytes(fig)))
    if "md" in formats:
        paths.markdown = out / "leaderboard.md"
        write_atomic(paths.markdown, _markdown(board, tables, paths.plots, out, percent))
    if "html" in formats:
        from sotbench import __version__

        paths.html = out / "index.html"
        links = {seq: {kind: p.relative_to(out).as_posix() for kind, p in files.items()}
                 for seq, files in paths.sequences.items()}
        write_atomic(paths.html, render_html(board, tables, embedded, percent, f"sotbench {__version__}", links))
    return paths


def _png_bytes(fig) -> bytes:
    """A screen-resolution PNG for the HTML page (the 300 dpi files would make it heavy)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
    return buf.getvalue()
