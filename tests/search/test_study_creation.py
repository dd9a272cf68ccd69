"""Processes that start together on a new study enqueue the preset's values once."""

from __future__ import annotations

import multiprocessing
import threading

import optuna
import pytest

from sotbench.search import prepare, sweep_from_dict
from sotbench.search import study as study_module
from sotbench.search.storage import open_storage, parse_storage


def _plan(root, out, storage=None, name="race"):
    sweep = sweep_from_dict({"name": name, "preset": "ncc/default", "dataset": "synthetic", "split": "val",
                             "root": str(root), "space": {"lr": [0.1, 0.8]}})
    return prepare(sweep, out=out, storage=storage)


def _preset_trials(study) -> int:
    return sum(1 for t in study.get_trials(deepcopy=False) if t.user_attrs.get("preset_values"))


def test_two_processes_that_both_find_no_study_enqueue_once(synthetic_root, tmp_path, monkeypatch):
    """The race made deterministic: whoever reaches the enqueue waits there for the other."""
    plan = _plan(synthetic_root, tmp_path)

    def meeting(fn):
        gate = threading.Barrier(2, timeout=3)

        def wrapped(*args):
            try:
                gate.wait()  # both processes are here: neither has written what the other checks
            except threading.BrokenBarrierError:
                pass  # only one process got here
            return fn(*args)
        return wrapped

    # where both would meet: about to describe a study without description, about to enqueue
    monkeypatch.setattr(study_module, "_user_attrs", meeting(study_module._user_attrs))
    monkeypatch.setattr(study_module, "_enqueue_preset", meeting(study_module._enqueue_preset))
    studies, errors = [], []

    def join():
        try:
            studies.append(study_module.open_study(plan, open_storage(plan.storage)))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=join) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(studies) == 2
    assert _preset_trials(studies[0]) == 1
    assert studies[1].user_attrs[study_module.FINGERPRINT_ATTR] == plan.fingerprint()


def test_a_study_whose_creator_died_before_describing_it_is_taken_over(synthetic_root, tmp_path, monkeypatch):
    plan = _plan(synthetic_root, tmp_path)
    storage = open_storage(plan.storage)
    optuna.create_study(study_name=plan.study_name, storage=storage, direction=plan.objective.direction)
    monkeypatch.setattr(study_module, "DESCRIBE_WAIT_S", 0.5)
    monkeypatch.setattr(study_module._described, "__defaults__", (0.5, 0.1))
    study = study_module.open_study(plan, storage)
    assert _preset_trials(study) == 1 and study.user_attrs[study_module.FINGERPRINT_ATTR] == plan.fingerprint()


def _join(args):
    root, out, url, name, start = args
    start.wait()
    plan = _plan(root, out, storage=url, name=name)
    study_module.open_study(plan, open_storage(plan.storage))


@pytest.mark.postgres
@pytest.mark.slow
def test_processes_joining_a_new_postgres_study_enqueue_once(postgres_url, synthetic_root, tmp_path):
    """On an empty database too (the processes also race to create Optuna's tables)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(open_storage(parse_storage(postgres_url, tmp_path / "j")).url,
                                      isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text("DROP DATABASE IF EXISTS race_fresh"))
        conn.execute(sqlalchemy.text("CREATE DATABASE race_fresh"))
    engine.dispose()
    postgres_url = postgres_url.rsplit("/", 1)[0] + "/race_fresh"
    ctx = multiprocessing.get_context("fork")
    for attempt in range(3):
        name = f"race{attempt}"
        with ctx.Manager() as manager:
            start = manager.Event()
            with ctx.Pool(4) as pool:
                pending = pool.map_async(_join, [(synthetic_root, tmp_path / f"o{i}", postgres_url, name, start)
                                                 for i in range(4)])
                start.set()
                pending.get(timeout=120)
        study = optuna.load_study(study_name=name, storage=open_storage(parse_storage(postgres_url, tmp_path / "j")))
        assert _preset_trials(study) == 1, f"attempt {attempt}"
