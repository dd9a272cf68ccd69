"""``sotbench eval``: score a results folder under a toolkit's conventions and write score files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sotbench.caveats import captions, counts
from sotbench.commands.common import (add_bootstrap_arguments, add_dataset_arguments, bootstrap_spec, open_dataset,
                                      parse_sequences)
from sotbench.errors import CommandError
from sotbench.metrics.importers import LAYOUTS
from sotbench.metrics.profiles import PROFILES

HELP = "score tracker results (any toolkit's layout) and write scores.json + per_sequence.csv"
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
  sotbench eval --dataset lasot --root ~/data/LaSOT --results res/LaSOT/ATOM --profile lasot-matlab
  sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/KCF --json --out /tmp/scores
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_arguments(p)
    p.add_argument("--results", required=True, type=Path, metavar="DIR",
                   help="one tracker's result folder (pysot/pytracking/got10k/VOT layout)")
    p.add_argument("--profile", metavar="NAME", help="metric profile (toolkit conventions); default: the dataset's")
    p.add_argument("--layout", choices=LAYOUTS, default="auto", help="results layout (default: detected)")
    p.add_argument("--out", type=Path, metavar="DIR", help="where to write the score files (default: --results)")
    p.add_argument("--no-write", action="store_true", help="print only, write no score files")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: the overall scores (fractions) and their 95%% intervals "
                        "(<metric>_ci95: [lo, hi]) at the top level, plus provenance (coverage, flags, caveats, bootstrap)")
    p.add_argument("--per-sequence", action="store_true", help="also print the per-sequence table")
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


def main(args: argparse.Namespace) -> int:
    from sotbench.evaluate import EvaluationError, evaluate

    dataset = open_dataset(args)
    try:
        scores = evaluate(dataset, args.results, args.profile, out=args.out, write=not args.no_write,
                          layout=args.layout, sequences=list(parse_sequences(args.sequences) or ()) or None,
                          bootstrap=bootstrap_spec(args))
    except (EvaluationError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    except PermissionError as exc:
        raise CommandError(f"cannot write score files ({exc}); use --out DIR or --no-write") from None
    if args.json:
        doc = scores.to_json()
        out = {**doc["overall"], **{f"{k}_ci95": doc["ci95"].get(k) for k in doc["overall"]},
               "dataset": doc["dataset"], "split": doc["split"], "protocol": doc["protocol"],
               "profile": doc["profile"], "profile_hash": doc["profile_hash"], "run": doc["run"],
               "results_hash": doc["results_hash"], "coverage": doc["coverage"], "flags": doc["flags"],
               "bootstrap": doc["bootstrap"], "caveats": doc["caveats"], "warnings": doc["warnings"]}
        print(json.dumps(out))
        return 0
    _print_table(scores)
    if args.per_sequence:
        print()
        print(scores.per_sequence.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0
