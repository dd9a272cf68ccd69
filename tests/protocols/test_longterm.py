"""Long-term (VOT-LT) runs and scores: precision / recall / F-score by hand, against pysot's
F1Benchmark formulas (a literal re-statement of them) on hand-made results, the confidence
file layout, and long-term runs end to end (VOT2018-LT tree, synthetic, a real OTB sequence,
SiamRPN++'s best score as confidence)."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.evaluate import EvaluationError, evaluate
from sotbench.metrics.longterm import determine_thresholds, f_scores, precision_recall
from sotbench.metrics.overlap import region_overlaps


def test_precision_recall_by_hand():
    overlaps = np.array([np.nan, 0.8, 0.6, 0.0, 0.5])  # frame 0: the initialisation (no overlap)
    scores = np.array([np.nan, 0.9, 0.7, 0.2, 0.0])  # and no confidence
    thresholds = np.array([np.inf, 0.7, -np.inf])
    p, r = precision_recall(overlaps, scores, thresholds, n_visible=4)
    # +inf: no frame -> P 1, R 0; 0.7: frames 1, 2; -inf: confidence > 0 -> frames 1, 2, 3 (not 4: 0.0)
    assert p.tolist() == pytest.approx([1.0, 0.7, 1.4 / 3])
    assert r.tolist() == pytest.approx([0.0, 0.35, 0.35])
    f_low = 2 * (1.4 / 3) * 0.35 / (1.4 / 3 + 0.35)
    assert f_scores(p, r).tolist() == pytest.approx([0.0, 2 * 0.7 * 0.35 / 1.05, f_low])
    assert f_scores(np.array([0.0]), np.array([0.0])).tolist() == [0.0]  # P + R = 0


def test_thresholds_by_hand():
    scores = np.concatenate([[np.nan], np.arange(196, 0, -1) / 196])  # 196 values (and a NaN)
    th = determine_thresholds(scores)
    # d = floor(196 / 98) = 2: indices floor(linspace(1, 194, 98) + 0.5) of the sorted scores
    assert len(th) == 100 and th[0] == -np.inf and th[-1] == np.inf
    assert th[1] == 2 / 196 and th[-2] == 195 / 196 and th[2] == 4 / 196  # 1 + 193/97 + 0.5 -> 3
    assert (np.diff(th) > 0).all()
    few = determine_thresholds(np.array([0.3, 0.1, np.nan]))
    assert few.tolist() == [-np.inf, 0.1, 0.3, np.inf]  # fewer than 98: every score


def _pysot_f1(per_seq):
    """pysot toolkit's F1Benchmark, restated line by line: thresholds over all scores, per video
    precision / recall (utils/statistics.py calculate_f1), mean over videos, argmax of F."""
    pooled = sorted(s for _, scores, _ in per_seq for s in scores if not math.isnan(s))
    delta = math.floor(len(pooled) / 98)
    idxs = [math.floor(v + 0.5) for v in np.linspace(delta - 1, len(pooled) - delta, 98)]
    thresholds = [-math.inf] + [pooled[i] for i in idxs] + [math.inf]
    thresholds = thresholds[::-1]
    precisions, recalls = [], []
    for overlaps, scores, n_visible in per_seq:
        overlaps = [0.0 if math.isnan(o) else o for o in overlaps]
        scores = [0.0 if math.isnan(s) else s for s in scores]
        precision, recall = [], []
        for th in thresholds:
            idx = [i for i, s in enumerate(scores) if (s > 0 if th == -math.inf else s >= th)]
            if not idx:
                precision.append(1.0)
                recall.append(0.0)
            else:
                precision.append(sum(overlaps[i] for i in idx) / len(idx))
                recall.append(sum(overlaps[i] for i in idx) / n_visible)
        precisions.append(precision)
        recalls.append(recall)
    precision = np.mean(precisions, axis=0)
    recall = np.mean(recalls, axis=0)
    f1 = 2 * precision * recall / (precision + recall)
    k = int(np.argmax(f1))
    return precision[k], recall[k], f1[k]


def _lt_tree(root, seqs: dict):
    """A VOT2018-LT root (annotations, image sizes in the `sequence` files) and a pysot-layout run."""
    run = root / "results" / "Tracker" / "longterm"
    for name, (gt, boxes, conf) in seqs.items():
        d = root / "data" / name
        d.mkdir(parents=True)
        (d / "groundtruth.txt").write_text("".join("nan,nan,nan,nan\n" if np.isnan(g).all() else
                                                   ",".join(f"{v:g}" for v in g) + "\n" for g in gt))
        (d / "sequence").write_text("name={}\nwidth=320\nheight=240\n".format(name))
        r = run / name
        r.mkdir(parents=True)
        (r / f"{name}_001.txt").write_text("1\n" + "".join(",".join(f"{v:.4f}" for v in b) + "\n" for b in boxes[1:]))
        (r / f"{name}_001_confidence.value").write_text("\n" + "".join(f"{c:.6f}\n" for c in conf[1:]))
    (root / "data" / "list.txt").write_text("".join(f"{n}\n" for n in seqs))
    return root / "data", run.parent


def test_scores_equal_pysot_f1_benchmark_on_hand_made_results(tmp_path):
    rng = np.random.default_rng(7)
    seqs = {}
    for name, n, gone in (("alpha", 150, (40, 70)), ("beta", 120, (0, 0)), ("gamma", 90, (10, 60))):
        gt = np.tile([100.0, 80.0, 40.0, 30.0], (n, 1)) + rng.integers(-20, 20, (n, 1)) * [1, 1, 0, 0]
        gt[gone[0]:gone[1]] = np.nan
        boxes = gt.copy()
        boxes[np.isnan(boxes[:, 0])] = [150.0, 150.0, 40.0, 30.0]  # a box while the target is away
        boxes += rng.normal(0, 6, (n, 4)) * [1, 1, 0.3, 0.3]
        boxes[:, 2:] = np.abs(boxes[:, 2:]) + 5
        conf = rng.uniform(0, 1, n).round(6)
        conf[rng.choice(n, 5)] = 0.0  # ties and zero confidences
        seqs[name] = (gt, boxes, conf)
    root, run = _lt_tree(tmp_path, seqs)
    ds = load_dataset("vot2018lt", root=root)
    scores = evaluate(ds, run, write=False)
    per_seq = []
    for name, (gt, boxes, conf) in seqs.items():
        pred = np.array([[np.nan] * 4] + [list(b) for b in np.round(boxes[1:], 4)])
        overlaps = region_overlaps(pred, gt, (320, 240), mode="trax", pred_special=np.arange(len(gt)) == 0)
        conf_read = np.concatenate([[np.nan], conf[1:]])
        per_seq.append((list(overlaps), list(conf_read), int((~np.isnan(gt[:, 0])).sum())))
    p, r, f = _pysot_f1(per_seq)
    assert scores.protocol == "longterm" and scores.run == "Tracker"
    assert scores.overall["f_score"] == pytest.approx(f, abs=1e-12)
    assert scores.overall["lt_precision"] == pytest.approx(p, abs=1e-12)
    assert scores.overall["lt_recall"] == pytest.approx(r, abs=1e-12)
    assert 0.05 < f < 0.95
    assert list(scores.per_sequence.index) == ["alpha", "beta", "gamma"]
    assert scores.per_sequence.loc["gamma", "n_visible"] == 40
    # a confidence file of the wrong length is named, with what was expected
    conf = run / "longterm" / "beta" / "beta_001_confidence.value"
    conf.write_text("\n0.5\n")
    with pytest.raises(EvaluationError, match=r"beta_001_confidence.value: 2 lines, expected 120"):
        evaluate(ds, run, write=False)
    conf.unlink()
    with pytest.raises(EvaluationError, match=r"beta_001_confidence.value: no confidence file"):
        evaluate(ds, run, write=False)


@pytest.fixture()
def lt_root(shared_data, tmp_path):
    """VOT2018-LT layout from 40 frames of VOT2018 bag; the target is absent on frames 15-24."""
    src = shared_data / "sequences" / "VOT2018" / "bag"
    root = tmp_path / "VOT2018-LT"
    (root / "bag").mkdir(parents=True)
    gt = np.loadtxt(src / "groundtruth.txt", delimiter=",")[:40]
    xs, ys = gt[:, 0::2], gt[:, 1::2]
    rect = np.stack([xs.min(1), ys.min(1), xs.max(1) - xs.min(1), ys.max(1) - ys.min(1)], 1)
    rows = ["nan,nan,nan,nan" if 15 <= i < 25 else ",".join(f"{v:.2f}" for v in r) for i, r in enumerate(rect)]
    (root / "bag" / "groundtruth.txt").write_text("\n".join(rows) + "\n")
    for p in sorted(src.glob("*.jpg"))[:40]:
        (root / "bag" / p.name).symlink_to(p)
    (root / "list.txt").write_text("bag\n")
    return root


def test_vot2018lt_end_to_end(lt_root, tmp_path, capsys):
    out = tmp_path / "res"
    args = ["--dataset", "vot2018lt", "--root", str(lt_root)]
    assert main(["run", "--tracker", "ncc", *args, "--out", str(out), "--no-progress"]) == 0
    seq_dir = out / "VOT2018-LT" / "ncc" / "longterm" / "bag"
    lines = (seq_dir / "bag_001.txt").read_text().splitlines()
    conf = (seq_dir / "bag_001_confidence.value").read_text().splitlines()
    assert len(lines) == len(conf) == 40 and lines[0] == "1" and conf[0] == ""  # pysot's VOT-LT layout
    assert all(0 <= float(c) <= 1 for c in conf[1:])
    manifest = json.loads((seq_dir.parent / "run.json").read_text())
    assert manifest["protocol"]["name"] == "longterm" and manifest["dataset"]["key"] == "vot2018lt"
    assert main(["eval", *args, "--results", str(out / "VOT2018-LT" / "ncc"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["protocol"] == "longterm" and set(doc) >= {"f_score", "lt_precision", "lt_recall"}
    assert doc["f_score"] == pytest.approx(2 * doc["lt_precision"] * doc["lt_recall"]
                                           / (doc["lt_precision"] + doc["lt_recall"]))
    rep = tmp_path / "rep"
    assert main(["report", *args, "--results-root", str(out), "--out", str(rep), "--formats", "md,png"]) == 0
    text = (rep / "leaderboard.md").read_text()
    assert "F-score" in text and "long-term" in text and (rep / "plots" / "precision_recall.png").is_file()
    from sotbench.report.board import build_board
    from sotbench.report.plots_ope import LONGTERM_CURVES, curve_figure
    from sotbench.report.style import assign_styles

    scores = json.loads((seq_dir.parent / "scores.json").read_text())
    board = build_board([("ncc", scores, "")])
    fig = curve_figure(board, assign_styles(["ncc"]), "precision_recall", kinds=LONGTERM_CURVES)
    assert fig.axes[0].get_title() == "Precision/recall plots of long-term on VOT2018-LT"


def test_a_tracker_without_confidence_fails_its_sequences(lt_root, tmp_path, capsys):
    assert main(["run", "--tracker", "identity", "--dataset", "vot2018lt", "--root", str(lt_root),
                 "--out", str(tmp_path), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "the tracker reports no confidence on bag" in err
    assert not (tmp_path / "VOT2018-LT" / "identity" / "longterm" / "bag").exists()


def test_longterm_on_synthetic_and_a_real_otb_sequence(synthetic_root, shared_data, tmp_path, capsys):
    for dataset, root, seq in (("synthetic", synthetic_root, "Occluder"), ("otb100", shared_data / "sequences/OTB100",
                                                                            "Crossing")):
        args = ["--dataset", dataset, "--root", str(root), "--sequences", seq, "--protocol", "longterm"]
        assert main(["run", "--tracker", "ncc", *args, "--out", str(tmp_path), "--no-progress"]) == 0
        folder = next(tmp_path.glob(f"*/ncc/longterm/{seq}"))
        assert (folder / f"{seq}_001_confidence.value").is_file()
        assert main(["eval", *args, "--results", str(folder.parents[1]), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert doc["protocol"] == "longterm" and 0 < doc["f_score"] <= 1


def test_siamrpnpp_writes_its_best_score_as_confidence(lt_root, tmp_path, randw_checkpoint, randw_model):
    """SiamRPN++'s confidence is its chosen cell's score (pysot's ``best_score``), through its own
    batch backend; it equals the single-stream tracker's."""
    import torch

    from sotbench.datasets.vot import VOT2018LT
    from sotbench.frames import decode_image
    from sotbench.run import RunOptions, run_dataset
    from sotbench.trackers import TrackerSpec
    from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker

    small = tmp_path / "small"
    (small / "bag").mkdir(parents=True)
    frames = sorted((lt_root / "bag").glob("*.jpg"))[:4]
    for p in frames:
        shutil.copy(p, small / "bag" / p.name)
    rows = (lt_root / "bag" / "groundtruth.txt").read_text().splitlines()[:4]
    (small / "bag" / "groundtruth.txt").write_text("\n".join(rows) + "\n")
    (small / "list.txt").write_text("bag\n")
    spec = TrackerSpec("siamrpnpp", {"flavour": "pysot"}, checkpoint=str(randw_checkpoint), device="cpu")
    summary = run_dataset(spec, VOT2018LT(root=small), RunOptions(out=tmp_path / "res", progress=False))
    assert summary.ok
    conf = (summary.run_dir / "bag" / "bag_001_confidence.value").read_text().splitlines()
    assert conf[0] == "" and len(conf) == 4
    trk = SiamRPNppTracker(spec.resolved.params, randw_model, torch.device("cpu"))
    trk.init(decode_image(frames[0]), np.array([float(v) for v in rows[0].split(",")]))
    expected = [trk.update(decode_image(f)).score for f in frames[1:]]
    assert [float(c) for c in conf[1:]] == pytest.approx(expected, abs=2e-6)


def test_search_scores_long_term_runs_as_eval_does(lt_root, tmp_path, capsys):
    """The search scores in memory exactly as `eval` scores the files (its objective: the F-score)."""
    from sotbench.evaluate import evaluate_results
    from sotbench.trackers import TrackerSpec
    from sotbench.trackers.lockstep import run_ope

    ds = load_dataset("vot2018lt", root=lt_root)
    assert main(["run", "--tracker", "ncc", "--dataset", "vot2018lt", "--root", str(lt_root), "--out",
                 str(tmp_path), "--no-progress"]) == 0
    from_files = evaluate(ds, tmp_path / "VOT2018-LT" / "ncc", write=False).overall
    resolved = TrackerSpec("ncc").resolved
    output = run_ope(resolved.build(resolved.params), ds["bag"])
    in_memory = evaluate_results(ds, {"bag": output}).overall
    assert in_memory["f_score"] == pytest.approx(from_files["f_score"], abs=1e-5)  # files hold 4/6 decimals
    sweep = tmp_path / "lt.yaml"
    sweep.write_text(f"name: lt\npreset: ncc/default\ndataset: vot2018lt\nsplit: test\nroot: {lt_root}\n"
                     "space: {lr: [0.1, 0.8]}\nsampler: {type: random, seed: 0}\npruner: {type: none}\n"
                     "trials: 2\ntrial_batch: 2\nenqueue_preset: false\n")
    assert main(["search", str(sweep), "--out", str(tmp_path / "s"), "--no-progress", "--allow-test-split"]) == 0
    assert "best f_score" in capsys.readouterr().out
