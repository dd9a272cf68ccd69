"""Stale trials (dead worker, silent heartbeat) are failed and queued again; journals survive a
half-written line; a killed lock holder does not stall the other workers."""

import multiprocessing
import subprocess
import sys
import time

import optuna
import pytest

from sotbench.search.liveness import HEARTBEAT_ATTR, Liveness, process_alive, worker_identity
from sotbench.search.storage import StorageInfo, journal_lock, open_storage, parse_storage, repair_journal


def _study(tmp_path, name="s"):
    storage = open_storage(StorageInfo("journal", str(tmp_path / "j.journal"), tmp_path / "j.journal"))
    study = optuna.create_study(study_name=name, storage=storage, direction="maximize")
    return storage, study


def _liveness(storage, grace=60.0):
    return Liveness(storage, "s", rdb_heartbeat=False, interval=0.2, grace=grace, max_retry=2)


def _dead_identity() -> str:
    proc = subprocess.run([sys.executable, "-c", "from sotbench.search.liveness import worker_identity as w; print(w())"],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def test_identity_and_liveness_of_processes():
    me = worker_identity()
    assert process_alive(me) is True
    assert process_alive(_dead_identity()) is False
    host, pid, start = me.split(":")
    assert process_alive(f"{host}:{pid}:{int(start) + 1}") is False  # same pid, another process
    assert process_alive(f"other-host:{pid}:{start}") is None         # cannot tell: heartbeat decides


def test_trial_of_a_dead_local_worker_is_rerun(tmp_path):
    storage, study = _study(tmp_path)
    trial = study.ask({"lr": optuna.distributions.FloatDistribution(0, 1)})
    trial.set_user_attr("worker", _dead_identity())
    trial.set_user_attr("worker_since", time.time())
    live = _liveness(storage)
    assert live.reap(study) == [trial.number]
    states = [t.state.name for t in study.get_trials(deepcopy=False)]
    assert states == ["FAIL", "WAITING"]
    retry = study.get_trials(deepcopy=False)[1]
    assert retry.params == trial.params and retry.system_attrs["failed_trial"] == trial.number
    again = study.ask()  # the queued copy runs next, with the dead run's parameters
    assert again.params == trial.params
    live.claim(again)
    assert live.reap(study) == []  # a fresh claim by a live worker is not stale
    live.close()


def test_heartbeat_decides_for_workers_on_other_hosts(tmp_path):
    storage, study = _study(tmp_path)
    live = _liveness(storage, grace=0.5)
    trial = study.ask({"lr": optuna.distributions.FloatDistribution(0, 1)})
    trial.set_user_attr("worker", "elsewhere:123:456")
    trial.set_user_attr("worker_since", time.time())
    tid = live.trial_id(trial.number)
    storage.set_trial_system_attr(tid, HEARTBEAT_ATTR, time.time())
    assert live.reap(study) == []            # beating: alive
    time.sleep(0.8)
    assert live.reap(study) == [trial.number]  # silent for longer than the grace period


def test_own_heartbeat_keeps_a_trial_alive(tmp_path):
    storage, study = _study(tmp_path)
    mine = _liveness(storage, grace=0.6)
    trial = study.ask({"lr": optuna.distributions.FloatDistribution(0, 1)})
    mine.claim(trial)
    other = Liveness(storage, "s", rdb_heartbeat=False, interval=0.2, grace=0.6, max_retry=2)
    other.identity = "elsewhere:1:1"
    time.sleep(1.2)
    assert other.reap(study) == []  # the heartbeat thread kept beating
    mine.release(trial.number)
    study.tell(trial, 0.5)
    mine.close()


def test_half_written_journal_line_is_cut(tmp_path):
    storage, study = _study(tmp_path)
    study.enqueue_trial({"lr": 0.5})
    path = tmp_path / "j.journal"
    good = path.read_bytes()
    path.write_bytes(good + b'{"op_code": 5, "worker_id": "x", "tri')
    assert repair_journal(path) and path.read_bytes() == good
    assert not repair_journal(path)
    storage = open_storage(StorageInfo("journal", str(path), path))
    assert len(optuna.load_study(study_name="s", storage=storage).trials) == 1


def _hold_lock_forever(path: str) -> None:
    from pathlib import Path

    journal_lock(Path(path)).acquire()
    time.sleep(600)


def test_lock_of_a_killed_writer_is_released_at_once(tmp_path):
    path = tmp_path / "j.journal"
    path.write_text("")
    proc = multiprocessing.get_context("spawn").Process(target=_hold_lock_forever, args=(str(path),))
    proc.start()
    deadline = time.time() + 60
    while not (tmp_path / "j.journal.flock").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()
    proc.join()
    t0 = time.perf_counter()
    lock = journal_lock(path)
    lock.acquire()
    lock.release()
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("text, kind", [
    (None, "journal"), ("runs/x.journal", "journal"), ("journal:/tmp/a.log", "journal"),
    ("postgresql://u:p@h/db", "rdb"), ("sqlite:///x.db", "rdb"), ("redis://localhost", "redis")])
def test_storage_urls(tmp_path, text, kind):
    info = parse_storage(text, tmp_path / "d.journal")
    assert info.kind == kind
    if text and text.startswith("postgresql"):
        assert info.display == "postgresql://u:***@h/db" and "+" in info.url  # the installed driver, named
    if text is None:
        assert info.path == tmp_path / "d.journal"

