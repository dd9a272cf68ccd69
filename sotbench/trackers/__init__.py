"""Trackers.  ``TRACKERS`` maps each built-in name to its ``TrackerDef`` (imported lazily).

Out-of-tree trackers: pass ``--tracker package.module:Class`` (a class with ``init`` and
``update``, a got10k ``Tracker`` subclass, or a ``TrackerDef``), or register an entry point in
the group ``sotbench.trackers`` from an installed package (which may also name a builder
function).  Whatever a name resolves to is checked to be one of these before anything is
called with parameters from a file.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Mapping

from sotbench.registry import import_object, known_names, plugins
from sotbench.trackers.base import Tracker, TrackerOutput, as_box, as_output
from sotbench.trackers.definition import (
    BuildOptions,
    ResolvedTracker,
    TrackerDef,
    definition_of_builder,
    definition_of_class,
)

__all__ = ["TRACKERS", "TrackerSpec", "TrackerDef", "ResolvedTracker", "build_tracker", "tracker_names",
           "resolve_definition", "Tracker", "TrackerOutput", "as_box", "as_output"]

ENTRY_POINT_GROUP = "sotbench.trackers"

TRACKERS: dict[str, str] = {
    "identity": "sotbench.trackers.identity:TRACKER",
    "opencv-mil": "sotbench.trackers.opencv:MIL",
    "opencv-csrt": "sotbench.trackers.opencv:CSRT",
    "opencv-kcf": "sotbench.trackers.opencv:KCF",
    "siamrpnpp": "sotbench.trackers.siamrpnpp:TRACKER",
    "ncc": "sotbench.trackers.ncc:TRACKER",
}

CONTRACT = ("a class with init(image, region) and update(image), a got10k Tracker subclass, "
            "or a sotbench TrackerDef")


def tracker_names() -> list[str]:
    """Built-in tracker names, then installed plugins."""
    return known_names(TRACKERS, ENTRY_POINT_GROUP)


def _is_tracker_class(obj: Any) -> bool:
    return inspect.isclass(obj) and callable(getattr(obj, "init", None)) and callable(getattr(obj, "update", None))


def _got10k_definition(obj: Any) -> TrackerDef | None:
    try:
        from got10k.trackers import Tracker as Got10kTracker
    except ImportError:
        return None
    if not (inspect.isclass(obj) and issubclass(obj, Got10kTracker)):
        return None
    from sotbench.trackers.got10k_adapter import FromGot10k

    return TrackerDef(name=obj.__name__, build=lambda params, options: FromGot10k(obj(**dict(params))))


def _definition_of(obj: Any, ref: str, builders_allowed: bool) -> TrackerDef:
    """Check what ``ref`` resolved to before anything calls it."""
    if isinstance(obj, TrackerDef):
        return obj
    got10k = _got10k_definition(obj)
    if got10k is not None:
        return got10k
    if _is_tracker_class(obj):
        return definition_of_class(obj, name=ref.rsplit(":", 1)[-1].rsplit(".", 1)[-1])
    if builders_allowed and inspect.isfunction(obj):
        return definition_of_builder(obj, ref)
    what = f"a {type(obj).__name__}" if not inspect.isclass(obj) else f"the class {obj.__module__}.{obj.__qualname__}"
    raise ValueError(f"tracker {ref!r} is {what}, not a tracker ({CONTRACT}); refusing to call it")


def resolve_definition(ref: str) -> TrackerDef:
    """The definition ``ref`` names: a built-in, an installed plugin, or ``module:attr``."""
    if ref in TRACKERS:
        return import_object(TRACKERS[ref])
    found = plugins(ENTRY_POINT_GROUP)
    if ref in found:
        return _definition_of(found[ref].load(), ref, builders_allowed=True)
    if ":" in ref:
        try:
            obj = import_object(ref)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ValueError(f"cannot import tracker {ref!r}: {exc}") from None
        return _definition_of(obj, ref, builders_allowed=False)
    import difflib

    names = tracker_names()
    close = difflib.get_close_matches(ref, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ValueError(f"unknown tracker {ref!r}{hint}, known: {', '.join(names)}")


@dataclass(frozen=True)
class TrackerSpec:
    """Everything needed to build a tracker again in another process (picklable)."""

    tracker: str
    params: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    checkpoint: str | None = None
    device: str | None = None
    allow_random_weights: bool = False
    preset: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if not self.name:
            object.__setattr__(self, "name", self.tracker.rsplit(":", 1)[-1])

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k != "resolved"}  # rebuilt where it is used
        state["params"] = dict(self.params)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, params=MappingProxyType(state["params"]))

    @cached_property
    def resolved(self) -> ResolvedTracker:
        """The definition and the checked, typed parameters (resolved once per spec)."""
        definition = resolve_definition(self.tracker)
        options = BuildOptions(device=self.device, checkpoint=self.checkpoint,
                               allow_random_weights=self.allow_random_weights)
        return ResolvedTracker(definition, definition.parse(dict(self.params)), options, ref=self.tracker)

    def build(self) -> Tracker:
        """Instantiate the tracker."""
        return self.resolved.build()

    def to_dict(self) -> dict:
        """JSON-ready description (for manifests)."""
        return {"tracker": self.tracker, "name": self.name, "params": dict(self.params),
                "checkpoint": self.checkpoint, "device": self.device,
                "allow_random_weights": self.allow_random_weights, "preset": self.preset}


def build_tracker(spec: TrackerSpec) -> Tracker:
    """Resolve ``spec.tracker`` and build it with the spec's parameters and options."""
    return spec.build()
