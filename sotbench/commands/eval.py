"""``sotbench eval``: score a results folder under a toolkit's conventions and write score files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sotbench.commands.common import add_dataset_arguments, add_protocol_argument, open_dataset, parse_sequences
from sotbench.errors import CommandError
from sotbench.metrics.importers import LAYOUTS
from sotbench.metrics.profiles import PROFILES

HELP = "score tracker results (any toolkit's layout) and write scores.json + per_sequence.csv"
EPILOG = f"""profiles (--profile): {', '.join(PROFILES)}; default: the benchmark's own
(the one that reproduces its published numbers). docs/profiles.md explains each.

examples:
  sotbench eval --dataset otb100 --root ~/data/OTB100 --results results/OTB100/SiamRPN++
  sotbench eval --dataset otb100 --root ~/data/OTB100 --results results/OTB100/ncc --protocol tre
  sotbench eval --dataset got10k --split val --results results/GOT-10k-val/noisy   # noisy_000, noisy_001, ...
  sotbench eval --dataset lasot --root ~/data/LaSOT --results res/LaSOT/ATOM --profile lasot-matlab
  sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/KCF --json --out /tmp/scores
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_arguments(p)
    p.add_argument("--results", required=True, type=Path, nargs="+", metavar="DIR",
                   help="one tracker's result folder (pysot/pytracking/got10k/VOT layout); several folders, or a "
                        "run whose run ids <DIR>_000, <DIR>_001 ... exist (--repeat, pytracking): the runs of one "
                        "tracker, scored as their mean with the spread across runs")
    p.add_argument("--profile", metavar="NAME", help="metric profile (toolkit conventions); default: the dataset's")
    p.add_argument("--layout", choices=LAYOUTS, default="auto", help="results layout (default: detected)")
    add_protocol_argument(p, "score the results")
    p.add_argument("--out", type=Path, metavar="DIR", help="where to write the score files (default: --results)")
    p.add_argument("--no-write", action="store_true", help="print only, write no score files")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: the overall scores (fractions) at the top level, plus provenance")
    p.add_argument("--per-sequence", action="store_true", help="also print the per-sequence table")


def _fmt(value) -> str:
    return "   -  " if value is None or value != value else f"{value:6.3f}"


def _print_table(scores, warnings_shown: int = 8) -> None:
    o = scores.overall
    keys = [k for k in o if k not in ("n_sequences",)]
    print(f"{scores.dataset} ({scores.split}) · run {scores.run} · profile {scores.profile} · "
          f"{scores.coverage.get('evaluated')}/{scores.coverage.get('total')} sequences")
    print("  ".join(f"{k:>16s}" for k in keys))
    print("  ".join(f"{_fmt(o[k]):>16s}" for k in keys))
    if len(scores.per_attribute):
        print()
        from sotbench.metrics.table import metrics_for

        cols = [k for k in metrics_for(scores.protocol, leaderboard=True)[:3] if k in scores.per_attribute.columns]
        count = "n_sequences" if "n_sequences" in scores.per_attribute.columns else "n_frames"
        print(scores.per_attribute[[count, *cols]].to_string(float_format=lambda v: f"{v:.3f}"))
    for w in scores.warnings[:warnings_shown]:
        print(f"warning: {w}", file=sys.stderr)
    if len(scores.warnings) > warnings_shown:
        print(f"warning: ... {len(scores.warnings) - warnings_shown} more in scores.json", file=sys.stderr)


def _run_ids(results: list[Path], protocol: str | None) -> list[Path]:
    """Several folders, or the run-id folders of a run that has no results of its own."""
    from sotbench.repeats import run_id_folders
    from sotbench.report.runs import has_results

    if len(results) > 1:
        return results
    path = results[0]
    own = has_results(path) or any(has_results(path / sub) for sub in ("tre", "sre", "longterm"))
    return results if own else (run_id_folders(path) or results)


def _print_merged(doc: dict) -> None:
    runs = doc["runs"]
    print(f"{doc['dataset']} ({doc['split']}) · run {doc['run']} · mean of {runs['n']} runs "
          f"({', '.join(runs['names'])}) · profile {doc['profile']} · "
          f"{doc['coverage'].get('evaluated')}/{doc['coverage'].get('total')} sequences")
    keys = list(doc["overall"])
    print("  ".join(f"{k:>16s}" for k in keys))
    print("  ".join(f"{_fmt(doc['overall'][k]):>16s}" for k in keys))
    print("  ".join(f"{'±' + _fmt(runs['std'].get(k)).strip():>16s}" for k in keys) + "   (std over runs)")
    for w in doc.get("warnings", [])[:8]:
        print(f"warning: {w}", file=sys.stderr)


def _main_runs(args: argparse.Namespace, dataset, folders: list[Path]) -> int:
    from sotbench.evaluate import EvaluationError
    from sotbench.repeats import evaluate_runs

    try:
        doc, table = evaluate_runs(dataset, folders, args.profile, out=args.out, write=not args.no_write,
                                   layout=args.layout, sequences=list(parse_sequences(args.sequences) or ()) or None,
                                   protocol=args.protocol)
    except (EvaluationError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps({**doc["overall"], **{k: doc[k] for k in ("dataset", "split", "protocol", "profile",
                                                                 "profile_hash", "run", "results_hash", "coverage",
                                                                 "warnings", "runs")}}))
        return 0
    _print_merged(doc)
    if args.per_sequence:
        print()
        print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0


def main(args: argparse.Namespace) -> int:
    from sotbench.evaluate import EvaluationError, evaluate

    dataset = open_dataset(args)
    folders = _run_ids(args.results, args.protocol)
    if len(folders) > 1:
        return _main_runs(args, dataset, folders)
    args.results = folders[0]
    try:
        scores = evaluate(dataset, args.results, args.profile, out=args.out, write=not args.no_write,
                          layout=args.layout, sequences=list(parse_sequences(args.sequences) or ()) or None,
                          protocol=args.protocol)
    except (EvaluationError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    except PermissionError as exc:
        raise CommandError(f"cannot write score files ({exc}); use --out DIR or --no-write") from None
    if args.json:
        doc = scores.to_json()
        out = {**doc["overall"], "dataset": doc["dataset"], "split": doc["split"], "protocol": doc["protocol"],
               "profile": doc["profile"], "profile_hash": doc["profile_hash"], "run": doc["run"],
               "results_hash": doc["results_hash"], "coverage": doc["coverage"], "warnings": doc["warnings"]}
        print(json.dumps(out))
        return 0
    _print_table(scores)
    if args.per_sequence:
        print()
        print(scores.per_sequence.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0
