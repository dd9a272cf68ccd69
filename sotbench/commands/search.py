"""``sotbench search``: Bayesian search of a tracker's test-time parameters on a validation split."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from sotbench.commands.common import (add_backend_arguments, backend_options, int_range, non_negative_int,
                                      parse_sequences, positive_int)
from sotbench.errors import CommandError
from sotbench.presets import PRESET_RULE, PresetError, find_preset, local_preset_path, preset_name

EPILOG = """examples:
  sotbench search --trials 200                        # the default sweep: SiamRPN++ on GOT-10k val
  sotbench search --tracker siamrpnpp --dataset got10k --split val --trials 200
  sotbench search sweeps/synthetic.yaml --trials 30 --out runs/syn
  sotbench search sweeps/synthetic.yaml --trials 60   # rerun: continues the same study to 60
  sotbench search sweeps/got10k.yaml --workers 4      # 4 local workers (one GPU each)
  sotbench search sweeps/got10k.yaml --storage postgresql://user@db-host/optuna   # many machines
  sotbench search sweeps/synthetic.yaml --report-only --export   # outputs + ./trackers/ncc/synthetic.yaml
  sotbench run --tracker ncc/synthetic --dataset synthetic        # ... which `run` then finds by name

""" + textwrap.fill(
    f"--tracker and a sweep's preset: {PRESET_RULE}; a bare tracker name that is no preset means its "
    "default preset (siamrpnpp = siamrpnpp/default). --export with no PATH writes "
    "./trackers/<tracker>/<sweep name>.yaml, the first place that rule looks, and prints the "
    "`sotbench run --tracker <tracker>/<sweep name>` command that runs it.", 100, break_on_hyphens=False) + """

The study is kept in a journal file (<out>/study.journal; default out: sweeps/<name>/ beside the
sweep file) or the --storage database; rerunning continues it, and --trials N means the study
ends with N finished trials. Outputs: <out>/trials.csv, best.yaml (a preset with provenance),
history.png/pdf, importance.png/pdf.  Browse live: optuna-dashboard <out>/study.journal

