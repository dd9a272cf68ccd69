"""Turn a sweep into a checked plan: preset, tracker, dataset split, objective, output folder and
storage.  Every user error is found here, before any trial runs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sotbench.presets import PresetError, builtin_presets, find_preset, load_preset, shadow_note
from sotbench.search.objective import Objective, ObjectiveError, resolve_objective
from sotbench.search.storage import StorageError, StorageInfo, parse_storage
from sotbench.search.sweep import Sweep, space_from_ranges
from sotbench.trackers import TrackerLookupError, TrackerSpec, spec_from_preset

__all__ = ["SearchPlan", "ConfirmPlan", "PlanError", "prepare", "builtin_sweeps", "find_sweep", "default_out"]


class PlanError(ValueError):
    """The sweep cannot run as asked (one line, says what to change)."""


@dataclass(frozen=True)
class ConfirmPlan:
    """The held-out split the best parameters are checked on after the search (``confirm:``)."""

    dataset: Any
    sequences: list[str]
    test_split: bool  # a test split: evaluating on it is fine, tuning on it is not

    @property
    def label(self) -> str:
        return f"{self.dataset.key}/{self.dataset.split}"


@dataclass
class SearchPlan:
    """Everything a search worker needs, checked."""

    sweep: Sweep
    preset: dict
    base: TrackerSpec
    dataset: Any
    sequences: list[str]
    objective: Objective
    out: Path
    storage: StorageInfo
    study_name: str
    test_split: bool
    notes: tuple[str, ...] = ()
    precision: str = "fp32"  # what the trials are tracked in (--precision): part of what the study is
    confirm: ConfirmPlan | None = None

    def caveats(self) -> list[str]:
        """What limits the objective's values (a sweep over some of the split's sequences)."""
        from sotbench.caveats import captions, coverage_facts

        n = len(self.sequences)
        return captions({"dataset": self.dataset.key, "split": self.dataset.split,
                         "coverage": coverage_facts(self.dataset, n, n, []),
                         "flags": {"random_weights": self.base.allow_random_weights}})

    def fingerprint(self) -> dict:
        """What must not change while a study goes on (else its trials are not comparable)."""
        searched = {r.name for r in self.sweep.space}
        return {
            "tracker": self.base.tracker,
            "checkpoint": self.base.checkpoint,
            "fixed_params": {k: v for k, v in sorted(self.base.params.items()) if k not in searched},
            "dataset": self.dataset.key,
            "split": self.dataset.split,
            "sequences": list(self.sequences),
            "metric": self.objective.metric,
            "profile": self.objective.profile,
            "direction": self.objective.direction,
            "space": self.sweep.to_dict()["space"],
            # fp32 studies keep the fingerprint they had before precision was recorded
            **({"precision": self.precision} if self.precision != "fp32" else {}),
        }


def _sweeps_root() -> Path:
    return Path(str(resources.files("sotbench._sweeps")))


def builtin_sweeps() -> dict[str, Path]:
    """Built-in sweep names and their files."""
    return {p.stem: p for p in sorted(_sweeps_root().glob("*.yaml"))}


def find_sweep(ref: str) -> Path:
    """A sweep file path, or the name of a built-in sweep."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    found = builtin_sweeps().get(ref)
    if found is None:
        raise PlanError(f"unknown sweep {ref!r}: not a file, and the built-in sweeps are "
                        f"{', '.join(builtin_sweeps()) or 'none'}")
    return found


def default_out(sweep: Sweep) -> Path:
    """``<folder of the sweep file>/<name>/``; ``sweeps/<name>/`` for built-in or flag-made sweeps."""
    if sweep.path and Path(sweep.path).resolve().parent != _sweeps_root().resolve():
        return Path(sweep.path).parent / sweep.name
    return Path("sweeps") / sweep.name


