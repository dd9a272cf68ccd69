"""The got10k profile against the ``got10k`` package's own metric and experiment code.

The same arrays go to both: ``got10k.utils.metrics`` (``rect_iou``, ``center_error``), the
curve code of ``ExperimentOTB`` / ``ExperimentUAV123`` (run through ``report()`` on the real
bundled results, the experiment built around an in-memory dataset object) and
``ExperimentGOT10k.report()`` on generated GOT-10k-style sequences.  Agreement is to 1e-9.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from sotbench.metrics.ope import center_errors, curve_counts, frame_values, overlaps
from sotbench.metrics.prepare import PredictionError
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import score_sequences
from sotbench.sequences import Sequence

got10k_metrics = pytest.importorskip("got10k.utils.metrics", reason="needs the got10k package (test extra)")
from got10k.experiments import ExperimentGOT10k, ExperimentOTB, ExperimentUAV123  # noqa: E402

G10K = get_profile("got10k")


def _random_boxes(rng, n):
    """Boxes with integer and fractional coordinates, some zero-sized, some touching."""
    xy = rng.integers(-20, 200, size=(n, 2)).astype(float)
    wh = rng.integers(0, 80, size=(n, 2)).astype(float)
    frac = rng.random(n) < 0.5
    xy[frac] += rng.random((frac.sum(), 2))
    wh[frac] += rng.random((frac.sum(), 2))
    return np.concatenate([xy, wh], axis=1)


def _adversarial():
    """Pairs (pred, gt): zero size, NaN, touching, negative size, huge, IoU exactly k/20."""
    gt = np.array([0.0, 0.0, 20.0, 10.0])
    pairs = [(np.array([0.0, 0.0, float(k), 10.0]), gt) for k in range(0, 21)]  # IoU = k/20 exactly
    pairs += [
        (np.array([20.0, 0.0, 20.0, 10.0]), gt),  # touching on the right edge
        (np.array([0.0, 10.0, 20.0, 10.0]), gt),  # touching below
        (np.array([5.0, 5.0, 0.0, 0.0]), gt),  # zero-size prediction inside
        (np.array([5.0, 5.0, 0.0, 0.0]), np.array([5.0, 5.0, 0.0, 0.0])),  # both empty
        (np.array([np.nan] * 4), gt),
        (gt.copy(), np.array([np.nan] * 4)),
        (np.array([10.0, 5.0, -4.0, 3.0]), gt),  # negative width
        (np.array([1e9, 1e9, 1e9, 1e9]), gt),
        (np.array([-1e6, -1e6, 2e6, 2e6]), gt),  # contains the GT
    ]
    pred, gts = zip(*pairs)
    return np.array(pred), np.array(gts)


@pytest.mark.parametrize("kind", ["random", "adversarial"])
def test_iou_and_center_error_match_got10k(kind):
    if kind == "random":
        rng = np.random.default_rng(7)
        pred, gt = _random_boxes(rng, 20000), _random_boxes(rng, 20000)
    else:
        pred, gt = _adversarial()
    ours = overlaps(pred, gt, G10K)
    ref = got10k_metrics.rect_iou(pred.copy(), gt.copy())
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(center_errors(pred, gt), got10k_metrics.center_error(pred, gt),
                               rtol=0, atol=1e-9, equal_nan=True)


def test_exact_threshold_ious_are_compared_like_got10k():
    pred, gt = _adversarial()
    ious = got10k_metrics.rect_iou(pred.copy(), gt.copy())
    frames = frame_values(pred, gt, G10K)
    counted = frames.success.counted
    ours = curve_counts(frames.success.value[counted], np.zeros(counted.sum(), dtype=np.int64), 1,
                        G10K.thresholds("success"), ">")[0]
    nan_gt = np.isnan(gt).any(axis=1)  # got10k's UAV/LaSOT experiments drop these rows
    ref_valid = np.greater(ious[~nan_gt][:, None], np.linspace(0, 1, 21)[None, :]).sum(axis=0)
    assert ours.tolist() == ref_valid.tolist()


class _Dataset:
    """The minimum ``ExperimentOTB.report`` needs: names, length, iteration over (files, anno)."""

    def __init__(self, gts: dict[str, np.ndarray], metas: dict[str, dict] | None = None):
        self.seq_names = list(gts)
        self._gts, self._metas, self.return_meta = gts, metas or {}, False

    def __len__(self):
        return len(self.seq_names)

    def __getitem__(self, key):
        name = key if isinstance(key, str) else self.seq_names[key]
        anno = self._gts[name].copy()
        return (None, anno, self._metas[name]) if self.return_meta else (None, anno)

    def __iter__(self):
        for name in self.seq_names:
            yield self[name]


def _experiment(cls, dataset, tmp_path):
    exp = object.__new__(cls)
    exp.dataset, exp.result_dir, exp.report_dir = dataset, str(tmp_path / "results"), str(tmp_path / "reports")
    exp.nbins_iou, exp.nbins_ce = (101, 51) if cls is ExperimentGOT10k else (21, 51)
    exp.plot_curves = lambda *a, **k: None  # plotting is not under test
    return exp


def _copy_results(src: Path, names: list[str], dst: Path) -> None:
    """Copy a tracker's files under the sequence names got10k looks for."""
    files = {p.stem: p for p in src.glob("*.txt")}
    from sotbench.metrics.names import match_names

    mapping, _ = match_names(files, names)
    dst.mkdir(parents=True, exist_ok=True)
    for stem, seq in mapping.items():
        shutil.copyfile(files[stem], dst / f"{seq}.txt")


