"""``run_dataset``: run a tracker over a dataset split and write result files.

Finished sequences are skipped (their result file exists), so an interrupted run resumes
where it stopped; ``force`` redoes them.  A resume must match the folder's manifest in
everything that determines the results (``resume_key``), else it is refused.  A sequence that fails (bad annotation, missing
frame, tracker error) is reported and the others go on.  Every sequence becomes one job for
the tracker's batch backend (``sotbench.trackers.backends.backend_for``: the tracker's own,
e.g. SiamRPN++'s batched engine, else single-stream trackers stepped in lockstep, in joblib
worker processes with ``jobs > 1``); a reset-protocol job has one stream per repetition still
to run, in the rounds of ``sotbench.protocols.repetition_round``.  Each finished job's files
are written as it ends (``RunDir.write_output``).

``protocol`` runs another protocol than the dataset's own (``sotbench.protocols.RUN_PROTOCOLS``:
TRE / SRE segments and shifts are streams of the sequence's job, a long-term pass writes its
confidences); its results and manifest go to the run folder's protocol sub-folder.  ``repeat``
runs a stochastic tracker N times, each run id a stream of the same job, each written to its own
run folder ``<run>_<id:03d>`` (pytracking's run ids).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sotbench.datasets import Dataset, DatasetRef
from sotbench.datasets.base import VotSettings
from sotbench.errors import os_error_message
from sotbench.jobs import Job, JobResult, Stream
from sotbench.protocols import SRE_SHIFTS, RunProtocol, check_protocol, part_count, protocol_streams, repetition_round
from sotbench.provenance import environment, now_iso
from sotbench.results import RunDir, run_id_dir
from sotbench.safepath import check_name
from sotbench.trackers import TrackerSpec
from sotbench.trackers.backends import BackendOptions, BatchBackend, OptionsError, backend_for, track
from sotbench.trackers.lockstep import describe_error

__all__ = ["RunOptions", "RunSummary", "run_dataset", "run_dir_for", "RunError", "resume_key", "resume_differences"]


class RunError(RuntimeError):
    """The run cannot start (e.g. an existing run folder holds results of other settings)."""


@dataclass(frozen=True)
class RunOptions:
    """How to run: where to write, which sequences, resume/force, and how to track (backend options)."""

    out: Path = Path("results")
    name: str | None = None
    display_name: str | None = None  # the label reports and ``show`` use (default: the run folder name)
    sequences: tuple[str, ...] | None = None
    force: bool = False
    repetitions: int | None = None
    progress: bool = True
    tracking: BackendOptions = BackendOptions()
    protocol: str | None = None  # default: the dataset's own (ope, vot_reset)
    repeat: int | None = None  # run ids 0 .. repeat-1 of a stochastic tracker

    def __post_init__(self) -> None:
        if self.repetitions is not None and (isinstance(self.repetitions, bool) or not isinstance(self.repetitions, int)
                                             or self.repetitions < 1):
            raise ValueError(f"repetitions must be an integer >= 1, got {self.repetitions!r}")


@dataclass
class RunSummary:
    """What a run did."""

    run_dir: Path
    run_dirs: list[Path] = field(default_factory=list)  # one per run id (--repeat), else [run_dir]
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    frames: int = 0
    tracker_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def run_dir_for(dataset: Dataset, run_name: str, out: Path, protocol: str | None = None,
                run_id: int | None = None) -> Path:
    """``<out>/<Dataset>[-<split>]/<run_name>[_<run id>][/<protocol folder>]`` (the run name, from a flag
    or a preset, is one folder)."""
    check_name(run_name, "run name")
    from sotbench.protocols import run_protocol

    folder = dataset.spec.folder
    if dataset.split != dataset.spec.default_split:
        folder = f"{folder}-{dataset.split}"
    path = run_id_dir(Path(out) / folder / run_name, run_id)
    sub = run_protocol(protocol).folder if protocol else None
    return path / sub if sub else path


# -- orchestration --------------------------------------------------------------------------
RESUME_FIELDS = ("tracker", "params", "weights", "precision", "decoder", "protocol", "dataset")


def resume_key(manifest: dict) -> dict:
    """What determines a run folder's results, from its manifest: tracker, full typed parameters,
    weights identity (sha256), precision and decoder, protocol settings, dataset key/split/version."""
    tracker = manifest.get("tracker") or {}
    weights = (manifest.get("tracker_info") or {}).get("weights")
    if isinstance(weights, dict):
        if weights.get("source") == "random":  # say so: "other weights" alone hides a random network
            weights = f"random weights (state sha256 {str(weights.get('state_sha256'))[:16]})"
        else:
            weights = weights.get("sha256") or weights.get("state_sha256") or weights
    backend = manifest.get("backend") or manifest.get("engine") or {}  # "engine": manifests before the seam
    dataset = manifest.get("dataset") or {}
    protocol = manifest.get("protocol") or {}
    return {
        "tracker": tracker.get("tracker"),
        "params": manifest.get("params", tracker.get("params")),
        "weights": weights,
        "precision": backend.get("precision", "fp32"),
        "decoder": backend.get("decoder"),
        "protocol": {k: protocol.get(k) for k in ("name", "repetitions", "vot")},
        "dataset": {k: dataset.get(k) for k in ("key", "split", "version")},
    }


def _short(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 70 else text[:67] + "..."


def resume_differences(old: dict, new: dict) -> list[str]:
    """``field: stored X, now Y`` for each field of ``resume_key`` that differs (parameters key by key)."""
    a, b = resume_key(old), resume_key(new)
    if "params" not in old:  # manifests before full parameters were recorded: compare what the spec gave
        a["params"], b["params"] = (m.get("tracker", {}).get("params") for m in (old, new))
    out = []
    for field in RESUME_FIELDS:
        x, y = a[field], b[field]
        if isinstance(x, dict) and isinstance(y, dict) and field in ("params", "protocol", "dataset"):
            out += [f"{field}.{k}: stored {_short(x.get(k))}, now {_short(y.get(k))}"
                    for k in sorted(set(x) | set(y), key=str) if _short(x.get(k)) != _short(y.get(k))]
        elif _short(x) != _short(y):
            out.append(f"{field}: stored {_short(x)}, now {_short(y)}")
    return out


def _check_manifest(store: RunDir, manifest: dict, force: bool) -> None:
    """A resume must not mix results: refuse when anything that determines them differs."""
    if force:
        return
    old = store.read_manifest()
    if old is None:
        return
    diffs = resume_differences(old, manifest)
    if diffs:
        raise RunError(f"{store.path} holds results computed with other settings ({'; '.join(diffs)}); "
                       "--force replaces them, or choose another --name or --out")


def _manifest(spec: TrackerSpec, dataset: Dataset, run_name: str, vot: VotSettings | None,
              repetitions: int, tracker_info: dict, protocol: RunProtocol) -> dict:
    return {
        "schema": "sotbench-run-v1",
        "run": run_name,
        "tracker": spec.to_dict(),
        "params": spec.resolved.params_dict(),  # the full typed parameters (defaults included)
        "tracker_info": tracker_info,
        "dataset": {"key": dataset.key, "split": dataset.split, "root": str(dataset.root),
                    "version": dataset.spec.version, "protocol": dataset.protocol,
                    "sequences": len(dataset)},
        "protocol": {"name": protocol.name, "repetitions": repetitions,
                     **({"parts": part_count(protocol.name), "source": protocol.source}
                        if protocol.name != dataset.protocol else {}),
                     **({"vot": vot.__dict__} if vot else {})},
        "environment": environment(),
        "started": now_iso(),
        "finished": None,
        "status": "running",
    }


def _backend(spec: TrackerSpec, dataset: Dataset, options: RunOptions) -> BatchBackend:
    try:
        return backend_for(spec, options.tracking, DatasetRef.of(dataset))
    except OptionsError as exc:
        raise RunError(str(exc)) from None


def _run_ids(options: RunOptions, protocol: RunProtocol, backend: BatchBackend, name: str) -> list[int | None]:
    """``[None]``, or the run ids of ``--repeat N`` (refused where N runs would be alike)."""
    if options.repeat is None:
        return [None]
    if options.repeat < 2:
        raise RunError(f"--repeat must be at least 2, got {options.repeat}")
    if protocol.job == "vot_reset":
        raise RunError("--repeat does not apply to the reset protocol, which repeats by itself "
                       "(--repetitions, default: the benchmark's)")
    if backend.deterministic:
        raise RunError(f"{name} is deterministic (its `deterministic` attribute): --repeat {options.repeat} would "
                       f"give {options.repeat} identical runs; run it once, without --repeat")
    return list(range(options.repeat))


def _protocol(dataset: Dataset, options: RunOptions) -> RunProtocol:
    try:
        return check_protocol(options.protocol or dataset.protocol, dataset)
    except ValueError as exc:
        raise RunError(str(exc)) from None


def run_dataset(spec: TrackerSpec, dataset: Dataset, options: RunOptions = RunOptions()) -> RunSummary:
    """Run ``spec``'s tracker on ``dataset``; write results under ``options.out``."""
    t0 = time.perf_counter()
    protocol = _protocol(dataset, options)
    run_name = options.name or spec.name
    vot = dataset.spec.vot if protocol.job == "vot_reset" else None
    # reset protocol: --repetitions (default: the benchmark's); else the protocol's parts per run
    repetitions = (options.repetitions or vot.repetitions) if vot else part_count(protocol.name)
    names = list(dataset.subset(list(options.sequences))) if options.sequences else dataset.names
    backend = _backend(spec, dataset, options)
    run_ids = _run_ids(options, protocol, backend, spec.name)
    stores = {r: RunDir(run_dir_for(dataset, run_name, options.out, protocol.name, r), protocol.name)
              for r in run_ids}
    manifests = {}
    for r, store in stores.items():
        manifests[r] = _manifest(spec, dataset, run_name, vot, repetitions, backend.tracker_info(), protocol)
        manifests[r]["backend"] = backend.describe()
        if r is not None:
            manifests[r]["repeat"] = {"run_id": r, "runs": len(run_ids)}
        _check_manifest(store, manifests[r], options.force)
        if protocol.folder is not None:  # a protocol folder belongs to the run folder above it
            _check_manifest(RunDir(store.path.parent), manifests[r], options.force)
    first = stores[run_ids[0]]
    label = options.display_name or ((first.read_manifest() or {}).get("display_name") if not options.force else None)
    if label:  # a resumed run keeps the label it was given
        for manifest in manifests.values():
            manifest["display_name"] = label
    summary = RunSummary(run_dir=stores[run_ids[0]].path, run_dirs=[st.path for st in stores.values()])
    todo = []
    for name in names:
        if not options.force and all(st.is_done(name, protocol.name, repetitions, backend.deterministic)
                                     for st in stores.values()):
            summary.skipped.append(name)
        else:
            todo.append(name)
    try:
        for r, store in stores.items():
            store.write_manifest(manifests[r])
    except OSError as exc:
        raise RunError(f"{os_error_message(exc)}; nothing was run (--out chooses the results folder)") from None
    plan = _Plan(spec, dataset, stores, protocol, vot, repetitions, backend.deterministic, options.force)
    for rep in _track_all(backend, plan, todo, options.progress):
        if "error" in rep:
            summary.failed[rep["seq"]] = rep["error"]
        else:
            summary.done.append(rep["seq"])
            summary.frames += rep["frames"]
            summary.tracker_seconds += rep["tracker_s"]
    summary.wall_seconds = time.perf_counter() - t0
    for r, store in stores.items():
        manifest = manifests[r]
        manifest["backend"] = backend.describe()
        manifest.update(finished=now_iso(), status="finished" if summary.ok else "incomplete",
                        summary=_summary(summary))
        try:
            store.write_manifest(manifest)
        except OSError as exc:
            raise RunError(f"{os_error_message(exc)}; the {len(summary.done)} sequences run are written and kept, "
                           "a rerun skips them and records the manifest") from None
    return summary


