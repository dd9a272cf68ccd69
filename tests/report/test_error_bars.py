"""Leaderboards with error bars: ± half-intervals in every format, the test against the leader
(bundled OTB100 results: SiamRPN++ is not distinguishable from SiamBAN, SiamFC is), per-attribute
intervals with the few-sequences note, curve bands behind --ci-bands, malformed sums refused."""

from __future__ import annotations

import copy
import csv
import io
import json

import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from scoredicts import ope_scores
from sotbench.report.board import ReportError, build_board
from sotbench.report.formats import to_csv, to_latex, to_markdown
from sotbench.report.html import render_html
from sotbench.report.plots_ope import curve_figure
from sotbench.report.style import assign_styles, rc_context
from sotbench.report.tables import attribute_table, leaderboard


@pytest.fixture(scope="module")
def otb_docs(shared_data):
    from sotbench.datasets import load_dataset
    from sotbench.evaluate import evaluate

    ds = load_dataset("otb100", root=shared_data / "annotations/OTB100/pysot")
    runs = ("SiamRPN++", "SiamBAN", "SiamFC")
    return {r: evaluate(ds, shared_data / "results/OTB100" / r, write=False).to_json() for r in runs}


def _items(docs):
    return [(name, copy.deepcopy(doc), f"{name}/scores.json") for name, doc in docs.items()]


def _row(md: str, name: str) -> str:
    return next(line for line in md.splitlines() if line.startswith("| ") and f" {name} |" in line)


def test_leader_test_marks_the_tie(otb_docs):
    board = build_board(_items(otb_docs), title="OTB100")
    assert [e.name for e in board.ranked] == ["SiamBAN", "SiamRPN++", "SiamFC"]
    tie, far = board.versus_leader(board.ranked[1]), board.versus_leader(board.ranked[2])
    assert board.versus_leader(board.ranked[0]) is None
    assert tie.ci95[0] < 0 < tie.ci95[1] and not tie.significant and tie.n_sequences == 100
    assert far.ci95[1] < 0 and far.significant and far.p_value < 0.01
    table = leaderboard(board)
    md = to_markdown(table)
    assert "p vs #1" in md.splitlines()[0]
    assert "| 1 | SiamBAN | **0.696** ± 0.028 |" in md
    assert _row(md, "SiamRPN++").endswith(f"| {tie.p_value:.3f} ≈ | imported |")
    assert "| <0.001 |" in _row(md, "SiamFC") and "≈" not in _row(md, "SiamFC")
    notes = " ".join(table.notes)
    assert "paired bootstrap test of Success (AUC) against SiamBAN" in notes
    assert "not significantly different from SiamBAN (p ≥ 0.05): SiamRPN++." in notes
    assert "± is half the width of the 95 % percentile bootstrap interval" in notes


def test_intervals_in_csv_latex_and_html(otb_docs):
    board = build_board(_items(otb_docs), title="OTB100")
    table = leaderboard(board)
    rows = list(csv.DictReader(io.StringIO(to_csv(table))))
    lo, hi = otb_docs["SiamBAN"]["ci95"]["success_auc"]
    assert float(rows[0]["success_auc_ci95_lo"]) == lo and float(rows[0]["success_auc_ci95_hi"]) == hi
    assert rows[0]["p_vs_leader"] == "" and float(rows[1]["p_vs_leader"]) > 0.05
    tex = to_latex(table)
    assert r"\textbf{0.696} $\pm$ 0.028" in tex and r"$\approx$" in tex and "\\textless{}0.001" in tex
    assert "±" not in tex and "≈" not in tex  # no bare non-ASCII signs for LaTeX
    page = render_html(board, {"leaderboard": table}, [])
    assert "0.696 ± 0.028" in page


def test_attribute_intervals_and_few_sequences(otb_docs):
    board = build_board(_items(otb_docs), title="OTB100")
    table = attribute_table(board)
    md = to_markdown(table)
    assert [c.label for c in table.columns if c.key == "attr:LR"] == ["LR (9)"]
    ci = otb_docs["SiamBAN"]["per_attribute"]["IV"]["ci95"]["success_auc"]
    assert f"**0.724** ± {(ci[1] - ci[0]) / 2:.3f}" in _row(md, "SiamBAN")
    assert "LR: fewer than 10 sequences" in " ".join(table.notes)
    header = next(csv.reader(io.StringIO(to_csv(table))))
    assert "attr:LR_ci95_lo" in header


