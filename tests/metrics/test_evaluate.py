"""``evaluate`` / ``sotbench eval``: score files, the --json contract, hidden ground truth."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.datasets.base import Dataset, DatasetSpec
from sotbench.evaluate import EvaluationError, evaluate, evaluate_trajectories, primary_metric
from sotbench.results import RunDir
from sotbench.scores import read_scores
from sotbench.sequences import Sequence

TOP_KEYS = {"schema", "dataset", "split", "protocol", "profile", "profile_hash", "run", "run_dir",
            "results_hash", "tracker", "coverage", "flags", "overall", "curves", "per_attribute", "speed", "warnings",
            "caveats", "ci95", "bootstrap", "sequence_sums"}


@pytest.fixture(scope="module")
def synthetic(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


def _noisy_run(dataset, folder, seed=0, drop=()):
    """A run folder of GT + noise boxes in the sotbench/pysot layout, with timing files."""
    rng = np.random.default_rng(seed)
    run = RunDir(folder)
    trajs = {}
    for seq in dataset:
        if seq.name in drop:
            continue
        boxes = seq.gt[:, :4] + rng.normal(0, 3, size=(len(seq.gt), 4))
        boxes[0] = seq.gt[0, :4]
        trajs[seq.name] = np.round(boxes, 4)
        run.write_ope(seq.name, trajs[seq.name], times=np.full(len(boxes), 0.02))
    return trajs


def test_scores_json_has_exactly_the_schema_keys(synthetic, tmp_path):
    trajs = _noisy_run(synthetic, tmp_path / "run")
    scores = evaluate(synthetic, tmp_path / "run")
    doc = read_scores(tmp_path / "run" / "scores.json")
    assert set(doc) == TOP_KEYS
    assert doc["profile"] == "pysot" and doc["coverage"] == {"evaluated": 8, "total": 8, "missing": [], "on_disk": 8,
                                                             "split_total": 8, "split_known": True, "complete": True}
    assert len(doc["curves"]["success"]["x"]) == 21 and len(doc["curves"]["precision"]["x"]) == 51
    assert set(doc["per_attribute"]) == {"IV", "SV", "OCC", "FM"}
    assert doc["per_attribute"]["SV"]["n_sequences"] == 3
    assert doc["speed"]["tracker_fps"] == pytest.approx(50.0)
    for key in ("success_auc", "precision", "norm_precision"):
        assert 0.0 <= doc["overall"][key] <= 1.0
        lo, hi = doc["ci95"][key]
        assert lo <= doc["overall"][key] <= hi
    assert doc["bootstrap"] == {"method": "percentile", "level": 0.95, "resamples": 10000, "seed": 0,
                                "unit": "sequence"}
    assert doc["sequence_sums"]["sequences"] == synthetic.names
    assert set(doc["per_attribute"]["SV"]["ci95"]) == set(doc["overall"])
    band = doc["curves"]["success"]["ci95"]
    assert all(lo <= y <= hi for lo, y, hi in zip(band["lo"], doc["curves"]["success"]["y"], band["hi"]))
    with open(tmp_path / "run" / "per_sequence.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["sequence"] for r in rows] == synthetic.names
    assert int(rows[0]["n_frames"]) == len(synthetic[0].gt)
    # the in-memory path gives the same numbers
    mem = evaluate_trajectories(synthetic, trajs)
    assert mem.overall == pytest.approx(scores.overall, abs=1e-12)


def test_results_hash_changes_with_the_files_and_profile_hash_with_the_profile(synthetic, tmp_path):
    _noisy_run(synthetic, tmp_path / "run")
    a = evaluate(synthetic, tmp_path / "run", write=False)
    b = evaluate(synthetic, tmp_path / "run", "otb-matlab", write=False)
    assert a.results_hash == b.results_hash and a.profile_hash != b.profile_hash
    path = RunDir(tmp_path / "run").ope_path(synthetic.names[0])
    boxes = np.loadtxt(path, delimiter=",")
    boxes[3, 0] += 1
    np.savetxt(path, boxes, fmt="%.4f", delimiter=",")
    assert evaluate(synthetic, tmp_path / "run", write=False).results_hash != a.results_hash


def test_non_default_profile_writes_its_own_score_file(synthetic, tmp_path):
    _noisy_run(synthetic, tmp_path / "run")
    evaluate(synthetic, tmp_path / "run", "got10k", out=tmp_path / "out")
    assert read_scores(tmp_path / "out" / "scores-got10k.json")["profile"] == "got10k"
    assert (tmp_path / "out" / "per_sequence-got10k.csv").is_file()


def test_missing_sequences_are_reported_not_hidden(synthetic, tmp_path):
    _noisy_run(synthetic, tmp_path / "run", drop=("Jumps", "Dusk"))
    scores = evaluate(synthetic, tmp_path / "run", write=False)
    assert scores.coverage == {"evaluated": 6, "total": 8, "missing": ["Jumps", "Dusk"], "on_disk": 8,
                               "split_total": 8, "split_known": True, "complete": False}
    assert "2 of 8 sequences have no results" in scores.warnings[0]


def test_cli_json_prints_one_object_with_the_overall_scores_on_top(synthetic_root, synthetic, tmp_path, capsys):
    _noisy_run(synthetic, tmp_path / "run")
    rc = main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root), "--results", str(tmp_path / "run"),
               "--json", "--out", str(tmp_path / "out")])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("success_auc", "precision", "norm_precision"):
        assert 0.0 <= doc[key] <= 1.0
        lo, hi = doc[f"{key}_ci95"]
        assert lo <= doc[key] <= hi
    assert doc["success_auc_ci95"][0] < doc["success_auc_ci95"][1]
    assert doc["profile"] == "pysot" and (tmp_path / "out" / "scores.json").is_file()
    assert doc["bootstrap"]["resamples"] == 10000
    assert main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root), "--results", str(tmp_path / "run"),
                 "--json", "--no-write", "--resamples", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["success_auc_ci95"] is None


def test_cli_table_and_errors(synthetic_root, synthetic, tmp_path, capsys):
    _noisy_run(synthetic, tmp_path / "run")
    assert main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--results", str(tmp_path / "run"), "--no-write"]) == 0
    out = capsys.readouterr().out
    assert "profile pysot" in out and "success_auc" in out
    assert main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--results", str(tmp_path / "run"), "--profile", "otb"]) == 2
    assert "unknown metric profile 'otb', known: pysot" in capsys.readouterr().err
    assert main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--results", str(tmp_path / "run"), "--profile", "vot-python"]) == 2
    assert "vot_reset" in capsys.readouterr().err
    bad = RunDir(tmp_path / "run").ope_path(synthetic.names[1])
    bad.write_text(bad.read_text() + "1,2,three,4\n")
    assert main(["eval", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--results", str(tmp_path / "run"), "--no-write"]) == 2
    err = capsys.readouterr().err
    assert f"{synthetic.names[1]}.txt:{len(synthetic[1].gt) + 1}: expected numbers" in err


class _Hidden(Dataset):
    """A benchmark whose test ground truth is hidden (only the first box is known)."""

    spec = DatasetSpec(key="trackingnet", title="Hidden test", folder="hidden", public_gt_splits=())

    def _index(self):
        gt = np.array([[1.0, 2, 3, 4]])
        return {"a": lambda: Sequence("a", gt, meta={"n_frames": 5})}


def test_hidden_ground_truth_points_to_pack(tmp_path):
    ds = _Hidden(root=tmp_path)
    with pytest.raises(EvaluationError, match="sotbench pack --dataset trackingnet --results DIR"):
        evaluate_trajectories(ds, {"a": np.zeros((5, 4))})


def test_primary_metric():
    assert primary_metric("otb100") == ("success_auc", True)
    assert primary_metric("vot2018") == ("eao", True)
    assert primary_metric(DatasetSpec(key="x", title="x", folder="x")) == ("success_auc", True)


def test_a_sotbench_run_is_scored_with_its_manifest(synthetic, tmp_path):
    """run -> evaluate: the tracker block and speed come from run.json; identity = first box held."""
    from sotbench.run import RunOptions, run_dataset
    from sotbench.trackers import TrackerSpec

    run_dataset(TrackerSpec("identity"), synthetic, RunOptions(out=tmp_path, progress=False))
    scores = evaluate(synthetic, tmp_path / "synthetic" / "identity")
    doc = read_scores(tmp_path / "synthetic" / "identity" / "scores.json")
    assert doc["tracker"]["tracker"] == "identity" and doc["speed"]["tracker_fps"] > 0
    held = {s.name: np.repeat(s.gt[:1, :4], len(s.gt), axis=0) for s in synthetic}
    assert scores.overall == pytest.approx(evaluate_trajectories(synthetic, held).overall, abs=1e-12)