def _summary(summary: RunSummary) -> dict:
    """The manifest's summary of what the run did."""
    fps = summary.frames / summary.tracker_seconds if summary.tracker_seconds else None
    e2e = summary.frames / summary.wall_seconds if summary.wall_seconds else None
    return {"done": len(summary.done), "skipped": len(summary.skipped), "failed": summary.failed,
            "frames": summary.frames, "tracker_fps": fps, "end_to_end_fps": e2e}


@dataclass
class _Plan:
    """What the jobs of one run are made of."""

    spec: TrackerSpec
    dataset: Dataset
    stores: dict[int | None, RunDir]  # per run id (None: no --repeat)
    protocol: RunProtocol
    vot: VotSettings | None
    repetitions: int
    deterministic: bool
    force: bool
    first_round_last: dict[str, int] = field(default_factory=dict)

    @property
    def store(self) -> RunDir:
        """The run folder of a run without run ids (the reset protocol has no --repeat)."""
        return self.stores[None]

    def streams(self, seq, first_round: bool) -> list[Stream]:
        """The streams still to run for ``seq``, tagged ``(run id, part)``: VOT one per repetition of
        this round; else each unfinished run id's parts (OPE and long-term 1, TRE 20, SRE 12)."""
        params, name = self.spec.resolved.params, seq.name
        if self.vot is None:
            out = []
            for r, store in self.stores.items():
                if self.force or not store.is_done(name, self.protocol.name, self.repetitions, self.deterministic):
                    out += protocol_streams(self.protocol.name, seq, params, r)
            return out
        fresh = self.force and first_round  # --force: what is on disk is replaced
        done = [] if fresh else list(range(1, len(self.store.vot_repetitions(name)) + 1))
        reps = repetition_round(done, self.repetitions, self.deterministic, not fresh and self.store.agree(name))
        if fresh and reps:
            self.first_round_last[name] = max(reps)
        return [Stream(params, (None, r)) for r in reps]

    def written(self, res: JobResult, report: dict) -> None:
        """After a forced first round wrote ``res``: drop the stale repetitions above it."""
        last = self.first_round_last.get(res.job.seq.name)
        if last is not None and "error" not in report:
            self.store.drop_vot_after(res.job.seq.name, last)

    def jobs(self, names: list[str], first_round: bool, reports: dict[str, dict]) -> list[Job]:
        """One job per sequence, longest first (the tail does not wait on a late long one)."""
        out = []
        for name in names:
            try:
                seq = self.dataset[name]
                streams = self.streams(seq, first_round)
            except Exception as exc:  # a bad annotation (or no TRE start) fails its sequence only
                reports[name] = {"seq": name, "error": describe_error(exc)}
                continue
            if streams:
                out.append(Job(seq, streams, self.protocol.job, self.vot, tag=name))
        out.sort(key=lambda j: -j.length)
        return out


