"""``sotbench compare`` on the bundled real results: SiamRPN++ and SiamBAN are not distinguishable on
OTB100 (0.6955 vs 0.6961 AUC), SiamRPN++ and SiamFC are; identical runs differ by exactly 0."""

import json

import pytest

from sotbench.cli import main


@pytest.fixture(scope="module")
def otb(shared_data):
    return ["--dataset", "otb100", "--root", str(shared_data / "annotations/OTB100/pysot")], \
        shared_data / "results/OTB100"


def _json(capsys, argv) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_siamrpnpp_vs_siamban_interval_contains_zero(otb, capsys):
    args, results = otb
    doc = _json(capsys, ["compare", *args, "--results", str(results / "SiamRPN++"), str(results / "SiamBAN"), "--json"])
    assert doc["metric"] == "success_auc" and doc["n_sequences"] == 100 and doc["test"] == "paired bootstrap"
    assert doc["a"]["value"] == pytest.approx(0.6955, abs=5e-5) and doc["b"]["value"] == pytest.approx(0.6961, abs=5e-5)
    assert doc["difference"] == pytest.approx(doc["a"]["value"] - doc["b"]["value"])
    lo, hi = doc["ci95"]
    assert lo < 0 < hi and doc["p_value"] > 0.5 and not doc["significant"]
    assert doc["p_values"]["wilcoxon"] > 0.05
    assert doc["bootstrap"] == {"method": "percentile", "level": 0.95, "resamples": 10000, "seed": 0, "unit": "sequence"}


def test_siamrpnpp_vs_siamfc_interval_excludes_zero(otb, capsys):
    args, results = otb
    argv = ["compare", *args, "--results", str(results / "SiamRPN++"), str(results / "SiamFC")]
    doc = _json(capsys, [*argv, "--json"])
    assert doc["ci95"][0] > 0 and doc["p_value"] < 0.01 and doc["p_values"]["wilcoxon"] < 0.01 and doc["significant"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "A - B: +0.1088" in text and "significant at 0.05: SiamRPN++ is better" in text


def test_identical_runs_and_errors(otb, capsys):
    args, results = otb
    run = str(results / "ATOM")
    doc = _json(capsys, ["compare", *args, "--results", run, run, "--json", "--metric", "precision",
                         "--resamples", "500"])
    assert doc["difference"] == 0 and doc["ci95"] == [0, 0] and doc["p_value"] == 1 and doc["p_values"]["wilcoxon"] == 1
    assert main(["compare", *args, "--results", run, run, "--metric", "eao"]) == 2
    err = capsys.readouterr().err
    assert "unknown metric 'eao'" in err and "success_auc" in err and err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_:  # a range-checked flag: argparse's one-line usage error
        main(["compare", *args, "--results", run, run, "--resamples", "-1"])
    assert exit_.value.code == 2 and "--resamples: expected an integer in [0, 1000000], got -1" in capsys.readouterr().err


def test_vot_eao_has_no_wilcoxon(shared_data, capsys):
    results = shared_data / "results/VOT2018"
    doc = _json(capsys, ["compare", "--dataset", "vot2018", "--root", str(shared_data / "annotations/VOT2018"),
                         "--results", str(results / "SiamRPN++"), str(results / "DaSiamRPN"), "--json",
                         "--resamples", "2000"])
    assert doc["metric"] == "eao" and doc["n_sequences"] == 60 and doc["p_values"]["wilcoxon"] is None
    assert doc["a"]["value"] == pytest.approx(0.415, abs=5e-4)
    assert doc["ci95"][0] < doc["difference"] < doc["ci95"][1]
