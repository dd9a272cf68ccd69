"""One run that cannot be reported (unfinished, unreadable) does not abort the report: the others
are reported and the skipped one is listed with its reason, in the console and in the report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sotbench.evaluate", reason="needs the evaluator (sotbench.evaluate, metrics-ope)")

from sotbench.cli import main as cli_main  # noqa: E402
from sotbench.datasets import load_dataset  # noqa: E402
from sotbench.evaluate import evaluate  # noqa: E402
from sotbench.report import ReportError, make_report, report_from_scores  # noqa: E402
from sotbench.report.formats import markdown_escape  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


def _write_run(folder: Path, dataset, shift: float, only: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seq in list(dataset)[:only]:
        boxes = seq.gt[:, :4].copy()
        boxes[1:, 0] += shift * boxes[1:, 2]
        np.savetxt(folder / f"{seq.name}.txt", boxes, fmt="%.4f", delimiter=",")
    return folder


def _manifest(folder: Path, status: str) -> None:
    (folder / "run.json").write_text(json.dumps({
        "schema": "sotbench-run-v1", "run": folder.name, "status": status, "started": "2024-05-01T10:00:00+00:00",
        "tracker": {"tracker": "identity", "params": {}}, "dataset": {"key": "synthetic", "split": "test"}}))


@pytest.fixture
def results(tmp_path, synthetic) -> Path:
    """A results root: two good runs, one just started (run.json says running, no result file yet)."""
    root = tmp_path / "results" / "synthetic"
    _write_run(root / "Good", synthetic, 0.0)
    _write_run(root / "Fair", synthetic, 0.3)
    _manifest(_write_run(root / "Started", synthetic, 0.0, only=0), "running")
    return tmp_path / "results"


def _skipped(paths) -> dict[str, str]:
    return {s.name: s.reason for s in paths.skipped}


def test_unfinished_run_skipped_the_others_reported(tmp_path, synthetic, results):
    paths = make_report(synthetic, results_roots=[results], out=tmp_path / "r", formats="md,csv,html")
    assert [e.name for e in paths.board.entries] == ["Good", "Fair"]
    reason = _skipped(paths)["Started"]
    assert "unfinished" in reason and "status 'running'" in reason and "\n" not in reason
    md = paths.markdown.read_text()
    assert "## Skipped runs" in md and markdown_escape(f"Started ({results / 'synthetic' / 'Started'}): {reason}") in md
    assert "1 run skipped" in md.splitlines()[2]
    assert "Skipped runs" in paths.html.read_text() and "status &#x27;running&#x27;" in paths.html.read_text()
    assert {r["tracker"] for r in csv.DictReader(paths.csv.open())} == {"Good", "Fair"}


@pytest.mark.parametrize("damage, words", [
    (lambda run: (run / "run.json").write_text('{"schema": "sotbench-run-v1", "status": "fini'),
     ["run.json", "unreadable run manifest"]),
    (lambda run: (run / "Jumps.txt").write_text("1,2,3,4\nnot a box\n"), ["unreadable result files", "Jumps.txt:2"]),
])
def test_unreadable_run_skipped_with_the_reason(tmp_path, synthetic, results, damage, words):
    damage(results / "synthetic" / "Fair")
    paths = make_report(synthetic, results_roots=[results], out=tmp_path / "r", formats="md")
    assert [e.name for e in paths.board.entries] == ["Good"]
    reason = _skipped(paths)["Fair"]
    assert all(w in reason for w in words) and "\n" not in reason, reason


def test_nothing_reportable_is_an_error_naming_each_run(tmp_path, synthetic, results):
    for name in ("Good", "Fair"):
        _manifest(results / "synthetic" / name, "running")
    every = r"no run could be reported: Fair \(.*\): unfinished.*; Good \(.*\): unfinished.*; Started \("
    with pytest.raises(ReportError, match=every):
        make_report(synthetic, results_roots=[results], out=tmp_path / "r", formats="md")
    assert not (tmp_path / "r" / "leaderboard.md").exists()


def test_cli_lists_skipped_runs_and_exits_1(tmp_path, synthetic, results, capsys):
    out = tmp_path / "r"
    (out).mkdir()
    code = cli_main(["report", "--dataset", "synthetic", "--root", str(synthetic.root), "--results-root",
                     str(results), "--out", str(out), "--formats", "md"])
    captured = capsys.readouterr()
    assert code == 1
    assert "| 1 | Good |" in captured.out and (out / "leaderboard.md").is_file()
    warned = [line for line in captured.err.splitlines() if line.startswith("warning: skipped")]
    assert len(warned) == 1 and "Started" in warned[0] and "status 'running'" in warned[0], captured.err
    # every run reportable again: exit 0
    _write_run(results / "synthetic" / "Started", synthetic, 0.0)
    _manifest(results / "synthetic" / "Started", "finished")
    assert cli_main(["report", "--dataset", "synthetic", "--root", str(synthetic.root), "--results-root",
                     str(results), "--out", str(out), "--formats", "md"]) == 0
    assert "warning: skipped" not in capsys.readouterr().err


def test_scores_mode_skips_an_unreadable_score_file(tmp_path, synthetic, results):
    good = evaluate(synthetic, results / "synthetic" / "Good", out=tmp_path / "a").to_json()
    assert good["run"] == "Good"
    broken = tmp_path / "b" / "scores.json"
    broken.parent.mkdir()
    broken.write_text('{"schema": "sotbench-scores-v1", "dataset": ')
    paths = report_from_scores([tmp_path / "a" / "scores.json", broken], tmp_path / "r", formats="md")
    assert [e.name for e in paths.board.entries] == ["Good"]
    assert "not valid JSON" in _skipped(paths)[str(broken)]
