"""``run_dataset``: run a tracker over a dataset split and write result files.

Finished sequences are skipped (their result file exists), so an interrupted run resumes
where it stopped; ``force`` redoes them.  A sequence that fails (bad annotation, missing
frame, tracker error) is reported and the others go on.  With ``jobs > 1`` sequences run in
joblib worker processes (loky by default; any joblib backend, e.g. dask or ray, can be named),
each loading the tracker once.  SiamRPN++ runs through the batched engine (``sotbench.engine``)
by default: the whole dataset in one engine run, the same result files.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from sotbench.datasets import Dataset, load_dataset
from sotbench.datasets.base import VotSettings
from sotbench.protocols import run_ope, run_vot_reset
from sotbench.provenance import environment, now_iso
from sotbench.results import RunDir
from sotbench.trackers import TrackerSpec

__all__ = ["RunOptions", "RunSummary", "run_dataset", "run_dir_for", "RunError"]


class RunError(RuntimeError):
    """The run cannot start (e.g. an existing run folder holds results of other parameters)."""


@dataclass(frozen=True)
class RunOptions:
    """How to run: where to write, which sequences, resume/force, parallelism."""

    out: Path = Path("results")
    name: str | None = None
    sequences: tuple[str, ...] | None = None
    force: bool = False
    jobs: int = 1
    backend: str = "loky"
    repetitions: int | None = None
    progress: bool = True
    engine: bool = True  # SiamRPN++ through the batched engine (sotbench.engine)
    batch: int | None = None  # engine streams per step (None: sized to the device)
    precision: str = "fp32"  # engine precision: fp32, tf32, bf16
    decoder: str = "auto"  # engine frame decoder: auto, cpu, nvjpeg
    compile: bool = False  # engine: torch.compile the network for full batches


@dataclass
class RunSummary:
    """What a run did."""

    run_dir: Path
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    frames: int = 0
    tracker_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def run_dir_for(dataset: Dataset, run_name: str, out: Path) -> Path:
    """``<out>/<Dataset>[-<split>]/<run_name>``."""
    folder = dataset.spec.folder
    if dataset.split != dataset.spec.default_split:
        folder = f"{folder}-{dataset.split}"
    return Path(out) / folder / run_name


# -- worker side (also used in-process) -----------------------------------------------------
_TRACKERS: dict[str, Any] = {}
_DATASETS: dict[tuple, Dataset] = {}


def _cached_tracker(spec: TrackerSpec):
    key = json.dumps(spec.to_dict(), sort_keys=True, default=str)
    if key not in _TRACKERS:
        _TRACKERS.clear()  # one tracker (one model) per process
        _TRACKERS[key] = spec.build()
    return _TRACKERS[key]


def _cached_dataset(ref: tuple) -> Dataset:
    if ref not in _DATASETS:
        key, root, split = ref
        _DATASETS[ref] = load_dataset(key, root=root, split=split)
    return _DATASETS[ref]


def _run_sequence(spec: TrackerSpec, ref: tuple, seq_name: str, run_dir: Path, protocol: str,
                  vot: VotSettings | None, repetitions: int,
                  progress: Callable[[int], None] | None = None) -> dict:
    """Run one sequence and write its files; returns a small report (never raises)."""
    t_start = time.perf_counter()
    try:
        seq = _cached_dataset(ref)[seq_name]
        tracker = _cached_tracker(spec)
        store = RunDir(run_dir)
        if protocol == "ope":
            res = run_ope(tracker, seq, progress)
            store.write_ope(seq.name, res.boxes, res.times)
            return {"seq": seq_name, "frames": len(res.boxes), "tracker_s": float(res.times.sum()),
                    "wall_s": time.perf_counter() - t_start}
        assert vot is not None
        frames = tracker_s = 0.0
        deterministic = bool(getattr(tracker, "deterministic", True))
        for rep in range(1, repetitions + 1):
            if store.vot_path(seq.name, rep).is_file():
                continue
            run = run_vot_reset(lambda: tracker, seq, vot, progress)
            store.write_vot(seq.name, rep, run.lines, np.asarray(run.times))
            frames += len(run.lines)
            tracker_s += float(np.sum(run.times))
            if deterministic and store.is_done(seq.name, protocol, repetitions):
                break
        return {"seq": seq_name, "frames": int(frames), "tracker_s": tracker_s,
                "wall_s": time.perf_counter() - t_start}
    except Exception as exc:  # a failed sequence must not stop the others
        msg = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, (OSError, ValueError, KeyError, RuntimeError)):
            msg += "\n" + traceback.format_exc(limit=4)
        return {"seq": seq_name, "error": msg, "wall_s": time.perf_counter() - t_start}


# -- orchestration --------------------------------------------------------------------------
def _check_manifest(store: RunDir, manifest: dict, force: bool) -> None:
    old = store.read_manifest()
    if old is None or force:
        return
    same = old.get("tracker", {}).get("params") == manifest["tracker"]["params"] and \
        old.get("tracker", {}).get("tracker") == manifest["tracker"]["tracker"]
    precision = (old.get("engine") or {}).get("precision", "fp32"), (manifest.get("engine") or {}).get("precision", "fp32")
    if same and precision[0] != precision[1]:
        raise RunError(f"{store.path} holds results computed in {precision[0]}, this run uses {precision[1]}; "
                       "choose another --name, or --force to replace them")
    if not same:
        raise RunError(
            f"{store.path} holds results of another tracker or other parameters "
            f"({old.get('tracker', {}).get('tracker')} {old.get('tracker', {}).get('params')}); "
            "choose another --name, or --force to replace them"
        )


def _manifest(spec: TrackerSpec, dataset: Dataset, run_name: str, vot: VotSettings | None,
              repetitions: int, tracker_info: dict) -> dict:
    return {
        "schema": "sotbench-run-v1",
        "run": run_name,
        "tracker": spec.to_dict(),
        "tracker_info": tracker_info,
        "dataset": {"key": dataset.key, "split": dataset.split, "root": str(dataset.root),
                    "version": dataset.spec.version, "protocol": dataset.protocol,
                    "sequences": len(dataset)},
        "protocol": {"name": dataset.protocol, "repetitions": repetitions,
                     **({"vot": vot.__dict__} if vot else {})},
        "environment": environment(),
        "started": now_iso(),
        "finished": None,
        "status": "running",
    }


def _tracker_info(spec: TrackerSpec) -> dict:
    """Ask the built tracker for what it reports about itself (params, weights hash, device)."""
    tracker = _cached_tracker(spec)
    info: dict[str, Any] = {}
    for attr in ("params", "weights_info", "device_info"):
        fn = getattr(tracker, attr, None)
        if callable(fn):
            info[attr.replace("_info", "")] = fn()
    return info


def run_dataset(spec: TrackerSpec, dataset: Dataset, options: RunOptions = RunOptions()) -> RunSummary:
    """Run ``spec``'s tracker on ``dataset``; write results under ``options.out``."""
    t0 = time.perf_counter()
    run_name = options.name or spec.name
    store = RunDir(run_dir_for(dataset, run_name, options.out))
    vot = dataset.spec.vot if dataset.protocol == "vot_reset" else None
    repetitions = options.repetitions or (vot.repetitions if vot else 1)
    names = list(dataset.subset(list(options.sequences))) if options.sequences else dataset.names
    manifest = _manifest(spec, dataset, run_name, vot, repetitions, _tracker_info(spec))
    engine = _engine_for(spec, options)
    if engine is not None:
        manifest["engine"] = engine.describe()
    _check_manifest(store, manifest, options.force)
    summary = RunSummary(run_dir=store.path)
    todo = []
    for name in names:
        if not options.force and store.is_done(name, dataset.protocol, repetitions):
            summary.skipped.append(name)
        else:
            todo.append(name)
    store.write_manifest(manifest)
    ref = (dataset.key, str(dataset.root), dataset.split)
    _DATASETS[ref] = dataset
    if engine is not None:
        reports = _execute_engine(engine, spec, todo, store, dataset, vot, repetitions, options)
        manifest["engine"] = engine.describe()
    else:
        reports = _execute(spec, ref, todo, store.path, dataset, vot, repetitions, options)
    for rep in reports:
        if "error" in rep:
            summary.failed[rep["seq"]] = rep["error"]
        else:
            summary.done.append(rep["seq"])
            summary.frames += rep["frames"]
            summary.tracker_seconds += rep["tracker_s"]
    summary.wall_seconds = time.perf_counter() - t0
    manifest.update(finished=now_iso(), status="finished" if summary.ok else "incomplete",
                    summary={"done": len(summary.done), "skipped": len(summary.skipped),
                             "failed": summary.failed, "frames": summary.frames,
                             "tracker_fps": summary.frames / summary.tracker_seconds if summary.tracker_seconds else None,
                             "end_to_end_fps": summary.frames / summary.wall_seconds if summary.wall_seconds else None})
    store.write_manifest(manifest)
    return summary


