"""Trackers.  ``TRACKERS`` maps each name to a builder ``build(params, *, device, checkpoint,
allow_random_weights) -> Tracker`` (imported lazily).

Out-of-tree trackers: pass ``--tracker package.module:Class`` (a class or builder; a
``got10k.trackers.Tracker`` subclass is wrapped automatically), or register an entry point in
the group ``sotbench.trackers`` from an installed package.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from sotbench.registry import known_names, resolve
from sotbench.trackers.base import Tracker, TrackerOutput, as_box, as_output

__all__ = ["TRACKERS", "TrackerSpec", "build_tracker", "tracker_names", "Tracker", "TrackerOutput",
           "as_box", "as_output"]

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


def _from_got10k(obj: Any) -> Any:
    try:
        from got10k.trackers import Tracker as Got10kTracker
    except ImportError:
        return None
    if inspect.isclass(obj) and issubclass(obj, Got10kTracker):
        from sotbench.trackers.got10k_adapter import FromGot10k

        return lambda params=None, **_: FromGot10k(obj(**dict(params or {})))
    return None


def build_tracker(spec: TrackerSpec) -> Tracker:
    """Resolve ``spec.tracker`` and build it with the spec's parameters and options."""
    obj = resolve(TRACKERS, spec.tracker, "tracker", ENTRY_POINT_GROUP)
    builder = _from_got10k(obj) or obj
    options = {"device": spec.device, "checkpoint": spec.checkpoint,
               "allow_random_weights": spec.allow_random_weights}
    if inspect.isclass(builder):
        tracker = builder(**dict(spec.params))
    else:
        tracker = builder(dict(spec.params), **options)
    if not (hasattr(tracker, "init") and hasattr(tracker, "update")):
        raise TypeError(f"{spec.tracker} did not build a tracker (needs init() and update())")
    return tracker