def _load_base(sweep: Sweep, device: str | None) -> tuple[dict, TrackerSpec, str | None]:
    """The base preset (found as ``run --tracker`` finds one), its tracker spec (checked to name a
    tracker before anything is called) and a note when a project preset shadows a built-in one."""
    try:
        path = find_preset(sweep.preset)
    except PresetError as exc:
        raise PlanError(str(exc)) from None
    if path is None:
        raise PlanError(f"unknown preset {sweep.preset!r} (not in ./trackers/ nor built in), known: "
                        f"{', '.join(builtin_presets())} (or a path to a preset .yaml)")
    try:
        preset = load_preset(path)
    except PresetError as exc:
        raise PlanError(str(exc)) from None
    try:
        spec = spec_from_preset(preset, device=device)
    except (PresetError, TrackerLookupError) as exc:
        raise PlanError(str(exc)) from None
    try:
        spec.resolved  # checked to name a tracker before anything is called; parameters checked
    except TrackerLookupError as exc:
        raise PlanError(str(exc)) from None
    except (ValueError, TypeError) as exc:
        raise PlanError(f"{path}: {str(exc).strip(chr(39))}") from None
    return preset, spec, shadow_note(sweep.preset, path)


def _with_space(sweep: Sweep, base: TrackerSpec) -> Sweep:
    """The sweep with its space: its own, else the tracker's default; every name checked."""
    resolved = base.resolved
    where = f" ({sweep.path})" if sweep.path else ""
    if not sweep.space:
        if not resolved.definition.search_space:
            raise PlanError(f"tracker {base.tracker} declares no default search space; give 'space:' in the sweep{where}")
        sweep = replace(sweep, space=space_from_ranges(dict(resolved.definition.search_space)))
    known = resolved.params_dict()
    for r in sweep.space:
        if r.name not in known:
            raise PlanError(f"unknown parameter {r.name!r} in the search space{where}; the preset "
                            f"{sweep.preset} has: {', '.join(known) or 'no parameters'}")
    return sweep


def _open_dataset(sweep: Sweep, allow_test_split: bool):
    from sotbench.datasets import dataset_class
    from sotbench.sequences import AnnotationError

    try:
        cls = dataset_class(sweep.dataset)
    except ValueError as exc:
        raise PlanError(f"{sweep.path}: {exc}" if sweep.path else str(exc)) from None
    try:
        dataset = cls(root=sweep.root, split=sweep.split)
        names = dataset.subset(list(sweep.sequences)) if sweep.sequences else dataset.names
    except (ValueError, KeyError, FileNotFoundError, AnnotationError) as exc:
        raise PlanError(str(exc).strip("'\"")) from None
    spec = dataset.spec
    if not dataset.has_public_ground_truth:
        raise PlanError(f"{spec.key}/{dataset.split} has no public ground truth, so it cannot be scored "
                        f"locally; tune on one of: {', '.join(_tuning_splits(spec)) or 'none'}")
    if not names:
        raise PlanError(f"{spec.key}/{dataset.split} at {dataset.root} holds no sequences")
    _check_sequences(dataset, names)
    test = dataset.split in spec.test_splits
    if test and not allow_test_split:
        raise PlanError(
            f"{spec.key}/{dataset.split} is test data: tuning on it leaks the test set into the "
            f"parameters. Tune on a validation split ({', '.join(_tuning_splits(spec)) or 'none defined'}), "
            "or pass --allow-test-split to do it anyway (recorded in every output)")
    return dataset, names, test


def _check_sequences(dataset, names: list[str], key: str = "sequences", where: str = "") -> None:
    """Read every sequence's annotations now (no frames decoded), so a bad file or a missing
    frame folder stops the search before any trial instead of failing every trial."""
    from sotbench.sequences import AnnotationError

    problems = []
    for name in names:
        try:
            if dataset[name].frames is None:
                problems.append(f"{name}: no frames on disk (this root holds annotations only)")
        except (AnnotationError, OSError, ValueError) as exc:
            problems.append(str(exc))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise PlanError(f"{where}{len(problems)} of {len(names)} sequences of {dataset.key}/{dataset.split} cannot be "
                        f"tracked: " + "; ".join(problems[:5]) + more
                        + f" — fix them, or list the others under '{key}' in the sweep")