def test_old_score_files_render_without_intervals(otb_items):
    table = leaderboard(build_board(otb_items))
    md = to_markdown(table)
    assert "±" not in md and "p vs #1" not in md
    assert not any("bootstrap" in n for n in table.notes)


def test_bands_drawn_only_when_asked(otb_docs):
    board = build_board(_items(otb_docs))
    styles = assign_styles(e.name for e in board.entries)
    with rc_context():
        plain = curve_figure(board, styles, "success")
        shaded = curve_figure(board, styles, "precision", bands=True)
        per_attr = curve_figure(board, styles, "success", attr="IV", bands=True)  # no attribute bands stored
    count = [sum(isinstance(c, PolyCollection) for c in f.axes[0].collections) for f in (plain, shaded, per_attr)]
    assert count == [0, 3, 0]
    assert "95% bootstrap bands" in shaded.axes[0].get_xlabel()


def test_malformed_sequence_sums_refused_naming_the_file(otb_docs, tmp_path, capsys):
    from sotbench.cli import main

    doc = copy.deepcopy(otb_docs["SiamFC"])
    doc["sequence_sums"]["metrics"]["success_auc"]["num"] = doc["sequence_sums"]["metrics"]["success_auc"]["num"][:-1]
    with pytest.raises(ReportError, match=r"bad/scores.json: sequence_sums.metrics.success_auc: num and den"):
        build_board([("bad", doc, "bad/scores.json")])
    doc = copy.deepcopy(otb_docs["SiamFC"])
    doc["sequence_sums"]["sequences"] = doc["sequence_sums"]["sequences"][:-1]
    with pytest.raises(ReportError, match="success_auc holds 100 sequences, 'sequences' names 99"):
        build_board([("bad", doc, "bad/scores.json")])
    bad, good = tmp_path / "bad.json", tmp_path / "good.json"
    doc["sequence_sums"] = {"sequences": "x"}
    bad.write_text(json.dumps(doc))
    good.write_text(json.dumps(otb_docs["SiamBAN"]))
    assert main(["report", "--scores", str(bad), str(good), "--out", str(tmp_path / "r"), "--formats", "md"]) == 1
    err = capsys.readouterr().err
    assert f"skipped, not in the report: {bad}" in err and "'sequence_sums' must hold" in err


def test_unranked_runs_get_no_test(otb_docs):
    docs = _items(otb_docs)
    part = ope_scores("Part", 0.75, evaluated=50, split_total=100, flags={"random_weights": False},
                      profile_hash=otb_docs["SiamFC"]["profile_hash"])
    docs.append(("Part", part, ""))
    board = build_board(docs)
    assert "Part" not in board.leader_tests and set(board.leader_tests) == {"SiamRPN++", "SiamFC"}


def test_eao_ranking_has_error_bars_from_the_intervals():
    from scoredicts import vot_scores

    from sotbench.report.plots_vot import eao_ranking_figure

    docs = [vot_scores("A", 0.41, 0.6, 0.23, 50), vot_scores("B", 0.38, 0.58, 0.27, 59)]
    styles = assign_styles(["A", "B"])
    with rc_context():
        plain = eao_ranking_figure(build_board([(d["run"], d, "") for d in docs]), styles)
        for doc, ci in zip(docs, ([0.35, 0.48], [0.31, 0.45])):
            doc["ci95"] = {"eao": ci}
        bars = eao_ranking_figure(build_board([(d["run"], d, "") for d in docs]), styles)
    from matplotlib.container import BarContainer

    def bar(fig):
        return next(c for c in fig.axes[0].containers if isinstance(c, BarContainer))

    assert bar(plain).errorbar is None
    segments = bar(bars).errorbar.lines[2][0].get_segments()
    assert sorted(tuple(np.round(s[:, 0], 3)) for s in segments) == [(0.31, 0.45), (0.35, 0.48)]
    assert "95% bootstrap intervals" in bars.axes[0].get_xlabel()
    from matplotlib.container import ErrorbarContainer

    from sotbench.report.plots_vot import ar_figure

    with rc_context():
        no_ci = ar_figure(build_board([(d["run"], {**d, "ci95": {}}, "") for d in docs]), styles)
        for doc in docs:
            doc["ci95"].update(accuracy=[0.55, 0.63], robustness=[0.15, 0.32])
        ar = ar_figure(build_board([(d["run"], d, "") for d in docs]), styles)
    assert not any(isinstance(c, ErrorbarContainer) for c in no_ci.axes[0].containers)
    assert sum(isinstance(c, ErrorbarContainer) for c in ar.axes[0].containers) == 2