def _write(plan: _Plan, res: JobResult) -> dict:
    """Write a finished job's files (none if a stream failed); the sequence's report."""
    name = res.job.seq.name
    items = res.items()
    errors = [out for _, out in items if isinstance(out, str)]
    if not errors and plan.protocol.name == "longterm":
        errors = [f"the tracker reports no confidence on {name} (update() returns a box, not (box, score)); "
                  "the long-term protocol scores by confidence" for _, out in items
                  if len(out.scores) > 1 and not np.isfinite(out.scores[1:]).any()][:1]
    if errors:
        return {"seq": name, "error": errors[0]}
    frames, seconds = 0, 0.0
    for stream, output in items:
        run_id, part = stream.tag
        store = plan.stores[run_id]
        try:
            store.write_output(name, part, output)
        except OSError as exc:  # stops the run: every later sequence would fail the same way
            raise RunError(f"{os_error_message(exc)}; the results written before are kept in {store.path}, "
                           "a rerun continues with the sequences still to do") from None
        frames += len(output.trajectory)
        seconds += float(output.times.sum())
    if plan.protocol.name in ("tre", "sre"):
        _write_kit(plan, res.job.seq, items)
    return {"seq": name, "frames": frames, "tracker_s": seconds}


def _write_kit(plan: _Plan, seq, items) -> None:
    """TRE / SRE: each run's parts of ``seq`` also as the OTB kit's result file."""
    runs: dict = {}
    for stream, output in items:
        run_id, part = stream.tag
        shift = SRE_SHIFTS[part - 1] if plan.protocol.name == "sre" else None
        runs.setdefault(run_id, []).append((part, (output.start, output.boxes, shift)))
    for run_id, parts in runs.items():
        store = plan.stores[run_id]
        run = store.path.parent.name  # <run>[_<id>]/tre
        store.write_kit_mat(seq.meta.get("kit", seq.name), run, int(seq.meta.get("start_frame", 1)),
                            [p for _, p in sorted(parts, key=lambda x: x[0])])


