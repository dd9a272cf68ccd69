"""Sweep files: what to tune, on which data, against which objective, and how to search.

::

    name: synthetic                 # study name (default: the file stem)
    description: ...                # optional
    preset: ncc/default             # base preset: tracker, weights and every other parameter
    dataset: synthetic              # tuning dataset and split (a validation split, not test data)
    split: val
    root: null                      # optional dataset folder (default: <data root>/<Dataset>)
    sequences: null                 # optional list of sequence names (default: the whole split)
    objective: {metric: null, profile: null}   # default: the dataset's primary metric and profile
    space:                          # [low, high] or {low, high, log, step, type}; default:
      penalty_k: [0.0, 0.6]         #   the tracker's own default space (TrackerDef.search_space)
      window_influence: [0.0, 0.65]
      lr: [0.1, 0.8]
    sampler: {type: tpe, seed: 0, n_startup_trials: 10}       # tpe | gp | cmaes | random
    pruner: {type: wilcoxon, p_threshold: 0.1, n_startup_steps: 10}   # wilcoxon | median | none
    trials: 200                     # the study ends with this many finished trials
    trial_batch: 4                  # trials asked and evaluated together (``batch`` in older files)
    enqueue_preset: true            # evaluate the base preset's own values first
    confirm: {split: heldout}       # optional held-out check of the gain: dataset (default: the
                                    # sweep's), split, root, sequences

Unknown keys are errors at every level.  Values that need the dataset or the preset (parameter
names, split contents) are checked later, by ``sotbench.search.prepare``, before any work.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sotbench.search.strict_yaml import Mapping, SweepFileError, line_of, load_strict

__all__ = ["ParamRange", "SamplerConfig", "PrunerConfig", "ConfirmSplit", "Sweep", "load_sweep", "sweep_from_dict",
           "space_from_ranges", "SweepFileError"]

SAMPLERS = ("tpe", "gp", "cmaes", "random")
PRUNERS = ("wilcoxon", "median", "none")


@dataclass(frozen=True)
class ParamRange:
    """One searched parameter: a float (or int) range, optionally log-scaled or stepped."""

    name: str
    low: float
    high: float
    log: bool = False
    step: float | None = None
    type: str = "float"

    def distribution(self):
        """The Optuna distribution of this range."""
        import optuna

        if self.type == "int":
            return optuna.distributions.IntDistribution(int(self.low), int(self.high), log=self.log,
                                                        step=int(self.step or 1))
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log, step=self.step)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the range."""
        try:
            return self.low <= float(value) <= self.high
        except (TypeError, ValueError):
            return False


@dataclass(frozen=True)
class SamplerConfig:
    """Which Optuna sampler: multivariate TPE (default), GP, CMA-ES or random; seeded."""

    type: str = "tpe"
    seed: int | None = 0
    n_startup_trials: int = 10


@dataclass(frozen=True)
class PrunerConfig:
    """Which pruner and its settings; ``on_prune`` says what a pruned trial tells the study."""

    type: str = "wilcoxon"
    p_threshold: float = 0.1
    n_startup_steps: int = 10
    n_startup_trials: int = 5
    n_warmup_steps: int = 10
    on_prune: str | None = None  # "mean" (tell the mean so far, COMPLETE) or "pruned"; default by type
    order: str | None = None     # "shuffled" or "fixed" sequence order; default by type

    @property
    def tell_mean(self) -> bool:
        """Wilcoxon semantics by default: a pruned trial reports the mean of its values so far."""
        return (self.on_prune or ("mean" if self.type == "wilcoxon" else "pruned")) == "mean"

    @property
    def shuffled(self) -> bool:
        """Per-batch shuffled sequence order (Wilcoxon's recommendation) unless ``fixed``."""
        return (self.order or ("shuffled" if self.type == "wilcoxon" else "fixed")) == "shuffled"


@dataclass(frozen=True)
class ConfirmSplit:
    """Where the best parameters are checked against the preset after the search (held out)."""

    split: str
    dataset: str | None = None  # default: the sweep's dataset
    root: str | None = None  # default: the sweep's root when the dataset is the sweep's
    sequences: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep (see the module docstring)."""

    name: str
    preset: str
    dataset: str
    split: str | None = None
    root: str | None = None
    sequences: tuple[str, ...] | None = None
    metric: str | None = None
    profile: str | None = None
    space: tuple[ParamRange, ...] = ()  # empty: the tracker's default space (filled in by prepare)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    pruner: PrunerConfig = field(default_factory=PrunerConfig)
    trials: int = 200
    trial_batch: int = 4
    enqueue_preset: bool = True
    max_retry: int = 3
    confirm: ConfirmSplit | None = None
    description: str = ""
    path: str | None = None

    def to_dict(self) -> dict:
        """The sweep as plain data (the same keys a sweep file uses)."""
        data = asdict(self)
        data.pop("path")
        data["space"] = {r.name: {k: v for k, v in asdict(r).items() if k != "name"} for r in self.space}
        data["objective"] = {"metric": data.pop("metric"), "profile": data.pop("profile")}
        data["sequences"] = list(self.sequences) if self.sequences else None
        if self.confirm is not None:
            data["confirm"] = {k: (list(v) if k == "sequences" and v else v) for k, v in asdict(self.confirm).items()}
        return data

    def with_overrides(self, **changes: Any) -> "Sweep":
        """A copy with the given fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_TOP_KEYS = ("name", "description", "preset", "dataset", "split", "root", "sequences", "objective",
             "space", "sampler", "pruner", "trials", "trial_batch", "batch", "enqueue_preset", "max_retry",
             "confirm")
