"""``run --precision bf16 --audit N``: the fp32 re-run and the paired difference, checked against
separate fp32 and bf16 runs scored as ``sotbench eval`` scores them (fixture weights, a few real frames, CPU)."""

from __future__ import annotations

import json

import pytest

from sotbench.cli import main as cli
from sotbench.datasets import load_dataset
from sotbench.evaluate import evaluate


def _run(root, out, checkpoint, *extra):
    return cli(["run", "--tracker", "siamrpnpp/pysot-vot2018", "--dataset", "folder", "--root", str(root),
                "--checkpoint", str(checkpoint), "--device", "cpu", "--out", str(out), "--no-progress", *extra])


def _per_sequence(run_dir, root) -> dict[str, float]:
    scores = evaluate(load_dataset("folder", root=root), run_dir, write=False)
    return scores.per_sequence["success_auc"].to_dict()


def test_audit_reruns_in_fp32_and_reports_the_paired_difference(folder_root, tmp_path, randw_checkpoint, capsys):
    assert _run(folder_root, tmp_path / "a", randw_checkpoint, "--precision", "bf16", "--audit", "1") == 0
    out = capsys.readouterr().out
    run = tmp_path / "a/custom/siamrpnpp-pysot-vot2018"
    doc = json.loads((run / "audit/audit.json").read_text())
    assert doc["precision"] == "bf16" and doc["reference"] == "fp32" and doc["metric"] == "success_auc"
    assert doc["n_sequences"] == 1 and [r["sequence"] for r in doc["sequences"]] == ["bag"]
    assert "precision audit: bf16 vs fp32 on 1 sequences" in out and "only 1 sequences" in out
    # the fp32 side is what a plain fp32 run scores; the bf16 side what eval scores on the bf16 run
    assert _run(folder_root, tmp_path / "b", randw_checkpoint, "--sequences", "bag") == 0
    fp32 = _per_sequence(tmp_path / "b/custom/siamrpnpp-pysot-vot2018", folder_root)
    bf16 = _per_sequence(run, folder_root)
    row = doc["sequences"][0]
    assert row["fp32"] == pytest.approx(fp32["bag"], abs=1e-12)
    assert row["bf16"] == pytest.approx(bf16["bag"], abs=1e-12)
    assert row["difference"] == pytest.approx(bf16["bag"] - fp32["bag"], abs=1e-12)
    assert doc["mean_difference"] == pytest.approx(row["difference"], abs=1e-12)
    # the audit run is inside the run folder: the run itself still scores its 2 sequences only
    assert set(bf16) == {"bag", "Couple"}
    # a second call resumes both runs (nothing re-tracked) and gives the same report
    capsys.readouterr()
    assert _run(folder_root, tmp_path / "a", randw_checkpoint, "--precision", "bf16", "--audit", "1") == 0
    second = capsys.readouterr().out
    assert "0 sequences run, 2 already finished" in second
    assert json.loads((run / "audit/audit.json").read_text())["sequences"] == doc["sequences"]


def test_audit_of_two_sequences_has_an_interval(folder_root, tmp_path, randw_checkpoint, capsys):
    assert _run(folder_root, tmp_path, randw_checkpoint, "--precision", "bf16", "--audit", "5") == 0
    doc = json.loads((tmp_path / "custom/siamrpnpp-pysot-vot2018/audit/audit.json").read_text())
    assert doc["n_sequences"] == 2 and doc["bootstrap"]["resamples"] > 0
    lo, hi = doc["ci95"]
    assert lo <= doc["mean_difference"] <= hi
    diffs = [r["difference"] for r in doc["sequences"]]
    assert doc["mean_difference"] == pytest.approx(sum(diffs) / 2, abs=1e-12)


@pytest.mark.parametrize("extra, message", [
    ((), "this run is fp32 already"),
    (("--precision", "bf16", "--protocol", "tre"), "runs on the dataset's own protocol"),
])
def test_audit_is_refused_where_it_compares_nothing(folder_root, tmp_path, randw_checkpoint, capsys, extra, message):
    assert _run(folder_root, tmp_path, randw_checkpoint, "--audit", "2", *extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "custom").exists()  # refused before anything ran
