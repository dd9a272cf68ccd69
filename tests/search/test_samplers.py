"""Every selectable sampler drives a batched study to its trial count (GP and CMA-ES past their
start-up trials), with a stand-in engine so only the search machinery runs."""

import pytest
from standins import TruthBackend

from sotbench.search import SearchOptions, prepare, run_search, sweep_from_dict
from sotbench.search.samplers import build_pruner, build_sampler
from sotbench.search.sweep import PrunerConfig, SamplerConfig


def quadratic() -> TruthBackend:
    """Boxes whose error grows with the distance of lr from 0.3 (best at lr = 0.3)."""
    return TruthBackend(lambda p: 200.0 * (p.lr - 0.3) ** 2 + 5 * p.penalty_k)


@pytest.mark.parametrize("kind", ["tpe", "gp", "cmaes", "random"])
def test_each_sampler_runs_batches(synthetic_root, tmp_path, kind):
    if kind == "gp":
        pytest.importorskip("torch", reason="the GP sampler needs PyTorch")
    sweep = sweep_from_dict({"name": f"s-{kind}", "preset": "ncc/default", "dataset": "synthetic", "split": "val",
                             "root": str(synthetic_root), "space": {"lr": [0.1, 0.8], "penalty_k": [0.0, 0.6]},
                             "sampler": {"type": kind, "seed": 0, "n_startup_trials": 3}, "pruner": "none",
                             "enqueue_preset": False})
    plan = prepare(sweep, out=tmp_path)
    result = run_search(plan, SearchOptions(trials=8, trial_batch=2, progress=False), backend=quadratic())
    assert result.counts["finished"] == 8 and result.counts.get("fail", 0) == 0
    import optuna

    trials = optuna.load_study(study_name=f"s-{kind}", storage=_journal(tmp_path)).trials
    assert len({t.params["lr"] for t in trials}) == 8  # no point drawn twice
    assert result.outputs.best is not None and result.outputs.best.value > 0


def _journal(tmp_path):
    import optuna

    return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(tmp_path / "study.journal")))


def test_sampler_and_pruner_settings_reach_optuna():
    import optuna

    tpe = build_sampler(SamplerConfig("tpe", 3, 7))
    assert isinstance(tpe, optuna.samplers.TPESampler)
    assert tpe._multivariate and tpe._constant_liar and tpe._n_startup_trials == 7
    wilcoxon = build_pruner(PrunerConfig("wilcoxon", p_threshold=0.05, n_startup_steps=6))
    assert isinstance(wilcoxon, optuna.pruners.WilcoxonPruner) and wilcoxon._p_threshold == 0.05
    assert isinstance(build_pruner(PrunerConfig("none")), optuna.pruners.NopPruner)