def _compare_report(exp, tracker, gts, trajs, profile, dataset_key):
    perf = exp.report([tracker])[tracker]
    seqs = [Sequence(n, g) for n, g in gts.items()]
    scoring = score_sequences(seqs, trajs, profile.for_dataset(dataset_key))
    overall, curves = scoring.overall()
    ref = perf["overall"]
    assert overall["success_auc"] == pytest.approx(ref["success_score"], abs=1e-9)
    assert overall["precision"] == pytest.approx(ref["precision_score"], abs=1e-9)
    assert overall["success_rate_50"] == pytest.approx(ref["success_rate"], abs=1e-9)
    np.testing.assert_allclose(curves["success"]["y"], ref["success_curve"], atol=1e-9)
    np.testing.assert_allclose(curves["precision"]["y"], ref["precision_curve"], atol=1e-9)
    succ = scoring.stats.curves("success")
    for i, name in enumerate(scoring.table.index):
        np.testing.assert_allclose(succ[i], perf["seq_wise"][name]["success_curve"], atol=1e-9, err_msg=name)


OTB_TRACKERS = ["SiamRPN++", "SiamRPN", "ATOM", "Ocean", "CFNet"]


@pytest.mark.parametrize("tracker", OTB_TRACKERS)
def test_otb_real_results_match_got10k_experiment(tracker, otb_gt, results_root, load_results, tmp_path):
    exp = _experiment(ExperimentOTB, _Dataset(otb_gt), tmp_path)
    _copy_results(results_root / "OTB100" / tracker, list(otb_gt), tmp_path / "results" / tracker)
    trajs = load_results(results_root / "OTB100" / tracker, list(otb_gt))
    _compare_report(exp, tracker, otb_gt, trajs, G10K, "otb100")


@pytest.mark.parametrize("tracker", ["KCF", "TLD", "SRDCF"])
def test_uav123_real_results_match_got10k_experiment(tracker, uav_gt, results_root, load_results, tmp_path):
    exp = _experiment(ExperimentUAV123, _Dataset(uav_gt), tmp_path)
    _copy_results(results_root / "UAV123" / tracker, list(uav_gt), tmp_path / "results" / tracker)
    trajs = load_results(results_root / "UAV123" / tracker, list(uav_gt))
    _compare_report(exp, tracker, uav_gt, trajs, G10K, "uav123")


# MDNet's Board (697 rows for 698 frames) and Twinnings (471 for 472) are one row short.
SHORT_MDNET = {"Board": (697, 698), "Twinnings": (471, 472)}


@pytest.mark.parametrize("seq", sorted(SHORT_MDNET))
def test_mdnet_short_file_is_refused_like_got10k(seq, otb_gt, results_root, load_results, tmp_path):
    """got10k's OTB experiment asserts ``len(boxes) == len(anno)``: the profile refuses the file too."""
    gts = {seq: otb_gt[seq]}
    _copy_results(results_root / "OTB100" / "MDNet", [seq], tmp_path / "results" / "MDNet")
    with pytest.raises(AssertionError):
        _experiment(ExperimentOTB, _Dataset(gts), tmp_path).report(["MDNet"])
    trajs = load_results(results_root / "OTB100" / "MDNet", [seq])
    rows, frames = SHORT_MDNET[seq]
    with pytest.raises(PredictionError, match=f"{seq}: {rows} rows for {frames} frames"):
        score_sequences([Sequence(seq, gts[seq])], trajs, G10K.for_dataset("otb100"))


def test_mdnet_other_sequences_match_got10k(otb_gt, results_root, load_results, tmp_path):
    """MDNet's 98 files of the right length score as got10k scores them."""
    gts = {n: g for n, g in otb_gt.items() if n not in SHORT_MDNET}
    exp = _experiment(ExperimentOTB, _Dataset(gts), tmp_path)
    _copy_results(results_root / "OTB100" / "MDNet", list(gts), tmp_path / "results" / "MDNet")
    _compare_report(exp, "MDNet", gts, load_results(results_root / "OTB100" / "MDNet", list(gts)), G10K, "otb100")


