"""``sotbench run``: run a tracker over a dataset and write result files."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from sotbench.commands.common import (
    add_backend_arguments,
    add_dataset_arguments,
    add_protocol_argument,
    backend_options,
    open_dataset,
    parse_sequences,
    positive_int,
)
from sotbench.errors import CommandError
from sotbench.presets import PRESET_RULE, PresetError, builtin_presets, find_preset, load_preset, shadow_note
from sotbench.caveats import run_captions
from sotbench.trackers import TrackerLookupError, TrackerSpec, spec_from_preset, tracker_names

EPILOG = """examples:
  sotbench run --tracker opencv-mil --dataset synthetic
  sotbench run --tracker siamrpnpp/pysot-otb100 --dataset otb100 --root ~/data/OTB100 --jobs 2
  sotbench run --tracker trackers/my_preset.yaml --dataset vot2018 --sequences bag,ants1 --force
  sotbench run --tracker siamrpnpp/mmtracking-lasot --dataset lasot --precision bf16 --batch 128
  sotbench run --tracker ncc/synthetic --dataset synthetic   # after `sotbench search sweeps/synthetic.yaml --export`
  sotbench run --tracker ncc --dataset otb100 --protocol tre   # OTB's temporal robustness (20 segments)
  sotbench run --tracker my.module:Noisy --dataset otb100 --repeat 3   # a stochastic tracker, run ids 000-002

""" + textwrap.fill(
    f"--tracker: {PRESET_RULE}; otherwise a tracker name (`sotbench list trackers`) or module:Class, "
    "a class with init(image, region) and update(image) or a got10k Tracker subclass (anything else "
    "is refused before it is called).", 100, break_on_hyphens=False) + """

--protocol tre|sre|longterm runs the OTB paper's temporal / spatial robustness protocols or a
long-term pass (boxes and confidences, VOT-LT layout) into <run>/tre, <run>/sre, <run>/longterm
(docs/protocols.md). --repeat N runs a stochastic tracker N times into <run>_000 .. <run>_<N-1>
(pytracking's run ids); `sotbench eval` and `report` average them and show their spread.

Trackers with their own batch backend run many sequences per step (SiamRPN++: the batched engine,
docs/engine.md): --batch sets the streams per step (default: sized to the GPU's memory),
--precision fp32 (default: SiamRPN++'s single-stream boxes up to float summation order, on the
CPU within 2e-3 px over the 140 frames of OTB Couple), tf32 or bf16 (faster, boxes differ slightly;
--audit N re-runs N sequences in fp32 and reports what the precision did to their scores).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tracker", required=True, metavar="NAME|PRESET",
                   help="a preset .yaml, a preset name (./trackers/<name>.yaml, then the built-in presets, "
                        "e.g. siamrpnpp/pysot-otb100), a tracker name, or module:Class (see below)")
    add_dataset_arguments(p)
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                   help="results root (default: results/); files go to DIR/<Dataset>/<run name>/")
    p.add_argument("--name", metavar="RUN", help="run name: the run folder (default: the preset or tracker name)")
    p.add_argument("--display-name", metavar="LABEL",
                   help="the run's name in leaderboards, plots and `sotbench show` (recorded in run.json; "
                        "default: the run folder name)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one tracker parameter (repeatable), e.g. --set lr=0.3")
    p.add_argument("--checkpoint", metavar="PATH", help="weights file (overrides the preset's weights)")
    p.add_argument("--device", metavar="DEV", help="cuda, cuda:1 or cpu (default: cuda when available)")
    p.add_argument("--allow-random-weights", action="store_true",
                   help="run a network tracker without a checkpoint (random weights: recorded in the manifest, "
                        "and every score of the run is marked 'not a real result')")
    p.add_argument("--force", action="store_true", help="redo sequences that already have results")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="parallel worker processes, N >= 1 (default 1)")
    p.add_argument("--backend", default="loky", metavar="NAME",
                   help="where --jobs workers run: a joblib backend (loky, multiprocessing; default loky) or "
                        "dask (a Dask cluster, see --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --backend dask: the cluster's scheduler (e.g. tcp://host:8786; default: "
                        "a local cluster); workers must see the same dataset and weights paths")
    p.add_argument("--repetitions", type=positive_int, metavar="N",
                   help="reset-protocol repetitions, N >= 1 (default: the benchmark's, e.g. 15 for VOT2018)")
    add_protocol_argument(p, "run")
    p.add_argument("--repeat", type=positive_int, metavar="N",
                   help="run a stochastic tracker N >= 1 times (run ids <run>_000 ..; refused for deterministic "
                        "trackers)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--audit", type=positive_int, metavar="N",
                   help="with --precision tf32|bf16: re-run the first N >= 1 sequences in fp32 (into <run>/audit/) and "
                        "report each one's score difference and the mean with its 95%% interval")
    add_backend_arguments(p)


