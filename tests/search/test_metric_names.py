"""The study names its objective (``study.set_metric_names``): optuna-dashboard shows
``success_auc`` / ``eao`` instead of "Objective 0", also for a study made before the names."""

import optuna
from standins import TruthBackend

from sotbench.search import SearchOptions, prepare, run_search, sweep_from_dict


def _sweep(root, name: str) -> dict:
    return {"name": name, "preset": "ncc/default", "dataset": "synthetic", "split": "val", "root": str(root),
            "space": {"lr": [0.1, 0.8]}, "sampler": {"type": "random", "seed": 0}, "pruner": "none",
            "enqueue_preset": False}


def _load(tmp_path, name: str):
    backend = optuna.storages.journal.JournalFileBackend(str(tmp_path / "study.journal"))
    storage = optuna.storages.JournalStorage(backend)
    return optuna.load_study(study_name=name, storage=storage)


def _backend() -> TruthBackend:
    return TruthBackend(lambda p: 100.0 * (p.lr - 0.3) ** 2)


def test_study_names_its_objective(synthetic_root, tmp_path):
    plan = prepare(sweep_from_dict(_sweep(synthetic_root, "named")), out=tmp_path)
    run_search(plan, SearchOptions(trials=2, trial_batch=1, progress=False), backend=_backend())
    assert _load(tmp_path, "named").metric_names == ["success_auc"]


def test_continued_study_without_names_gets_them(synthetic_root, tmp_path):
    plan = prepare(sweep_from_dict(_sweep(synthetic_root, "old")), out=tmp_path)
    run_search(plan, SearchOptions(trials=1, trial_batch=1, progress=False), backend=_backend())
    study = _load(tmp_path, "old")
    study.set_metric_names(["Objective 0"])  # what a study of an older sotbench shows
    plan = prepare(sweep_from_dict(_sweep(synthetic_root, "old")), out=tmp_path)
    run_search(plan, SearchOptions(trials=2, trial_batch=1, progress=False), backend=_backend())
    assert _load(tmp_path, "old").metric_names == ["success_auc"]
