"""Repeated runs of a stochastic tracker (--repeat N): run ids as streams of one job, written as
pytracking's run-id folders; scores merged as the mean over runs with their spread (by hand);
deterministic trackers refused; eval and report merge the run ids."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.evaluate import evaluate
from sotbench.repeats import group_run_ids, merge_score_docs, run_id_folders
from sotbench.results import RunDir
from sotbench.run import RunError, RunOptions, run_dataset
from sotbench.trackers import TrackerSpec

NOISY = textwrap.dedent('''
    import numpy as np

    class Noisy:
        """The initial box plus Gaussian noise on its position: a stochastic tracker."""
        deterministic = False

        def __init__(self, sigma=3.0):
            self.sigma = float(sigma)
            self.rng = np.random.default_rng()

        def init(self, image, region):
            self.box = np.asarray(region[:4], float)

        def update(self, image):
            return self.box + self.rng.normal(0, self.sigma, 4) * [1, 1, 0, 0], float(self.rng.uniform())

        def params(self):
            return {"sigma": self.sigma}
''')


@pytest.fixture()
def noisy(plugin_module):
    return plugin_module("noisyplug", NOISY) + ":Noisy"


def _doc(auc, prec, curve, attr_auc, evaluated=8, hash_="h"):
    return {"schema": "sotbench-scores-v1", "dataset": "synthetic", "split": "test", "protocol": "ope",
            "profile": "pysot", "profile_hash": "p", "run": "x", "results_hash": hash_,
            "coverage": {"evaluated": evaluated, "total": 8, "missing": []},
            "overall": {"success_auc": auc, "precision": prec}, "curves": {"success": {"x": [0, 1], "y": curve}},
            "per_attribute": {"SV": {"name": "Scale Variation", "n_sequences": 3, "overall": {"success_auc": attr_auc},
                                     "curves": {}}},
            "speed": {"tracker_fps": 10.0}, "warnings": []}


def test_merge_is_the_mean_over_runs_with_the_spread():
    docs = [_doc(0.5, 0.6, [1.0, 0.2], 0.4, hash_="a"), _doc(0.7, 0.8, [1.0, 0.4], 0.6, hash_="b"),
            _doc(0.6, 0.7, [1.0, 0.3], 0.5, hash_="c")]
    merged = merge_score_docs(docs, ["x_000", "x_001", "x_002"], "x")
    assert merged["run"] == "x" and merged["overall"] == pytest.approx({"success_auc": 0.6, "precision": 0.7})
    assert merged["curves"]["success"]["y"] == pytest.approx([1.0, 0.3])
    assert merged["per_attribute"]["SV"]["overall"]["success_auc"] == pytest.approx(0.5)
    runs = merged["runs"]
    assert runs["n"] == 3 and runs["per_run"]["success_auc"] == [0.5, 0.7, 0.6]
    # sample standard deviation: sqrt(((-0.1)^2 + 0.1^2 + 0^2) / (3 - 1)) = 0.1
    assert runs["std"]["success_auc"] == pytest.approx(0.1)
    assert (runs["min"]["success_auc"], runs["max"]["success_auc"]) == (0.5, 0.7)
    assert merged["results_hash"] not in ("a", "b", "c")


def test_merge_refuses_runs_of_other_data_and_flags_uneven_coverage():
    other = _doc(0.5, 0.6, [1, 0], 0.4)
    other["profile_hash"] = "q"
    with pytest.raises(ValueError, match="differ in profile_hash"):
        merge_score_docs([_doc(0.5, 0.6, [1, 0], 0.4), other], ["a", "b"], "x")
    merged = merge_score_docs([_doc(0.5, 0.6, [1, 0], 0.4), _doc(0.5, 0.6, [1, 0], 0.4, evaluated=7)], ["a", "b"], "x")
    assert merged["coverage"]["evaluated"] == 7 and "cover different numbers of sequences" in merged["warnings"][0]


def test_run_ids_are_grouped_as_pytracking_names_them(tmp_path):
    for name in ("atom_000", "atom_001", "atom_002", "dimp_000", "kcf"):
        (tmp_path / name).mkdir()
    assert [p.name for p in run_id_folders(tmp_path / "atom")] == ["atom_000", "atom_001", "atom_002"]
    groups = group_run_ids(sorted(tmp_path.iterdir()))
    assert list(groups) == ["atom"]  # one run id alone is just a run folder


def test_repeat_end_to_end_on_synthetic(noisy, synthetic_root, tmp_path, capsys):
    out = tmp_path / "res"
    args = ["--dataset", "synthetic", "--root", str(synthetic_root), "--sequences", "Drift,Jumps"]
    assert main(["run", "--tracker", noisy, *args, "--repeat", "3", "--name", "noisy", "--out", str(out),
                 "--no-progress"]) == 0
    folders = [out / "synthetic" / f"noisy_{i:03d}" for i in range(3)]
    runs = [np.loadtxt(RunDir(f).ope_path("Drift"), delimiter=",") for f in folders]
    assert not np.allclose(runs[0], runs[1]) and all(r.shape == (80, 4) for r in runs)
    for i, f in enumerate(folders):
        assert json.loads((f / "run.json").read_text())["repeat"] == {"run_id": i, "runs": 3}
    ds = load_dataset("synthetic", root=synthetic_root)
    each = [evaluate(ds, f, sequences=["Drift", "Jumps"], write=False).overall for f in folders]
    assert main(["eval", *args, "--results", str(out / "synthetic" / "noisy"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["run"] == "noisy" and doc["runs"]["names"] == ["noisy_000", "noisy_001", "noisy_002"]
    assert doc["success_auc"] == pytest.approx(np.mean([o["success_auc"] for o in each]))
    assert doc["runs"]["std"]["precision"] == pytest.approx(np.std([o["precision"] for o in each], ddof=1))
    merged = out / "synthetic" / "noisy"
    assert (merged / "scores.json").is_file() and (merged / "per_sequence.csv").is_file()
    table = (merged / "per_sequence.csv").read_text()
    assert "n_runs" in table.splitlines()[0]
    # report: one entry for the three run ids, with the runs and their spread
    rep = tmp_path / "rep"
    assert main(["report", "--dataset", "synthetic", "--root", str(synthetic_root), "--results-root", str(out),
                 "--out", str(rep), "--formats", "md", "--allow-partial"]) == 0
    text = (rep / "leaderboard.md").read_text()
    std = doc["runs"]["std"]["success_auc"]
    assert "| noisy |" in text and f"3 (±{std:.3f})" in text and "mean over runs" in text
    assert "noisy_000" not in text.split("Repeated runs")[0]


def test_resumed_repeat_runs_only_what_is_missing(noisy, synthetic_root, tmp_path):
    ds = load_dataset("synthetic", root=synthetic_root)
    spec = TrackerSpec(noisy, name="noisy")
    opts = RunOptions(out=tmp_path, sequences=("Drift", "Jumps"), repeat=2, progress=False)
    first = run_dataset(spec, ds, opts)
    assert first.frames == 2 * 2 * 80  # two run ids of two sequences
    RunDir(tmp_path / "synthetic" / "noisy_001").ope_path("Jumps").unlink()
    kept = (tmp_path / "synthetic" / "noisy_000" / "Jumps.txt").read_text()
    again = run_dataset(spec, ds, opts)
    assert again.done == ["Jumps"] and again.skipped == ["Drift"] and again.frames == 80
    assert (tmp_path / "synthetic" / "noisy_000" / "Jumps.txt").read_text() == kept


def test_repeat_is_refused_where_runs_would_be_alike(synthetic_root, tmp_path, capsys):
    args = ["--dataset", "synthetic", "--root", str(synthetic_root), "--out", str(tmp_path), "--no-progress"]
    assert main(["run", "--tracker", "ncc", *args, "--repeat", "3"]) == 2
    err = capsys.readouterr().err
    assert "ncc is deterministic" in err and "3 identical runs" in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.rglob("*.txt"))
    ds = load_dataset("synthetic", root=synthetic_root)
    with pytest.raises(RunError, match="at least 2"):
        run_dataset(TrackerSpec("identity"), ds, RunOptions(out=tmp_path, repeat=1, progress=False))


def test_repeat_on_a_real_otb_sequence(noisy, shared_data, tmp_path, capsys):
    root = shared_data / "sequences" / "OTB100"
    args = ["--dataset", "otb100", "--root", str(root), "--sequences", "Crossing"]
    assert main(["run", "--tracker", noisy, *args, "--repeat", "2", "--name", "noisy", "--out", str(tmp_path),
                 "--no-progress"]) == 0
    assert main(["eval", *args, "--results", str(tmp_path / "OTB100" / "noisy_000"),
                 str(tmp_path / "OTB100" / "noisy_001"), "--merge-runs", "--json", "--no-write"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["runs"]["n"] == 2 and 0 < doc["success_auc"] < 1 and doc["coverage"]["evaluated"] == 1
