"""What sotbench knows about a kind of tracker: ``TrackerDef``; a recipe resolved once: ``ResolvedTracker``.

A definition says how to check a parameter set (``parse``: a preset's plain mapping -> the
tracker's typed parameters, validated once), how to build one single-stream tracker from
them, which parameters may differ between the streams of one batch (``stream_params``), the
default search space of ``sotbench search``, and optionally the tracker's own batch backend
(``batch_backend``; without one, ``sotbench.trackers.lockstep`` steps single-stream trackers
together).  Generic code (run, search) asks the definition; it never tests a tracker's name.

Third-party trackers need no definition: a class with ``init``/``update`` (optional class
attributes ``stream_params``, ``search_space`` and a ``batch_backend`` static method) or a
got10k ``Tracker`` subclass is wrapped by ``definition_of_class``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["TrackerDef", "WeightsZoo", "BuildOptions", "ResolvedTracker", "BackendUnavailable", "plain_params",
           "no_params", "params_dict", "definition_of_class", "definition_of_builder"]


class BackendUnavailable(RuntimeError):
    """The tracker's batch backend cannot run these parameters (the message says why)."""


@dataclass(frozen=True)
class BuildOptions:
    """How to build a tracker, apart from its parameters: device and weights."""

    device: str | None = None
    checkpoint: str | None = None
    allow_random_weights: bool = False


def plain_params(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """Untyped parameters: a read-only copy of the mapping (trackers that check their own)."""
    return MappingProxyType(dict(values))


def no_params(name: str) -> Callable[[Mapping[str, Any]], Mapping[str, Any]]:
    """A ``parse`` for trackers that take no parameters."""
    def parse(values: Mapping[str, Any]) -> Mapping[str, Any]:
        if values:
            raise ValueError(f"{name} takes no parameters, got {sorted(values)}")
        return MappingProxyType({})
    return parse


def params_dict(params: Any) -> dict[str, Any]:
    """JSON-ready parameters (``to_dict()`` of typed parameters, a dataclass, or a mapping)."""
    if hasattr(params, "to_dict"):
        return dict(params.to_dict())
    if is_dataclass(params):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()}
    return dict(params)


@dataclass(frozen=True)
class WeightsZoo:
    """A tracker's released checkpoints (``sotbench download NAME``): their names, a listing, and
    how to fetch one (``download(name, dest_dir, progress) -> path``; errors raise ``error``)."""

    names: Callable[[], list[str]]
    describe: Callable[[], str]
    download: Callable[[str, Any, bool], Any]
    error: type[Exception] = LookupError


@dataclass(frozen=True)
class TrackerDef:
    """A kind of tracker (see the module docstring)."""

    name: str
    build: Callable[[Any, BuildOptions], Any]
    parse: Callable[[Mapping[str, Any]], Any] = plain_params
    stream_params: tuple[str, ...] = ()
    search_space: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    batch_backend: Callable[[ResolvedTracker, Any], Any] | None = None
    zoo: WeightsZoo | None = None
    description: str = ""

    def structure_key(self, params: Any) -> str:
        """Everything but the per-stream parameters: streams with equal keys can share one backend."""
        d = params_dict(params)
        return json.dumps({k: v for k, v in d.items() if k not in self.stream_params}, sort_keys=True, default=str)


@dataclass(frozen=True, eq=False)
class ResolvedTracker:
    """A tracker recipe with its definition found and its parameters checked (once)."""

    definition: TrackerDef
    params: Any
    options: BuildOptions = BuildOptions()
    ref: str = ""

    @property
    def name(self) -> str:
        return self.definition.name

    def build(self, params: Any = None) -> Any:
        """A new single-stream tracker (with ``params``: another typed parameter set)."""
        tracker = self.definition.build(self.params if params is None else params, self.options)
        if not (callable(getattr(tracker, "init", None)) and callable(getattr(tracker, "update", None))):
            raise TypeError(f"{self.ref or self.name} did not build a tracker (needs init() and update())")
        return tracker

    def with_values(self, values: Mapping[str, Any]) -> Any:
        """Typed parameters: these parameters over the recipe's (checked by the definition)."""
        return self.definition.parse({**params_dict(self.params), **dict(values)})

    def params_dict(self, params: Any = None) -> dict[str, Any]:
        """JSON-ready parameters (default: the recipe's)."""
        return params_dict(self.params if params is None else params)


def _class_attr(cls: type, name: str, default: Any) -> Any:
    """A class attribute read statically (no descriptor or metaclass property runs)."""
    value = inspect.getattr_static(cls, name, default)
    return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value


def definition_of_class(cls: type, name: str | None = None) -> TrackerDef:
    """The definition of a tracker class: built as ``cls(**params)``; its optional class
    attributes ``stream_params``, ``search_space`` and ``batch_backend`` are used as they are."""
    backend = _class_attr(cls, "batch_backend", None)
    return TrackerDef(
        name=name or cls.__name__,
        build=lambda params, options: cls(**dict(params)),
        stream_params=tuple(_class_attr(cls, "stream_params", ())),
        search_space=dict(_class_attr(cls, "search_space", {}) or {}),
        batch_backend=backend if callable(backend) else None,
        description=(inspect.getdoc(cls) or "").split("\n")[0],
    )


def definition_of_builder(fn: Callable[..., Any], name: str) -> TrackerDef:
    """The definition of an installed plugin's builder ``fn(params: dict, *, device, checkpoint,
    allow_random_weights)`` (entry points only: installed code the user chose to install)."""
    def build(params: Any, options: BuildOptions) -> Any:
        return fn(dict(params), device=options.device, checkpoint=options.checkpoint,
                  allow_random_weights=options.allow_random_weights)
    return TrackerDef(name=name, build=build)
