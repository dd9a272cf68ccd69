"""What a search leaves behind: ``trials.csv``, ``best.yaml`` (a preset with provenance), and the
optimisation-history and parameter-importance plots (PNG and PDF).  All written atomically."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import sotbench
from sotbench.provenance import now_iso
from sotbench.search.prepare import SearchPlan
from sotbench.search.study import count_trials

__all__ = ["best_trial", "baseline_trial", "write_outputs", "OutputSummary", "best_preset"]


@dataclass
class OutputSummary:
    """Paths written and notes (e.g. why a plot was skipped)."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    best: Any = None
    baseline: Any = None
    exported: Path | None = None
    gain: Any = None  # sotbench.search.gains.GainReport


def _real(trial) -> bool:
    """A complete trial that ran every sequence (not a pruned one telling its partial mean)."""
    return (trial.state.name == "COMPLETE" and not trial.user_attrs.get("pruned")
            and trial.value is not None and math.isfinite(trial.value))


def best_trial(study, maximize: bool):
    """The best complete, unpruned trial (None before the first one)."""
    trials = [t for t in study.get_trials(deepcopy=False) if _real(t)]
    if not trials:
        return None
    return max(trials, key=lambda t: t.value if maximize else -t.value)


def baseline_trial(study):
    """The trial that ran the base preset's own values, when it finished."""
    for t in study.get_trials(deepcopy=False):
        if t.user_attrs.get("preset_values") and _real(t):
            return t
    return None


def _atomic_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path


