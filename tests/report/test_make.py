"""make_report end to end on the synthetic benchmark: cache, coverage, bad input, CLI."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sotbench.evaluate", reason="needs the evaluator (sotbench.evaluate, metrics-ope)")

from sotbench.cli import main as cli_main  # noqa: E402
from sotbench.datasets import load_dataset  # noqa: E402
from sotbench.report import ReportError, make_report  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


def _write_run(folder: Path, dataset, shift: float, skip: tuple[str, ...] = ()) -> Path:
    """Result files = ground truth moved right by ``shift`` box widths."""
    folder.mkdir(parents=True, exist_ok=True)
    for seq in dataset:
        if seq.name in skip:
            continue
        boxes = seq.gt[:, :4].copy()
        boxes[1:, 0] += shift * boxes[1:, 2]
        np.savetxt(folder / f"{seq.name}.txt", boxes, fmt="%.4f", delimiter=",")
    return folder


@pytest.fixture
def runs(tmp_path, synthetic):
    root = tmp_path / "results" / "synthetic"
    return {name: _write_run(root / name, synthetic, shift) for name, shift in
            (("Exact", 0.0), ("Shifted", 0.3), ("Far", 0.7))}


def _auc(paths, name: str) -> float:
    return json.loads(paths.scores[name].read_text())["overall"]["success_auc"]


def test_scores_cached_until_results_or_profile_change(tmp_path, synthetic, runs):
    out = tmp_path / "report"
    first = make_report(synthetic, runs.values(), out, formats="md,csv")
    assert sorted(first.evaluated) == ["Exact", "Far", "Shifted"]
    assert [e.name for e in first.board.ranked] == ["Exact", "Shifted", "Far"]
    before = _auc(first, "Shifted")
    assert make_report(synthetic, runs.values(), out, formats="md").evaluated == []
    # rewriting a file with the same bytes is not a change; new bytes are
    path = runs["Shifted"] / "Drift.txt"
    path.write_bytes(path.read_bytes())
    assert make_report(synthetic, runs.values(), out, formats="md").evaluated == []
    _write_run(runs["Shifted"], synthetic, 0.0)
    third = make_report(synthetic, runs.values(), out, formats="md")
    assert third.evaluated == ["Shifted"]
    assert _auc(third, "Shifted") == _auc(third, "Exact") > before
    # another profile means other scores: everything is evaluated again
    other = make_report(synthetic, runs.values(), out, profile="got10k", formats="md")
    assert sorted(other.evaluated) == ["Exact", "Far", "Shifted"]
    assert other.board.profile == "got10k"


def test_run_scores_next_to_the_run_are_reused(tmp_path, synthetic, runs):
    from sotbench.evaluate import evaluate

    evaluate(synthetic, runs["Exact"])  # writes results/synthetic/Exact/scores.json
    paths = make_report(synthetic, [runs["Exact"]], tmp_path / "r", formats="csv")
    assert paths.evaluated == [] and paths.scores["Exact"] == runs["Exact"] / "scores.json"


def test_partial_run_shown_with_coverage_not_ranked(tmp_path, synthetic, runs):
    partial = _write_run(runs["Exact"].parent / "Partial", synthetic, 0.0, skip=("Dusk",))
    paths = make_report(synthetic, [*runs.values(), partial], tmp_path / "r", formats="csv")
    rows = {r["tracker"]: r for r in csv.DictReader(paths.csv.open())}
    assert rows["Partial"]["rank"] == "" and rows["Partial"]["coverage"] == "7/8"
    assert rows["Exact"]["rank"] == "1" and rows["Exact"]["coverage"] == "8/8"
    allowed = make_report(synthetic, [*runs.values(), partial], tmp_path / "r", formats="csv", allow_partial=True)
    assert [e.name for e in allowed.board.ranked][:2] in (["Exact", "Partial"], ["Partial", "Exact"])
    assert allowed.evaluated == []  # the cache is shared between both reports


def test_runs_of_another_dataset_refused(tmp_path, synthetic, runs):
    (runs["Far"] / "run.json").write_text(json.dumps({"schema": "sotbench-run-v1",
                                                      "dataset": {"key": "otb100", "split": "test"}}))
    with pytest.raises(ReportError, match=r"another dataset than synthetic/test: Far \(otb100/test"):
        make_report(synthetic, runs.values(), tmp_path / "r", formats="md")
    val = load_dataset("synthetic", root=synthetic.root, split="val")
    with pytest.raises(ReportError, match="cannot evaluate"):
        make_report(val, [runs["Exact"]], tmp_path / "r2", formats="md")  # no val sequence has results


def test_unreadable_result_file_named(tmp_path, synthetic, runs):
    (runs["Far"] / "Jumps.txt").write_text("1,2,3,4\nnot a box\n")
    paths = make_report(synthetic, runs.values(), tmp_path / "r", formats="md")  # the others are reported
    [skipped] = paths.skipped
    assert skipped.name == "Far" and re.search(r"cannot evaluate: unreadable.*Jumps\.txt:2:", skipped.reason)


def test_cli_report_with_results_root_and_speed(tmp_path, synthetic, runs, capsys):
    from sotbench.run import RunOptions, run_dataset
    from sotbench.trackers import TrackerSpec

    results = runs["Exact"].parent.parent
    run_dataset(TrackerSpec("identity"), synthetic, RunOptions(out=results, progress=False))
    out = tmp_path / "rep"
    code = cli_main(["report", "--dataset", "synthetic", "--root", str(synthetic.root), "--results-root",
                     str(results), "--out", str(out), "--formats", "md,csv,png"])
    text = capsys.readouterr().out
    assert code == 0, text
    # perfect boxes score 20/21 under pysot's strict ``iou > t`` at t = 1 (pysot-toolkit#7)
    assert text.splitlines()[2].startswith("| 1 | Exact | **0.952** ± 0.000 | **1.000** ± 0.000 |")
    rows = {r["tracker"]: r for r in csv.DictReader((out / "leaderboard.csv").open())}
    assert set(rows) == {"Exact", "Shifted", "Far", "identity"}
    assert float(rows["identity"]["tracker_fps"]) > 0 and rows["Exact"]["tracker_fps"] == ""
    assert rows["identity"]["source"] == "sotbench run" and rows["Exact"]["source"] == "imported"
    assert (out / "plots" / "success.png").is_file() and (out / "plots" / "radar.png").is_file()
    # a results root without the dataset's runs, and no runs at all, are clear errors
    assert cli_main(["report", "--dataset", "synthetic", "--root", str(synthetic.root)]) == 2
    assert "no runs given" in capsys.readouterr().err


def test_cli_scores_mode_refuses_mixed_profiles(tmp_path, synthetic, runs, capsys):
    from sotbench.evaluate import evaluate

    a = evaluate(synthetic, runs["Exact"], out=tmp_path / "a")
    b = evaluate(synthetic, runs["Far"], "got10k", out=tmp_path / "b")
    files = [str(p) for folder in ("a", "b") for p in sorted((tmp_path / folder).glob("scores*.json"))]
    assert a.profile != b.profile and len(files) == 2
    assert cli_main(["report", "--scores", *files, "--out", str(tmp_path / "o"), "--formats", "md"]) == 2
    assert "different metric profiles" in capsys.readouterr().err


@pytest.mark.needs_shared
def test_published_baselines_otb100(tmp_path, shared_data):
    """Bundled published raw results: leaderboard values match the published AUCs."""
    ann = shared_data / "annotations" / "OTB100" / "pysot"
    results = shared_data / "results" / "OTB100"
    picked = [results / n for n in ("SiamRPN++", "DaSiamRPN", "SiamFC")]
    paths = make_report("otb100", picked, tmp_path / "otb", formats="md", root=ann)
    board = paths.board
    assert [e.name for e in board.ranked] == ["SiamRPN++", "DaSiamRPN", "SiamFC"]
    # pysot MODEL_ZOO.md: SiamRPN++ (r50_l234) OTB100 AUC 0.696; DaSiamRPN 0.658 in the comparison sheet
    assert round(board.ranked[0].value("success_auc"), 3) == 0.696
    assert round(board.ranked[1].value("success_auc"), 3) == 0.658
    md = paths.markdown.read_text()
    assert md.startswith("# OTB100 leaderboard") and "| 1 | SiamRPN++ | **0.696** ± 0.027 |" in md


@pytest.mark.needs_shared
def test_published_baselines_vot2018(tmp_path, shared_data):
    """VOT2018 raw results: EAO ranking, A/R/EAO as published, VOT plots written."""
    pytest.importorskip("sotbench.metrics.vot_eval", reason="needs the VOT evaluator glue (metrics-ope)")
    results = shared_data / "results" / "VOT2018"
    paths = make_report("vot2018", [results / "DaSiamRPN", results / "SiamRPN++"], tmp_path / "vot",
                        root=shared_data / "annotations" / "VOT2018", formats="md,png")
    best = paths.board.ranked[0]
    # pysot MODEL_ZOO.md, siamrpn_r50_l234_dwxcorr on VOT2018: EAO 0.415, A 0.601, R 0.234
    assert best.name == "SiamRPN++" and [round(best.value(k), 3) for k in ("eao", "accuracy", "robustness")] \
        == [0.415, 0.601, 0.234]
    assert set(paths.plots) == {"eao_curve", "eao_ranking", "ar", "radar"}
    assert "| 1 | SiamRPN++ | **0.415** ± 0.071 | **0.601** ± 0.033 | **0.234** ± 0.078 | **50.0** ± 14.5 |" \
        in paths.markdown.read_text()


PARTIAL_OTB = "partial: 5 of 100 sequences — not comparable with published OTB100 numbers"


@pytest.mark.needs_shared
def test_partial_root_report_says_so_everywhere(tmp_path, shared_data, capsys):
    """A root with 5 of OTB100's sequences: the report and its console output say 'partial'."""
    full = json.loads((shared_data / "annotations/OTB100/pysot/OTB100.json").read_text())
    root = tmp_path / "OTB100-5"
    root.mkdir()
    (root / "OTB100.json").write_text(json.dumps({k: full[k] for k in list(full)[:5]}))
    runs = [str(shared_data / "results/OTB100" / n) for n in ("SiamRPN", "SiamFC")]
    out = tmp_path / "rep"
    code = cli_main(["report", "--dataset", "otb100", "--root", str(root), "--runs", *runs, "--out", str(out),
                     "--formats", "md,csv,tex,html", "--allow-partial"])
    text = capsys.readouterr().out
    assert code == 0 and PARTIAL_OTB in text.splitlines()
    rows = {r["tracker"]: r for r in csv.DictReader((out / "leaderboard.csv").open())}
    assert {r["coverage"] for r in rows.values()} == {"5/100"} and {r["rank"] for r in rows.values()} == {"1", "2"}
    for name in ("leaderboard.md", "leaderboard.tex", "index.html"):
        assert PARTIAL_OTB in (out / name).read_text(), name
    cached = json.loads((out / "scores" / "SiamRPN" / "scores.json").read_text())
    assert cached["caveats"] == [PARTIAL_OTB]


