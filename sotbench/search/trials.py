"""Trials through the run path: each sequence is one job with one stream per alive trial.

``TrialRunner.iter_sequences(order, active)`` tracks the trials that ``active()`` names on each
sequence of ``order`` through the tracker's batch backend (``sotbench.trackers.backends``: the
same backends and protocol code as ``sotbench run``; one reset-protocol repetition per trial,
as pysot's hp_search runs) and yields ``(sequence, {trial: output})`` in ``order``; an output
is a ``sotbench.jobs.OpeOutput`` / ``VotOutput``, or a ``TrialFailure``.  Jobs are made only
when the backend asks for them, so a backend that keeps several sequences in flight (the
engine, worker processes) fills its batch even with few trials, and a trial pruned meanwhile
is left out of the sequences not started yet.  Trials whose parameters need another network
structure than the others (``TrackerDef.structure_key``) run on a backend of their own, one
sequence at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sotbench.datasets import DatasetRef
from sotbench.jobs import Job, Stream
from sotbench.trackers import TrackerSpec
from sotbench.trackers.backends import BackendOptions, BatchBackend, backend_for, track
from sotbench.trackers.lockstep import describe_error

__all__ = ["TrialFailure", "TrialRunner"]

ActiveFn = Callable[[], dict[int, Mapping[str, Any]]]
_KEPT = 2  # backends (loaded networks) kept per process


@dataclass(frozen=True)
class TrialFailure:
    """A parameter set whose tracker failed on a sequence (the trial is told FAIL)."""

    message: str


class TrialRunner:
    """Tracks a batch of trials on the tuning split (see the module docstring)."""

    def __init__(self, base: TrackerSpec, dataset: Any, options: BackendOptions = BackendOptions(),
                 backend: BatchBackend | None = None):
        self.base, self.dataset, self.options = base, dataset, options
        self.fixed = backend  # a backend given by the caller serves every trial
        self._backends: OrderedDict[str, BatchBackend] = OrderedDict()

    def _typed(self, trials: Mapping[int, Mapping[str, Any]]) -> tuple[dict[int, Any], dict[int, TrialFailure]]:
        """Each trial's typed parameters, or why they are not valid."""
        typed, failed = {}, {}
        for key, values in trials.items():
            try:
                typed[key] = self.base.resolved.with_values(values)
            except Exception as exc:  # a bad parameter value fails its trial, not the batch
                failed[key] = TrialFailure(f"building the tracker: {describe_error(exc)}")
        return typed, failed

    def _backend(self, structure: str, values: Mapping[str, Any]) -> BatchBackend:
        if self.fixed is not None:
            return self.fixed
        if structure not in self._backends:
            spec = replace(self.base, params={**self.base.params, **dict(values)})
            self._backends[structure] = backend_for(spec, self.options, DatasetRef.of(self.dataset))
            while len(self._backends) > _KEPT:
                self._backends.popitem(last=False)
        self._backends.move_to_end(structure)
        return self._backends[structure]

    def _job(self, name: str, streams: list[Stream], tag: Any) -> Job:
        from sotbench.protocols import run_protocol

        job = run_protocol(self.dataset.protocol).job  # a long-term dataset's jobs are one-pass
        vot = self.dataset.spec.vot if job == "vot_reset" else None
        return Job(self.dataset[name], streams, job, vot, tag=tag)

    def _groups(self, typed: dict[int, Any]) -> dict[str, list[int]]:
        """Trials by network structure (a backend serves one)."""
        if self.fixed is not None:
            return {"given": list(typed)} if typed else {}
        key = self.base.resolved.definition.structure_key
        groups: dict[str, list[int]] = {}
        for k in typed:
            groups.setdefault(key(typed[k]), []).append(k)
        return groups

    def iter_sequences(self, order: Sequence[str], active: ActiveFn) -> Iterator[tuple[str, dict[int, Any]]]:
        """Evaluate the alive trials on each sequence of ``order`` (see the module docstring)."""
        alive = active()
        if not alive:
            return
        typed, failed = self._typed(alive)
        groups = self._groups(typed)
        if len(groups) <= 1:
            yield from self._pipelined(order, active, alive, groups, typed, failed)
            return
        for name in order:  # several network structures: one sequence, one structure at a time
            alive = active()
            if not alive:
                return
            typed, failed = self._typed(alive)
            results: dict[int, Any] = dict(failed)
            for structure, members in self._groups(typed).items():
                backend = self._backend(structure, alive[members[0]])
                job = self._job(name, [Stream(typed[k], k) for k in members], None)
                for res in track(backend, [job]):
                    results.update(_outputs(res))
            yield name, results

    def _pipelined(self, order: Sequence[str], active: ActiveFn, first: Mapping[int, Mapping[str, Any]],
                   groups: dict[str, list[int]], typed: dict[int, Any],
                   failed: dict[int, TrialFailure]) -> Iterator[tuple[str, dict[int, Any]]]:
        if not groups:  # every trial failed to parse: nothing to track
            yield order[0], dict(failed)
            return
        structure, members = next(iter(groups.items()))
        backend = self._backend(structure, first[members[0]])
        started: dict[int, dict[int, Any]] = {}
        parts: dict[int, int] = {}

        def source() -> Iterator[Job]:
            for idx, name in enumerate(order):
                alive = active()
                keys = [k for k in alive if k in typed]
                if not keys:
                    return
                started[idx] = {k: failed[k] for k in alive if k in failed} if idx == 0 else {}
                started[idx].update(dict.fromkeys(keys))
                job = self._job(name, [Stream(typed[k], k) for k in keys], idx)
                width = backend.capacity
                parts[idx] = 1 if width is None else -(-len(keys) // width)
                yield job

        done = 0
        for res in track(backend, source()):
            idx = res.job.tag
            started[idx].update(_outputs(res))
            parts[idx] -= 1
            while done in parts and parts[done] == 0:
                yield order[done], started.pop(done)
                del parts[done]
                done += 1


def _outputs(res) -> dict[int, Any]:
    """``{trial: output or TrialFailure}`` of a job's streams."""
    out = {}
    for stream, output in res.items():
        out[stream.tag] = TrialFailure(f"{res.job.seq.name}: {output}") if isinstance(output, str) else output
    return out
