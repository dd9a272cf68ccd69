"""The metric table: a metric is one module and one table line, and every consumer follows it."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.datasets import load_dataset
from sotbench.evaluate import evaluate_results
from sotbench.metrics import table
from sotbench.metrics.table import METRICS, MetricInfo


def _worst_frame_error(ctx):
    """A made-up metric: each sequence's largest centre error (lower is better)."""
    fv = ctx.frames.precision
    keep = fv.counted & np.isfinite(fv.value)
    per_seq = np.full(ctx.n_seq, np.nan)
    for k in range(ctx.n_seq):
        values = fv.value[keep & (ctx.seq == k)]
        per_seq[k] = values.max() if len(values) else np.nan
    return float(np.nanmax(per_seq[ctx.rows])), per_seq


@pytest.fixture()
def extra_metric(monkeypatch):
    """One table line, as a contributor would add it."""
    monkeypatch.setitem(METRICS, "worst_error", MetricInfo("Worst error (px)", "Worst", "ope", higher_is_better=False,
                                                           fraction=False, compute=_worst_frame_error))
    return "worst_error"


def _shifted(ds, names, dx):
    return {n: np.asarray(ds[n].gt[:, :4], float) + [dx, 0, 0, 0] for n in names}


def test_a_new_table_line_reaches_scores_leaderboards_and_the_search(extra_metric, synthetic_root, tmp_path):
    from sotbench.report.board import build_board
    from sotbench.report.formats import to_markdown
    from sotbench.report.tables import leaderboard
    from sotbench.search.objective import resolve_objective

    ds = load_dataset("synthetic", root=synthetic_root)
    names = ds.names[:3]
    scores = evaluate_results(ds, _shifted(ds, names, 4.0))
    assert scores.overall[extra_metric] == pytest.approx(4.0)  # shifted by 4 px on every frame
    assert scores.per_sequence[extra_metric].tolist() == pytest.approx([4.0] * 3)
    assert scores.per_attribute[extra_metric].notna().all()  # per attribute too
    doc = scores.to_json()
    assert doc["overall"][extra_metric] == pytest.approx(4.0)
    board = build_board([("shift", {**doc, "run": "shift"}, "")])
    assert extra_metric in board.metrics()
    assert "Worst error (px)" in to_markdown(leaderboard(board))
    objective = resolve_objective(ds, extra_metric, None)
    assert objective.direction == "minimize"


def test_every_protocol_has_a_primary_metric_in_its_table():
    for protocol, name in table.PRIMARY.items():
        assert METRICS[name].protocol == protocol and METRICS[name].leaderboard
    assert table.higher_is_better("robustness") is False and table.higher_is_better("eao") is True
    with pytest.raises(KeyError, match="unknown metric 'nope', known: success_auc"):
        table.metric_info("nope")


def test_centre_error_by_hand(synthetic_root):
    """The table's real extra metric: boxes moved by (3, 4) px are 5 px off on every frame; two
    sequences 5 and 10 px off average to 7.5 per sequence, and frame-pooled by their lengths."""
    ds = load_dataset("synthetic", root=synthetic_root)
    a, b = ds.names[:2]
    one = evaluate_results(ds, {a: np.asarray(ds[a].gt[:, :4], float) + [3, 4, 0, 0]})
    assert one.overall["centre_error"] == pytest.approx(5.0)
    assert one.per_sequence.loc[a, "centre_error"] == pytest.approx(5.0)
    two = {a: np.asarray(ds[a].gt[:, :4], float) + [3, 4, 0, 0], b: np.asarray(ds[b].gt[:, :4], float) + [6, 8, 0, 0]}
    assert evaluate_results(ds, two).overall["centre_error"] == pytest.approx(7.5)
    assert METRICS["centre_error"].higher_is_better is False


def test_centre_error_pools_frames_under_frame_weighted_profiles():
    from types import SimpleNamespace

    from sotbench.metrics.centre_error import mean_centre_error
    from sotbench.metrics.table import OpeContext

    values = np.array([1.0, 1.0, 1.0, 4.0, np.inf, -np.inf])  # inf: failed frame, -inf: counted as correct
    frames = SimpleNamespace(precision=SimpleNamespace(value=values, counted=np.ones(6, bool)))
    seq = np.array([0, 0, 0, 1, 1, 1])
    per_seq_mean = OpeContext(frames, seq, 2, SimpleNamespace(sequence_weight="sequences"), np.arange(2))
    pooled = OpeContext(frames, seq, 2, SimpleNamespace(sequence_weight="frames"), np.arange(2))
    assert mean_centre_error(per_seq_mean)[0] == pytest.approx((1.0 + 4.0) / 2)
    assert mean_centre_error(pooled)[0] == pytest.approx(7.0 / 4)
    np.testing.assert_allclose(mean_centre_error(pooled)[1], [1.0, 4.0])