def _engine_for(spec: TrackerSpec, options: RunOptions):
    """The batched engine when it applies (SiamRPN++, not long-term, ``--jobs 1``), else None."""
    from sotbench.engine.build import engine_supports

    why = "--no-engine" if not options.engine else engine_supports(spec.tracker, spec.params)
    if why is None and options.jobs > 1:
        why = "--jobs > 1 runs one tracker per worker process"
    if why is not None:
        if options.precision != "fp32":
            raise RunError(f"--precision {options.precision} needs the batched engine, which does not apply here: {why}")
        return None
    from sotbench.engine.build import build_engine
    from sotbench.engine.options import EngineOptions

    return build_engine(spec.params, device=spec.device, checkpoint=spec.checkpoint,
                        allow_random_weights=spec.allow_random_weights,
                        options=EngineOptions(batch=options.batch, precision=options.precision,
                                              decoder=options.decoder, compile=options.compile))


def _execute_engine(engine, spec: TrackerSpec, todo: list[str], store: RunDir, dataset: Dataset,
                    vot: VotSettings | None, repetitions: int, options: RunOptions) -> list[dict]:
    from sotbench.engine.build import merged_params
    from sotbench.engine.dataset import run_sequences

    p = merged_params(spec.params)
    total = 0
    for name in todo:
        try:
            total += len(dataset[name]) * (1 if vot is None else min(3, repetitions))
        except Exception:  # reported when the sequence runs
            pass
    bar = _progress_bar(total, options.progress and bool(todo), f"{spec.name} on {dataset.key} (engine)")
    try:
        return run_sequences(engine, (p.penalty_k, p.window_influence, p.lr), dataset, todo, store, vot, repetitions,
                             bar.update,
                             lambda rep: _note_failure(rep, bar))
    finally:
        bar.close()


