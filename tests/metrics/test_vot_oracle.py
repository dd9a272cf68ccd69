"""The VOT-toolkit conventions against the installed ``vot-toolkit`` package (test oracle).

Overlaps (``vot.region.calculate_overlaps``), failure counting, accuracy and robustness
(``AccuracyRobustness`` / ``AverageAccuracyRobustness``) and the EAO curve (``EAOCurve``) run
through the package's own code on the real results of the bundled trackers and on random and
adversarial trajectories.  The package computes the EAO curve in float32, so that comparison is
made once at float32 precision and once with the package's numpy namespace switched to float64
(then to 1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.metrics.overlap import region_overlaps
from sotbench.metrics.vot import VOT_TOOLKIT, split_kwargs, vot_aggregate, vot_sequence_stats
from sotbench.metrics.vot_io import as_trajectory
from vot2018_data import TRACKERS, annotations, evaluate, results
from vot_cases import near, paired_regions, reset_run

vot = pytest.importorskip("vot", reason="needs the vot-toolkit test oracle (tests/requirements-oracles.txt)")
from vot.analysis import supervised  # noqa: E402
from vot.region import Special, calculate_overlaps  # noqa: E402
from vot.region.io import read_trajectory  # noqa: E402
from vot.region.shapes import Polygon, Rectangle  # noqa: E402

VOTPY_KEY = tuple(sorted(VOT_TOOLKIT.items()))
CLEAN = [t for t in TRACKERS if t != "Ocean"]  # 'Ocean' has files of the wrong length


def to_vot(row: np.ndarray, code: int = -1):
    if code >= 0:
        return Special(code)
    v = row[~np.isnan(row)]
    if v.size == 0:
        return Special(0)
    if v.size == 4:
        return Rectangle(*v)
    return Polygon(list(zip(v[0::2], v[1::2])))


def oracle_overlaps(pred, gt, bounds, codes=None):
    codes = np.full(len(pred), -1) if codes is None else codes
    return np.array(calculate_overlaps([to_vot(r, c) for r, c in zip(pred, codes)], [to_vot(r) for r in gt], bounds))


# -- stubs that let the package's analyses run on in-memory data ------------------------------

class _Seq:
    def __init__(self, name, gt, size):
        self.name, self._gt, self.size = name, [to_vot(r) for r in gt], size

    def groundtruth(self):
        return self._gt

    def __len__(self):
        return len(self._gt)


class _Traj:
    def __init__(self, regions):
        self._regions = regions

    def regions(self):
        return self._regions


class _Experiment:
    def __init__(self, runs):
        self.runs = runs  # name -> list of region lists

    def gather(self, tracker, sequence):
        return [_Traj(r) for r in self.runs[sequence.name]]


def _oracle_runs(trajs):
    return [[to_vot(t.regions[i], int(t.codes[i])) for i in range(len(t))] for t in trajs]


class _Float64Numpy:
    """numpy with float32 replaced by float64, for the package's EAO curve."""

    float32 = np.float64

    def __getattr__(self, name):
        return getattr(np, name)


def _oracle_analyses(seqs, runs, monkeypatch=None):
    exp = _Experiment(runs)
    per_seq = [supervised.AccuracyRobustness().subcompute(exp, None, s, []) for s in seqs]
    aggregate = supervised.AverageAccuracyRobustness().aggregate(None, seqs, per_seq)
    curve32 = np.asarray(supervised.EAOCurve().subcompute(exp, None, seqs, [])[0], dtype=np.float64)
    monkeypatch.setattr(supervised, "np", _Float64Numpy())
    curve64 = np.asarray(supervised.EAOCurve().subcompute(exp, None, seqs, [])[0], dtype=np.float64)
    monkeypatch.undo()
    return per_seq, aggregate, curve32, curve64


def _compare(ours_stats, ours, per_seq, aggregate, curve32, curve64):
    for s, (acc, fail, ar, length) in zip(ours_stats, per_seq):
        assert float(s.run_accuracy.mean()) == pytest.approx(acc, abs=1e-12), s.name
        assert float(s.failures.mean()) == fail and s.n_frames == length
    acc, fails, ar, length = aggregate
    assert ours["accuracy"] == pytest.approx(acc, abs=1e-12)
    assert ours["mean_failures"] == pytest.approx(fails, abs=1e-12)
    assert ours["reliability"] == pytest.approx(ar[0], abs=1e-12)
    y = np.asarray(ours["eao_curve"]["y"])
    assert y.shape == curve64.shape
    np.testing.assert_allclose(y, curve64, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y[1:], curve32[1:], rtol=0, atol=2e-6)
    assert ours["eao"] == pytest.approx(float(np.mean(curve64[100:357])), abs=1e-12)


# -- tests ---------------------------------------------------------------------------------------

def _numbers(region) -> np.ndarray:
    """The numbers of a package region (stored as float32 there)."""
    if isinstance(region, Rectangle):
        return np.array([region.x, region.y, region.width, region.height], dtype=np.float32)
    return np.asarray(region._points, dtype=np.float32).ravel()


