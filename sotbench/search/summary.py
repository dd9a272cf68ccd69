"""The closing report of ``sotbench search``: counts, best against the preset (its gain with a
95 % interval on the tuning and held-out splits, the noise floor), files, next step."""

from __future__ import annotations

import shlex

from sotbench.search.prepare import SearchPlan

__all__ = ["print_summary"]


def _params(trial) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial.params.items())


def print_summary(plan: SearchPlan, result, export_ref: str | None = None) -> None:
    """Print what the study holds, where the outputs are and the command that runs the best preset
    (by ``export_ref``, the ``--tracker`` reference of the exported copy, when there is one)."""
    c = result.counts
    line = (f"study {plan.study_name!r}: {c['finished']} finished trials ({c.get('complete', 0)} complete, "
            f"{c.get('pruned', 0)} pruned), {c.get('fail', 0)} failed")
    if result.worker is not None and result.worker.seconds:
        w = result.worker
        line += f"; this run: {w.complete + w.pruned} trials in {w.seconds:.1f} s"
    print(line)
    out = result.outputs
    if out is None:
        return
    metric = plan.objective.metric
    if out.best is not None:
        text = f"best {metric} {out.best.value:.4f} (trial {out.best.number}: {_params(out.best)})"
        if out.baseline is not None:
            text += f"; preset values {out.baseline.value:.4f} (trial {out.baseline.number})"
        print(text)
    gain = out.gain
    if gain is not None and out.best is not None:
        for g in (gain.tuning, gain.confirm):
            if g is not None:
                print(g.line())
        print(gain.noise.line(metric))
        for note in gain.notes:
            print(f"note: {note}")
        for warning in gain.warnings:
            print(f"warning: {warning}")
    elif out.best is not None:
        print("note: the gain over the preset was not measured (run without --report-only to measure it)")
    for text in plan.caveats():
        print(f"caveat: {text}")
    if plan.test_split:
        print(f"WARNING: tuned on the test split {plan.dataset.key}/{plan.dataset.split} (recorded in the outputs)")
    for note in out.notes:
        print(f"note: {note}")
    if out.files:
        print("wrote: " + ", ".join(str(p) for p in out.files))
    if out.best is not None:
        ref = export_ref if export_ref and out.exported is not None else str(plan.out / "best.yaml")
        root = f" --root {shlex.quote(str(plan.sweep.root))}" if plan.sweep.root else ""
        print(f"next: sotbench run --tracker {shlex.quote(ref)} --dataset {plan.dataset.key}{root} "
              "--split <test split>")
