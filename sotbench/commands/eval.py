"""``sotbench eval``: score a results folder under a toolkit's conventions and write score files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sotbench.caveats import captions, counts
from sotbench.commands.common import (add_bootstrap_arguments, add_dataset_arguments, add_protocol_argument,
                                      bootstrap_spec, open_dataset, parse_sequences)
from sotbench.errors import CommandError
from sotbench.metrics.importers import LAYOUTS
from sotbench.metrics.profiles import PROFILES

EPILOG = f"""profiles (--profile): {', '.join(PROFILES)}; default: the benchmark's own
(the one that reproduces its published numbers). docs/profiles.md explains each.
Results of another benchmark (names, row counts) or of the other protocol's layout (VOT
baseline/ files vs <seq>.txt) are refused before anything is scored (docs/metrics.md).

A score of part of the split (a root holding some of the benchmark's sequences, --sequences,
missing result files) or of a run on random weights prints a "caveat:" line, e.g.
"partial: 5 of 100 sequences — not comparable with published OTB100 numbers"; scores.json and
--json carry it (caveats) and the facts behind it (coverage, flags).

Every score has a 95% interval: a percentile bootstrap over the sequences (10,000 seeded
resamples, each aggregated exactly as the profile aggregates the benchmark), printed under
the scores, in --json as <metric>_ci95: [lo, hi] and in scores.json (ci95, per attribute, and
bands around the curves). To test two runs against each other: sotbench compare.

examples:
  sotbench eval --dataset otb100 --root ~/data/OTB100 --results results/OTB100/SiamRPN++
  sotbench eval --dataset otb100 --root ~/data/OTB100 --results results/OTB100/ncc --protocol tre
  sotbench eval --dataset got10k --split val --results results/GOT-10k-val/noisy   # noisy_000, noisy_001, ...
  sotbench eval --dataset lasot --root ~/data/LaSOT --results res/LaSOT/ATOM --profile lasot-matlab
  sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/KCF --json --out /tmp/scores
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_arguments(p)
    p.add_argument("--results", required=True, nargs="+", type=Path, metavar="DIR",
                   help="tracker result folders (pysot/pytracking/got10k/VOT layout), each scored on its own; a "
                        "single run whose run ids <DIR>_000, <DIR>_001 ... exist (--repeat, pytracking) is scored "
                        "as the mean of its runs with the spread across them")
    p.add_argument("--merge-runs", action="store_true",
                   help="the --results folders are runs of one tracker: score them as their mean with the spread")
    p.add_argument("--profile", metavar="NAME", help="metric profile (toolkit conventions); default: the dataset's")
    p.add_argument("--layout", choices=LAYOUTS, default="auto", help="results layout (default: detected)")
    add_protocol_argument(p, "score the results")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="where to write the score files (default: each --results folder; with several, OUT/<run>/)")
    p.add_argument("--no-write", action="store_true", help="print only, write no score files")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per run (one per line): the overall scores (fractions) and their 95%% "
                        "intervals (<metric>_ci95: [lo, hi]) at the top level, plus provenance (coverage, flags, "
                        "caveats, bootstrap)")
    p.add_argument("--per-sequence", action="store_true",
                   help="also print the per-sequence table with each sequence's attributes (several runs: one "
                        "column per run, as pytracking's print_per_sequence_results)")
    add_bootstrap_arguments(p)


def _fmt(value) -> str:
    return "   -  " if value is None or value != value else f"{value:6.3f}"


def _fmt_ci(ci) -> str:
    return "" if ci is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _with_ci(table, keys: list[str]):
    """Per-attribute values as ``0.714 [0.671, 0.753]`` where the scores have intervals."""
    shown = table.copy()
    for k in keys:
        lo, hi = f"{k}_ci95_lo", f"{k}_ci95_hi"
        if lo in table.columns:
            shown[k] = [f"{_fmt(v).strip()} {_fmt_ci((a, b)) if a == a and b == b else ''}".rstrip()
                        for v, a, b in zip(table[k], table[lo], table[hi])]
    return shown


