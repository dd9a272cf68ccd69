"""``sotbench run`` through the engine: the whole dataset in one engine run, same result files.

Every sequence to run becomes one job (OPE: one stream; VOT reset: one stream per repetition
still to run, sharing frames and the first template), longest first.  Result files are
written as each sequence ends (atomically, as the per-sequence runner does), so an interrupted
run resumes.  Per-frame times are the engine's amortised time per stream-frame.  A
deterministic tracker's VOT repetitions stop once three agree, as in ``sotbench.run``: the
first round runs up to three, a second round the rest if they differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sotbench.engine.jobs import Job, JobResult, StreamSpec
from sotbench.results import RunDir

__all__ = ["run_sequences"]


def _vot_reps(store: RunDir, name: str, repetitions: int, first_round: bool) -> list[int]:
    """Repetitions still to run: up to three in the first round (a deterministic tracker stops
    once three agree), then all the missing ones."""
    missing = [r for r in range(1, repetitions + 1) if not store.vot_path(name, r).is_file()]
    if first_round:
        return missing[:max(1, 3 - (repetitions - len(missing)))]
    return missing


def _write(store: RunDir, res: JobResult) -> dict[str, Any]:
    """Write a finished job's files; returns the per-sequence report of ``sotbench.run``."""
    name = res.job.seq.name
    errors = [res.error] if res.error else [s.error for s in res.streams if s.error]
    if errors:
        return {"seq": name, "error": errors[0]}
    frames, seconds = 0, 0.0
    for stream in res.streams:
        if res.job.protocol == "ope":
            store.write_ope(name, stream.boxes, stream.times)
            frames += len(stream.boxes)
        else:
            store.write_vot(name, stream.spec.tag, stream.lines, stream.times)
            frames += len(stream.lines)
        seconds += float(np.sum(stream.times))
    return {"seq": name, "frames": frames, "tracker_s": seconds, "wall_s": seconds}


def _jobs(knobs: tuple[float, float, float], dataset, names: list[str], store: RunDir, vot, repetitions: int,
          first_round: bool, reports: dict[str, dict]) -> list[Job]:
    out = []
    for name in names:
        try:
            seq = dataset[name]
        except Exception as exc:  # a bad annotation fails its sequence only
            reports[name] = {"seq": name, "error": f"{type(exc).__name__}: {exc}"}
            continue
        if vot is None:
            tags = [1]
        else:
            tags = _vot_reps(store, name, repetitions, first_round)
            if not tags:
                continue
        streams = [StreamSpec(*knobs, tag=r) for r in tags]
        out.append(Job(seq, streams, "ope" if vot is None else "vot_reset", vot, tag=name))
    out.sort(key=lambda j: -j.length)  # longest first: the tail does not wait on a late long one
    return out


def run_sequences(engine, knobs: tuple[float, float, float], dataset, names: list[str], store: RunDir, vot,
                  repetitions: int, progress: Callable[[int], None] | None = None,
                  note: Callable[[dict], None] | None = None) -> list[dict]:
    """Run ``names`` of ``dataset`` through ``engine`` with ``knobs`` (``penalty_k``,
    ``window_influence``, ``lr``); write their files; one report each (``{"seq", "frames",
    "tracker_s", "wall_s"}`` or ``{"seq", "error"}``)."""
    reports: dict[str, dict] = {}
    todo = list(names)
    for first_round in (True, False):
        jobs = _jobs(knobs, dataset, todo, store, vot, repetitions, first_round, reports)
        for res in engine.run(jobs, progress):
            rep = _write(store, res)
            name = rep["seq"]
            if name in reports and "error" not in rep and "error" not in reports[name]:
                old = reports[name]
                rep = {**rep, "frames": old["frames"] + rep["frames"], "tracker_s": old["tracker_s"] + rep["tracker_s"]}
            reports[name] = rep
            if note is not None:
                note(rep)
        if vot is None:
            break
        todo = [n for n in todo if n in reports and "error" not in reports[n]
                and not store.is_done(n, "vot_reset", repetitions)]
        if not todo:
            break
    return [reports[n] for n in names if n in reports]