def _parse_value(text: str):
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def tracker_spec_from_args(args: argparse.Namespace) -> TrackerSpec:
    """Build the tracker spec from ``--tracker`` (name or preset) and the overrides; what it names
    is checked to be a tracker before anything is built."""
    spec = _spec(args)
    try:
        spec.resolved  # what it names is checked before anything is called; parameters checked once
    except TrackerLookupError as exc:
        raise CommandError(str(exc)) from None
    except (ValueError, TypeError) as exc:
        where = f"{spec.preset}: " if spec.preset else ""
        raise CommandError(f"{where}{str(exc).strip(chr(39))}") from None
    return spec


def _spec(args: argparse.Namespace) -> TrackerSpec:
    ref = args.tracker
    try:
        preset_path = find_preset(ref)
        preset = load_preset(preset_path) if preset_path else None
    except PresetError as exc:
        raise CommandError(str(exc)) from None
    note = shadow_note(ref, preset_path) if preset_path else None
    if note:
        print(f"note: {note}")
    overrides = {}
    for item in args.set:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CommandError(f"--set expects KEY=VALUE, got {item!r}")
        overrides[key.strip()] = _parse_value(value)
    if preset is not None:
        try:
            return spec_from_preset(preset, overrides, checkpoint=args.checkpoint, device=args.device,
                                    allow_random_weights=args.allow_random_weights)
        except (PresetError, TrackerLookupError) as exc:
            raise CommandError(str(exc)) from None
    if ref not in tracker_names() and ":" not in ref:
        names = tracker_names() + sorted(builtin_presets())
        raise CommandError(f"unknown tracker {ref!r}, known trackers and presets: {', '.join(names)}")
    return TrackerSpec(tracker=ref, params=overrides, checkpoint=args.checkpoint, device=args.device,
                       allow_random_weights=args.allow_random_weights)


def main(args: argparse.Namespace) -> int:
    from sotbench.results import RunDir
    from sotbench.run import RunError, RunOptions, run_dataset

    spec = tracker_spec_from_args(args)
    dataset = open_dataset(args)
    if args.display_name is not None and not args.display_name.strip():
        raise CommandError("--display-name must not be empty")
    options = RunOptions(out=args.out, name=args.name, display_name=(args.display_name or "").strip() or None,
                         sequences=parse_sequences(args.sequences),
                         force=args.force, repetitions=args.repetitions, progress=not args.no_progress,
                         tracking=backend_options(args, jobs=args.jobs, joblib_backend=args.backend,
                                                  scheduler=args.scheduler),
                         protocol=args.protocol, repeat=args.repeat)
    if args.audit:
        from sotbench.audit import check_audit

        try:
            check_audit(options)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    try:
        summary = run_dataset(spec, dataset, options)
    except (RunError, ValueError, RuntimeError, ImportError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    fps = f", tracker {summary.frames / summary.tracker_seconds:.1f} fps" if summary.tracker_seconds else ""
    print(f"{spec.name} on {dataset.key}/{dataset.split}: {len(summary.done)} sequences run, "
          f"{len(summary.skipped)} already finished, {len(summary.failed)} failed{fps}")
    print(f"results: {', '.join(str(d) for d in summary.run_dirs) or summary.run_dir}")
    for text in run_captions(RunDir(summary.run_dir).read_manifest()):
        print(f"warning: {text}", file=sys.stderr)
    if summary.failed:
        print(f"{len(summary.failed)} sequence(s) failed:", file=sys.stderr)
        for name, err in summary.failed.items():
            print(f"  {name}: {err}", file=sys.stderr)
        return 1
    if args.audit:
        return _audit(spec, dataset, options, summary, args.audit)
    return 0


def _audit(spec, dataset, options, summary, n: int) -> int:
    """The fp32 re-run of ``n`` sequences and its report (``sotbench.audit``)."""
    from sotbench.audit import audit_file, audit_precision
    from sotbench.evaluate import EvaluationError
    from sotbench.run import RunError

    try:
        report = audit_precision(spec, dataset, options, summary, n)
    except (RunError, EvaluationError, ValueError, RuntimeError) as exc:
        raise CommandError(f"--audit: {exc}") from None
    print("\n".join(report.lines()))
    print(f"audit: {audit_file(summary.run_dir)}")
    if report.failed:
        print(f"{len(report.failed)} fp32 re-run(s) failed and are left out: {', '.join(report.failed)}", file=sys.stderr)
        return 1
    return 0