@pytest.mark.parametrize("tracker", TRACKERS)
def test_parser_and_failures_match_the_package(shared_data, tracker):
    res = results(shared_data, tracker)
    for name, (traj,) in res.items():
        theirs = read_trajectory(traj.source)
        assert len(theirs) == len(traj)
        fails, inits = supervised.locate_failures_inits(theirs)
        assert traj.failures.tolist() == fails and traj.inits.tolist() == inits
        assert supervised.count_failures(theirs)[0] == traj.n_failures
        for i, region in enumerate(theirs):
            if traj.codes[i] >= 0:
                assert isinstance(region, Special) and region.code == traj.codes[i]
            else:
                ours = traj.regions[i][~np.isnan(traj.regions[i])].astype(np.float32)
                np.testing.assert_array_equal(ours, _numbers(region), err_msg=f"{name}:{i + 1}")


@pytest.mark.parametrize("tracker", TRACKERS)
def test_real_overlaps_match_calculate_overlaps(shared_data, tracker):
    ann, res = annotations(shared_data), results(shared_data, tracker)
    for name, (gt, size, _) in ann.items():
        traj = res[name][0]
        m = min(len(traj), gt.shape[0])
        codes = traj.codes[:m]
        ours = region_overlaps(traj.regions[:m], gt[:m], size, mode="votpy", pred_special=codes >= 0)
        theirs = oracle_overlaps(traj.regions[:m], gt[:m], size, codes)
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{tracker}/{name}")


@pytest.mark.parametrize("bounded", [True, False])
def test_random_and_adversarial_overlaps_match(bounded):
    rng = np.random.default_rng(7 + bounded)
    size = (160, 120)
    pred, special, gt = paired_regions(rng, 3000, size)
    bounds = size if bounded else None
    ours = region_overlaps(pred, gt, bounds, mode="votpy", pred_special=special)
    theirs = oracle_overlaps(pred, gt, bounds, np.where(special, 0, -1))
    np.testing.assert_array_equal(ours, theirs)


def test_float32_half_rounding_matches():
    """3.4999999 is 3.5 in float32 and rounds (half to even) to 4 there, to 3 in float64."""
    pred = np.array([[3.4999999, 0, 2, 2] + [np.nan] * 4, [2.5, 0.5, 1.5, 2.5] + [np.nan] * 4])
    gt = np.array([[4, 0, 2, 2] + [np.nan] * 4, [2, 0, 2, 2] + [np.nan] * 4])
    ours = region_overlaps(pred, gt, None, mode="votpy")
    assert ours[0] == 1.0
    np.testing.assert_array_equal(ours, oracle_overlaps(pred, gt, None))


@pytest.mark.parametrize("tracker", TRACKERS)
def test_real_results_analyses_match(shared_data, tracker, monkeypatch):
    ann, res = annotations(shared_data), results(shared_data, tracker)
    if tracker in CLEAN:
        stats, ours = evaluate(shared_data, tracker, VOTPY_KEY)
        names = list(ann)
    else:  # the toolkit refuses files of the wrong length: compare on the 58 others
        names = [n for n in ann if len(res[n][0]) == ann[n][0].shape[0]]
        seq_kw, agg_kw = split_kwargs(VOT_TOOLKIT)
        stats = [vot_sequence_stats(res[n], *ann[n], name=n, **seq_kw) for n in names]
        ours = vot_aggregate(stats, eao_interval=(100, 356), **agg_kw)
        assert len(names) == 58
    seqs = [_Seq(n, *ann[n][:2]) for n in names]
    oracle = _oracle_analyses(seqs, {n: _oracle_runs(res[n]) for n in names}, monkeypatch)
    _compare(stats, ours, *oracle)


def test_synthetic_multi_run_analyses_match(shared_data, monkeypatch):
    """3 runs per sequence, frequent failures (some within the last frames), 12 sequences."""
    rng = np.random.default_rng(11)
    ann = annotations(shared_data)
    names = sorted(ann)[::5]
    seq_kw, agg_kw = split_kwargs(VOT_TOOLKIT)
    runs, stats = {}, []
    for name in names:
        gt, size, tags = ann[name]
        trajs = [as_trajectory(reset_run(rng, gt, fail_prob=0.02 * (k + 1))) for k in range(3)]
        runs[name] = _oracle_runs(trajs)
        stats.append(vot_sequence_stats(trajs, gt, size, tags, name=name, **seq_kw))
    ours = vot_aggregate(stats, eao_interval=(100, 356), **agg_kw)
    oracle = _oracle_analyses([_Seq(n, *ann[n][:2]) for n in names], runs, monkeypatch)
    _compare(stats, ours, *oracle)
    assert sum(s.failures.sum() for s in stats) > 50


def test_near_boxes_on_real_ground_truth(shared_data):
    """Jittered boxes around every real ground-truth region of a few sequences."""
    rng = np.random.default_rng(3)
    ann = annotations(shared_data)
    for name in ("ants1", "conduction1", "fish1", "iceskater1"):
        gt, size, _ = ann[name]
        pred = np.array([near(rng, r, 0.3) for r in gt])
        ours = region_overlaps(pred, gt, size, mode="votpy")
        np.testing.assert_array_equal(ours, oracle_overlaps(pred, gt, size))
