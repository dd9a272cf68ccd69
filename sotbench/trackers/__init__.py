"""Trackers.  ``TRACKERS`` maps each built-in name to its ``TrackerDef`` (imported lazily).

Out-of-tree trackers: pass ``--tracker package.module:Class`` (a class with ``init`` and
``update``, a got10k ``Tracker`` subclass, or a ``TrackerDef``; nothing else is called), or
register an entry point in the group ``sotbench.trackers`` from an installed package (which
may also name a builder function).  Whatever a name resolves to is checked before anything is
called with parameters from a file.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from sotbench.registry import BUILTIN, PLUGIN, is_class, known_names, lookup
from sotbench.trackers.definition import (BuildOptions, ResolvedTracker, TrackerDef, definition_of_builder,
                                          definition_of_class)

__all__ = ["TRACKERS", "TrackerSpec", "TrackerDef", "ResolvedTracker", "TrackerLookupError", "build_tracker",
           "resolve_definition", "spec_from_preset", "check_checkpoint", "ChecksumMismatch", "tracker_names", "Tracker", "TrackerOutput", "as_box", "as_output"]

if TYPE_CHECKING:
    from sotbench.trackers.base import Tracker

ENTRY_POINT_GROUP = "sotbench.trackers"

TRACKERS: dict[str, str] = {
    "identity": "sotbench.trackers.identity:TRACKER",
    "opencv-mil": "sotbench.trackers.opencv:MIL",
    "opencv-csrt": "sotbench.trackers.opencv:CSRT",
    "opencv-kcf": "sotbench.trackers.opencv:KCF",
    "siamrpnpp": "sotbench.trackers.siamrpnpp:TRACKER",
    "ncc": "sotbench.trackers.ncc:TRACKER",
}


def __getattr__(name: str) -> Any:
    # the contract's helpers import numpy: loaded on first use, so `sotbench --help` stays light
    if name in ("Tracker", "TrackerOutput", "as_box", "as_output"):
        return getattr(importlib.import_module("sotbench.trackers.base"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class TrackerLookupError(ValueError):
    """A tracker name that is unknown, cannot be imported, or names something that is not a tracker."""


def tracker_names() -> list[str]:
    """Built-in tracker names, then installed plugins."""
    return known_names(TRACKERS, ENTRY_POINT_GROUP)


def _got10k_definition(obj: Any) -> TrackerDef | None:
    try:
        from got10k.trackers import Tracker as Got10kTracker
    except ImportError:
        return None
    if not (is_class(obj) and Got10kTracker in inspect.getmro(obj)):
        return None
    from sotbench.trackers.got10k_adapter import FromGot10k

    return TrackerDef(name=obj.__name__, build=lambda params, options: FromGot10k(obj(**dict(params))))


def _refusal(name: str, origin: str) -> str:
    from sotbench.trackers.base import CONTRACT

    what = f"{CONTRACT}, a got10k Tracker subclass, or a sotbench TrackerDef"
    if origin == PLUGIN:
        return (f"tracker {name!r} (an installed plugin) is not a tracker class or builder function ({what}, "
                "or a Python function returning a tracker); refusing to call it")
    return f"tracker {name!r} is not a tracker class ({what}); refusing to call it"


def resolve_definition(ref: str, where: str = "") -> TrackerDef:
    """The definition ``ref`` names (a built-in, an installed plugin or ``module:attr``), checked
    before anything is called.

    ``module:attr`` (from a preset file or ``--tracker``) must be a tracker class, a got10k
    ``Tracker`` subclass or a ``TrackerDef``: anything else (``subprocess:Popen``, ``os:system``,
    ``builtins:eval``, any function) is refused, since a shared preset must not be able to call
    arbitrary code with its parameters.  An entry point may also be a Python function: its
    package was installed by the user, who chose to run its code.  ``where`` prefixes errors
    (the preset file)."""
    try:
        obj, origin = lookup(TRACKERS, ref, "tracker", ENTRY_POINT_GROUP)
    except ValueError as exc:
        raise TrackerLookupError(f"{where}{exc}") from None
    if isinstance(obj, TrackerDef):
        return obj
    if origin == BUILTIN:
        raise TypeError(f"TRACKERS[{ref!r}] must name a TrackerDef, got {type(obj).__name__}")
    from sotbench.trackers.base import is_tracker_class

    got10k = _got10k_definition(obj)
    if got10k is not None:
        return got10k
    if is_tracker_class(obj):
        return definition_of_class(obj, name=ref.rsplit(":", 1)[-1].rsplit(".", 1)[-1])
    if origin == PLUGIN and inspect.isfunction(obj):
        return definition_of_builder(obj, ref)
    raise TrackerLookupError(where + _refusal(ref, origin))


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
    checkpoint_sha256: str | None = None  # a preset's declared weights.sha256 (full digest or prefix)

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
        """The definition (checked, see ``resolve_definition``) and the typed, checked parameters,
        resolved once per spec; a declared checkpoint sha256 is checked before anything loads it."""
        definition = resolve_definition(self.tracker, f"{self.preset}: " if self.preset else "")
        if self.checkpoint_sha256 and self.checkpoint:
            check_checkpoint(self.checkpoint, self.checkpoint_sha256)
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
                "allow_random_weights": self.allow_random_weights, "preset": self.preset,
                "checkpoint_sha256": self.checkpoint_sha256}


def build_tracker(spec: TrackerSpec) -> Tracker:
    """Resolve ``spec.tracker`` (checked, see ``resolve_definition``) and build it with the spec's
    parameters and options."""
    return spec.build()


def spec_from_preset(preset: Mapping[str, Any], overrides: Mapping[str, Any] | None = None, *,
                     checkpoint: str | None = None, device: str | None = None,
                     allow_random_weights: bool = False) -> TrackerSpec:
    """The tracker spec of a loaded preset (``sotbench.presets.load_preset``), with parameter
    ``overrides`` and an explicit ``checkpoint`` over the preset's ``weights``; a ``zoo:`` name
    must be one of the tracker's checkpoints (checked before anything is loaded)."""
    from sotbench.presets import PresetError

    path = getattr(preset, "path", None)
    weights = preset.get("weights") or {}
    declared = None
    if checkpoint is None and "zoo" in weights:
        _check_zoo_name(preset["tracker"], weights["zoo"], path, PresetError)
        checkpoint = f"zoo:{weights['zoo']}"
    elif checkpoint is None:
        checkpoint, declared = weights.get("file"), weights.get("sha256")
    return TrackerSpec(tracker=preset["tracker"], params={**preset["params"], **dict(overrides or {})},
                       name=str(preset["name"]).replace("/", "_"), checkpoint=checkpoint, device=device,
                       allow_random_weights=allow_random_weights, preset=path, checkpoint_sha256=declared)


class ChecksumMismatch(ValueError):
    """A checkpoint file is not the one its preset declares (``weights.sha256``)."""


def check_checkpoint(path: str, sha256: str) -> None:
    """Refuse ``path`` unless its sha256 starts with ``sha256`` (a missing file is left to the
    tracker's builder, which says where to get one)."""
    from pathlib import Path

    from sotbench.download import file_hash

    if not Path(path).expanduser().is_file():
        return
    actual = file_hash(Path(path).expanduser())
    if not actual.startswith(sha256.lower()):
        raise ChecksumMismatch(f"weights file {path}: sha256 {actual[:16]}... does not match the declared "
                               f"weights.sha256 {sha256}; the file was not loaded (fetch the file the preset "
                               "names, or pass --checkpoint to use another one)")


def _check_zoo_name(tracker: str, name: str, path: Any, error: type[Exception]) -> None:
    zoo = resolve_definition(tracker, f"{path}: " if path else "").zoo
    known = zoo.names() if zoo is not None else []
    if name not in known:
        listing = f"known: {', '.join(known)}" if known else f"tracker {tracker} has no model zoo"
        raise error(f"{path}: unknown zoo checkpoint {name!r} under weights, {listing}")
