"""The search's batch evaluator on the engine: K trials x one sequence per engine pass.

``evaluate_batch(params_list, seq_name)`` tracks the sequence with every parameter set at
once: one stream per trial, frames decoded once for all of them, one template shared by all
(the knobs do not change it).  Trials whose parameters change more than the knobs
(``penalty_k``, ``window_influence``, ``lr``) run in one engine per network structure; a
long-term parameter set (which the engine does not run) goes to the lockstep evaluator.

``iter_sequences(order, active)`` (used by ``sotbench.search`` when present) keeps many
sequences in flight at once, K streams each, so the engine's batch fills up even when K is
small: sequence ``i + 1`` starts while sequence ``i`` still runs, with the trials alive when
it starts, and results are handed out in ``order``.  A trial pruned meanwhile has already
started on a few later sequences; that work is wasted, never wrong.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sotbench.engine.build import (
    build_engine,
    engine_supports,
    merged_params,
    structure_key,
)
from sotbench.engine.jobs import Job, StreamSpec
from sotbench.engine.options import EngineOptions
from sotbench.search.evaluator import (
    DatasetRef,
    LockstepEvaluator,
    TrialFailure,
    _dataset,
)
from sotbench.trackers import TrackerSpec

__all__ = ["EngineEvaluator"]


class EngineEvaluator:
    """``BatchEvaluator`` on the batched engine (picklable: engines are built per process)."""

    def __init__(self, base: TrackerSpec, dataset: DatasetRef, protocol: str = "ope", vot: Any = None,
                 options: EngineOptions | None = None):
        self.base, self.dataset, self.protocol, self.vot = base, dataset, protocol, vot
        self.options = options or EngineOptions()

    def _params(self, params: Mapping[str, Any]) -> dict:
        return {**self.base.params, **params}

    def _engine(self, params: dict):
        return build_engine(params, device=self.base.device, checkpoint=self.base.checkpoint,
                            allow_random_weights=self.base.allow_random_weights, options=self.options)

    def _groups(self, params_list: Sequence[Mapping[str, Any]], out: list) -> dict[str, list[int]]:
        """Trial indices by network structure; bad parameters fail their trial in ``out``."""
        groups: dict[str, list[int]] = {}
        for i, params in enumerate(params_list):
            merged = self._params(params)
            try:
                p = merged_params(merged)
            except Exception as exc:  # a bad parameter value fails its trial, not the batch
                out[i] = TrialFailure(f"building the tracker: {type(exc).__name__}: {exc}")
                continue
            key = structure_key(p) if engine_supports(self.base.tracker, merged) is None else "lockstep"
            groups.setdefault(key, []).append(i)
        return groups

    def _job(self, seq, params_list, members: list[int], engine) -> list[Job]:
        streams = []
        for i in members:
            p = merged_params(self._params(params_list[i]))
            streams.append(StreamSpec(p.penalty_k, p.window_influence, p.lr, tag=i))
        width = engine.batch
        return [Job(seq, streams[k:k + width], self.protocol, self.vot) for k in range(0, len(streams), width)]

    def evaluate_batch(self, params_list: Sequence[Mapping[str, Any]], seq_name: str) -> list[Any]:
        """Trajectories of ``seq_name`` for each parameter set (``TrialFailure`` where it failed)."""
        out: list[Any] = [None] * len(params_list)
        groups = self._groups(params_list, out)
        seq = _dataset(self.dataset)[seq_name] if groups else None
        for key, members in groups.items():
            if key == "lockstep":
                lock = LockstepEvaluator(self.base, self.dataset, self.protocol, self.vot)
                for i, traj in zip(members, lock.evaluate_batch([params_list[i] for i in members], seq_name)):
                    out[i] = traj
                continue
            try:
                engine = self._engine(self._params(params_list[members[0]]))
            except Exception as exc:
                for i in members:
                    out[i] = TrialFailure(f"building the tracker: {type(exc).__name__}: {exc}")
                continue
            for res in engine.run(self._job(seq, params_list, members, engine)):
                self._store(res, out)
        return out

    @staticmethod
    def _store(res, out: list) -> None:
        for stream, traj in zip(res.streams, res.outputs()):
            out[stream.spec.tag] = TrialFailure(traj) if isinstance(traj, str) else traj

    # -- many sequences in flight ------------------------------------------------------------
    def iter_sequences(self, order: Sequence[str], active) -> Iterator[tuple[str, dict[int, Any]]]:
        """Evaluate the alive trials on each sequence of ``order``, several sequences at once;
        yields ``(sequence, {trial key: trajectory})`` in ``order``."""
        alive = active()
        if not alive:
            return
        keys = {structure_key(merged_params(self._params(p))) if self._valid(p) else None for p in alive.values()}
        if len(keys) != 1 or None in keys or engine_supports(self.base.tracker, self._params(next(iter(alive.values())))):
            for name in order:  # mixed structures or bad parameters: one sequence at a time
                alive = active()
                if not alive:
                    return
                yield name, dict(zip(alive, self.evaluate_batch(list(alive.values()), name), strict=True))
            return
        engine = self._engine(self._params(next(iter(alive.values()))))
        yield from self._pipelined(engine, list(order), active)

    def _valid(self, params: Mapping[str, Any]) -> bool:
        try:
            merged_params(self._params(params))
        except Exception:
            return False
        return True

    def _pipelined(self, engine, order: list[str], active) -> Iterator[tuple[str, dict[int, Any]]]:
        started: dict[int, dict[int, Any]] = {}  # sequence index -> {trial key: result or None}
        parts: dict[int, int] = {}

        def source():
            ds = _dataset(self.dataset)
            for idx, name in enumerate(order):
                alive = active()
                if not alive:
                    return
                keys = list(alive)
                started[idx] = dict.fromkeys(keys)
                jobs = self._job(ds[name], [alive[k] for k in keys], list(range(len(keys))), engine)
                parts[idx] = len(jobs)
                for job in jobs:
                    yield replace(job, tag=(idx, keys))

        done = 0
        for res in engine.run(source()):
            idx, keys = res.job.tag
            for stream, traj in zip(res.streams, res.outputs()):
                started[idx][keys[stream.spec.tag]] = TrialFailure(traj) if isinstance(traj, str) else traj
            parts[idx] -= 1
            while done in parts and parts[done] == 0:
                yield order[done], started.pop(done)
                del parts[done]
                done += 1