@pytest.mark.parametrize("cls, key, change", [(ExperimentOTB, "otb100", "longer"),
                                              (ExperimentUAV123, "uav123", "shorter"),
                                              (ExperimentUAV123, "uav123", "longer")])
def test_length_mismatch_is_refused_on_every_benchmark_like_got10k(cls, key, change, otb_gt, uav_gt, results_root,
                                                                 load_results, tmp_path):
    """Every got10k OPE experiment (ExperimentUAV123 and the others inherit ExperimentOTB.report) asserts."""
    gt_all, folder = (otb_gt, "OTB100/SiamRPN++") if key == "otb100" else (uav_gt, "UAV123/KCF")
    seq = sorted(gt_all)[0]
    pred = load_results(results_root / folder, [seq])[seq]
    pred = np.concatenate([pred, pred[-1:]]) if change == "longer" else pred[:-1]
    run = tmp_path / "results" / "T"
    run.mkdir(parents=True)
    np.savetxt(run / f"{seq}.txt", pred, fmt="%.17g", delimiter=",")
    with pytest.raises(AssertionError):
        _experiment(cls, _Dataset({seq: gt_all[seq]}), tmp_path).report(["T"])
    with pytest.raises(PredictionError, match=f"{len(pred)} rows for {len(gt_all[seq])} frames"):
        score_sequences([Sequence(seq, gt_all[seq])], {seq: pred}, G10K.for_dataset(key))


def test_got10k_has_no_lasot_experiment_so_the_profile_has_no_lasot_rule():
    """The profile applies the OTB/UAV experiments' rules on LaSOT: got10k ships no LaSOT experiment."""
    import got10k.experiments

    assert not [n for n in dir(got10k.experiments) if "lasot" in n.lower()]
    assert G10K.for_dataset("lasot") is G10K


def test_got10k_protocol_matches_experiment_got10k(tmp_path):
    """GOT-10k: frame 0 and cover==0 frames dropped, boxes clipped to the image, pooled AO/SR."""
    rng = np.random.default_rng(3)
    gts, metas, trajs, seqs = {}, {}, {}, []
    for i in range(12):
        n, w, h = int(rng.integers(20, 80)), 640, 360
        gt = _random_boxes(rng, n)
        gt[:, 2:] += 5
        cover = rng.integers(0, 9, size=n)
        pred = gt + rng.normal(0, 6, size=gt.shape)
        pred[rng.random(n) < 0.1] = [600, 300, 100, 100]  # partly outside the image
        name = f"GOT-10k_Val_{i:06d}"
        gts[name], metas[name], trajs[name] = gt, {"cover": cover, "resolution": f"({w}, {h})"}, pred
        seqs.append(Sequence(name, gt, cover=cover, image_size=(w, h)))
        (tmp_path / "results" / "T" / name).mkdir(parents=True)
        folder = tmp_path / "results" / "T" / name
        np.savetxt(folder / f"{name}_001.txt", pred, fmt="%.17g", delimiter=",")
        np.savetxt(folder / f"{name}_time.txt", np.full(n, 0.01))  # got10k's report needs it
    exp = _experiment(ExperimentGOT10k, _Dataset(gts, metas), tmp_path)
    exp.subset, exp.repetitions = "val", 3
    ref = exp.report(["T"])["T"]["overall"]
    scoring = score_sequences(seqs, trajs, G10K.for_dataset("got10k"))
    overall, curves = scoring.overall()
    assert overall["success_auc"] == pytest.approx(ref["ao"], abs=1e-9)  # AO is the success score
    assert overall["success_rate_50"] == pytest.approx(ref["sr"], abs=1e-9)
    np.testing.assert_allclose(curves["success"]["y"], ref["succ_curve"], atol=1e-9)