After the trials, the best parameters and the preset's values are tracked again side by side
and compared with the paired test of `sotbench compare`: the gain with its 95% interval and
p-value on the tuning split, and on a held-out split when the sweep names one
(confirm: {split: heldout}; dataset, root and sequences optional). The summary prints both and
the noise floor (the objective's spread over parameter sets evaluated more than once), warns
when a gain is not significant or inside the noise floor, and best.yaml records it all
(provenance.gain). --report-only reuses the gain measured for the same best trial.
"""

DEFAULT_SWEEP = "siamrpnpp-got10k"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sweep", nargs="?", metavar="SWEEP",
                   help="a sweep .yaml file or a built-in sweep name (default: flags, else the default sweep)")
    p.add_argument("--tracker", metavar="NAME|PRESET",
                   help="base preset: a preset .yaml or name (./trackers/<name>.yaml, then the built-in presets), "
                        "or a tracker name (siamrpnpp = siamrpnpp/default; see below)")
    p.add_argument("--dataset", metavar="NAME", help="tuning dataset (overrides the sweep's)")
    p.add_argument("--split", metavar="NAME", help="tuning split, e.g. val (overrides the sweep's)")
    p.add_argument("--root", metavar="DIR", help="the dataset's folder (overrides the sweep's)")
    p.add_argument("--sequences", metavar="A,B,...", help="only these sequences of the split (overrides the sweep's)")
    p.add_argument("--trials", type=positive_int, metavar="N",
                   help="the study ends with N finished trials, N >= 1 (default: the sweep's)")
    p.add_argument("--trial-batch", type=positive_int, metavar="K",
                   help="trials asked and evaluated together, K >= 1 (default: the sweep's trial_batch)")
    p.add_argument("--out", type=Path, metavar="DIR", help="outputs and journal (default: sweeps/<name>/ beside the sweep)")
    p.add_argument("--storage", metavar="URL", help="postgresql://..., mysql://..., sqlite:///..., redis://... "
                                                     "or a journal file (default: <out>/study.journal)")
    p.add_argument("--study", metavar="NAME", help="study name (default: the sweep's name)")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="local worker processes sharing the study, N >= 1 (one GPU each where several exist)")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="J",
                   help="sequences evaluated in parallel within a worker, J >= 1 (CPU processes, default 1)")
    p.add_argument("--sampler", choices=("tpe", "gp", "cmaes", "random"), help="override the sweep's sampler")
    p.add_argument("--seed", type=non_negative_int, metavar="S", help="override the sampler seed, S >= 0")
    p.add_argument("--pruner", choices=("wilcoxon", "median", "none"), help="override the sweep's pruner")
    p.add_argument("--allow-test-split", action="store_true",
                   help="allow tuning on a test split (recorded in every output)")
    p.add_argument("--export", nargs="?", const="", metavar="PATH",
                   help="also write the best preset to PATH, a .yaml file (default: ./trackers/<tracker>/<sweep>.yaml, "
                        "which `run --tracker <tracker>/<sweep>` finds)")
    p.add_argument("--report-only", action="store_true", help="run no trial; only write the outputs")
    p.add_argument("--device", metavar="DEV", help="cuda, cuda:1 or cpu (default: the tracker's choice)")
    p.add_argument("--heartbeat", type=positive_int, default=30, metavar="S",
                   help="heartbeat interval in seconds, S >= 1 (default 30)")
    p.add_argument("--grace", type=int_range(2), default=120, metavar="S",
                   help="a trial without heartbeat for S seconds is re-run; S >= 2, above --heartbeat (default 120)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_backend_arguments(p)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-index", type=non_negative_int, metavar="I",
                   help="this process's index among the workers of a shared study, I >= 0 (offsets the sampler seed)")


def _sweep_from_args(args: argparse.Namespace):
    """The sweep file, a sweep made from --tracker/--dataset, or the default sweep (said aloud)."""
    from dataclasses import replace

    from sotbench.search.prepare import builtin_sweeps, find_sweep
    from sotbench.search.sweep import load_sweep, sweep_from_dict

    if args.sweep:
        sweep = load_sweep(find_sweep(args.sweep))
    elif args.tracker or args.dataset:
        if not (args.tracker and args.dataset):
            raise CommandError("without a sweep file, give both --tracker and --dataset (and usually --split val)")
        split = args.split or "val"
        sequences = parse_sequences(args.sequences)
        return sweep_from_dict({"name": f"{Path(args.tracker).stem.replace('/', '-')}-{args.dataset}-{split}",
                                "preset": _preset_ref(args.tracker), "dataset": args.dataset, "split": split,
                                "root": args.root, "sequences": list(sequences) if sequences else None})
    else:
        path = builtin_sweeps().get(DEFAULT_SWEEP)
        if path is None:
            raise CommandError(f"the default sweep {DEFAULT_SWEEP} is not installed")
        sweep = load_sweep(path)
        print(f"no sweep given: running the default sweep {DEFAULT_SWEEP!r} ({sweep.description or path})")
    overrides = {"preset": _preset_ref(args.tracker) if args.tracker else None,
                 "dataset": args.dataset, "split": args.split, "root": args.root,
                 "sequences": parse_sequences(args.sequences)}
    sweep = sweep.with_overrides(**overrides)
    sampler = replace(sweep.sampler, **{k: v for k, v in (("type", args.sampler), ("seed", args.seed)) if v is not None})
    pruner = replace(sweep.pruner, type=args.pruner) if args.pruner else sweep.pruner
    return replace(sweep, sampler=sampler, pruner=pruner)


def _preset_ref(tracker: str) -> str:
    """A preset reference as given when it names a preset (``find_preset``); a bare tracker name
    that is none means its default preset (``siamrpnpp`` -> ``siamrpnpp/default``)."""
    try:
        found = find_preset(tracker)
    except PresetError as exc:
        raise CommandError(str(exc)) from None
    if found is not None or "/" in tracker or ":" in tracker:
        return tracker
    return f"{tracker}/default"


def _export_target(export: str | None, plan) -> tuple[Path | None, str | None]:
    """Where ``--export`` writes and the ``--tracker`` reference that finds it again."""
    if export is None:
        return None, None
    if export:
        if not export.endswith((".yaml", ".yml")):
            raise CommandError(f"--export {export}: expected a path ending in .yaml or .yml")
        return Path(export), export
    name = preset_name(plan.base.tracker, plan.sweep.name)
    return local_preset_path(name), name


def _check_counts(args: argparse.Namespace) -> None:
    """What the flags' own ranges cannot say: a live trial must get a beat within its grace period."""
    if args.grace <= args.heartbeat:
        raise CommandError(f"--grace ({args.grace} s) must exceed --heartbeat ({args.heartbeat} s), "
                           "else live trials are re-run between two beats")


def _describe(plan, target: int, batch: int) -> str:
    s = plan.sweep
    flag = "  ** TEST SPLIT (--allow-test-split) **" if plan.test_split else ""
    return (f"search {plan.study_name!r}: {s.preset} ({plan.base.tracker}) on {plan.dataset.key}/{plan.dataset.split} "
            f"({len(plan.sequences)} sequences){flag}\n"
            f"  objective {plan.objective.describe()}; space "
            + ", ".join(f"{r.name} [{r.low:g}, {r.high:g}]" for r in s.space)
            + f"\n  sampler {s.sampler.type} (seed {s.sampler.seed}), pruner {s.pruner.type}, trial batch {batch}; "
            f"study {plan.storage.display}: target {target} finished trials")


def main(args: argparse.Namespace) -> int:
    _check_counts(args)  # before the search machinery is imported: argument errors stay fast
    if args.export:
        _export_target(args.export, None)  # a bad PATH is reported before any work
    from sotbench.search import USER_ERRORS
    from sotbench.search.prepare import prepare
    from sotbench.search.runner import SearchOptions, run_search
    from sotbench.search.summary import print_summary
    try:
        sweep = _sweep_from_args(args)
        plan = prepare(sweep, allow_test_split=args.allow_test_split, storage=args.storage, out=args.out,
                       study_name=args.study, device=args.device, precision=args.precision)
        export, export_ref = _export_target(args.export, plan)
        options = SearchOptions(trials=args.trials or sweep.trials, trial_batch=args.trial_batch or sweep.trial_batch,
                                workers=args.workers, jobs=args.jobs, heartbeat=args.heartbeat, grace=args.grace,
                                progress=not args.no_progress, export=export, report_only=args.report_only,
                                worker=args.worker, worker_index=args.worker_index, device=args.device,
                                tracking=backend_options(args))
        if not args.worker:
            for note in plan.notes:
                print(f"note: {note}")
            print(_describe(plan, options.trials, options.trial_batch), flush=True)
        result = run_search(plan, options)
    except USER_ERRORS as exc:
        raise CommandError(str(exc)) from None
    if not args.worker:
        print_summary(plan, result, export_ref)
    return 0