def _merge(old: dict | None, new: dict) -> dict:
    """Reports of two parts of one sequence (rounds, or a job split to the backend's width)."""
    if old is None or "error" in old:
        return old or new
    if "error" in new:
        return new
    return {**new, "frames": old["frames"] + new["frames"], "tracker_s": old["tracker_s"] + new["tracker_s"]}


def _track_all(backend: BatchBackend, plan: _Plan, todo: list[str], progress: bool) -> list[dict]:
    """Every round of jobs through the backend; one report per sequence, in ``todo`` order."""
    reports: dict[str, dict] = {}
    names = list(todo)
    jobs = plan.jobs(names, True, reports)
    bar = _progress_bar(sum(j.length * len(j.streams) for j in jobs), progress and bool(jobs),
                        f"{plan.spec.name} on {plan.dataset.key}")
    try:
        while jobs:
            for res in track(backend, jobs, bar.update):
                name = res.job.seq.name
                report = _write(plan, res)
                plan.written(res, report)
                reports[name] = _merge(reports.get(name), report)
                _note_failure(reports[name], bar)
            plan.first_round_last.clear()
            if plan.vot is None:
                break
            names = [n for n in names if "error" not in reports.get(n, {"error": ""})
                     and not plan.store.is_done(n, "vot_reset", plan.repetitions, plan.deterministic)]
            jobs = plan.jobs(names, False, reports)
    finally:
        bar.close()
    return [reports[n] for n in todo if n in reports]


def _progress_bar(total: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="fr", desc=desc, disable=not enabled, dynamic_ncols=True,
                file=sys.stderr, smoothing=0.1)


def _note_failure(rep: dict, bar) -> None:
    if "error" in rep:
        bar.write(f"FAILED {rep['seq']}: {rep['error'].splitlines()[0]}")
