"""Rendering from schema dicts: ranking, legends, colours, tables in every format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from scoredicts import ope_scores, vot_scores
from sotbench.report.board import ReportError, build_board
from sotbench.report.formats import latex_escape, to_csv, to_latex, to_markdown
from sotbench.report.plots_ope import curve_figure, radar_figure
from sotbench.report.plots_vot import ar_figure, eao_ranking_figure, reliability
from sotbench.report.render import parse_formats, render_board
from sotbench.report.style import PALETTE, assign_styles, rc_context, save_figure
from sotbench.report.tables import attribute_table, leaderboard


def _legend(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _line_colors(fig) -> dict[str, str]:
    """Tracker name (from the legend label) -> line colour."""
    ax = fig.axes[0]
    return {line.get_label().split("] ", 1)[1]: line.get_color() for line in ax.get_lines()}


def test_ranking_and_legend_order_by_score(otb_items):
    board = build_board(otb_items, title="OTB100")
    assert [e.name for e in board.ranked] == ["SiamRPN++", "ATOM", "SiamFC"]
    styles = assign_styles(e.name for e in board.entries)
    with rc_context():
        fig = curve_figure(board, styles, "success")
        assert _legend(fig) == ["[0.696] SiamRPN++", "[0.663] ATOM", "[0.587] SiamFC"]
        assert fig.axes[0].get_title() == "Success plots of OPE on OTB100"
        assert fig.axes[0].get_xlabel() == "Overlap threshold"
        prec = curve_figure(board, styles, "precision", percent=True)
        assert _legend(prec) == ["[89.6] SiamRPN++", "[86.3] ATOM", "[78.7] SiamFC"]
        iv = curve_figure(board, styles, "success", attr="IV")
        assert iv.axes[0].get_title() == "Success plots of OPE - Illumination Variation (38)"


def test_colours_stable_across_plots_and_orders(otb_items):
    board = build_board(otb_items)
    styles = assign_styles(e.name for e in board.entries)
    with rc_context():
        figs = [curve_figure(board, styles, k) for k in ("success", "precision", "norm_precision")]
        figs.append(curve_figure(board, styles, "success", attr="FM"))
        colours = [_line_colors(f) for f in figs]
        radar = radar_figure(board, styles)
    assert all(c == colours[0] for c in colours)
    assert len(set(colours[0].values())) == 3
    radar_colours = {line.get_label().split("] ", 1)[1]: line.get_color() for line in radar.axes[0].get_lines()}
    assert radar_colours == colours[0]
    # The assignment depends on the set of names only, not on the order they come in.
    names = ["SiamFC", "SiamRPN++", "ATOM", "DiMP", "Ocean"]
    assert assign_styles(names) == assign_styles(reversed(names))


def test_many_trackers_get_distinct_styles():
    names = [f"tracker{i}" for i in range(23)]
    styles = assign_styles(names)
    pairs = {(s.color, s.linestyle) for s in styles.values()}
    assert len(pairs) == 23
    solid = [s for s in styles.values() if s.linestyle == "-"]
    assert len(solid) == len(PALETTE) and len({s.color for s in solid}) == len(PALETTE)


def test_markdown_table(otb_items):
    items = otb_items + [("a|b_c*", ope_scores("a|b_c*", 0.5), "")]
    md = to_markdown(leaderboard(build_board(items)))
    lines = md.splitlines()
    assert lines[0] == "| # | Tracker | Success (AUC) | Precision | Norm. precision | SR@0.5 | FPS (tracker) | " \
                       "FPS (end-to-end) | Results |"
    assert lines[2] == "| 1 | SiamRPN++ | **0.696** | **0.896** | **0.846** | **0.796** | 160.2 | 98.5 | sotbench run |"
    assert lines[3].startswith("| 2 | ATOM | 0.663 |")
    assert lines[5].startswith(r"| 4 | a\|b\_c\* | 0.500 |")
    pct = to_markdown(leaderboard(build_board(items)), percent=True)
    assert "| 1 | SiamRPN++ | **69.6** | **89.6** |" in pct


def test_latex_table_escapes_and_booktabs(otb_items):
    items = otb_items + [("R&D_50%", ope_scores("R&D_50%", 0.61, evaluated=97), "")]
    tex = to_latex(leaderboard(build_board(items)), label="tab:otb")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"\label{tab:otb}" in tex
    assert r"1 & SiamRPN++ & \textbf{0.696} & \textbf{0.896}" in tex
    # the partial run comes after a rule, unranked, with its coverage
    tail = tex.split(r"\midrule")[-1]
    assert r"-- & R\&D\_50\% & 0.610" in tail and "97/100" in tail
    assert "Results" not in tex  # the provenance column stays out of the paper table
    assert latex_escape("a\\b{c}~^#$") == r"a\textbackslash{}b\{c\}\textasciitilde{}\textasciicircum{}\#\$"


def test_csv_keeps_full_precision(otb_items):
    rows = list(csv.DictReader(io.StringIO(to_csv(leaderboard(build_board(otb_items))))))
    assert [r["tracker"] for r in rows] == ["SiamRPN++", "ATOM", "SiamFC"]
    assert float(rows[0]["precision"]) == otb_items[1][1]["overall"]["precision"]
    assert rows[0]["tracker_fps"] == "160.2" and rows[1]["tracker_fps"] == ""
    assert [r["rank"] for r in rows] == ["1", "2", "3"]


def test_attribute_table(otb_items):
    table = attribute_table(build_board(otb_items))
    assert [c.label for c in table.columns[2:]] == ["IV (38)", "SV (65)", "OCC (49)", "FM (39)"]
    md = to_markdown(table)
    assert "| 1 | SiamRPN++ | **0.690** | **0.680** | **0.670** | **0.660** |" in md


def test_partial_runs_listed_not_ranked(otb_items):
    items = otb_items + [("Half", ope_scores("Half", 0.75, evaluated=97), "")]
    board = build_board(items)
    assert [e.name for e in board.ranked] == ["SiamRPN++", "ATOM", "SiamFC"]
    assert [e.name for e in board.unranked] == ["Half"]
    table = leaderboard(board)
    half = table.rows[-1]
    assert half["rank"] is None and half["coverage"] == "97/100"
    assert "not ranked: Half (97/100)" in " ".join(table.notes)
    styles = assign_styles(e.name for e in board.entries)
    with rc_context():
        assert all("Half" not in t for t in _legend(curve_figure(board, styles, "success")))
        allowed = build_board(items, allow_partial=True)
        assert [e.name for e in allowed.ranked][0] == "Half"
        assert _legend(curve_figure(allowed, styles, "success"))[0] == "[0.750] Half (97/100)"


@pytest.mark.parametrize("change, words", [
    ({"dataset": "uav123"}, ["different datasets", "otb100/test", "uav123/test", "SiamFC"]),
    ({"profile": "got10k", "profile_hash": "g" * 64}, ["different metric profiles", "got10k", "pysot"]),
    ({"profile_hash": "x" * 64}, ["different metric profiles", "pysot (xxxxxxxxxxxx)"]),
])
def test_mixed_datasets_or_profiles_refused(otb_items, change, words):
    name, scores, path = otb_items[0]
    items = [(name, {**scores, **change}, path)] + otb_items[1:]
    with pytest.raises(ReportError) as err:
        build_board(items)
    for word in words:
        assert word in str(err.value)


def test_bad_score_dicts_refused(otb_items):
    with pytest.raises(ReportError, match="schema is 'other'"):
        build_board([("x", {**otb_items[0][1], "schema": "other"}, "x/scores.json")])
    with pytest.raises(ReportError, match="two runs are named 'ATOM'"):
        build_board(otb_items + [("ATOM", otb_items[2][1], "d/scores.json")])
    no_auc = {**otb_items[0][1], "overall": {"precision": 0.8}}
    with pytest.raises(ReportError, match="no 'success_auc' score"):
        build_board([("x", no_auc, "x/scores.json")])


def test_vot_board_and_plots():
    tags = {"occlusion": {"n_sequences": 30, "overall": {"eao": 0.3, "accuracy": 0.55}}}
    items = [(n, vot_scores(n, e, a, r, f, tags), "") for n, e, a, r, f in
             [("DaSiamRPN", .383, .586, .276, 59.0), ("SiamRPN++", .415, .601, .234, 50.0),
              ("Ocean", .467, .598, .169, 36.0)]]
    board = build_board(items)
    assert [e.name for e in board.ranked] == ["Ocean", "SiamRPN++", "DaSiamRPN"]
    table = leaderboard(board)
    assert [c.key for c in table.columns[2:6]] == ["eao", "accuracy", "robustness", "failures"]
    assert table.best("robustness") == 0.169 and table.best("accuracy") == 0.601
    md = to_markdown(table)
    assert "| 1 | Ocean | **0.467** | 0.598 | **0.169** | **36.0** |" in md
    styles = assign_styles(e.name for e in board.entries)
    with rc_context():
        bars = eao_ranking_figure(board, styles)
        ax = bars.axes[0]
        by_height = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
        assert [name for _, name in by_height] == ["DaSiamRPN", "SiamRPN++", "Ocean"]  # best on top
        ar = ar_figure(board, styles)
        x, y = ar.axes[0].get_lines()[0].get_data()
    assert x[0] == pytest.approx(reliability(0.169)) and y[0] == 0.598
    assert reliability(0.234) == pytest.approx(0.932207, abs=1e-6)  # exp(-30 * 0.00234)


def test_render_board_writes_every_format(otb_items, tmp_path):
    board = build_board(otb_items)
    paths = render_board(board, tmp_path)
    per_attribute = {f"attributes/{curve}_{a}" for curve in ("success", "precision", "norm_precision")
                     for a in ("IV", "SV", "OCC", "FM")}
    assert set(paths.plots) == {"success", "precision", "norm_precision", "radar"} | per_attribute
    pdf = paths.plots["success"]["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Type3" not in pdf  # TrueType fonts only (publishers reject Type 3)
    assert paths.plots["success"]["svg"].read_text().lstrip().startswith("<?xml")
    md = paths.markdown.read_text()
    assert "![success](plots/success.png)" in md and "## Per attribute" in md
    assert paths.tables["attributes"]["tex"].read_text().count(r"\textbf{") == 4
    page = paths.html.read_text()
    assert page.count("data:image/png;base64,") == 16 and 'id="leaderboard"' in page
    assert "<script" in page and "http" not in page.split("<body>")[1]  # offline: no external links


def test_same_scores_give_identical_files(otb_items, tmp_path):
    board = build_board(otb_items[:2])
    styles = assign_styles(e.name for e in board.entries)
    with rc_context():
        fig = curve_figure(board, styles, "success")
        a = save_figure(fig, tmp_path / "a", ("png", "svg", "pdf"))
        b = save_figure(curve_figure(board, styles, "success"), tmp_path / "b", ("png", "svg", "pdf"))
    for fmt in ("png", "svg", "pdf"):
        assert Path(a[fmt]).read_bytes() == Path(b[fmt]).read_bytes(), fmt
    only_md = render_board(board, tmp_path / "md", formats="md")
    assert only_md.plots == {} and only_md.html is None and only_md.csv is None
    assert "![success]" not in only_md.markdown.read_text()


def test_parse_formats():
    assert parse_formats("md, latex,png") == ("md", "tex", "png")
    assert "html" in parse_formats("all")
    with pytest.raises(ValueError, match="unknown report format 'gif'"):
        parse_formats("gif")
