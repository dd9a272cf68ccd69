"""Leaderboard tables (overall and per attribute) as a format-free model of cells.

``leaderboard(board)`` and ``attribute_table(board)`` return a ``Table``: columns with their
labels and the raw values of each row.  ``sotbench.report.formats`` writes Markdown, CSV and
LaTeX from it, ``sotbench.report.html`` the HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sotbench.metrics.table import protocol_title, scored_as
from sotbench.metrics.paired import FEW_SEQUENCES  # attributes with fewer get a note: intervals too narrow
from sotbench.report.board import METRICS, Board, Entry

__all__ = ["Column", "Table", "leaderboard", "attribute_table", "attribute_value", "attribute_metric",
           "attribute_count", "attribute_unit", "format_value", "format_interval", "SIGNIFICANCE", "TIED"]

SPEED_LABELS = {"tracker_fps": ("FPS (tracker)", "FPS"), "end_to_end_fps": ("FPS (end-to-end)", "FPS$_{e2e}$")}


SIGNIFICANCE = 0.05  # a run whose paired test against the leader gives p >= this is marked "≈"
TIED = "≈"


@dataclass(frozen=True)
class Column:
    """One table column: ``kind`` is ``rank``, ``text``, ``metric``, ``fps`` or ``pvalue``.

    A row may hold ``"<key>:ci95"``: the metric's 95 % interval, printed as ``± half its width``."""

    key: str
    label: str
    latex: str
    kind: str = "text"
    higher_is_better: bool = True
    fraction: bool = True


@dataclass
class Table:
    """Rows of raw values (``None`` = not available) under ``columns``; ``ranked`` rows come first."""

    columns: list[Column]
    rows: list[dict]
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    n_ranked: int = 0
    row_best: bool = False  # bold the best value of each row (among columns of one metric), not of each column

    def is_best(self, row: dict, key: str) -> bool:
        """Whether ``row``'s value in column ``key`` is printed as the best (bold)."""
        value = row.get(key)
        if value is None:
            return False
        if self.row_best:
            col = next(c for c in self.columns if c.key == key)
            if col.kind != "metric":
                return False
            metric = key.rsplit(":", 1)[-1]
            peers = [row[c.key] for c in self.columns if c.kind == "metric" and c.key.rsplit(":", 1)[-1] == metric
                     and row.get(c.key) is not None]
            if len(peers) < 2:
                return False
            return value == (max(peers) if col.higher_is_better else min(peers))
        best = self.best(key)
        return best is not None and value == best and row.get("rank") is not None

    def best(self, key: str) -> float | None:
        """The best value of column ``key`` among the ranked rows (for bold print)."""
        col = next(c for c in self.columns if c.key == key)
        values = [r[key] for r in self.rows[: self.n_ranked] if r.get(key) is not None]
        if col.kind != "metric" or len(values) < 2:
            return None
        return max(values) if col.higher_is_better else min(values)


def format_value(value, column: Column, percent: bool = False) -> str:
    """The printed form of a cell: 3 decimals (or percent with 1), fps with 1, a p-value with
    ``≈`` where it is not significant, ``–`` if absent."""
    if value is None:
        return "–"
    if column.kind == "metric":
        if column.fraction and percent:
            return f"{100 * value:.1f}"
        return f"{value:.3f}" if column.fraction or abs(value) < 10 else f"{value:.1f}"
    if column.kind == "fps":
        return f"{value:.1f}"
    if column.kind == "pvalue":
        text = "<0.001" if value < 0.001 else f"{value:.3f}"
        return f"{text} {TIED}" if value >= SIGNIFICANCE else text
    return str(value)


def format_interval(ci, column: Column, percent: bool = False) -> str:
    """``± 0.012``: half the width of a metric's 95 % interval, in the metric's format (empty: none)."""
    if ci is None or column.kind != "metric":
        return ""
    return f"± {format_value((ci[1] - ci[0]) / 2, column, percent)}"


def _metric_columns(board: Board) -> list[Column]:
    return [Column(k, METRICS[k].label, METRICS[k].latex, "metric", METRICS[k].higher_is_better,
                   METRICS[k].fraction) for k in board.metrics()]


