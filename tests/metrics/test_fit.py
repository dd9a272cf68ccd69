"""Results that do not belong to the dataset are refused in one line: wrong protocol layout, another
benchmark's files, ground truth that holds only the initial box.  Partial runs are still scored."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.evaluate import EvaluationError, evaluate
from sotbench.report import ReportError, make_report

ROOTS = {"otb100": "OTB100/pysot", "lasot": "LaSOT", "uav123": "UAV123", "vot2018": "VOT2018"}


def _eval(shared_data, key, results, *extra):
    return main(["eval", "--dataset", key, "--root", str(shared_data / "annotations" / ROOTS[key]),
                 "--results", str(results), *extra])


def _one_line_error(capsys, cmd="eval") -> str:
    err = capsys.readouterr().err
    assert err.startswith(f"sotbench {cmd}: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# -- item 3: layout of another protocol ---------------------------------------------------------
def test_vot_layout_against_a_one_pass_benchmark(shared_data, results_root, tmp_path, capsys):
    run = results_root / "VOT2018" / "SiamRPN++"
    assert _eval(shared_data, "otb100", run, "--out", str(tmp_path)) == 2
    err = _one_line_error(capsys)
    assert f"{run}: VOT reset-protocol layout (baseline/<seq>/<seq>_001.txt) but otb100 is a one-pass (OPE) " \
           "benchmark: expected <seq>.txt files" in err
    assert not list(tmp_path.iterdir())


def test_one_pass_layout_against_a_vot_benchmark(shared_data, results_root, capsys):
    run = results_root / "OTB100" / "SiamFC"
    assert _eval(shared_data, "vot2018", run, "--no-write") == 2
    err = _one_line_error(capsys)
    assert f"{run}: one-pass layout (<seq>.txt files) but vot2018 is a reset-protocol (VOT) benchmark: " \
           "expected baseline/<seq>/<seq>_001.txt files" in err


def test_forced_layout_of_another_protocol_is_refused_too(shared_data, results_root, capsys):
    assert _eval(shared_data, "otb100", results_root / "VOT2018" / "SiamRPN++", "--layout", "vot",
                 "--no-write") == 2
    assert "otb100 is a one-pass (OPE) benchmark" in _one_line_error(capsys)


def test_a_run_of_another_protocol_is_a_report_error_not_a_traceback(shared_data, results_root, tmp_path):
    ds = load_dataset("otb100", root=shared_data / "annotations/OTB100/pysot")
    with pytest.raises(ReportError, match=r"VOT reset-protocol layout .* otb100 is a one-pass"):
        make_report(ds, [results_root / "VOT2018" / "SiamRPN++"], tmp_path / "report", formats="md")


# -- item 4: another benchmark's files ----------------------------------------------------------
@pytest.mark.parametrize("key, example", [
    ("lasot", "Bird2.txt: 99 rows, LaSOT's bird-2 has 4101 frames"),
    ("uav123", "Car2.txt: 913 rows, UAV123's car2 has 1321 frames"),
])
def test_otb100_results_against_another_benchmark(shared_data, results_root, key, example, capsys):
    run = results_root / "OTB100" / "SiamFC"
    assert _eval(shared_data, key, run, "--no-write") == 2
    err = _one_line_error(capsys)
    assert str(run) in err and example in err
    assert "of 100 result files name a sequence of" in err


def test_other_benchmarks_results_against_otb100(shared_data, results_root, capsys):
    for bench in ("LaSOT/ATOM", "UAV123/KCF"):
        assert _eval(shared_data, "otb100", results_root / bench, "--no-write") == 2
        assert "name a sequence of OTB100" in _one_line_error(capsys)


def test_refusal_is_an_evaluation_error_and_keeps_existing_score_files(shared_data, results_root, tmp_path):
    ds = load_dataset("lasot", root=shared_data / "annotations/LaSOT")
    (tmp_path / "scores.json").write_text("{}")
    with pytest.raises(EvaluationError, match="name a sequence of LaSOT") as info:
        evaluate(ds, results_root / "OTB100" / "SiamFC", out=tmp_path)
    assert "\n" not in str(info.value)
    assert (tmp_path / "scores.json").read_text() == "{}" and len(list(tmp_path.iterdir())) == 1


def test_a_partial_run_of_the_right_benchmark_is_scored(shared_data, results_root, tmp_path, capsys):
    run = tmp_path / "SiamFC"
    run.mkdir()
    for p in sorted((results_root / "OTB100" / "SiamFC").glob("*.txt"))[:7]:
        shutil.copy(p, run)
    assert _eval(shared_data, "otb100", run, "--json", "--no-write") == 0
    assert json.loads(capsys.readouterr().out)["coverage"]["evaluated"] == 7


def test_a_run_is_scored_on_a_smaller_split_and_one_sequence(shared_data, results_root, tmp_path, capsys):
    run = tmp_path / "MDNet"  # Board.txt: 697 rows for 698 frames (a known quirk)
    shutil.copytree(results_root / "OTB100" / "MDNet", run)
    tune = load_dataset("otb100", root=shared_data / "annotations/OTB100/pysot", split="tune")
    (run / f"{tune.names[0]}.txt").unlink()  # 24 of 99 files are tune sequences, the rest heldout ones
    assert _eval(shared_data, "otb100", run, "--split", "tune", "--json", "--no-write") == 0
    assert json.loads(capsys.readouterr().out)["coverage"]["evaluated"] == 24
    assert _eval(shared_data, "otb100", run, "--sequences", "Board", "--json", "--no-write") == 0
    assert json.loads(capsys.readouterr().out)["coverage"]["evaluated"] == 1


def test_few_files_naming_the_benchmark_are_refused(shared_data, results_root, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    for name in ("Basketball", "Biker"):  # right names and lengths, but 2 of 40 files
        shutil.copy(results_root / "OTB100" / "SiamFC" / f"{name}.txt", run)
    for i in range(38):
        (run / f"clip{i:03d}.txt").write_text("1,2,3,4\n")
    assert _eval(shared_data, "otb100", run, "--no-write") == 2
    err = _one_line_error(capsys)
    assert "only 2 of 40 result files name a sequence of OTB100" in err and "another length" not in err


def test_otb100_results_score_otb2013(shared_data, results_root, capsys):
    assert main(["eval", "--dataset", "otb2013", "--root", str(shared_data / "annotations/OTB100/pysot"),
                 "--results", str(results_root / "OTB100" / "SiamFC"), "--json", "--no-write"]) == 0
    assert json.loads(capsys.readouterr().out)["coverage"]["evaluated"] == 51


def test_documented_length_exceptions(shared_data):
    """got10k and the VOT toolkit run Tiger1 from frame 1 (354 rows; the protocol scores 349 frames);
    LaSOT's monkey-17 files are longer than its ground truth (every toolkit truncates them)."""
    otb = load_dataset("otb100", root=shared_data / "annotations/OTB100/pysot")
    tiger, basket = otb["Tiger1"], otb["Basketball"]
    assert len(tiger) == 349 and otb.result_length_fits(tiger, 349) and otb.result_length_fits(tiger, 354)
    assert not otb.result_length_fits(tiger, 353) and not otb.result_length_fits(basket, len(basket) + 5)
    lasot = load_dataset("lasot", root=shared_data / "annotations/LaSOT")
    monkey, other = lasot["monkey-17"], lasot["bird-2"]
    assert lasot.result_length_fits(monkey, len(monkey) + 40) and not lasot.result_length_fits(monkey, len(monkey) - 1)
    assert not lasot.result_length_fits(other, len(other) + 40)


