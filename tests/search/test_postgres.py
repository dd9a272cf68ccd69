"""Searches on a real PostgreSQL server (started by the ``postgres_url`` fixture): several worker
processes share one study, and Optuna's heartbeat re-runs the trial of a silent worker."""

import time

import optuna
import pandas as pd
import pytest

from sotbench.cli import main
from sotbench.search import SearchOptions, prepare, run_search, sweep_from_dict
from sotbench.search.liveness import Liveness
from sotbench.search.storage import open_storage

pytestmark = pytest.mark.postgres


def _storage(url: str):
    return optuna.storages.RDBStorage(url.replace("postgresql://", "postgresql+psycopg2://"))


@pytest.mark.slow
def test_two_workers_share_a_postgres_study(postgres_url, synthetic_root, tmp_path):
    out = tmp_path / "pg"
    assert main(["search", "synthetic", "--root", str(synthetic_root), "--out", str(out), "--storage", postgres_url,
                 "--study", "pg-workers", "--trials", "8", "--trial-batch", "2", "--workers", "2", "--no-progress"]) == 0
    study = optuna.load_study(study_name="pg-workers", storage=_storage(postgres_url))
    states = [t.state.name for t in study.get_trials(deepcopy=False)]
    assert states.count("COMPLETE") == 8 and "RUNNING" not in states
    workers = {t.user_attrs["worker"] for t in study.get_trials(deepcopy=False)}
    assert len(workers) == 2  # both processes ran trials
    params = [tuple(sorted(t.params.items())) for t in study.trials]
    assert len(set(params)) == len(params)  # the workers did not draw the same points
    table = pd.read_csv(out / "trials.csv")
    assert len(table) == 8 and not (out / "study.journal").exists()
    assert study.user_attrs["dataset"] == "synthetic" and study.user_attrs["test_split"] is False


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used")
def test_silent_worker_trial_is_failed_and_rerun(postgres_url, synthetic_root, tmp_path):
    sweep = sweep_from_dict({"name": "pg-stale", "preset": "ncc/default", "dataset": "synthetic", "split": "val",
                             "root": str(synthetic_root), "sequences": ["ValWalk"], "enqueue_preset": False})
    plan = prepare(sweep, storage=postgres_url, out=tmp_path)
    storage = open_storage(plan.storage, heartbeat_interval=1, grace_period=2, max_retry=2)
    study = optuna.create_study(study_name="pg-stale", storage=storage, direction="maximize")
    # a worker on another machine asks a trial, beats once, then goes silent
    other = Liveness(storage, "pg-stale", rdb_heartbeat=True, interval=3600, grace=2, max_retry=2)
    other.identity = "another-machine:4242:1"
    lost = study.ask({r.name: r.distribution() for r in plan.sweep.space})
    other.claim(lost)
    other.close()
    time.sleep(3.5)
    result = run_search(plan, SearchOptions(trials=2, trial_batch=1, progress=False, heartbeat=1, grace=2))
    assert result.counts["finished"] == 2
    trials = study.get_trials(deepcopy=False)
    assert trials[lost.number].state.name == "FAIL"
    rerun = [t for t in trials if t.system_attrs.get("failed_trial") == lost.number]
    assert len(rerun) == 1 and rerun[0].state.name == "COMPLETE" and rerun[0].params == lost.params