def leaderboard(board: Board) -> Table:
    """The overall table: rank, tracker, scores, speed, coverage (when some run is partial), source."""
    cols = [Column("rank", "#", "\\#", "rank"), Column("tracker", "Tracker", "Tracker")]
    cols += _metric_columns(board)
    if board.leader_tests:
        cols.append(Column("p_vs_leader", "p vs #1", "$p$ vs \\#1", "pvalue", fraction=False))
    cols += [Column(k, *SPEED_LABELS[k], kind="fps") for k in board.speed_columns()]
    if any(not e.complete for e in board.entries):
        cols.append(Column("coverage", "Sequences", "Seq."))
    if any(e.scores.get("runs") for e in board.entries):
        cols.append(Column("runs", "Runs (± std)", "Runs"))
    cols.append(Column("source", "Results", "Results"))
    rows = [_row(board, e) for e in board.entries]
    caveats = board.caveat_lines()
    notes = caveats + _notes(board) + _interval_notes(board)
    caption = f"{board.title}: {protocol_title(board.protocol)}, profile {board.profile}"
    caption += "".join(f". {line}" for line in caveats)  # the paper table (LaTeX) has no notes
    if any(e.interval(k) for e in board.entries for k in board.metrics()):
        caption += ". ± half the 95% bootstrap interval over the sequences"
    if board.leader_tests:
        caption += f". {TIED}: not significantly different from #1 (paired bootstrap, p ≥ {SIGNIFICANCE})"
    return Table(cols, rows, caption, notes, n_ranked=len(board.ranked))


def _interval_notes(board: Board) -> list[str]:
    """What ``±`` and ``p vs #1`` are."""
    notes = []
    spec = board.test_spec
    if any(e.interval(k) for e in board.entries for k in board.metrics()):
        notes.append("± is half the width of the 95 % percentile bootstrap interval over the sequences (each score "
                     "file records its resamples: `sotbench eval` draws 10,000, seed 0); the CSV file has both bounds.")
    if board.leader_tests:
        leader, label = board.ranked[0].name, METRICS[board.primary].label
        tied = [e.name for e in board.ranked[1:] if (c := board.versus_leader(e)) is not None and not c.significant]
        notes.append(f"p vs #1: paired bootstrap test of {label} against {leader} over the sequences both scored "
                     f"(two-sided, {spec.resamples} resamples, seed {spec.seed}; `sotbench compare` prints the "
                     f"difference and its interval). {TIED}: not significantly different from {leader} "
                     f"(p ≥ {SIGNIFICANCE})" + (f": {', '.join(tied)}." if tied else "; none is."))
    return notes


def _source(e: Entry) -> str:
    """What made the results: a sotbench run or imported files, and on what weights."""
    made = "imported" if e.imported else "sotbench run"
    return ", ".join([made] + [c.tag for c in e.caveats if c.key == "random_weights"])


def _row(board: Board, e: Entry) -> dict:
    row = {"rank": board.rank_of(e), "tracker": e.shown, "coverage": e.coverage_text, "source": _source(e),
           "runs": _runs_text(board, e)}
    for k in board.metrics():
        row[k] = e.value(k)
        row[f"{k}:ci95"] = e.interval(k)
    test = board.versus_leader(e)
    row["p_vs_leader"] = test.p_value if test is not None and test.p_value == test.p_value else None
    for k in ("tracker_fps", "end_to_end_fps"):
        row[k] = e.speed(k)
    return row


def _runs_text(board: Board, e: Entry) -> str:
    """``3 (±0.004)``: a repeated run's number of runs and the spread of the primary score."""
    runs = e.scores.get("runs")
    if not runs:
        return "1"
    std = (runs.get("std") or {}).get(board.primary)
    return f"{runs.get('n')} (±{std:.3f})" if isinstance(std, (int, float)) else str(runs.get("n"))


