"""TRE and SRE scored as the OTB kit scores them (parts pooled frame by frame per sequence, then
the mean over sequences; hand-computed), their files checked, and both protocols end to end:
`sotbench run --protocol`, `eval`, `report` on the synthetic benchmark and on real OTB sequences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.evaluate import EvaluationError, evaluate
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import score_sequences
from sotbench.protocols import tre_starts
from sotbench.results import RunDir
from sotbench.sequences import Sequence

BOX = [1.0, 1.0, 10.0, 10.0]  # valid under every profile (all four numbers > 0)
HALF = [1.0, 1.0, 5.0, 10.0]  # IoU 0.5 with BOX
MISS = [100.0, 100.0, 10.0, 10.0]  # IoU 0


def test_parts_are_pooled_frame_by_frame():
    seq = Sequence(name="s", gt=np.tile(BOX, (4, 1)))
    part_a = np.array([BOX, BOX, HALF, MISS])  # frames 0..3: IoU 1 1 .5 0
    part_b = np.array([HALF, BOX])  # frames 2..3: IoU .5 1
    scoring = score_sequences([seq], {"s": [part_a, part_b]}, get_profile("pysot"), starts={"s": [0, 2]})
    overall, curves = scoring.overall()
    # the 6 frames pooled: IoU > t for 5 of them below t = 0.5 (10 thresholds 0 .. 0.45), for 3 of
    # them from 0.5 to 0.95 (10 thresholds), none at 1: AUC = (10 * 5/6 + 10 * 3/6) / 21
    assert overall["success_auc"] == pytest.approx((10 * 5 / 6 + 10 * 3 / 6) / 21)
    assert curves["success"]["y"][0] == pytest.approx(5 / 6)
    # (the mean of the two parts' own AUCs would be (12.5 + 15) / 42: not what the kit computes)
    assert overall["success_auc"] != pytest.approx((12.5 / 21 + 15 / 21) / 2)
    assert scoring.table.loc["s", "n_frames"] == 4


def test_each_part_starts_with_its_own_first_frame():
    # otb-matlab sets a part's first row to the ground truth (calcSeqErrRobust: rectMat(1,:) = anno(1,:))
    seq = Sequence(name="s", gt=np.tile(BOX, (4, 1)))
    parts = {"s": [np.array([MISS] * 4), np.array([MISS] * 2)]}
    overall, _ = score_sequences([seq], parts, get_profile("otb-matlab"), starts={"s": [0, 2]}).overall()
    # 2 of 6 pooled frames (the two first frames) are the ground truth: success 2/6 up to t < 1
    assert overall["success_auc"] == pytest.approx(20 * (2 / 6) / 21)


def test_sequences_are_averaged_after_pooling():
    one = Sequence(name="a", gt=np.tile(BOX, (2, 1)))
    two = Sequence(name="b", gt=np.tile(BOX, (2, 1)))
    trajs = {"a": [np.array([BOX, BOX]), np.array([MISS])], "b": [np.array([MISS, MISS])]}
    overall, _ = score_sequences([one, two], trajs, get_profile("pysot"), starts={"a": [0, 1], "b": [0]}).overall()
    # a: 2 of 3 pooled frames succeed up to t < 1; b: none; mean over the two sequences
    assert overall["success_auc"] == pytest.approx((20 * 2 / 3 / 21 + 0) / 2)


@pytest.fixture(scope="module")
def synthetic(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pysot's overlap_ratio (continuous, clipped to [0, 1])."""
    w = np.maximum(0, np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2]) - np.maximum(a[:, 0], b[:, 0]))
    h = np.maximum(0, np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3]) - np.maximum(a[:, 1], b[:, 1]))
    inter = w * h
    return np.clip(inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter), 0, 1)