def _print_table(scores, warnings_shown: int = 8) -> None:
    o = scores.overall
    keys = [k for k in o if k not in ("n_sequences",)]
    doc = scores.to_json()
    evaluated, total = counts(doc)
    print(f"{scores.dataset} ({scores.split}) · run {scores.run} · profile {scores.profile} · "
          f"{evaluated}/{total} sequences")
    for text in captions(doc):
        print(f"caveat: {text}")
    print("  ".join(f"{k:>16s}" for k in keys))
    print("  ".join(f"{_fmt(o[k]):>16s}" for k in keys))
    if any(scores.interval(k) for k in keys):
        print("  ".join(f"{_fmt_ci(scores.interval(k)):>16s}" for k in keys))
        b = scores.bootstrap
        print(f"95% intervals: {b['method']} bootstrap over the {evaluated} sequences, {b['resamples']} resamples, "
              f"seed {b['seed']}")
    if len(scores.per_attribute):
        print()
        from sotbench.metrics.table import metrics_for

        cols = [k for k in metrics_for(scores.protocol, leaderboard=True)[:3] if k in scores.per_attribute.columns]
        count = "n_sequences" if "n_sequences" in scores.per_attribute.columns else "n_frames"
        shown = _with_ci(scores.per_attribute, cols)
        print(shown[[count, *cols]].to_string(float_format=lambda v: f"{v:.3f}"))
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


def _json_line(scores) -> str:
    doc = scores.to_json()
    ci95 = doc.get("ci95") or {}
    out = {**doc["overall"], **{f"{k}_ci95": ci95.get(k) for k in doc["overall"]},
           "dataset": doc["dataset"], "split": doc["split"], "protocol": doc["protocol"],
           "profile": doc["profile"], "profile_hash": doc["profile_hash"], "run": doc["run"],
           "results_hash": doc["results_hash"], "coverage": doc["coverage"], "flags": doc["flags"],
           "bootstrap": doc.get("bootstrap"), "caveats": doc["caveats"], "warnings": doc["warnings"]}
    return json.dumps(out)


def _evaluate(dataset, results: Path, out: Path | None, args: argparse.Namespace):
    from sotbench.evaluate import EvaluationError, evaluate

    try:
        return evaluate(dataset, results, args.profile, out=out, write=not args.no_write, layout=args.layout,
                        sequences=list(parse_sequences(args.sequences) or ()) or None, protocol=args.protocol,
                        bootstrap=bootstrap_spec(args))
    except (EvaluationError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    except PermissionError as exc:
        raise CommandError(f"cannot write score files ({exc}); use --out DIR or --no-write") from None


def _out_dirs(args: argparse.Namespace) -> list[Path | None]:
    """Where each run's score files go: next to it, ``--out``, or ``--out/<run>`` for several runs."""
    runs = list(args.results)
    names = [r.name for r in runs]
    if args.out is None or len(runs) == 1:
        return [args.out] * len(runs)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CommandError(f"several --results folders are named {', '.join(twice)}: their score files would share "
                           f"{args.out}/<run>/; score them separately")
    return [args.out / n for n in names]


def _attributes(dataset, names) -> dict[str, list[str]]:
    return {n: sorted(dataset[n].attributes) for n in names}


def _per_sequence(dataset, all_scores) -> None:
    """One run: its per-sequence table; several: one column per run (the primary per-sequence score)."""
    from sotbench.report.sequences import sequence_matrix

    print()
    tables = [(s.run or f"run {i + 1}", s.per_sequence) for i, s in enumerate(all_scores)]
    names = [str(n) for _, t in tables for n in t.index]
    attributes = _attributes(dataset, dict.fromkeys(names))
    if len(tables) == 1:
        table = tables[0][1].copy()
        table.insert(0, "attributes", [" ".join(attributes.get(str(n), ())) or "-" for n in table.index])
    else:
        table = sequence_matrix(tables, all_scores[0].protocol, attributes)
        table["attributes"] = table["attributes"].replace("", "-")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))


def main(args: argparse.Namespace) -> int:
    dataset = open_dataset(args)
    if args.merge_runs or len(args.results) == 1:
        folders = args.results if args.merge_runs else _run_ids(args.results, args.protocol)
        if len(folders) > 1:
            return _main_runs(args, dataset, folders)
    all_scores = []
    for results, out in zip(args.results, _out_dirs(args)):
        scores = _evaluate(dataset, results, out, args)
        all_scores.append(scores)
        if args.json:
            print(_json_line(scores))
            continue
        if len(all_scores) > 1:
            print()
        _print_table(scores)
    if args.per_sequence and not args.json:
        _per_sequence(dataset, all_scores)
    return 0
