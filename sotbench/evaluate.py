"""``evaluate``: score a run folder on a dataset under a metric profile, and write score files.

Needs annotations only.  The dataset's protocol picks the metrics: one-pass datasets use
``sotbench.metrics`` OPE functions, reset-protocol (VOT) datasets the functions of
``sotbench.metrics.vot``; the profile (default: the dataset's) fixes every convention.
``evaluate_results`` is the in-memory path (no files, either protocol) used by the hyperparameter
search; it scores exactly as ``evaluate`` does.  A run of a derived protocol (TRE, SRE, long-term:
``sotbench.protocols.RUN_PROTOCOLS``) is scored under it: the run's manifest names it, or
``protocol=``; its results are in the run folder's protocol sub-folder.
Every score gets a 95 % bootstrap interval over the sequences
(``sotbench.metrics.bootstrap``) unless ``bootstrap=None``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from sotbench.caveats import coverage_facts, score_flags
from sotbench.datasets.base import Dataset, DatasetSpec
from sotbench.metrics.bootstrap import DEFAULT as DEFAULT_BOOTSTRAP
from sotbench.metrics.bootstrap import Bootstrap
from sotbench.metrics.fit import ResultsMismatch, check_fit
from sotbench.metrics.importers import ImportedResults, ResultFile, import_results, resolve_layout
from sotbench.metrics.prepare import PredictionError
from sotbench.metrics.ope_intervals import OpeIntervals, ope_intervals
from sotbench.metrics.profile import Profile
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.scoring import NothingToScore, SequenceScoring, score_sequences
from sotbench.metrics.table import higher_is_better, primary
from sotbench.protocols import run_protocol
from sotbench.results import RunDir
from sotbench.scores import Scores
from sotbench.sequences import Sequence

__all__ = ["evaluate", "evaluate_results", "evaluate_trajectories", "primary_metric", "resolve_profile",
           "EvaluationError", "ResultsMismatchError", "Scores", "resolve_run", "import_run"]


class EvaluationError(ValueError):
    """The run cannot be scored (hidden ground truth, unreadable result files, wrong profile)."""


class ResultsMismatchError(EvaluationError):
    """The result files are another benchmark's or another protocol's (layout, names or lengths)."""


def primary_metric(dataset: Dataset | DatasetSpec | str) -> tuple[str, bool]:
    """``(metric name, higher is better)`` of a dataset: success AUC (one-pass) or EAO (VOT)."""
    if isinstance(dataset, str):
        from sotbench.datasets import dataset_class

        dataset = dataset_class(dataset).spec
    name = primary(dataset.protocol)
    return name, higher_is_better(name)


def resolve_profile(dataset: Dataset, profile: str | Profile | None, protocol: str | None = None) -> Profile:
    """The profile to use on ``dataset`` (its default when ``None``) for results of ``protocol``
    (default: the dataset's own), with its per-dataset rules."""
    try:
        prof = get_profile(profile or dataset.spec.default_profile)
        scored_as = run_protocol(protocol or dataset.protocol).scored_as
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None
    if scored_as not in prof.protocols:
        raise EvaluationError(f"profile {prof.name!r} scores {'/'.join(prof.protocols)} results, but "
                              f"{dataset.spec.title} results of the {protocol or dataset.protocol} protocol are "
                              f"scored as {scored_as}")
    return prof.for_dataset(dataset.key)


def resolve_run(dataset: Dataset, run_dir: str | os.PathLike, protocol: str | None = None) -> tuple[str, Path]:
    """The protocol a run folder is scored under (``protocol``, else its manifest's, else the
    dataset's own; checked against the dataset) and the folder that holds those results (a run
    folder's protocol sub-folder, e.g. ``<run>/tre``, when it has one)."""
    from sotbench.protocols import check_protocol

    run_dir = Path(run_dir)
    manifest = RunDir(run_dir).read_manifest() if run_dir.is_dir() else None
    name = protocol or ((manifest or {}).get("protocol") or {}).get("name") or dataset.protocol
    try:
        proto = check_protocol(name, dataset)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None
    if proto.folder and run_dir.name != proto.folder and (run_dir / proto.folder).is_dir():
        run_dir = run_dir / proto.folder
    return proto.name, run_dir


_PROTOCOL_LAYOUT = {"tre": "got10k", "sre": "got10k", "longterm": "vot"}  # <seq>/<seq>_NNN.txt part files


def import_run(dataset: Dataset, run_dir: Path, protocol: str, names: list[str], layout: str = "auto",
               first_gt: dict | None = None) -> ImportedResults:
    """Read a run folder's results of ``protocol`` (long-term: with the confidence files, which
    the results hash then covers)."""
    parts = protocol in _PROTOCOL_LAYOUT
    imported = import_results(run_dir, names, layout=_PROTOCOL_LAYOUT.get(protocol, layout),
                              first_gt=None if parts else first_gt)
    if protocol == "longterm":
        from sotbench.metrics.longterm import attach_confidences

        attach_confidences(imported, run_dir)
    return imported


def _check_public(dataset: Dataset, sequences: list[Sequence], run_dir: Path | None = None) -> None:
    """Refuse splits scored by a server (point to ``pack``) and sequences that hold only the initial box."""
    from sotbench.pack import PACKERS

    hidden = [s for s in sequences if not s.has_full_gt]
    if not dataset.has_public_ground_truth or (hidden and dataset.key in PACKERS):
        raise EvaluationError(
            f"the ground truth of {dataset.spec.title} ({dataset.split}) is not public, so it can only be "
            f"scored by its evaluation server: run `sotbench pack --dataset {dataset.key} --results DIR` "
            "and upload the archive it writes")
    if hidden:
        raise EvaluationError(_initial_box_only(dataset, hidden, run_dir))


def _initial_box_only(dataset: Dataset, hidden: list[Sequence], run_dir: Path | None) -> str:
    """What to do when ground truth holds only the initial box: no server scores it, so say what exists."""
    seq = hidden[0]
    source = seq.meta.get("source") or f"the ground truth of {seq.name}"
    others = f" (and {len(hidden) - 1} more: {', '.join(s.name for s in hidden[1:4])}" \
             f"{', ...' if len(hidden) > 4 else ''})" if len(hidden) > 1 else ""
    boxes = f"; the tracked boxes are in {run_dir}" if run_dir is not None else ""
    return (f"{source}: {seq.gt.shape[0]} ground-truth row{'s' * (seq.gt.shape[0] != 1)} for {len(seq)} frames, "
            f"so sequence {seq.name!r}{others} cannot be scored (only the initial box is "
            f"known){boxes}; to score it, write one x,y,w,h row per frame (or 8-number polygons) to that file, "
            "or leave it out with --sequences")


def _sequences(dataset: Dataset, names: list[str] | None) -> list[Sequence]:
    return [dataset[n] for n in (dataset.subset(list(names)) if names else dataset.names)]


def _attributes(dataset: Dataset, sequences: list[Sequence], names: list[str]) -> dict[str, tuple[str, list[int]]]:
    """Attribute code -> (long name, row indices of the scored sequences that have it)."""
    long = dict(dataset.spec.attributes)
    order = list(long) + sorted({a for s in sequences for a in s.attributes} - set(long))
    index = {n: i for i, n in enumerate(names)}
    rows = {code: (long.get(code, code), [index[s.name] for s in sequences if code in s.attributes and s.name in index])
            for code in order}
    return {k: v for k, v in rows.items() if v[1]}


def _ci_columns(keys, found: dict | None) -> dict:
    """``<metric>_ci95_lo`` / ``_hi`` columns of one attribute row."""
    out = {}
    for k in keys:
        ci = (found or {}).get(k) or (np.nan, np.nan)
        out[f"{k}_ci95_lo"], out[f"{k}_ci95_hi"] = ci
    return out


def _build_scores(dataset: Dataset, sequences: list[Sequence], scoring: SequenceScoring, warnings: list[str],
                  missing: list[str], bootstrap: Bootstrap | None) -> Scores:
    profile, table = scoring.profile, scoring.table
    overall, curves = scoring.overall()
    attributes = _attributes(dataset, sequences, list(table.index))
    found = ope_intervals(scoring, {c: rows for c, (_, rows) in attributes.items()}, bootstrap) \
        if bootstrap is not None else OpeIntervals()
    attr_rows, attr_curves = [], {}
    for code, (name, rows) in attributes.items():
        sub, sub_curves = scoring.overall(np.array(rows))
        ci = _ci_columns(overall, found.attributes.get(code)) if bootstrap is not None else {}
        attr_rows.append({"attribute": code, "name": name, "n_sequences": len(rows), **sub, **ci})
        attr_curves[code] = sub_curves
    ci_cols = list(_ci_columns(overall, None)) if bootstrap is not None else []
    per_attr = pd.DataFrame(attr_rows, columns=["attribute", "name", "n_sequences", *overall, *ci_cols]
                            ).set_index("attribute")
    for key, (lo, hi) in found.bands.items():
        curves[key]["ci95"] = {"lo": lo.tolist(), "hi": hi.tolist()}
    if missing:
        warnings = [f"{len(missing)} of {len(sequences)} sequences have no results ({', '.join(missing[:5])}"
                    f"{', ...' if len(missing) > 5 else ''}); the overall scores cover the others only"] + warnings
    return Scores(
        dataset=dataset.key, split=dataset.split, protocol=dataset.protocol, profile=profile.name,
        profile_hash=profile.hash, overall=overall, per_sequence=table, curves=curves, per_attribute=per_attr,
        attribute_curves=attr_curves, default_profile=dataset.spec.default_profile,
        coverage=coverage_facts(dataset, len(table), len(sequences), missing), warnings=warnings,
        ci95={k: found.overall.get(k) for k in overall} if bootstrap is not None else {},
        bootstrap=bootstrap.as_dict() if bootstrap is not None else {}, statistics=found.statistics)


def _repetitions(value: object, protocol: str) -> list:
    """One sequence's in-memory value as a list of repetitions."""
    if not isinstance(value, list):
        return [value]  # an output object, an (N, 4) array or a VotTrajectory
    if protocol == "ope":
        return value  # a list of (N, 4) arrays
    one_run = all(np.ndim(v) == 0 or isinstance(v, np.ndarray) for v in value)  # codes and boxes: per-frame lines
    return [value] if one_run else value


def _in_memory(seqs: list[Sequence], results: Mapping[str, object], protocol: str) -> ImportedResults:
    """In-memory results (per sequence: an output of ``sotbench.jobs``, a trajectory, or a list of
    repetitions) as if read from files."""
    from sotbench.metrics.vot_io import as_trajectory

    found: dict[str, ResultFile] = {}
    if protocol == "longterm":
        return _in_memory_longterm(seqs, results)
    for name, value in results.items():
        trajs = [getattr(rep, "trajectory", rep) for rep in _repetitions(value, protocol)]
        trajs = [as_trajectory(t) if protocol == "vot_reset" else np.asarray(t, dtype=np.float64) for t in trajs]
        found[name] = ResultFile(name, [], trajs)
    missing = [s.name for s in seqs if s.name not in found]
    return ImportedResults("memory", found, missing, [])


def _in_memory_longterm(seqs: list[Sequence], results: Mapping[str, object]) -> ImportedResults:
    """Long-term outputs (``OpeOutput``: boxes and confidences) as their files would read: ``1`` on
    the initialisation frame, then the boxes; no confidence on the first frame."""
    from sotbench.metrics.longterm import CONFIDENCE
    from sotbench.metrics.vot_io import as_trajectory
    from sotbench.results import VOT_INIT

    found: dict[str, ResultFile] = {}
    for name, out in results.items():
        if not hasattr(out, "scores"):
            raise EvaluationError(f"{name}: long-term results need the tracker's confidences (an OpeOutput), "
                                  f"got {type(out).__name__}")
        boxes = np.asarray(out.boxes, dtype=np.float64)
        conf = np.asarray(out.scores, dtype=np.float64).copy()
        conf[0] = np.nan
        found[name] = ResultFile(name, [], [as_trajectory([VOT_INIT, *boxes[1:]])], values={CONFIDENCE: conf})
    return ImportedResults("memory", found, [s.name for s in seqs if s.name not in found], [])


def evaluate_results(
    dataset: Dataset,
    results: Mapping[str, object],
    profile: str | Profile | None = None,
    *,
    sequences: list[str] | None = None,
    bootstrap: Bootstrap | None = DEFAULT_BOOTSTRAP,
) -> Scores:
    """Score in-memory results of either protocol (no files read or written): ``{sequence: output}``
    where an output is a ``sotbench.jobs.OpeOutput`` / ``VotOutput``, an ``(N, 4)`` array, a VOT
    line list, or a list of such repetitions.  ``bootstrap``: how the intervals are drawn
    (``None``: no intervals and no per-sequence sums, as the search's objective scores)."""
    prof = resolve_profile(dataset, profile)
    seqs = _sequences(dataset, sequences or list(results))
    _check_public(dataset, seqs)
    imported = _in_memory(seqs, results, dataset.protocol)
    return _score(dataset, seqs, imported, prof, None, bootstrap=bootstrap)


def evaluate_trajectories(
    dataset: Dataset,
    trajectories: Mapping[str, np.ndarray],
    profile: str | Profile | None = None,
    *,
    sequences: list[str] | None = None,
    bootstrap: Bootstrap | None = DEFAULT_BOOTSTRAP,
) -> Scores:
    """Score in-memory one-pass trajectories ``{sequence: (N, 4) boxes}`` (see ``evaluate_results``)."""
    if dataset.protocol != "ope":
        raise EvaluationError("evaluate_trajectories scores one-pass trajectories; use evaluate_results for VOT runs")
    return evaluate_results(dataset, trajectories, profile, sequences=sequences, bootstrap=bootstrap)


def _score(dataset: Dataset, seqs: list[Sequence], imported: ImportedResults, prof: Profile,
           run_dir: Path | None, protocol: str | None = None,
           bootstrap: Bootstrap | None = DEFAULT_BOOTSTRAP) -> Scores:
    """Scores of imported results (files or memory), by the run's protocol (default: the dataset's)."""
    protocol = protocol or dataset.protocol
    if protocol == "longterm":
        from sotbench.metrics.longterm import score_longterm

        try:
            return score_longterm(dataset, seqs, imported, prof)
        except ValueError as exc:
            raise EvaluationError(str(exc)) from None
    if protocol in ("tre", "sre"):
        from sotbench.metrics.tre_sre import part_starts_of

        starts, errors = part_starts_of(seqs, imported, protocol, run_dir.parent if run_dir else None)
        if errors:
            raise EvaluationError(f"{protocol.upper()} results that are not the protocol's parts:\n  "
                                  + "\n  ".join(errors[:10]))
        scores = _evaluate_ope(dataset, seqs, imported, prof, run_dir, starts, bootstrap)
        scores.protocol = protocol
        return scores
    if protocol == "vot_reset":
        from sotbench.metrics.vot_eval import score_vot

        try:
            return score_vot(dataset, seqs, imported, prof, bootstrap)
        except ValueError as exc:  # unreadable files, wrong lengths under a strict profile
            raise EvaluationError(str(exc)) from None
    return _evaluate_ope(dataset, seqs, imported, prof, run_dir, bootstrap=bootstrap)


def results_hash(paths: list[Path], root: Path) -> str:
    """sha256 over the relative paths and contents of the result files."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(os.path.relpath(p, root).replace(os.sep, "/").encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _speed(run_dir: Path, manifest: dict | None, times: list[np.ndarray]) -> dict:
    """Tracker fps from the per-frame time files (they cover resumed runs too); end-to-end fps
    from the manifest only when its last invocation ran every sequence."""
    summary = (manifest or {}).get("summary") or {}
    t = np.concatenate(times) if times else np.zeros(0)
    t = t[np.isfinite(t) & (t > 0)]
    tracker_fps = float(len(t) / t.sum()) if len(t) else summary.get("tracker_fps")
    whole = summary.get("skipped", 1) == 0 and not summary.get("failed")
    return {"tracker_fps": tracker_fps, "end_to_end_fps": summary.get("end_to_end_fps") if whole else None}


def evaluate(
    dataset: Dataset,
    run_dir: str | os.PathLike,
    profile: str | Profile | None = None,
    *,
    out: str | os.PathLike | None = None,
    write: bool = True,
    layout: str = "auto",
    sequences: list[str] | None = None,
    protocol: str | None = None,
    bootstrap: Bootstrap | None = DEFAULT_BOOTSTRAP,
) -> Scores:
    """Score the results in ``run_dir`` and (unless ``write=False``) write the score files.

    Score files go to ``out`` (default: the folder of the results, ``run_dir`` or its protocol
    sub-folder); see ``sotbench.scores.score_file_names``.  ``protocol``: see ``resolve_run``.
    ``bootstrap``: how the 95 % intervals are drawn (``None``: none).
    """
    protocol, run_dir = resolve_run(dataset, run_dir, protocol)
    prof = resolve_profile(dataset, profile, protocol)
    seqs = _sequences(dataset, sequences)
    _check_public(dataset, seqs, run_dir)
    if protocol not in _PROTOCOL_LAYOUT:  # part files of TRE / SRE / long-term runs are checked as they are read
        layout = resolve_layout(run_dir, layout)
        try:
            check_fit(dataset, run_dir, layout)
        except ResultsMismatch as exc:
            raise ResultsMismatchError(str(exc)) from None
    imported = import_run(dataset, run_dir, protocol, [s.name for s in seqs], layout,
                          first_gt={s.name: s.gt[0, :4] for s in seqs})
    if imported.errors:
        more = f" (and {len(imported.errors) - 3} more)" if len(imported.errors) > 3 else ""
        raise EvaluationError("unreadable result files: " + "; ".join(imported.errors[:3]) + more)
    scores = _score(dataset, seqs, imported, prof, run_dir, protocol, bootstrap)
    manifest = RunDir(run_dir).read_manifest()
    folder = run_protocol(protocol).folder  # <run>/tre: the run is <run>
    scores.run = (run_dir.parent if folder and run_dir.name == folder else run_dir).name
    scores.run_dir = str(run_dir)
    scores.results_hash = results_hash(imported.paths, run_dir)
    scores.tracker = (manifest or {}).get("tracker")
    scores.flags = score_flags(manifest)
    scores.speed = _speed(run_dir, manifest, [r.times for r in imported.results.values() if r.times is not None])
    if imported.unmatched:
        scores.warnings.append(f"{len(imported.unmatched)} files in {run_dir} match no sequence of "
                               f"{dataset.key}: {', '.join(imported.unmatched[:5])}")
    if write:
        scores.write(out if out is not None else run_dir)
    return scores


def _evaluate_ope(dataset: Dataset, seqs: list[Sequence], imported, prof: Profile, run_dir: Path | None,
                  starts: dict[str, list[int]] | None = None,
                  bootstrap: Bootstrap | None = DEFAULT_BOOTSTRAP) -> Scores:
    rel = {s: os.path.relpath(r.paths[0], run_dir.parent) if r.paths and run_dir else s
           for s, r in imported.results.items()}
    warnings = list(imported.warnings)
    for seq, r in imported.results.items():
        if r.corner_first_row:
            as_is = "converted to x, y, w, h" if prof.corner_first_row == "convert" else "scored as written"
            what = {"gt": "replaced by the ground truth anyway",
                    "drop": "not scored (first frame dropped)"}.get(prof.first_frame, as_is)
            warnings.append(f"{rel[seq]}: first row is in x1, y1, x2, y2 (corner) form; {what} "
                            f"(profile {prof.name})")
    trajs = {s: r.trajectories for s, r in imported.results.items()}
    corner = {s: r.corner_first_row for s, r in imported.results.items()}
    try:
        scoring = score_sequences(seqs, trajs, prof, labels=rel, corner_first_row=corner, starts=starts)
    except (PredictionError, NothingToScore) as exc:
        raise EvaluationError(str(exc)) from None
    missing = list(imported.missing) if prof.missing_sequence == "skip" else []
    return _build_scores(dataset, seqs, scoring, warnings + scoring.warnings, missing, bootstrap)