def _notes(board: Board) -> list[str]:
    notes = []
    if any(e.scores.get("runs") for e in board.entries):
        notes.append(f"Repeated runs (run ids, --repeat): scores are the mean over runs; ± is the sample standard "
                     f"deviation of {METRICS[board.primary].label} across runs.")
    partial = [e for e in board.entries if not e.complete]
    if partial and not board.allow_partial:
        notes.append("Runs with missing sequences are not ranked: "
                     + ", ".join(f"{e.shown} ({e.coverage_text})" for e in partial)
                     + " (report with --allow-partial to rank them).")
    elif partial:
        notes.append("Ranked although incomplete (--allow-partial): "
                     + ", ".join(f"{e.shown} ({e.coverage_text})" for e in partial) + ".")
    if any(e.imported for e in board.entries):
        notes.append("'imported': published raw results evaluated here (no run.json: speed unknown "
                     "unless *_time.txt files were published).")
    return notes


def attribute_metric(board: Board) -> str:
    """The score shown per attribute: success AUC (OPE), else EAO, else accuracy (VOT tags)."""
    candidates = {"ope": ("success_auc",), "longterm": ("f_score",)}.get(scored_as(board.protocol), ("eao", "accuracy"))
    for metric in candidates:
        if any(attribute_value(e, a, metric) is not None for e in board.entries for a in board.attributes):
            return metric
    return candidates[0]


def attribute_value(entry: Entry, attr: str, metric: str) -> float | None:
    """``metric`` of ``entry`` on attribute ``attr`` (scores nested under ``overall`` or flat)."""
    block = (entry.scores.get("per_attribute") or {}).get(attr)
    if not isinstance(block, dict):
        return None
    value = (block.get("overall") or {}).get(metric, block.get(metric))
    return float(value) if isinstance(value, (int, float)) else None


def attribute_count(board: Board, attr: str) -> int | None:
    """Sequences (one-pass) or frames (VOT per-frame tags) with ``attr``, from the first run that says."""
    for e in board.entries:
        block = (e.scores.get("per_attribute") or {}).get(attr) or {}
        n = block.get("n_sequences", block.get("n_frames"))
        if isinstance(n, int):
            return n
    return None


def attribute_unit(board: Board) -> str:
    """What ``attribute_count`` counts: ``sequences``, or ``frames`` for per-frame tags."""
    for e in board.entries:
        for block in (e.scores.get("per_attribute") or {}).values():
            if isinstance(block, dict) and "n_sequences" not in block and "n_frames" in block:
                return "frames"
    return "sequences"


def attribute_table(board: Board) -> Table | None:
    """Trackers × attributes of the attribute metric; ``None`` when the scores have no attributes."""
    if not board.attributes:
        return None
    metric = attribute_metric(board)
    cols = [Column("rank", "#", "\\#", "rank"), Column("tracker", "Tracker", "Tracker")]
    for attr in board.attributes:
        n = attribute_count(board, attr)
        suffix = f" ({n})" if n is not None else ""
        cols.append(Column(f"attr:{attr}", f"{attr}{suffix}", f"{attr}{suffix}", "metric",
                           METRICS[metric].higher_is_better, METRICS[metric].fraction))
    rows = []
    for e in board.entries:
        row = {"rank": board.rank_of(e), "tracker": e.shown}
        row.update({f"attr:{a}": attribute_value(e, a, metric) for a in board.attributes})
        row.update({f"attr:{a}:ci95": e.attribute_interval(a, metric) for a in board.attributes})
        rows.append(row)
    caption = f"{board.title}: {METRICS[metric].label} per attribute (number of {attribute_unit(board)} in brackets)"
    caption += "".join(f". {line}" for line in board.caveat_lines())  # printed above the table in every format
    legend = [f"{a}: {board.attribute_labels.get(a, a)}" for a in board.attributes
              if board.attribute_labels.get(a, a) != a]
    notes = ["; ".join(legend) + "."] if legend else []
    if any(r[f"attr:{a}:ci95"] for r in rows for a in board.attributes):
        notes.append("± is half the width of the 95 % bootstrap interval over the attribute's sequences.")
        few = [a for a in board.attributes if attribute_unit(board) == "sequences"
               and (n := attribute_count(board, a)) is not None and n < FEW_SEQUENCES]
        if few:
            notes.append(f"{', '.join(few)}: fewer than {FEW_SEQUENCES} sequences; a bootstrap of so few sequences "
                         "gives intervals narrower than the real uncertainty: read their differences with care.")
    return Table(cols, rows, caption, notes, n_ranked=len(board.ranked))
