"""``sotbench run``: run a tracker over a dataset and write result files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sotbench.commands.common import add_dataset_arguments, open_dataset, parse_sequences
from sotbench.errors import CommandError
from sotbench.presets import PresetError, builtin_presets, find_preset, load_preset
from sotbench.run import RunError, RunOptions, run_dataset
from sotbench.trackers import TrackerSpec, tracker_names

HELP = "run a tracker over a dataset (one result file per sequence, resumable)"
EPILOG = """examples:
  sotbench run --tracker opencv-mil --dataset synthetic
  sotbench run --tracker siamrpnpp/pysot-otb100 --dataset otb100 --root ~/data/OTB100 --jobs 2
  sotbench run --tracker trackers/my_preset.yaml --dataset vot2018 --sequences bag,ants1 --force
  sotbench run --tracker siamrpnpp/mmtracking-lasot --dataset lasot --precision bf16 --batch 128

SiamRPN++ runs through the batched engine (many sequences per network pass, see docs/engine.md):
--batch sets the streams per step (default: sized to the GPU's memory), --precision fp32 (default,
the single-stream tracker's boxes up to float summation order: on the CPU within 2e-3 px over the
140 frames of OTB Couple), tf32 or bf16 (faster, boxes differ slightly).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tracker", required=True, metavar="NAME|PRESET",
                   help="a tracker name, a built-in preset (e.g. siamrpnpp/pysot-otb100), a preset .yaml, "
                        "or module:Class")
    add_dataset_arguments(p)
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                   help="results root (default: results/); files go to DIR/<Dataset>/<run name>/")
    p.add_argument("--name", metavar="RUN", help="run name (default: the preset or tracker name)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one tracker parameter (repeatable), e.g. --set lr=0.3")
    p.add_argument("--checkpoint", metavar="PATH", help="weights file (overrides the preset's weights)")
    p.add_argument("--device", metavar="DEV", help="cuda, cuda:1 or cpu (default: cuda when available)")
    p.add_argument("--allow-random-weights", action="store_true",
                   help="run a network tracker without a checkpoint (random weights; recorded in the manifest)")
    p.add_argument("--force", action="store_true", help="redo sequences that already have results")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="parallel worker processes (default 1)")
    p.add_argument("--backend", default="loky", metavar="NAME",
                   help="joblib backend for --jobs (loky, multiprocessing, dask, ray; default loky)")
    p.add_argument("--repetitions", type=int, metavar="N",
                   help="reset-protocol repetitions (default: the benchmark's, e.g. 15 for VOT2018)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_engine_arguments(p)


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """The batched engine's options (SiamRPN++)."""
    from sotbench.engine.options import DECODERS, PRECISIONS

    g = p.add_argument_group("batched engine (SiamRPN++)")
    g.add_argument("--batch", type=int, metavar="N",
                   help="streams tracked per network pass (default: sized to the GPU's memory; 8 on the CPU)")
    g.add_argument("--precision", choices=PRECISIONS, default="fp32",
                   help="fp32 (default: the single-stream tracker's boxes up to float summation order, "
                        "see docs/engine.md), tf32 or bf16 (faster, not bit-exact)")
    g.add_argument("--decoder", choices=DECODERS, default="auto",
                   help="frame decoding: cpu thread pool, nvjpeg (GPU) or auto (nvjpeg for tf32/bf16; default)")
    g.add_argument("--compile", action="store_true", help="torch.compile the network for full batches")
    g.add_argument("--no-engine", action="store_true",
                   help="track one frame of one sequence at a time (the per-sequence runner)")


def _parse_value(text: str):
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def tracker_spec_from_args(args: argparse.Namespace) -> TrackerSpec:
    """Build the tracker spec from ``--tracker`` (name or preset) and the overrides."""
    ref = args.tracker
    try:
        preset_path = find_preset(ref)
        preset = load_preset(preset_path) if preset_path else None
    except PresetError as exc:
        raise CommandError(str(exc)) from None
    overrides = {}
    for item in args.set:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CommandError(f"--set expects KEY=VALUE, got {item!r}")
        overrides[key.strip()] = _parse_value(value)
    if preset is not None:
        weights = preset.get("weights") or {}
        checkpoint = args.checkpoint or (f"zoo:{weights['zoo']}" if "zoo" in weights else weights.get("file"))
        return TrackerSpec(tracker=preset["tracker"], params={**preset["params"], **overrides},
                           name=preset["name"].replace("/", "_"), checkpoint=checkpoint, device=args.device,
                           allow_random_weights=args.allow_random_weights, preset=preset.path)
    if ref not in tracker_names() and ":" not in ref:
        names = tracker_names() + sorted(builtin_presets())
        raise CommandError(f"unknown tracker {ref!r}, known trackers and presets: {', '.join(names)}")
    return TrackerSpec(tracker=ref, params=overrides, checkpoint=args.checkpoint, device=args.device,
                       allow_random_weights=args.allow_random_weights)


def main(args: argparse.Namespace) -> int:
    spec = tracker_spec_from_args(args)
    dataset = open_dataset(args)
    options = RunOptions(out=args.out, name=args.name, sequences=parse_sequences(args.sequences),
                         force=args.force, jobs=args.jobs, backend=args.backend,
                         repetitions=args.repetitions, progress=not args.no_progress,
                         engine=not args.no_engine, batch=args.batch, precision=args.precision,
                         decoder=args.decoder, compile=args.compile)
    if args.batch is not None and args.batch < 1:
        raise CommandError(f"--batch must be at least 1, got {args.batch}")
    try:
        summary = run_dataset(spec, dataset, options)
    except (RunError, ValueError, RuntimeError, ImportError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    fps = f", tracker {summary.frames / summary.tracker_seconds:.1f} fps" if summary.tracker_seconds else ""
    print(f"{spec.name} on {dataset.key}/{dataset.split}: {len(summary.done)} sequences run, "
          f"{len(summary.skipped)} already finished, {len(summary.failed)} failed{fps}")
    print(f"results: {summary.run_dir}")
    if summary.failed:
        print(f"{len(summary.failed)} sequence(s) failed:", file=sys.stderr)
        for name, err in summary.failed.items():
            print(f"  {name}: {err}", file=sys.stderr)
        return 1
    return 0
