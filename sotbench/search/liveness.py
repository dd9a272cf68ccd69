"""Heartbeats and the re-running of trials whose worker died.

Each running trial records which worker runs it (user attribute ``worker``: host, process id
and the process's start time, so a reused process id is not mistaken for the worker).  A worker
beats for its running trials: with an RDB storage through Optuna's own heartbeat table, with a
journal as the system attribute ``sotbench:heartbeat``.  Before asking for trials a worker
fails the trials that are *stale* — their worker is a dead process on this host, or their
heartbeat is older than the grace period — and queues each again (same parameters, state
WAITING; Optuna's ``RetryHeartbeatStaleTrialCallback``, at most ``max_retry`` times), so a
killed worker loses no finished trial and its unfinished ones are run again.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

__all__ = ["Liveness", "worker_identity", "process_alive", "retry_callback"]

HEARTBEAT_ATTR = "sotbench:heartbeat"


def retry_callback(max_retry: int):
    """Optuna's ``RetryHeartbeatStaleTrialCallback`` (queues a copy of a failed trial as WAITING)."""
    import warnings

    import optuna
    from optuna.storages import RetryHeartbeatStaleTrialCallback

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return RetryHeartbeatStaleTrialCallback(max_retry=max_retry)


def _start_ticks(pid: int) -> int | None:
    """The process start time in clock ticks since boot (Linux), or None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2:].split()
    return int(fields[19])  # field 22 of stat(5); fields[0] is field 3


def worker_identity() -> str:
    """``host:pid:start`` of this process."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or 0}"


def process_alive(identity: str) -> bool | None:
    """Whether the worker ``identity`` is alive; None when it ran on another host."""
    host, _, rest = identity.partition(":")
    pid_text, _, start_text = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if os.path.exists("/proc/self/stat"):
        start = _start_ticks(pid)
        return start is not None and (start_text in ("", "0") or str(start) == start_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Liveness:
    """Heartbeat thread for this worker's running trials, and the reaper of stale trials."""

    def __init__(self, storage: Any, study_name: str, *, rdb_heartbeat: bool, interval: float,
                 grace: float, max_retry: int):
        self.storage, self.rdb_heartbeat = storage, rdb_heartbeat
        self.study_id = storage.get_study_id_from_name(study_name)
        self.interval, self.grace, self.max_retry = interval, grace, max_retry
        self.identity = worker_identity()
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- this worker's trials -------------------------------------------------------------
    def trial_id(self, number: int) -> int:
        """Storage id of trial ``number`` of this study."""
        return self.storage.get_trial_id_from_study_id_trial_number(self.study_id, number)

    def claim(self, trial) -> None:
        """Mark ``trial`` (an ``optuna.Trial``) as run by this worker and beat for it."""
        trial.set_user_attr("worker", self.identity)
        trial.set_user_attr("worker_since", time.time())
        tid = self.trial_id(trial.number)
        with self._lock:
            self._running.add(tid)
        self._beat(tid)
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sotbench-heartbeat", daemon=True)
            self._thread.start()

    def release(self, number: int) -> None:
        """Stop beating for trial ``number`` (call before telling its result)."""
        with self._lock:
            self._running.discard(self.trial_id(number))

    def close(self) -> None:
        """Stop the heartbeat thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _beat(self, tid: int) -> None:
        import optuna

        try:
            if self.rdb_heartbeat:
                self.storage.record_heartbeat(tid)
            else:
                self.storage.set_trial_system_attr(tid, HEARTBEAT_ATTR, time.time())
        except optuna.exceptions.UpdateFinishedTrialError:
            self.release_id(tid)

    def release_id(self, tid: int) -> None:
        with self._lock:
            self._running.discard(tid)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                ids = list(self._running)
            for tid in ids:
                try:
                    self._beat(tid)
                except Exception:  # a storage hiccup must not kill the worker; the next beat retries
                    pass

    # -- other workers' trials ----------------------------------------------------------------
    def _stale(self, trial, now: float) -> bool:
        # A retried trial carries the attributes of the run that died: trust a worker claim or a
        # heartbeat only when it is newer than this run's start.
        start = trial.datetime_start.timestamp() if trial.datetime_start else now
        worker = trial.user_attrs.get("worker")
        claimed = worker is not None and float(trial.user_attrs.get("worker_since", 0)) >= start - 5
        if claimed and worker == self.identity:
            return False
        if claimed and process_alive(worker) is False:
            return True
        if self.rdb_heartbeat:
            return False  # Optuna's fail_stale_trials judges heartbeats of RDB storages
        beat = max(float(trial.system_attrs.get(HEARTBEAT_ATTR, 0.0)), start)
        return now - beat > self.grace

    def reap(self, study) -> list[int]:
        """Fail stale RUNNING trials and queue them again; returns the failed trial numbers."""
        import warnings

        import optuna
        from optuna.trial import TrialState

        if self.rdb_heartbeat:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(study)
        retry = retry_callback(self.max_retry)
        failed = []
        now = time.time()
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if not self._stale(trial, now):
                continue
            tid = self.trial_id(trial.number)
            try:
                if not self.storage.set_trial_state_values(tid, state=TrialState.FAIL):
                    continue
            except optuna.exceptions.UpdateFinishedTrialError:
                continue  # another worker got there first
            retry(study, self.storage.get_trial(tid))
            failed.append(trial.number)
        return failed
