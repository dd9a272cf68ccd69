"""``EngineBackend``: the batched engine behind the batch seam (``sotbench.trackers.backends``).

An engine serves one network structure (every parameter but the per-stream knobs), one
checkpoint, device and option set; it is built from the same loaded network as the
single-stream tracker (``builder.build``) and cached, so a search's batches and a run's
manifest reuse it.  Jobs whose streams need another structure are refused (callers group
streams by ``TrackerDef.structure_key`` first).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sotbench.jobs import Job, JobResult
from sotbench.trackers.definition import ResolvedTracker
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions

__all__ = ["EngineBackend", "engine_for"]

_ENGINES: OrderedDict[tuple, Any] = OrderedDict()
_ENGINES_KEPT = 2


def engine_for(resolved: ResolvedTracker, options: EngineOptions) -> tuple[Any, Any]:
    """The cached ``(Engine, single-stream tracker)`` for ``resolved``'s structure, weights,
    device and ``options`` (both share one loaded network)."""
    from sotbench.trackers.siamrpnpp.engine.core import Engine

    key = (resolved.definition.structure_key(resolved.params), resolved.options, options)
    if key not in _ENGINES:
        tracker = resolved.build()
        _ENGINES[key] = (Engine(tracker.model, tracker.p, tracker.device, options, tracker.weights_info()), tracker)
        while len(_ENGINES) > _ENGINES_KEPT:
            _ENGINES.popitem(last=False)
    _ENGINES.move_to_end(key)
    return _ENGINES[key]


class EngineBackend:
    """SiamRPN++ jobs through the batched engine."""

    def __init__(self, resolved: ResolvedTracker, options: Any):
        self.resolved = resolved
        self.structure = resolved.definition.structure_key(resolved.params)
        self.engine, self.tracker = engine_for(resolved, EngineOptions.of(options))

    @property
    def deterministic(self) -> bool:
        """The single-stream tracker's flag (the engine runs the same arithmetic)."""
        return bool(getattr(self.tracker, "deterministic", True))

    @property
    def capacity(self) -> int:
        """Streams one job may have: the engine's batch."""
        return self.engine.batch

    def _checked(self, jobs: Iterable[Job | None]) -> Iterator[Job | None]:
        key = self.resolved.definition.structure_key
        for job in jobs:
            if job is not None and any(key(s.params) != self.structure for s in job.streams):
                raise ValueError(f"{job.seq.name}: streams of another network structure than this engine's "
                                 "(group them by TrackerDef.structure_key)")
            yield job

    def run(self, jobs: Iterable[Job | None], progress: Callable[[int], None] | None = None) -> Iterator[JobResult]:
        """Track the jobs, many in flight at once; yields each as it ends."""
        return self.engine.run(self._checked(jobs), progress)

    def describe(self) -> dict:
        """Engine settings for run manifests."""
        return self.engine.describe()

    def tracker_info(self) -> dict:
        """The single-stream tracker's report (params of this structure, weights hash, device)."""
        t = self.tracker
        return {"params": self.resolved.params_dict(), "weights": t.weights_info(), "device": t.device_info()}