def _open_confirm(sweep: Sweep, tuning, tuned: list[str]) -> ConfirmPlan | None:
    """The sweep's ``confirm:`` split, checked: public ground truth, the tuning protocol, frames on
    disk, and held out (no sequence of the tuning set)."""
    from sotbench.datasets import dataset_class
    from sotbench.sequences import AnnotationError

    c = sweep.confirm
    if c is None:
        return None
    where = f"{sweep.path}: confirm" if sweep.path else "confirm"
    key = c.dataset or sweep.dataset
    try:
        cls = dataset_class(key)
        same = cls.spec.key == tuning.key
        dataset = cls(root=c.root if c.root is not None or not same else sweep.root, split=c.split)
        names = dataset.subset(list(c.sequences)) if c.sequences else dataset.names
    except (ValueError, KeyError, FileNotFoundError, AnnotationError) as exc:
        raise PlanError(f"{where}: {str(exc).strip(chr(39))}") from None
    label = f"{dataset.key}/{dataset.split}"
    if not dataset.has_public_ground_truth:
        raise PlanError(f"{where}: {label} has no public ground truth, so the gain cannot be checked on it")
    if dataset.protocol != tuning.protocol:
        raise PlanError(f"{where}: {label} uses the {dataset.protocol} protocol, the tuning split "
                        f"{tuning.key}/{tuning.split} the {tuning.protocol} protocol; confirm on a benchmark of the same protocol")
    if not names:
        raise PlanError(f"{where}: {label} at {dataset.root} holds no sequences")
    one_root = Path(dataset.root).resolve() == Path(tuning.root).resolve()  # OTB2013 inside OTB100's folder
    shared = [n for n in names if n in set(tuned)] if same or one_root else []
    if shared:
        raise PlanError(f"{where}: {label} is not held out: {len(shared)} of its {len(names)} sequences are tuning "
                        f"sequences ({', '.join(shared[:3])}{', ...' if len(shared) > 3 else ''}); confirm on a split "
                        "without them (e.g. OTB100/UAV123 'heldout' after 'tune') or list its other sequences under "
                        "confirm.sequences")
    try:
        resolve_objective(dataset, sweep.metric, sweep.profile)
    except (ObjectiveError, ImportError) as exc:
        raise PlanError(f"{where}: {exc}") from None
    _check_sequences(dataset, names, "confirm.sequences", f"{where}: ")
    return ConfirmPlan(dataset, list(names), dataset.split in dataset.spec.test_splits)


def _tuning_splits(spec) -> list[str]:
    return [s for s in spec.splits if s not in spec.test_splits and spec.has_public_ground_truth(s)]


def prepare(sweep: Sweep, *, allow_test_split: bool = False, storage: str | None = None,
            out: Path | None = None, study_name: str | None = None, device: str | None = None,
            precision: str = "fp32") -> SearchPlan:
    """Check the sweep against its preset, dataset and objective; decide outputs and storage."""
    preset, base, note = _load_base(sweep, device)
    sweep = _with_space(sweep, base)
    dataset, names, test = _open_dataset(sweep, allow_test_split)
    try:
        objective = resolve_objective(dataset, sweep.metric, sweep.profile)
    except (ObjectiveError, ImportError) as exc:
        raise PlanError(str(exc)) from None
    confirm = _open_confirm(sweep, dataset, list(names))
    out = Path(out) if out is not None else default_out(sweep)
    try:
        info = parse_storage(storage, out / "study.journal")
    except StorageError as exc:
        raise PlanError(str(exc)) from None
    return SearchPlan(sweep=sweep, preset=preset, base=base, dataset=dataset, sequences=list(names),
                      objective=objective, out=out, storage=info, study_name=study_name or sweep.name,
                      test_split=test, notes=(note,) if note else (), precision=precision, confirm=confirm)
