"""``sotbench compare``: is the difference between two runs on one benchmark real?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sotbench.commands.common import (add_bootstrap_arguments, add_dataset_arguments, bootstrap_spec, open_dataset,
                                      parse_sequences)
from sotbench.errors import CommandError
from sotbench.metrics.importers import LAYOUTS
from sotbench.metrics.paired import few_sequences_warning

EPILOG = """Both runs are scored as `sotbench eval` scores them (nothing is written), then resampled
with the same bootstrap resamples of the sequences they both scored: the difference A - B of
the metric, its 95% percentile interval, the paired-bootstrap p-value (two-sided; p < 0.05
exactly where the interval excludes 0, up to resampling granularity) and the Wilcoxon
signed-rank p-value of the per-sequence differences (metrics with per-sequence values; not EAO).
The paired test accounts for sequence sampling only: the runs' own randomness (seeds,
non-deterministic GPU kernels) needs repeated runs.

examples:
  sotbench compare --dataset otb100 --root ~/data/OTB100 --results results/OTB100/SiamRPN++ results/OTB100/SiamBAN
  sotbench compare --dataset vot2018 --results res/VOT2018/A res/VOT2018/B --metric accuracy --json

--json prints one object: metric, a and b (run, value, ci95), difference, ci95, p_value (paired
bootstrap), p_values (paired_bootstrap, wilcoxon), test, significant, n_sequences, only_a / only_b
(sequences one run lacks, left out of the pairing), bootstrap, profile, caveats.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_arguments(p)
    p.add_argument("--results", nargs=2, required=True, type=Path, metavar=("A", "B"),
                   help="the two result folders (any layout `sotbench eval` reads)")
    p.add_argument("--metric", metavar="NAME", help="the score to compare (default: the benchmark's primary metric)")
    p.add_argument("--profile", metavar="NAME", help="metric profile (toolkit conventions); default: the dataset's")
    p.add_argument("--layout", choices=LAYOUTS, default="auto", help="results layout (default: detected)")
    p.add_argument("--json", action="store_true", help="print one JSON object (keys below)")
    add_bootstrap_arguments(p)


def _names(paths: list[Path]) -> list[str]:
    """The runs' names: their folder names, or the paths where the folder names coincide."""
    names = [p.name for p in paths]
    return [str(p) for p in paths] if len(set(names)) < len(names) else names


def _score(dataset, path: Path, args: argparse.Namespace):
    """One run scored as ``eval`` scores it (nothing written), with its per-sequence sums."""
    from sotbench.evaluate import EvaluationError, evaluate
    from sotbench.metrics.bootstrap import Bootstrap

    try:  # the statistics only: the comparison draws its own resamples
        return evaluate(dataset, path, args.profile, write=False, layout=args.layout,
                        sequences=list(parse_sequences(args.sequences) or ()) or None,
                        bootstrap=Bootstrap(resamples=0))
    except (EvaluationError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None


def _fmt(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.4f}"


def _interval(ci) -> str:
    return "" if ci is None else f"[{ci[0]:.4f}, {ci[1]:.4f}]"


def _verdict(c, metric: str, names: list[str]) -> str:
    from sotbench.metrics.table import higher_is_better

    level = round(100 * (1 - c.bootstrap.level))
    if c.p_value != c.p_value:
        return "no test: too few sequences or no resamples"
    if not c.significant:
        return f"not significant at 0.{level:02d}: the 95% interval of the difference contains 0"
    a_better = (c.difference > 0) == higher_is_better(metric)
    return (f"significant at 0.{level:02d}: {names[0] if a_better else names[1]} is better "
            f"({'higher' if higher_is_better(metric) else 'lower'} {metric} is better)")


def _print(doc: dict, c, names: list[str], captions: list[str]) -> None:
    width = max(len(n) for n in names)
    print(f"{doc['dataset']} ({doc['split']}) · profile {doc['profile']} · {c.metric} · "
          f"{c.n_sequences} sequences paired")
    for text in captions:
        print(f"caveat: {text}")
    for label, name, value, ci in (("A", names[0], c.value_a, c.ci95_a), ("B", names[1], c.value_b, c.ci95_b)):
        print(f"  {label}  {name:<{width}s}  {_fmt(value)}  {_interval(ci)}")
    print(f"A - B: {c.difference:+.4f}  95% interval {_interval(c.ci95) or '–'}")
    wilcoxon = "–" if c.p_wilcoxon is None else f"{c.p_wilcoxon:.3g}"
    p = "–" if c.p_value != c.p_value else f"{c.p_value:.3g}"
    print(f"p = {p} (paired bootstrap, {c.bootstrap.resamples} resamples, seed {c.bootstrap.seed}); "
          f"p = {wilcoxon} (Wilcoxon signed-rank on per-sequence {c.metric}"
          + (", not defined per sequence" if c.p_wilcoxon is None else "") + ")")
    print(_verdict(c, c.metric, names))
    few = few_sequences_warning(c.n_sequences, c.p_wilcoxon)
    if few:
        print(f"warning: {few}")
    for label, only in (("A", c.only_a), ("B", c.only_b)):
        if only:
            print(f"note: {len(only)} sequences only {label} scored, left out of the pairing: "
                  f"{', '.join(only[:5])}{', ...' if len(only) > 5 else ''}")


def main(args: argparse.Namespace) -> int:
    from sotbench.caveats import grouped_captions
    from sotbench.metrics.paired import compare
    from sotbench.metrics.table import primary
    from sotbench.scores import json_safe

    spec = bootstrap_spec(args)
    dataset = open_dataset(args)
    metric = args.metric or primary(dataset.protocol)
    paths = list(args.results)
    names = _names(paths)
    scores = [_score(dataset, p, args) for p in paths]
    known = [k for k in scores[0].overall if k in scores[0].statistics]
    if metric not in known:
        raise CommandError(f"unknown metric {metric!r} for {dataset.key} ({dataset.protocol}), known: {', '.join(known)}")
    stats = [s.statistics[metric] for s in scores]
    try:
        c = compare(stats[0], stats[1], list(scores[0].per_sequence.index), list(scores[1].per_sequence.index),
                    metric, spec)
    except ValueError as exc:
        raise CommandError(f"{paths[0]} and {paths[1]}: {exc}") from None
    docs = [s.to_json() for s in scores]
    captions = grouped_captions(list(zip(names, docs)))
    head = {"dataset": dataset.key, "split": dataset.split, "protocol": dataset.protocol, "profile": docs[0]["profile"]}
    if args.json:
        out = {**head, **{k: v for k, v in c.to_json().items() if not k.endswith(("_a", "_b"))}, "caveats": captions}
        for key, name, path, value, ci in (("a", names[0], paths[0], c.value_a, c.ci95_a),
                                           ("b", names[1], paths[1], c.value_b, c.ci95_b)):
            out[key] = {"run": name, "path": str(path), "value": value, "ci95": None if ci is None else list(ci)}
        out["only_a"], out["only_b"] = list(c.only_a), list(c.only_b)
        print(json.dumps(json_safe(out)))
        return 0
    _print(head, c, names, captions)
    return 0