def test_score_files_without_the_completeness_facts_are_evaluated_again(tmp_path, synthetic, runs):
    from sotbench.evaluate import evaluate

    evaluate(synthetic, runs["Exact"])
    path = runs["Exact"] / "scores.json"
    old = json.loads(path.read_text())
    old.pop("flags"), old.pop("caveats")
    old["coverage"] = {k: old["coverage"][k] for k in ("evaluated", "total", "missing")}
    path.write_text(json.dumps(old))  # as written before the facts existed (same hashes)
    paths = make_report(synthetic, [runs["Exact"]], tmp_path / "r", formats="csv")
    assert paths.evaluated == ["Exact"]
    assert json.loads(paths.scores["Exact"].read_text())["coverage"]["split_total"] == 8


def test_score_files_without_intervals_are_evaluated_again(tmp_path, synthetic, runs):
    from sotbench.evaluate import evaluate

    evaluate(synthetic, runs["Exact"])
    path = runs["Exact"] / "scores.json"
    old = json.loads(path.read_text())
    for key in ("ci95", "bootstrap", "sequence_sums"):
        old.pop(key)
    path.write_text(json.dumps(old))  # as written before the intervals existed (same hashes)
    paths = make_report(synthetic, [runs["Exact"]], tmp_path / "r", formats="csv")
    assert paths.evaluated == ["Exact"]
    assert json.loads(paths.scores["Exact"].read_text())["ci95"]["success_auc"] is not None