_CONFIRM_KEYS = ("dataset", "split", "root", "sequences")
_RANGE_KEYS = ("low", "high", "log", "step", "type")


def _check_keys(data: Any, allowed: tuple[str, ...], what: str, path: Any) -> None:
    if not isinstance(data, dict):
        raise SweepFileError(path, f"{what} must be a mapping with keys {', '.join(allowed)}", line_of(data))
    for key in data:
        if key not in allowed:
            raise SweepFileError(path, f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}",
                                 line_of(data, key))


def _number(value: Any, what: str, path: Any, line: int | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SweepFileError(path, f"{what} must be a finite number, got {value!r}", line)
    return float(value)


def _int(value: Any, what: str, path: Any, line: int | None, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SweepFileError(path, f"{what} must be an integer >= {minimum}, got {value!r}", line)
    return value


def _parse_range(name: str, spec: Any, path: Any, line: int | None) -> ParamRange:
    """``[low, high]`` or ``{low, high, log, step, type}``; empty or inverted ranges are errors."""
    if isinstance(spec, (list, tuple)):
        if len(spec) != 2:
            raise SweepFileError(path, f"space.{name}: expected [low, high], got {list(spec)!r}", line)
        spec = {"low": spec[0], "high": spec[1]}
    if not isinstance(spec, dict):
        raise SweepFileError(path, f"space.{name}: expected [low, high] or {{low: , high: }}, got {spec!r}", line)
    _check_keys(spec, _RANGE_KEYS, f"space.{name}", path)
    if "low" not in spec or "high" not in spec:
        raise SweepFileError(path, f"space.{name}: both low and high are required", line)
    low = _number(spec["low"], f"space.{name}.low", path, line)
    high = _number(spec["high"], f"space.{name}.high", path, line)
    kind = spec.get("type", "float")
    if kind not in ("float", "int"):
        raise SweepFileError(path, f"space.{name}.type must be float or int, got {kind!r}", line)
    if not low < high:
        word = "empty" if low == high else "inverted"
        raise SweepFileError(path, f"space.{name}: {word} range [{low:g}, {high:g}] (need low < high)", line)
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise SweepFileError(path, f"space.{name}.log must be true or false, got {log!r}", line)
    if log and low <= 0:
        raise SweepFileError(path, f"space.{name}: a log range needs low > 0, got {low:g}", line)
    step = spec.get("step")
    if step is not None:
        step = _number(step, f"space.{name}.step", path, line)
        if step <= 0 or step > high - low or log:
            raise SweepFileError(path, f"space.{name}.step must be in (0, high - low] and not with log", line)
    if kind == "int" and not (low.is_integer() and high.is_integer()):
        raise SweepFileError(path, f"space.{name}: an int range needs integer bounds", line)
    return ParamRange(name, low, high, log, step, kind)


def _parse_space(data: Any, path: Any) -> tuple[ParamRange, ...]:
    if data is None:
        return ()
    if not isinstance(data, dict) or not data:
        raise SweepFileError(path, "space must be a non-empty mapping PARAM: [low, high]", line_of(data))
    return tuple(_parse_range(str(k), v, path, line_of(data, k)) for k, v in data.items())


def space_from_ranges(ranges: dict[str, tuple[float, float]]) -> tuple[ParamRange, ...]:
    """A search space from ``{name: (low, high)}`` (a tracker's default space)."""
    return tuple(ParamRange(k, float(lo), float(hi)) for k, (lo, hi) in ranges.items())


def _trial_batch(data: dict, path: Any) -> int:
    """``trial_batch`` (``batch`` in sweep files written before it had its own name)."""
    if "trial_batch" in data and "batch" in data:
        raise SweepFileError(path, "give trial_batch only ('batch' is its old name)", line_of(data, "batch"))
    key = "batch" if "batch" in data else "trial_batch"
    return _int(data.get(key, 4), key, path, line_of(data, key), 1)


def _parse_sampler(data: Any, path: Any) -> SamplerConfig:
    if data is None:
        return SamplerConfig()
    if isinstance(data, str):
        data = {"type": data}
    _check_keys(data, ("type", "seed", "n_startup_trials"), "sampler", path)
    kind = data.get("type", "tpe")
    if kind not in SAMPLERS:
        raise SweepFileError(path, f"unknown sampler {kind!r}, known: {', '.join(SAMPLERS)}", line_of(data, "type"))
    seed = data.get("seed", 0)
    if seed is not None:
        seed = _int(seed, "sampler.seed", path, line_of(data, "seed"), 0)
    startup = _int(data.get("n_startup_trials", 10), "sampler.n_startup_trials", path,
                   line_of(data, "n_startup_trials"), 0)
    return SamplerConfig(kind, seed, startup)


def _parse_pruner(data: Any, path: Any) -> PrunerConfig:
    if data is None:
        return PrunerConfig()
    if isinstance(data, str):
        data = {"type": data}
    keys = ("type", "p_threshold", "n_startup_steps", "n_startup_trials", "n_warmup_steps", "on_prune", "order")
    _check_keys(data, keys, "pruner", path)
    kind = data.get("type", "wilcoxon")
    if kind not in PRUNERS:
        raise SweepFileError(path, f"unknown pruner {kind!r}, known: {', '.join(PRUNERS)}", line_of(data, "type"))
    p = _number(data.get("p_threshold", 0.1), "pruner.p_threshold", path, line_of(data, "p_threshold"))
    if not 0.0 < p < 1.0:
        raise SweepFileError(path, f"pruner.p_threshold must be in (0, 1), got {p:g}", line_of(data, "p_threshold"))
    ints = {k: _int(data.get(k, d), f"pruner.{k}", path, line_of(data, k), 0)
            for k, d in (("n_startup_steps", 10), ("n_startup_trials", 5), ("n_warmup_steps", 10))}
    for key, allowed in (("on_prune", ("mean", "pruned")), ("order", ("shuffled", "fixed"))):
        if data.get(key) not in (None, *allowed):
            raise SweepFileError(path, f"pruner.{key} must be one of {', '.join(allowed)}, got {data[key]!r}",
                                 line_of(data, key))
    return PrunerConfig(kind, p, on_prune=data.get("on_prune"), order=data.get("order"), **ints)


def _parse_objective(data: Any, path: Any) -> tuple[str | None, str | None]:
    if data is None:
        return None, None
    _check_keys(data, ("metric", "profile"), "objective", path)
    for key in ("metric", "profile"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise SweepFileError(path, f"objective.{key} must be a name, got {data[key]!r}", line_of(data, key))
    return data.get("metric"), data.get("profile")


def _text(data: dict, key: str, path: Any, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise SweepFileError(path, f"'{key}' is required", line_of(data))
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SweepFileError(path, f"'{key}' must be a name, got {value!r}", line_of(data, key))
    return str(value)


def _sequences(data: dict, path: Any) -> tuple[str, ...] | None:
    value = data.get("sequences")
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise SweepFileError(path, "sequences must be a non-empty list of sequence names", line_of(data, "sequences"))
    return tuple(value)


def _parse_confirm(data: Any, path: Any) -> ConfirmSplit | None:
    """``confirm: {split: heldout}`` (or ``{dataset, split, root, sequences}``)."""
    if data is None:
        return None
    _check_keys(data, _CONFIRM_KEYS, "confirm", path)
    split = _text(data, "split", path)
    if split is None:
        raise SweepFileError(path, "confirm.split is required (the held-out split the gain is checked on)",
                             line_of(data))
    return ConfirmSplit(split=split, dataset=_text(data, "dataset", path), root=_text(data, "root", path),
                        sequences=_sequences(data, path))


def sweep_from_dict(data: Any, path: str | Path | None = None, default_name: str = "sweep") -> Sweep:
    """Check and convert sweep data (from a file or built from command-line flags)."""
    _check_keys(data, _TOP_KEYS, "the sweep", path)
    metric, profile = _parse_objective(data.get("objective"), path)
    enqueue = data.get("enqueue_preset", True)
    if not isinstance(enqueue, bool):
        raise SweepFileError(path, f"enqueue_preset must be true or false, got {enqueue!r}",
                             line_of(data, "enqueue_preset"))
    name = _text(data, "name", path) or default_name
    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise SweepFileError(path, f"name {name!r} may hold only letters, digits, '-', '_' and '.'",
                             line_of(data, "name"))
    return Sweep(
        name=name, preset=_text(data, "preset", path, required=True),  # type: ignore[arg-type]
        dataset=_text(data, "dataset", path, required=True),  # type: ignore[arg-type]
        split=_text(data, "split", path), root=_text(data, "root", path), sequences=_sequences(data, path),
        metric=metric, profile=profile, space=_parse_space(data.get("space"), path),
        sampler=_parse_sampler(data.get("sampler"), path), pruner=_parse_pruner(data.get("pruner"), path),
        trials=_int(data.get("trials", 200), "trials", path, line_of(data, "trials"), 1),
        trial_batch=_trial_batch(data, path),
        max_retry=_int(data.get("max_retry", 3), "max_retry", path, line_of(data, "max_retry"), 0),
        enqueue_preset=enqueue, confirm=_parse_confirm(data.get("confirm"), path),
        description=str(data.get("description") or ""),
        path=str(path) if path else None,
    )


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file."""
    path = Path(path)
    data = load_strict(path)
    if data is None:
        raise SweepFileError(path, "file is empty (expected a mapping with preset, dataset, split, ...)")
    if not isinstance(data, Mapping):
        raise SweepFileError(path, "expected a mapping with preset, dataset, split, ...", 1)
    return sweep_from_dict(data, path, default_name=path.stem)