def test_tre_end_to_end_on_synthetic(synthetic, synthetic_root, tmp_path, capsys):
    out = tmp_path / "res"
    args = ["--dataset", "synthetic", "--root", str(synthetic_root), "--sequences", "Drift,Jumps,Occluder"]
    assert main(["run", "--tracker", "ncc", *args, "--protocol", "tre", "--out", str(out), "--no-progress"]) == 0
    store = RunDir(out / "synthetic" / "ncc" / "tre", "tre")
    manifest = json.loads(store.manifest_path.read_text())
    assert manifest["protocol"]["name"] == "tre" and manifest["protocol"]["parts"] == 20
    assert not (out / "synthetic" / "ncc" / "run.json").exists()  # the OPE run folder is untouched
    seq = synthetic["Jumps"]
    starts = tre_starts(seq)
    for k, s in enumerate(starts, start=1):
        rows = np.loadtxt(store.part_path("Jumps", k), delimiter=",")
        assert rows.shape == (80 - s, 4)
        np.testing.assert_allclose(rows[0], seq.gt[s, :4])  # each segment starts from its ground truth
    # eval (given the run folder, --protocol picks its tre/ folder) = an oracle over the files
    assert main(["eval", *args, "--results", str(out / "synthetic" / "ncc"), "--protocol", "tre", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["protocol"] == "tre" and doc["run"] == "ncc" and doc["coverage"]["evaluated"] == 3
    per_seq = []
    for name in ("Drift", "Jumps", "Occluder"):
        gt = synthetic[name].gt[:, :4]
        ious = np.concatenate([_iou(np.loadtxt(store.part_path(name, k), delimiter=","), gt[s:])
                               for k, s in enumerate(tre_starts(synthetic[name]), start=1)])
        per_seq.append(np.mean([(ious > t).mean() for t in np.arange(0, 1.05, 0.05)]))
    assert doc["success_auc"] == pytest.approx(np.mean(per_seq), abs=1e-9)
    assert (store.path / "scores.json").is_file()
    # the report reads the tre/ folders and titles its plots by the protocol
    rep = tmp_path / "rep"
    assert main(["report", "--dataset", "synthetic", "--root", str(synthetic_root), "--results-root", str(out),
                 "--protocol", "tre", "--out", str(rep), "--formats", "md,csv"]) == 0
    text = (rep / "leaderboard.md").read_text()
    assert text.startswith("# Synthetic leaderboard") and "TRE, split `test`" in text
    from sotbench.report.board import build_board
    from sotbench.report.plots_ope import curve_figure
    from sotbench.report.style import assign_styles

    board = build_board([("ncc", json.loads((store.path / "scores.json").read_text()), "")], allow_partial=True)
    fig = curve_figure(board, assign_styles(["ncc"]), "success")
    assert fig.axes[0].get_title() == "Success plots of TRE on Synthetic"


def test_sre_end_to_end_on_real_otb(shared_data, tmp_path, capsys):
    root = shared_data / "sequences" / "OTB100"
    args = ["--dataset", "otb100", "--root", str(root), "--sequences", "Crossing,Jogging-1"]
    out = tmp_path / "res"
    assert main(["run", "--tracker", "identity", *args, "--protocol", "sre", "--out", str(out), "--no-progress"]) == 0
    store = RunDir(out / "OTB100" / "identity" / "sre", "sre")
    ds = load_dataset("otb100", root=root)
    crossing = ds["Crossing"]
    left = np.loadtxt(store.part_path("Crossing", 1), delimiter=",")
    x, y, w, h = crossing.gt[0, :4]
    assert left.shape == (120, 4) and left[0].tolist() == [x - np.ceil(0.1 * w), y, w, h]  # "left": 10% of w
    scale = np.loadtxt(store.part_path("Crossing", 9), delimiter=",")  # scale_8
    assert scale[0, 2:].tolist() == pytest.approx(np.round(0.8 * crossing.gt[0, 2:4]).tolist(), abs=1)
    assert main(["eval", *args, "--results", str(store.path), "--profile", "otb-matlab", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["protocol"] == "sre" and doc["profile"] == "otb-matlab" and doc["coverage"]["evaluated"] == 2
    assert 0 < doc["success_auc"] < 1


def test_tre_on_real_otb_respects_init_omit(shared_data, tmp_path):
    root = shared_data / "sequences" / "OTB100"
    out = tmp_path / "res"
    assert main(["run", "--tracker", "identity", "--dataset", "otb100", "--root", str(root), "--sequences",
                 "Jogging-1", "--protocol", "tre", "--out", str(out), "--no-progress"]) == 0
    store = RunDir(out / "OTB100" / "identity" / "tre", "tre")
    lengths = [len(store.part_path("Jogging-1", k).read_text().splitlines()) for k in range(1, 21)]
    starts = [307 - n for n in lengths]
    # the kit's initOmit/jogging-1.txt: images 61-83 (indices 60..82) start no segment
    assert not any(60 <= s <= 82 for s in starts) and starts[0] == 0 and starts == sorted(starts)
    scores = evaluate(load_dataset("otb100", root=root), store.path, sequences=["Jogging-1"], write=False)
    assert scores.protocol == "tre" and scores.coverage["evaluated"] == 1


def test_packaged_init_omit_equals_the_kit(shared_data):
    kit = load_dataset("otb100", root=shared_data / "annotations" / "OTB100" / "tracker_benchmark_tb100")
    native = load_dataset("otb100", root=shared_data / "annotations" / "OTB100" / "pysot")
    with_omit = [n for n in kit.names if kit[n].meta["init_omit"]]
    assert len(with_omit) == 27
    for name in kit.names:  # pysot's JSON layout has no initOmit/ folder: the packaged lists
        assert native[name].meta["init_omit"] == kit[name].meta["init_omit"], name


def test_incomplete_or_foreign_part_files_are_refused(synthetic, synthetic_root, tmp_path):
    out = tmp_path / "res"
    assert main(["run", "--tracker", "identity", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--sequences", "Drift", "--protocol", "tre", "--out", str(out), "--no-progress"]) == 0
    store = RunDir(out / "synthetic" / "identity" / "tre", "tre")
    last = store.part_path("Drift", 20)
    last.write_text("".join(last.read_text().splitlines(keepends=True)[:-1]))
    with pytest.raises(EvaluationError, match=r"Drift_020.txt: 19 rows, expected 20 \(TRE part 20 of Drift covers "
                                              r"frames 61..80 of 80\)"):
        evaluate(synthetic, store.path, sequences=["Drift"], write=False)
    last.unlink()
    with pytest.raises(EvaluationError, match=r"19 TRE part files, expected 20 \(Drift_001.txt .. Drift_020.txt\)"):
        evaluate(synthetic, store.path, sequences=["Drift"], write=False)


@pytest.mark.parametrize("dataset,protocol", [("uav123", "tre"), ("vot2018", "sre"), ("synthetic", "vot_reset")])
def test_protocols_a_dataset_does_not_define_are_refused(dataset, protocol, synthetic_root, shared_data, tmp_path,
                                                        capsys):
    roots = {"synthetic": synthetic_root, "uav123": shared_data / "annotations" / "UAV123",
             "vot2018": shared_data / "annotations" / "VOT2018"}
    root = roots[dataset]
    code = main(["run", "--tracker", "identity", "--dataset", dataset, "--root", str(root), "--protocol", protocol,
                 "--out", str(tmp_path / "res")])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot be run under the {protocol} protocol" in err and "its protocols: " in err
    assert len(err.strip().splitlines()) == 1


def test_tre_and_sre_also_write_the_otb_kit_results(synthetic, synthetic_root, tmp_path):
    """Each TRE / SRE sequence is also written as the OTB MATLAB kit's result file
    (``<seq>_<tracker>.mat``: the ``results`` cell of structs its perfPlot.m loads)."""
    from scipy.io import loadmat

    out = tmp_path / "res"
    for protocol in ("tre", "sre"):
        assert main(["run", "--tracker", "identity", "--dataset", "synthetic", "--root", str(synthetic_root),
                     "--sequences", "Jumps", "--protocol", protocol, "--out", str(out), "--no-progress"]) == 0
    tre = RunDir(out / "synthetic" / "identity" / "tre", "tre")
    mat = loadmat(tre.kit_mat_path("Jumps", "identity"), squeeze_me=True, struct_as_record=False)["results"]
    assert len(mat) == 20
    for k, (res, s) in enumerate(zip(mat, tre_starts(synthetic["Jumps"])), start=1):
        np.testing.assert_allclose(res.res, np.loadtxt(tre.part_path("Jumps", k), delimiter=","), atol=1e-4)
        assert (res.type, res.len, res.startFrame, res.annoBegin) == ("rect", 80 - s, 1 + s, 1)
    sre = RunDir(out / "synthetic" / "identity" / "sre", "sre")
    mat = loadmat(sre.kit_mat_path("Jumps", "identity"), squeeze_me=True, struct_as_record=False)["results"]
    assert [r.shiftType for r in mat] == ["left", "right", "up", "down", "topLeft", "topRight", "bottomLeft",
                                          "bottomRight", "scale_8", "scale_9", "scale_11", "scale_12"]
    # the export folder is not read as results
    assert evaluate(synthetic, sre.path, sequences=["Jumps"], write=False).coverage["evaluated"] == 1