def _adversarial_sequences(rng, nan_gt: bool):
    """Random sequences whose predictions include NaN rows, zero sizes, touching and exact-k/20 boxes."""
    gts, trajs = {}, {}
    for i in range(15):
        n = int(rng.integers(30, 120))
        gt = _random_boxes(rng, n)
        gt[:, 2:] = np.maximum(gt[:, 2:], 1.0)
        gt[:, :2] = np.abs(gt[:, :2]) + 1
        pred = gt + rng.normal(0, 4, size=gt.shape)
        k = rng.integers(0, 21, size=n)
        exact = rng.random(n) < 0.2  # same x, y, h and width k/20 of the GT: IoU exactly k/20
        pred[exact] = gt[exact]
        pred[exact, 2] = gt[exact, 2] * k[exact] / 20
        pred[rng.random(n) < 0.05] = np.nan
        pred[rng.random(n) < 0.05, 2] = 0.0
        touch = rng.random(n) < 0.05
        pred[touch] = gt[touch] + np.stack([gt[touch, 2], np.zeros(touch.sum()), np.zeros(touch.sum()),
                                            np.zeros(touch.sum())], axis=1)
        if nan_gt:
            gt[rng.random(n) < 0.1] = np.nan
            gt[0] = np.abs(gt[0]) if not np.isnan(gt[0]).any() else [5.0, 5.0, 20.0, 20.0]
        gts[f"s{i}"], trajs[f"s{i}"] = gt, pred
    return gts, trajs


@pytest.mark.parametrize("cls, key", [(ExperimentOTB, "otb100"), (ExperimentUAV123, "uav123")])
def test_adversarial_trajectories_match_got10k_experiments(cls, key, tmp_path):
    gts, trajs = _adversarial_sequences(np.random.default_rng(11), nan_gt=cls is ExperimentUAV123)
    folder = tmp_path / "results" / "T"
    folder.mkdir(parents=True)
    for name, pred in trajs.items():
        np.savetxt(folder / f"{name}.txt", pred, fmt="%.17g", delimiter=",")
    exp = _experiment(cls, _Dataset(gts), tmp_path)
    _compare_report(exp, "T", gts, trajs, G10K, key)


def _got10k_val_tree(root: Path, rng) -> dict[str, dict]:
    """A GOT-10k val folder (frames, groundtruth, cover, meta_info) read by the dataset adapter."""
    import cv2

    split = root / "val"
    split.mkdir(parents=True)
    names = [f"GOT-10k_Val_{k:06d}" for k in (1, 2, 3)]
    (split / "list.txt").write_text("\n".join(names) + "\n")
    truth = {}
    for name in names:
        n, (w, h) = int(rng.integers(12, 30)), (64, 48)
        folder = split / name
        folder.mkdir()
        for i in range(1, n + 1):
            cv2.imwrite(str(folder / f"{i:08d}.jpg"), np.zeros((h, w, 3), np.uint8))
        gt = np.column_stack([rng.integers(0, 40, (n, 2)), rng.integers(4, 30, (n, 2))]).astype(float)
        cover = rng.integers(0, 9, size=n)
        cover[0] = 8
        np.savetxt(folder / "groundtruth.txt", gt, fmt="%d", delimiter=",")
        for label, values in (("cover", cover), ("absence", (cover == 0).astype(int)), ("cut_by_image", 0 * cover)):
            (folder / f"{label}.label").write_text("".join(f"{v}\n" for v in values))
        (folder / "meta_info.ini").write_text(f"[METAINFO]\nobject_class: ant\nresolution: ({w}, {h})\n")
        truth[name] = {"gt": gt, "cover": cover, "resolution": f"({w}, {h})"}
    return truth


def test_got10k_val_through_the_adapter_and_evaluate_matches_experiment_got10k(tmp_path):
    from sotbench.datasets import load_dataset
    from sotbench.evaluate import evaluate

    rng = np.random.default_rng(5)
    truth = _got10k_val_tree(tmp_path / "GOT-10k", rng)
    run = tmp_path / "results" / "T"
    for name, t in truth.items():
        (run / name).mkdir(parents=True)
        for rep in (1, 2, 3):  # three repetitions, pooled frame by frame by both
            pred = t["gt"] + rng.normal(0, 5, size=t["gt"].shape)
            pred[0] = t["gt"][0]
            np.savetxt(run / name / f"{name}_{rep:03d}.txt", pred, fmt="%.4f", delimiter=",")
        np.savetxt(run / name / f"{name}_time.txt", np.full(len(t["gt"]), 0.01))
    ds = load_dataset("got10k", root=tmp_path / "GOT-10k", split="val")
    scores = evaluate(ds, run, write=False)
    assert scores.profile == "got10k"
    exp = _experiment(ExperimentGOT10k, _Dataset({n: t["gt"] for n, t in truth.items()},
                                                 {n: {"cover": t["cover"], "resolution": t["resolution"]}
                                                  for n, t in truth.items()}), tmp_path)
    exp.subset, exp.repetitions = "val", 3
    ref = exp.report(["T"])["T"]["overall"]
    assert scores.overall["success_auc"] == pytest.approx(ref["ao"], abs=1e-9)
    assert scores.overall["success_rate_50"] == pytest.approx(ref["sr"], abs=1e-9)
    np.testing.assert_allclose(scores.curves["success"]["y"], ref["succ_curve"], atol=1e-9)
