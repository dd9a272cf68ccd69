"""Reports: leaderboards (Markdown, CSV, LaTeX, HTML) and plots (PNG, PDF, SVG) from score files.

``make_report(dataset, run_dirs, out, profile=None, formats=...)`` evaluates runs whose scores
are missing or stale and renders everything into ``out``; ``report_from_scores`` renders
existing ``scores.json`` files.  See docs/report.md.
"""

from sotbench.report.board import Board, Entry, ReportError, build_board, read_scores
from sotbench.report.make import make_report, report_from_scores
from sotbench.report.render import FORMATS, ReportPaths, render_board

__all__ = ["make_report", "report_from_scores", "render_board", "build_board", "read_scores", "ReportPaths",
           "ReportError", "Board", "Entry", "FORMATS"]