def _progress_bar(total: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="fr", desc=desc, disable=not enabled, dynamic_ncols=True,
                file=sys.stderr, smoothing=0.1)


def _execute(spec: TrackerSpec, ref: tuple, todo: list[str], run_dir: Path, dataset: Dataset,
             vot: VotSettings | None, repetitions: int, options: RunOptions) -> list[dict]:
    reps = 1 if vot is None else repetitions
    total = 0
    for name in todo:
        try:
            total += len(dataset[name]) * reps
        except Exception:  # the error is reported when the sequence runs
            pass
    bar = _progress_bar(total, options.progress and bool(todo), f"{spec.name} on {dataset.key}")
    reports = []
    try:
        if options.jobs <= 1:
            for name in todo:
                bar.set_postfix_str(name)
                reports.append(_run_sequence(spec, ref, name, run_dir, dataset.protocol, vot, repetitions,
                                             bar.update))
                _note_failure(reports[-1], bar)
        else:
            from joblib import Parallel, delayed

            spec, ref, run_dir = _absolute_paths(spec, ref, run_dir)
            specs = _device_per_task(spec, len(todo))
            tasks = (delayed(_run_sequence)(s, ref, n, run_dir, dataset.protocol, vot, repetitions)
                     for s, n in zip(specs, todo))
            parallel = Parallel(n_jobs=options.jobs, backend=options.backend, return_as="generator_unordered")
            for rep in parallel(tasks):
                reports.append(rep)
                bar.update(rep.get("frames", 0))
                _note_failure(rep, bar)
    finally:
        bar.close()
    return reports


def _absolute_paths(spec: TrackerSpec, ref: tuple, run_dir: Path) -> tuple[TrackerSpec, tuple, Path]:
    """Paths as the caller means them: reused worker processes keep the folder they started in."""
    from dataclasses import replace

    key, root, split = ref
    if spec.checkpoint and Path(spec.checkpoint).exists():  # not a zoo name
        spec = replace(spec, checkpoint=str(Path(spec.checkpoint).absolute()))
    return spec, (key, str(Path(root).absolute()), split), Path(run_dir).absolute()


def _note_failure(rep: dict, bar) -> None:
    if "error" in rep:
        bar.write(f"FAILED {rep['seq']}: {rep['error'].splitlines()[0]}")


def _device_per_task(spec: TrackerSpec, n: int) -> list[TrackerSpec]:
    """Spread worker tasks over the GPUs (one GPU per task, round robin) when several exist."""
    from dataclasses import replace

    device = spec.device or ""
    if device not in ("cuda", "auto", "") or "torch" not in sys.modules and not device:
        return [spec] * n
    try:
        import torch

        count = torch.cuda.device_count()
    except ImportError:
        return [spec] * n
    if count < 2:
        return [spec] * n
    return [replace(spec, device=f"cuda:{i % count}") for i in range(n)]
