"""Trackers.  ``TRACKERS`` maps each name to a builder ``build(params, *, device, checkpoint,
allow_random_weights) -> Tracker`` (imported lazily).

Out-of-tree trackers: pass ``--tracker package.module:Class`` (a class with ``init`` and
``update``; a ``got10k.trackers.Tracker`` subclass is wrapped automatically; nothing else is
called), or register an entry point in the group ``sotbench.trackers`` from an installed
package (a class, or a builder function).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from sotbench.registry import BUILTIN, PLUGIN, is_class, known_names, lookup
from sotbench.trackers.base import CONTRACT, Tracker, TrackerOutput, as_box, as_output, is_tracker_class

__all__ = ["TRACKERS", "TrackerSpec", "TrackerLookupError", "build_tracker", "tracker_builder", "tracker_names",
           "Tracker", "TrackerOutput", "as_box", "as_output"]

ENTRY_POINT_GROUP = "sotbench.trackers"

TRACKERS: dict[str, str] = {
    "identity": "sotbench.trackers.identity:build",
    "opencv-mil": "sotbench.trackers.opencv:build_mil",
    "opencv-csrt": "sotbench.trackers.opencv:build_csrt",
    "opencv-kcf": "sotbench.trackers.opencv:build_kcf",
    "siamrpnpp": "sotbench.trackers.siamrpnpp:build",
    "ncc": "sotbench.trackers.ncc:build",
}


def tracker_names() -> list[str]:
    """Built-in tracker names, then installed plugins."""
    return known_names(TRACKERS, ENTRY_POINT_GROUP)


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

    def build(self) -> Tracker:
        """Instantiate the tracker."""
        return build_tracker(self)

    def to_dict(self) -> dict:
        """JSON-ready description (for manifests)."""
        return {"tracker": self.tracker, "name": self.name, "params": dict(self.params),
                "checkpoint": self.checkpoint, "device": self.device,
                "allow_random_weights": self.allow_random_weights, "preset": self.preset}


class TrackerLookupError(ValueError):
    """A tracker name that is unknown, cannot be imported, or names something that is not a tracker."""


def _got10k_class(obj: Any) -> bool:
    try:
        from got10k.trackers import Tracker as Got10kTracker
    except ImportError:
        return False
    return is_class(obj) and Got10kTracker in inspect.getmro(obj)


def _refusal(name: str, origin: str) -> str:
    what = f"{CONTRACT}, or a got10k Tracker subclass"
    if origin == PLUGIN:
        return (f"tracker {name!r} (an installed plugin) is not a tracker class or builder function ({what}, "
                "or a Python function returning a tracker); refusing to call it")
    return f"tracker {name!r} is not a tracker class ({what}); refusing to call it"


def tracker_builder(spec: TrackerSpec) -> Callable[..., Any]:
    """``build(params, **options)`` for ``spec.tracker``, checked before anything is called.

    Built-in names are our own builder functions.  ``module:attr`` (from a preset file or
    ``--tracker``) must be a tracker class or a got10k ``Tracker`` subclass: anything else
    (``subprocess:Popen``, ``os:system``, ``builtins:eval``, any function) is refused, since a
    shared preset must not be able to call arbitrary code with its parameters.  An entry point
    may also be a Python function: its package was installed by the user, who chose to run its
    code, but a class outside the contract or a builtin is still refused.  Errors name the preset.
    """
    where = f"{spec.preset}: " if spec.preset else ""
    try:
        obj, origin = lookup(TRACKERS, spec.tracker, "tracker", ENTRY_POINT_GROUP)
    except ValueError as exc:
        raise TrackerLookupError(f"{where}{exc}") from None
    if origin == BUILTIN:
        return obj
    if _got10k_class(obj):
        from sotbench.trackers.got10k_adapter import FromGot10k

        return lambda params=None, **_: FromGot10k(obj(**dict(params or {})))
    if is_tracker_class(obj):
        return lambda params=None, **_: obj(**dict(params or {}))
    if origin == PLUGIN and inspect.isfunction(obj):
        return obj
    raise TrackerLookupError(where + _refusal(spec.tracker, origin))


def build_tracker(spec: TrackerSpec) -> Tracker:
    """Resolve ``spec.tracker`` (checked, see ``tracker_builder``) and build it with the spec's
    parameters and options."""
    builder = tracker_builder(spec)
    tracker = builder(dict(spec.params), device=spec.device, checkpoint=spec.checkpoint,
                      allow_random_weights=spec.allow_random_weights)
    if not (hasattr(tracker, "init") and hasattr(tracker, "update")):
        raise TypeError(f"{spec.tracker} did not build a tracker (needs init() and update())")
    return tracker
