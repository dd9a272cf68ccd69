"""Partial and random-weight scores are marked in every leaderboard format and every plot."""

from __future__ import annotations

import csv
import io

from scoredicts import OTB_ATTRS, ope_scores, vot_scores
from sotbench.report.board import build_board
from sotbench.report.formats import to_csv, to_latex, to_markdown
from sotbench.report.html import render_html
from sotbench.report.render import figures
from sotbench.report.style import rc_context
from sotbench.report.tables import attribute_table, leaderboard

PARTIAL = "partial: 5 of 100 sequences — not comparable with published OTB100 numbers"
RANDOM = "random weights (--allow-random-weights): not a real result"
NOT_REAL = {"random_weights": True}
REAL = {"random_weights": False}


def _attrs(base: float) -> dict:
    return {code: (n, base - 0.01 * i) for i, (code, n) in enumerate(OTB_ATTRS.items())}


def _partial_items():
    """Two runs on a root holding 5 of OTB100's 100 sequences (every one of the 5 scored)."""
    return [(name, ope_scores(name, auc, evaluated=5, total=5, split_total=100, flags=REAL,
                              attributes=_attrs(auc)), f"{name}/scores.json")
            for name, auc in (("A", 0.61), ("B", 0.55))]


def _figure_texts(board) -> dict[str, str]:
    """Every figure's legend entries, tick labels and free text, as one string per figure."""
    with rc_context():
        out = {}
        for stem, _, fig in figures(board):
            texts = [t.get_text() for t in fig.texts]
            for ax in fig.axes:
                legend = ax.get_legend()
                texts += [t.get_text() for t in legend.get_texts()] if legend else []
                texts += [t.get_text() for t in ax.get_yticklabels()]
            out[stem] = "\n".join(texts)
        return out


def test_partial_scores_are_captioned_in_every_table_format():
    board = build_board(_partial_items(), title="OTB100")
    assert board.ranked == []  # 5 of 100 is not a benchmark result: listed, ranked only with --allow-partial
    table = leaderboard(board)
    assert PARTIAL in table.notes and PARTIAL in table.caption
    md = to_markdown(table)
    assert PARTIAL in md and "| 5/100 |" in md
    assert PARTIAL in to_latex(table)
    rows = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert {r["coverage"] for r in rows} == {"5/100"}
    attrs = attribute_table(board)
    assert PARTIAL in attrs.caption and PARTIAL in to_latex(attrs)
    page = render_html(board, {"leaderboard": table, "attributes": attrs}, [])
    assert page.count(f'<p class="note">{PARTIAL}</p>') == 1 and f"{PARTIAL}</p>" in page.split("Per attribute")[1]


def test_partial_scores_are_captioned_in_every_plot():
    board = build_board(_partial_items(), allow_partial=True, title="OTB100")
    texts = _figure_texts(board)
    assert {"success", "precision", "norm_precision", "radar"} <= set(texts)
    for stem, text in texts.items():
        assert PARTIAL in text, stem
        assert "] A (5/100)" in text and "] B (5/100)" in text, stem


def test_random_weights_marked_in_tables_and_plots(otb_items):
    items = otb_items + [("Rand", ope_scores("Rand", 0.2, flags=NOT_REAL, split_total=100,
                                             tracker={"tracker": "siamrpnpp", "allow_random_weights": True},
                                             attributes=_attrs(0.2)), "")]
    board = build_board(items, title="OTB100")
    table = leaderboard(board)
    assert f"Rand: {RANDOM}" in table.notes and RANDOM in table.caption
    rows = {r["tracker"]: r for r in csv.DictReader(io.StringIO(to_csv(table)))}
    assert rows["Rand"]["source"] == "sotbench run, random weights"
    assert rows["SiamRPN++"]["source"] == "sotbench run"
    assert RANDOM in to_latex(table) and RANDOM in to_markdown(table)
    for stem, text in _figure_texts(board).items():
        assert f"Rand: {RANDOM}" in text and "Rand (random weights)" in text, stem


def test_random_weights_marked_in_vot_plots():
    items = [("Real", vot_scores("Real", 0.41, 0.6, 0.23, 50), ""),
             ("Rand", vot_scores("Rand", 0.05, 0.3, 3.0, 600, flags=NOT_REAL), "")]
    texts = _figure_texts(build_board(items, title="VOT2018"))
    assert {"eao_curve", "eao_ranking", "ar"} <= set(texts)
    for stem, text in texts.items():
        assert f"Rand: {RANDOM}" in text and "Rand (random weights)" in text, stem


def test_complete_real_scores_carry_no_caveat(otb_items):
    items = [(n, {**s, "flags": REAL}, p) for n, s, p in otb_items]
    board = build_board(items, title="OTB100")
    table = leaderboard(board)
    md = to_markdown(table)
    assert "partial" not in md and "random weights" not in md and "coverage" not in table.caption
    assert all("partial" not in t and "random" not in t for t in _figure_texts(board).values())


def test_old_score_files_fall_back_to_what_they_hold(otb_items):
    # no split_total / flags: coverage against 'total', random weights from the tracker block
    old = ope_scores("Old", 0.5, evaluated=97, tracker={"tracker": "siamrpnpp", "allow_random_weights": True})
    board = build_board(otb_items + [("Old", old, "")], allow_partial=True, title="OTB100")
    notes = " ".join(leaderboard(board).notes)
    assert "Old: partial: 97 of 100 sequences" in notes and f"Old: {RANDOM}" in notes
