"""Trial evaluation: K parameter sets tracked through one sequence together.

``BatchEvaluator`` is the seam where a batched GPU engine plugs in: anything with
``evaluate_batch(params_list, seq_name) -> list[trajectory | TrialFailure]`` (one entry per
parameter set, in order) can replace ``LockstepEvaluator``.  The lockstep evaluator builds
one tracker per parameter set and steps them frame by frame, so each frame is decoded once for
the whole batch.  ``iter_sequences`` runs a batch over a list of sequences, in-process or in
worker processes, asking before each sequence which trials are still alive (pruned trials
free their place).
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

import numpy as np

from sotbench.trackers import TrackerSpec

__all__ = ["BatchEvaluator", "LockstepEvaluator", "TrialFailure", "DatasetRef", "iter_sequences"]


@dataclass(frozen=True)
class TrialFailure:
    """A parameter set whose tracker failed on a sequence (the trial is told FAIL)."""

    message: str


@dataclass(frozen=True)
class DatasetRef:
    """How to open the tuning dataset again in a worker process (picklable)."""

    key: str
    root: str
    split: str


class BatchEvaluator(Protocol):
    """Tracks one sequence with several parameter sets; returns one trajectory per set."""

    def evaluate_batch(self, params_list: Sequence[Mapping[str, Any]], seq_name: str) -> list[Any]: ...


_DATASETS: dict[DatasetRef, Any] = {}
_TRACKERS: dict[str, Any] = {}


def _dataset(ref: DatasetRef):
    if ref not in _DATASETS:
        from sotbench.datasets import load_dataset

        _DATASETS[ref] = load_dataset(ref.key, root=ref.root, split=ref.split)
    return _DATASETS[ref]


def _tracker(spec: TrackerSpec, keep: int):
    """A tracker per parameter set, kept for the next sequences of the same batch."""
    key = json.dumps(spec.to_dict(), sort_keys=True, default=str)
    if key not in _TRACKERS:
        while len(_TRACKERS) >= keep:
            _TRACKERS.pop(next(iter(_TRACKERS)))
        _TRACKERS[key] = spec.build()
    return _TRACKERS[key]


class LockstepEvaluator:
    """The sequential engine: one tracker per parameter set, all stepped frame by frame."""

    def __init__(self, base: TrackerSpec, dataset: DatasetRef, protocol: str = "ope", vot: Any = None):
        self.base, self.dataset, self.protocol, self.vot = base, dataset, protocol, vot

    def _spec(self, params: Mapping[str, Any]) -> TrackerSpec:
        return replace(self.base, params={**self.base.params, **params})

    def evaluate_batch(self, params_list: Sequence[Mapping[str, Any]], seq_name: str) -> list[Any]:
        """Trajectories of ``seq_name`` for each parameter set (``TrialFailure`` where it failed)."""
        seq = _dataset(self.dataset)[seq_name]
        trackers: list[Any] = []
        for params in params_list:
            try:
                tracker = _tracker(self._spec(params), keep=max(8, 2 * len(params_list)))
                if any(tracker is t for t in trackers):  # equal parameters twice: each needs its own state
                    tracker = self._spec(params).build()
                trackers.append(tracker)
            except Exception as exc:  # a bad parameter value fails its trial, not the batch
                trackers.append(TrialFailure(f"building the tracker: {type(exc).__name__}: {exc}"))
        if self.protocol == "vot_reset":
            return [t if isinstance(t, TrialFailure) else self._vot(t, seq, self.vot) for t in trackers]
        return self._ope(trackers, seq)

    @staticmethod
    def _ope(trackers: list[Any], seq) -> list[Any]:
        from sotbench.protocols import init_output_box
        from sotbench.trackers.base import as_output

        frames = seq.frames
        if frames is None:
            raise FileNotFoundError(f"{seq.name}: no frames on disk (this dataset root holds annotations only)")
        n = len(frames)
        out: list[Any] = [t if isinstance(t, TrialFailure) else np.zeros((n, 4)) for t in trackers]
        for i in range(n):
            image = frames[i]  # decoded once for every parameter set
            for k, tracker in enumerate(trackers):
                if isinstance(out[k], TrialFailure):
                    continue
                try:
                    if i == 0:
                        out[k][0] = init_output_box(tracker.init(image, seq.init_region), seq.init_region)
                    else:
                        out[k][i] = as_output(tracker.update(image)).box
                except Exception as exc:
                    out[k] = TrialFailure(f"{seq.name} frame {i}: {type(exc).__name__}: {exc}")
        return out

    @staticmethod
    def _vot(tracker: Any, seq, settings: Any) -> Any:
        """One reset-protocol repetition (searches run one, as pysot's hp_search does)."""
        from sotbench.protocols import run_vot_reset

        try:
            return run_vot_reset(lambda: tracker, seq, settings).lines
        except Exception as exc:
            return TrialFailure(f"{seq.name}: {type(exc).__name__}: {exc}")


ActiveFn = Callable[[], dict[int, Mapping[str, Any]]]


def iter_sequences(evaluator: BatchEvaluator, order: Sequence[str], active: ActiveFn,
                   jobs: int = 1) -> Iterator[tuple[str, dict[int, Any]]]:
    """Evaluate the still-active trials on each sequence of ``order``; yields, in order,
    ``(sequence, {trial key: trajectory})``.  With ``jobs > 1`` up to ``jobs`` sequences run
    at once in worker processes; a trial pruned meanwhile is left out of later sequences.  An
    evaluator with its own ``iter_sequences(order, active)`` (the batched engine's, which keeps
    several sequences in flight in one process) runs the whole order itself when ``jobs <= 1``."""
    if jobs <= 1 and callable(getattr(evaluator, "iter_sequences", None)):
        yield from evaluator.iter_sequences(order, active)
        return
    if jobs <= 1:
        for name in order:
            alive = active()
            if not alive:
                return
            yield name, dict(zip(alive, evaluator.evaluate_batch(list(alive.values()), name), strict=True))
        return
    from concurrent.futures import wait
    from joblib.externals.loky import get_reusable_executor

    executor = get_reusable_executor(max_workers=jobs)
    todo, pending = deque(order), deque()
    while todo or pending:
        while todo and len(pending) < jobs:
            alive = active()
            if not alive:
                todo.clear()
                break
            name = todo.popleft()
            pending.append((name, list(alive), executor.submit(evaluator.evaluate_batch, list(alive.values()), name)))
        if not pending:
            return
        name, keys, future = pending.popleft()
        wait([future])
        yield name, dict(zip(keys, future.result(), strict=True))
