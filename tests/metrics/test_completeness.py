"""Every score says how complete it is and what made it: partial roots, ``--sequences`` subsets
and random weights are recorded in ``scores.json`` / ``eval --json`` and printed by ``eval``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.evaluate import evaluate
from sotbench.results import RunDir
from sotbench.scores import read_scores

PARTIAL_OTB = "partial: 5 of 100 sequences — not comparable with published OTB100 numbers"
RANDOM = "random weights (--allow-random-weights): not a real result"


@pytest.fixture
def otb5(shared_data, tmp_path) -> Path:
    """An annotation-only OTB100 root (pysot JSON) holding 5 of the 100 sequences."""
    full = json.loads((shared_data / "annotations/OTB100/pysot/OTB100.json").read_text())
    root = tmp_path / "OTB100-5"
    root.mkdir()
    (root / "OTB100.json").write_text(json.dumps({k: full[k] for k in list(full)[:5]}))
    return root


@pytest.fixture(scope="module")
def synthetic(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


def _gt_run(dataset, folder: Path, manifest: dict | None = None) -> Path:
    run = RunDir(folder)
    for seq in dataset:
        run.write_ope(seq.name, seq.gt[:, :4], times=np.full(len(seq.gt), 0.01))
    if manifest is not None:
        (folder / "run.json").write_text(json.dumps(manifest))
    return folder


def _manifest(weights: dict | None, allow: bool = True) -> dict:
    info = {"weights": weights} if weights is not None else {}
    return {"schema": "sotbench-run-v1", "run": "r", "status": "finished",
            "tracker": {"tracker": "siamrpnpp", "name": "r", "params": {}, "allow_random_weights": allow},
            "tracker_info": info, "dataset": {"key": "synthetic", "split": "test"}}


def test_partial_root_scores_say_5_of_100(otb5, shared_data, tmp_path):
    dataset = load_dataset("otb100", root=otb5)
    scores = evaluate(dataset, shared_data / "results/OTB100/SiamRPN", out=tmp_path / "out")
    doc = read_scores(tmp_path / "out" / "scores.json")
    cov = doc["coverage"]
    assert (cov["evaluated"], cov["total"], cov["on_disk"], cov["split_total"]) == (5, 5, 5, 100)
    assert cov["split_known"] is True and cov["complete"] is False and cov["missing"] == []
    assert doc["caveats"] == [PARTIAL_OTB] and doc["flags"] == {"random_weights": False}
    assert scores.to_json()["caveats"] == [PARTIAL_OTB]


def test_eval_console_and_json_carry_the_caveat(otb5, shared_data, tmp_path, capsys):
    args = ["eval", "--dataset", "otb100", "--root", str(otb5), "--results",
            str(shared_data / "results/OTB100/SiamRPN"), "--out", str(tmp_path / "out")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "5/100 sequences" in out.splitlines()[0]
    assert f"caveat: {PARTIAL_OTB}" in out.splitlines()
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["coverage"]["split_total"] == 100 and doc["coverage"]["evaluated"] == 5
    assert doc["caveats"] == [PARTIAL_OTB] and doc["flags"]["random_weights"] is False


def test_explicit_sequence_subset_is_partial_too(synthetic, tmp_path):
    run = _gt_run(synthetic, tmp_path / "run")
    names = synthetic.names[:3]
    doc = evaluate(synthetic, run, write=False, sequences=names).to_json()
    assert (doc["coverage"]["evaluated"], doc["coverage"]["on_disk"], doc["coverage"]["split_total"]) == (3, 8, 8)
    assert doc["caveats"] == ["partial: 3 of 8 sequences — not comparable with published Synthetic numbers"]


def test_complete_run_has_no_caveat(synthetic, tmp_path):
    doc = evaluate(synthetic, _gt_run(synthetic, tmp_path / "run"), write=False).to_json()
    assert doc["coverage"]["complete"] is True and doc["coverage"]["split_known"] is True
    assert doc["caveats"] == [] and doc["flags"] == {"random_weights": False}


@pytest.mark.parametrize("weights, allow, expected", [
    ({"source": "random", "random": "torch default init (seed 0)", "state_sha256": "ab"}, True, True),
    ({"source": "zoo:siamrpnpp-r50-lasot", "sha256": "cd"}, True, False),  # allowed, but a checkpoint was found
    (None, True, True),  # a tracker that reports no weights: the flag is all there is
    (None, False, False),
])
def test_random_weights_flag_from_the_manifest(synthetic, tmp_path, weights, allow, expected):
    run = _gt_run(synthetic, tmp_path / "run", _manifest(weights, allow))
    evaluate(synthetic, run)
    doc = read_scores(run / "scores.json")
    assert doc["flags"] == {"random_weights": expected}
    assert (RANDOM in doc["caveats"]) is expected


def test_eval_console_marks_random_weights(synthetic_root, synthetic, tmp_path, capsys):
    run = _gt_run(synthetic, tmp_path / "run", _manifest({"source": "random"}))
    assert main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root), "--results", str(run),
                 "--no-write"]) == 0
    assert f"caveat: {RANDOM}" in capsys.readouterr().out.splitlines()


def test_vot_scores_carry_the_split_total(shared_data, tmp_path):
    pytest.importorskip("sotbench.metrics.vot_eval")
    dataset = load_dataset("vot2018", root=shared_data / "annotations/VOT2018")
    names = dataset.names[:2]
    doc = evaluate(dataset, shared_data / "results/VOT2018/SiamRPN++", write=False, sequences=names).to_json()
    assert (doc["coverage"]["evaluated"], doc["coverage"]["split_total"]) == (2, 60)
    assert doc["caveats"] == ["partial: 2 of 60 sequences — not comparable with published VOT2018 numbers"]


def test_full_published_root_has_no_caveat(shared_data):
    dataset = load_dataset("otb100", root=shared_data / "annotations/OTB100/pysot")
    doc = evaluate(dataset, shared_data / "results/OTB100/SiamRPN", write=False).to_json()
    assert doc["coverage"]["complete"] is True and doc["coverage"]["split_total"] == 100
    assert doc["caveats"] == []
