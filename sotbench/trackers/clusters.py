"""Where ``--jobs N`` workers run: this machine (joblib: loky, multiprocessing) or a Dask cluster.

``unordered_map(calls, n_jobs, backend, scheduler)`` runs ``fn(*args)`` for each ``(fn, args)``
of ``calls`` with at most ``n_jobs`` in flight, pulling ``calls`` lazily, and yields the results
as they finish.  ``backend`` is a joblib backend name, or ``dask``: then the calls go to the
Dask scheduler at ``scheduler`` (``tcp://host:8786``; without one, a local cluster of
processes is started and stopped) through ``distributed``'s futures.  Workers must see the
same dataset and weights paths as this process (a shared file system); result files are
written here, by the parent.  Dask is optional: ``pip install 'sotbench[dask]'``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["unordered_map", "ClusterError", "CLUSTER_BACKENDS"]

CLUSTER_BACKENDS = ("dask",)
Call = tuple[Callable[..., Any], tuple]


class ClusterError(RuntimeError):
    """The cluster backend is not installed or its scheduler cannot be reached."""


@contextlib.contextmanager
def _dask_client(scheduler: str | None) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("--backend dask needs dask's distributed scheduler: pip install 'sotbench[dask]'") from None
    local = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=30)
        else:
            local = LocalCluster(processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
            client = Client(local)
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if local is not None:
            local.close()


def _dask_map(calls: Iterable[Call], n_jobs: int, scheduler: str | None) -> Iterator[Any]:
    from distributed import as_completed

    with _dask_client(scheduler) as client:
        pending = iter(calls)
        running = as_completed()
        for fn, args in pending:
            running.add(client.submit(fn, *args, pure=False))
            if running.count() >= n_jobs:
                break
        for future in running:
            yield future.result()
            nxt = next(pending, None)
            if nxt is not None:
                running.add(client.submit(nxt[0], *nxt[1], pure=False))


def _joblib_map(calls: Iterable[Call], n_jobs: int, backend: str) -> Iterator[Any]:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator_unordered", pre_dispatch="n_jobs")
    yield from parallel(delayed(fn)(*args) for fn, args in calls)


def unordered_map(calls: Iterable[Call], n_jobs: int, backend: str = "loky",
                  scheduler: str | None = None) -> Iterator[Any]:
    """Results of the calls as they finish (see the module docstring)."""
    if backend == "dask":
        return _dask_map(calls, n_jobs, scheduler)
    if scheduler:
        raise ClusterError(f"--scheduler needs --backend {' or '.join(CLUSTER_BACKENDS)}, not {backend}")
    return _joblib_map(calls, n_jobs, backend)