def test_many_files_of_another_length_are_refused(shared_data, results_root, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(results_root / "OTB100" / "SiamFC", run)
    for p in sorted(run.glob("*.txt"))[:10]:
        p.unlink()
    for p in sorted(run.glob("*.txt"))[:30]:  # 30 of 90 files far too long: another benchmark's
        np.savetxt(p, np.zeros((2000, 4)), fmt="%.1f", delimiter=",")
    assert _eval(shared_data, "otb100", run, "--no-write") == 2
    assert "30 of the 90 with ground truth here have another length" in _one_line_error(capsys)


def test_an_empty_results_folder(shared_data, tmp_path, capsys):
    assert _eval(shared_data, "otb100", tmp_path, "--no-write") == 2
    assert f"{tmp_path}: no result files" in _one_line_error(capsys)


def test_pack_refuses_a_vot_layout(shared_data, tmp_path, capsys):
    gt = shared_data / "annotations/TrackingNet/dummy_GT"
    for f in sorted(gt.glob("*.txt")):
        (tmp_path / "run" / "baseline" / f.stem).mkdir(parents=True)
        lines = f.read_text().splitlines()
        (tmp_path / "run" / "baseline" / f.stem / f"{f.stem}_001.txt").write_text("\n".join(["1", *lines[1:]]))
    assert main(["pack", "--dataset", "trackingnet", "--root", str(gt), "--results", str(tmp_path / "run"),
                 "--out", str(tmp_path / "sub.zip")]) == 2
    assert "trackingnet is a one-pass (OPE) benchmark" in _one_line_error(capsys, "pack")
    assert not (tmp_path / "sub.zip").exists()


# -- item 10: ground truth with only the initial box -----------------------------------------------
def test_a_video_with_only_the_initial_box_says_what_is_possible(shared_data, tmp_path, capsys):
    root = tmp_path / "videos"
    (root / "bag").mkdir(parents=True)
    shutil.copy(shared_data / "sequences/videos/pysot_demo/bag.avi", root / "bag")
    (root / "bag" / "groundtruth.txt").write_text("100,100,50,50\n")
    out = tmp_path / "results"
    assert main(["run", "--tracker", "identity", "--dataset", "folder", "--root", str(root), "--out", str(out),
                 "--no-progress"]) == 0
    run = next(out.glob("*/identity"))
    capsys.readouterr()
    assert main(["eval", "--dataset", "folder", "--root", str(root), "--results", str(run)]) == 2
    err = _one_line_error(capsys)
    assert "pack" not in err
    assert f"{root / 'bag' / 'groundtruth.txt'}: 1 ground-truth row" in err
    assert "one x,y,w,h row per frame" in err and f"tracked boxes are in {run}" in err
    assert not (run / "scores.json").exists()


def test_unreadable_result_files_are_reported_in_one_line(shared_data, results_root, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(results_root / "OTB100" / "SiamFC", run)
    for name in ("Basketball", "Biker"):
        (run / f"{name}.txt").write_text("1,2,3,4\nnot a box\n")
    assert _eval(shared_data, "otb100", run, "--no-write") == 2
    err = _one_line_error(capsys)
    assert "unreadable result files: " in err and "Basketball.txt:2: " in err and "Biker.txt:2: " in err
