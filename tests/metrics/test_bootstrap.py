"""Bootstrap intervals over sequences: the same resamples as ``scipy.stats.bootstrap`` give the
same intervals (the reference statistic is the real aggregation code run on the resampled list),
the per-sequence sums reproduce every profile's aggregate, and hand-made pairs behave."""

import json

import numpy as np
import pytest
from scipy import stats as sps

from sotbench.datasets import load_dataset
from sotbench.metrics.aggregate import aggregate
from sotbench.metrics.bootstrap import Bootstrap, Ratio, intervals, replicates, statistic_from_json
from sotbench.metrics.importers import import_results
from sotbench.metrics.paired import compare
from sotbench.metrics.profiles import PROFILES, get_profile
from sotbench.metrics.scoring import score_sequences


def _scipy_interval(n: int, statistic, spec: Bootstrap) -> tuple[float, float]:
    """scipy's percentile interval of ``statistic(rows)`` over resamples of the row indices.  Where
    the score is undefined on some resamples scipy's interval is NaN; sotbench leaves those
    resamples out, so the reference is then the same quantiles of scipy's defined replicates."""
    res = sps.bootstrap((np.arange(n),), lambda idx: statistic(np.asarray(idx, dtype=np.int64)), vectorized=False,
                        n_resamples=spec.resamples, method="percentile", rng=np.random.default_rng(spec.seed),
                        confidence_level=spec.level)
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if np.isnan(low):
        alpha = (1 - spec.level) / 2
        low, high = np.nanquantile(res.bootstrap_distribution, [alpha, 1 - alpha])
    return low, high


@pytest.fixture(scope="module")
def otb_inputs(shared_data):
    ds = load_dataset("otb100", root=shared_data / "annotations/OTB100/pysot")
    imp = {t: import_results(shared_data / "results/OTB100" / t, ds.names) for t in ("SiamRPN++", "ATOM")}
    return list(ds), {t: {s: r.trajectories for s, r in i.results.items()} for t, i in imp.items()}


@pytest.fixture(scope="module")
def otb(otb_inputs):
    seqs, trajs = otb_inputs

    def scoring(tracker: str, profile):
        prof = get_profile(profile).for_dataset("otb100") if isinstance(profile, str) else profile
        return score_sequences(seqs, trajs[tracker], prof)

    return scoring


@pytest.mark.parametrize("profile, metric", [("pysot", "success_auc"), ("pysot", "precision"),
                                             ("otb-matlab", "norm_precision"), ("trackingnet", "success_auc"),
                                             ("got10k", "success_rate_50")])
def test_ope_interval_is_scipys_on_the_same_resamples(otb, profile, metric):
    spec = Bootstrap(resamples=400, seed=7)
    sc = otb("SiamRPN++", profile)
    ref = _scipy_interval(len(sc.stats.names), lambda rows: aggregate(sc.stats, sc.profile, rows)[0][metric], spec)
    ours = intervals({metric: sc.statistics()[metric]}, spec)[metric]
    assert ours == pytest.approx(ref, abs=1e-12)


def test_frame_pooled_interval_is_scipys(otb):
    """got10k's GOT-10k rule (frames pooled over the sequences), and the table's extra metric."""
    from dataclasses import replace

    spec = Bootstrap(resamples=300, seed=3)
    sc = otb("ATOM", replace(get_profile("pysot"), sequence_weight="frames"))
    for metric in ("success_auc", "precision", "average_overlap", "centre_error"):
        ref = _scipy_interval(len(sc.stats.names), lambda rows: sc.overall(rows)[0][metric], spec)
        assert intervals({metric: sc.statistics()[metric]}, spec)[metric] == pytest.approx(ref, abs=1e-10), metric


def test_sums_reproduce_every_profile_and_resample(otb_inputs):
    seqs, trajs = otb_inputs
    rng = np.random.default_rng(0)
    for name in PROFILES:
        prof = get_profile(name)
        if "ope" not in prof.protocols:
            continue
        sc = score_sequences(seqs, trajs["ATOM"], prof.for_dataset("otb100"))
        n = len(sc.stats.names)
        for rows in (np.arange(n), rng.integers(0, n, n), rng.integers(0, n, 7)):
            w = np.bincount(rows, minlength=n)[None, :].astype(float)
            overall, curves = sc.overall(rows)
            for key, stat in sc.statistics().items():
                assert stat(w)[0] == pytest.approx(overall[key], rel=1e-12, abs=1e-12, nan_ok=True), (name, key)
            for key, stat in sc.curve_statistics().items():
                np.testing.assert_allclose(stat(w)[0], curves[key]["y"], atol=1e-12, err_msg=f"{name} {key}")


def test_identical_runs_differ_by_exactly_zero(otb):
    sc = otb("SiamRPN++", "pysot")
    stat = sc.statistics()["success_auc"]
    names = list(sc.stats.names)
    c = compare(stat, stat, names, names, "success_auc", Bootstrap(resamples=2000))
    assert c.difference == 0.0 and c.ci95 == (0.0, 0.0)
    assert c.p_value == 1.0 and c.p_wilcoxon == 1.0 and not c.significant