def trials_table(study, plan: SearchPlan):
    """One row per trial: state, value, parameters and where it ran; ``test_split`` on every row."""
    import pandas as pd

    rows = []
    for t in study.get_trials(deepcopy=False):
        row: dict[str, Any] = {"number": t.number, "state": t.state.name, "value": t.value,
                               "pruned": bool(t.user_attrs.get("pruned")) or t.state.name == "PRUNED"}
        row.update({f"params_{r.name}": t.params.get(r.name) for r in plan.sweep.space})
        row.update({
            "sequences_evaluated": t.user_attrs.get("sequences_evaluated"),
            "preset_values": bool(t.user_attrs.get("preset_values")),
            "test_split": plan.test_split,
            "datetime_start": t.datetime_start.isoformat() if t.datetime_start else None,
            "datetime_complete": t.datetime_complete.isoformat() if t.datetime_complete else None,
            "duration_s": t.duration.total_seconds() if t.duration else None,
            "worker": t.user_attrs.get("worker"),
            "retry_of": t.system_attrs.get("failed_trial"),
            "surplus": bool(t.user_attrs.get("surplus")),
            "error": t.user_attrs.get("error"),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def best_preset(plan: SearchPlan, study, best, baseline, gain=None) -> dict:
    """The best parameters as a preset (loadable by ``sotbench run --tracker``) with provenance
    (``gain``: the ``GainReport`` of the best against the preset, tuning and held-out splits)."""
    counts = count_trials(study)
    params = {**plan.base.params, **best.params}
    preset: dict[str, Any] = {
        "tracker": plan.base.tracker,
        "name": f"{plan.base.tracker}-{plan.sweep.name}",
        "description": (f"{plan.sweep.preset} tuned by `sotbench search` on {plan.dataset.key}/{plan.dataset.split}: "
                        f"{plan.objective.metric} {best.value:.4f} (trial {best.number} of {counts['finished']})"),
    }
    if plan.preset.get("weights"):
        preset["weights"] = dict(plan.preset["weights"])
    preset["params"] = params
    preset["provenance"] = {
        "study": plan.study_name, "storage": plan.storage.display, "base_preset": plan.sweep.preset,
        "dataset": plan.dataset.key, "split": plan.dataset.split, "sequences": len(plan.sequences),
        "test_split": plan.test_split, "caveats": plan.caveats(), "precision": plan.precision,
        "objective": {"metric": plan.objective.metric, "profile": plan.objective.profile,
                      "direction": plan.objective.direction, "value": float(best.value)},
        "baseline": ({"trial": baseline.number, "value": float(baseline.value)} if baseline else None),
        "best_trial": best.number,
        "gain": gain.to_dict() if gain is not None else None,
        "trials": {k: counts.get(k, 0) for k in ("finished", "complete", "pruned", "fail")},
        "space": {r.name: [r.low, r.high] for r in plan.sweep.space},
        "sampler": plan.sweep.sampler.type, "pruner": plan.sweep.pruner.type,
        "date": now_iso(), "sotbench_version": sotbench.__version__,
    }
    return preset


def _save_figure(fig, base: Path) -> list[Path]:
    out = []
    for suffix in (".png", ".pdf"):
        path = base.with_suffix(suffix)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{suffix}")
        fig.savefig(tmp, dpi=150, bbox_inches="tight")
        os.replace(tmp, path)
        out.append(path)
    return out


def plot_history(study, plan: SearchPlan, base: Path) -> list[Path]:
    """Objective value per trial, best so far, and the base preset's value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trials = [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE" and t.value is not None]
    full = [t for t in trials if _real(t)]
    part = [t for t in trials if not _real(t)]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.scatter([t.number for t in full], [t.value for t in full], s=14, label="trial", color="tab:blue")
    if part:
        ax.scatter([t.number for t in part], [t.value for t in part], s=14, marker="x", color="0.6",
                   label="pruned (mean so far)")
    best, xs, ys = None, [], []
    for t in sorted(full, key=lambda t: t.number):
        if best is None or plan.objective.better(t.value, best):
            best = t.value
        xs.append(t.number)
        ys.append(best)
    if xs:
        ax.step(xs, ys, where="post", color="tab:red", label="best so far")
    baseline = baseline_trial(study)
    if baseline is not None:
        ax.axhline(baseline.value, color="0.3", linestyle="--", linewidth=1, label=f"preset ({baseline.value:.3f})")
    flag = "  [TEST SPLIT]" if plan.test_split else ""
    ax.set(xlabel="trial", ylabel=plan.objective.metric,
           title=f"{plan.study_name}: {plan.dataset.key}/{plan.dataset.split}{flag}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    paths = _save_figure(fig, base)
    plt.close(fig)
    return paths


def parameter_importances(study, plan: SearchPlan) -> dict[str, float]:
    """PED-ANOVA importances (Optuna's default evaluator, no extra dependency) over complete,
    unpruned trials (needs at least two of them)."""
    import optuna

    real = [t for t in study.get_trials(deepcopy=False) if _real(t)]
    if len(real) < 2:
        raise ValueError(f"parameter importance needs at least 2 complete trials, the study has {len(real)}")
    copy = optuna.create_study(direction=plan.objective.direction)
    copy.add_trials(real)
    importances = optuna.importance.get_param_importances(copy)
    if not importances or not all(math.isfinite(v) for v in importances.values()):
        raise ValueError("parameter importance is undefined for these trials (e.g. all values equal)")
    return importances


def plot_importance(study, plan: SearchPlan, base: Path) -> list[Path]:
    """Horizontal bars of the parameter importances."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    importances = parameter_importances(study, plan)
    names = list(importances)[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(names) + 1.5))
    ax.barh(names, [importances[n] for n in names], color="tab:blue")
    ax.set(xlabel="importance (PED-ANOVA, normalised)", xlim=(0, 1),
           title=f"{plan.study_name}: {plan.objective.metric}")
    paths = _save_figure(fig, base)
    plt.close(fig)
    return paths


def write_outputs(plan: SearchPlan, study, export: Path | None = None, gain=None) -> OutputSummary:
    """Write trials.csv, best.yaml (and ``export``), history and importance plots under ``plan.out``
    (``gain``: the best against the preset, recorded in best.yaml)."""
    out = OutputSummary(gain=gain)
    table = trials_table(study, plan)
    out.files.append(_atomic_text(plan.out / "trials.csv", table.to_csv(index=False)))
    out.best, out.baseline = best_trial(study, plan.objective.maximize), baseline_trial(study)
    if out.best is None:
        out.notes.append("no complete trial yet: best.yaml not written")
    else:
        text = ("# written by `sotbench search`; run it with: sotbench run --tracker THIS_FILE --dataset ...\n"
                + yaml.safe_dump(best_preset(plan, study, out.best, out.baseline, gain), sort_keys=False))
        out.files.append(_atomic_text(plan.out / "best.yaml", text))
        if export is not None:
            out.exported = _atomic_text(Path(export), text)
            out.files.append(out.exported)
    if not table.empty:
        out.files += plot_history(study, plan, plan.out / "history")
    try:
        out.files += plot_importance(study, plan, plan.out / "importance")
    except (ValueError, RuntimeError, ZeroDivisionError) as exc:
        out.notes.append(f"importance plot skipped: {exc}")
    return out