def test_better_on_every_sequence_is_significant():
    rng = np.random.default_rng(1)
    base = rng.uniform(0.3, 0.7, 30)
    better = base + rng.uniform(0.001, 0.02, 30)  # better on every sequence, by little
    names = [f"s{i}" for i in range(30)]
    a, b = Ratio(better, np.ones(30)), Ratio(base, np.ones(30))
    c = compare(a, b, names, names, "success_auc")
    assert c.difference > 0 and c.ci95[0] > 0
    assert c.p_value < 0.01 and c.p_wilcoxon < 0.01 and c.significant
    worse = compare(b, a, names, names, "success_auc")
    assert worse.difference == pytest.approx(-c.difference) and worse.p_value < 0.01


def test_paired_uses_the_common_sequences_only():
    a = Ratio(np.array([0.5, 0.6, 0.7]), np.ones(3))
    b = Ratio(np.array([0.9, 0.8, 0.6]), np.ones(3))  # q, y, x
    c = compare(a, b, ["x", "y", "z"], ["q", "y", "x"], "m", Bootstrap(resamples=100))
    assert c.n_sequences == 2 and c.only_a == ("z",) and c.only_b == ("q",)
    assert c.value_a == pytest.approx(0.55) and c.value_b == pytest.approx(0.7)


def test_paired_difference_is_scipys_paired_bootstrap():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1, 40), rng.uniform(0, 1, 40)
    spec = Bootstrap(resamples=1000, seed=11)
    names = [str(i) for i in range(40)]
    c = compare(Ratio(x, np.ones(40)), Ratio(y, np.ones(40)), names, names, "m", spec)
    res = sps.bootstrap((x, y), lambda p, q, axis=-1: p.mean(axis) - q.mean(axis), paired=True,
                        n_resamples=spec.resamples, method="percentile", rng=np.random.default_rng(spec.seed))
    assert c.ci95 == pytest.approx((res.confidence_interval.low, res.confidence_interval.high), abs=1e-12)
    assert c.p_wilcoxon == pytest.approx(sps.wilcoxon(x - y).pvalue)


def test_statistics_survive_json():
    stat = Ratio(np.array([0.25, 0.5]), np.array([1.0, 0.0]))
    back = statistic_from_json(json.loads(json.dumps(stat.to_json())))
    w = np.array([[2.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(back(w), stat(w))
    with pytest.raises(ValueError, match="finite"):
        statistic_from_json({"kind": "ratio", "num": [0.1, None], "den": [1, 1]})
    with pytest.raises(ValueError, match="kind"):
        statistic_from_json({"kind": "pickle"})


def test_replicates_share_resamples_and_are_seeded():
    stat = Ratio(np.arange(5.0), np.ones(5))
    one = replicates({"a": stat, "b": stat}, 5, Bootstrap(resamples=50, seed=2))
    again = replicates({"a": stat}, 5, Bootstrap(resamples=50, seed=2))
    np.testing.assert_array_equal(one["a"], one["b"])
    np.testing.assert_array_equal(one["a"], again["a"])
    assert not np.array_equal(one["a"], replicates({"a": stat}, 5, Bootstrap(resamples=50, seed=3))["a"])


@pytest.mark.filterwarnings("ignore:The BCa confidence interval")  # scipy's words for a NaN resample
@pytest.mark.parametrize("toolkit", ["PYSOT", "VOT_TOOLKIT"])
def test_vot_intervals_are_scipys_on_the_same_resamples(shared_data, toolkit):
    """EAO, accuracy, robustness and a per-tag EAO: the reference is ``vot_aggregate`` of the resampled list."""
    from vot2018_data import evaluate as vot_stats

    from sotbench.metrics import vot
    from sotbench.metrics.vot import split_kwargs, vot_aggregate
    from sotbench.metrics.vot_sums import vot_statistics

    kwargs = getattr(vot, toolkit)
    stats, _ = vot_stats(shared_data, "DaSiamRPN", tuple(sorted(kwargs.items())))
    stats = stats[:15]  # 15 sequences keep the reference (one aggregate per resample) quick
    agg = dict(split_kwargs(kwargs)[1], eao_interval=(100, 356))
    overall, per_tag = vot_statistics(stats, **agg)
    spec = Bootstrap(resamples=120, seed=5)
    cases = [("eao", overall["eao"], lambda r: r["eao"]), ("accuracy", overall["accuracy"], lambda r: r["accuracy"]),
             ("robustness", overall["robustness"], lambda r: r["robustness"]),
             ("occlusion eao", per_tag["occlusion"]["eao"], lambda r: r["per_tag"]["occlusion"]["eao"])]
    for what, stat, pick in cases:
        ref = _scipy_interval(len(stats), lambda rows: pick(vot_aggregate([stats[i] for i in rows], **agg)), spec)
        assert intervals({"x": stat}, spec)["x"] == pytest.approx(ref, abs=1e-12), what
