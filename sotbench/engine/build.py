"""Building engines from tracker recipes (the network comes from the SiamRPN++ builder, so an
engine and single-stream trackers built from the same file share one loaded network)."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sotbench.engine.options import EngineOptions

__all__ = ["build_engine", "engine_supports", "merged_params", "structure_key"]

_ENGINES: OrderedDict[tuple, Any] = OrderedDict()
_ENGINES_KEPT = 2


def merged_params(params: Mapping[str, Any]):
    """``Params`` of a siamrpnpp parameter dict over the built-in default preset."""
    from sotbench.trackers.siamrpnpp.builder import default_preset
    from sotbench.trackers.siamrpnpp.params import Params

    return Params.from_dict({**default_preset()["params"], **dict(params)})


def structure_key(p) -> str:
    """Everything but the per-stream knobs: streams with equal keys can share one engine."""
    return json.dumps(replace(p, penalty_k=0.0, window_influence=0.0, lr=0.0).to_dict(), sort_keys=True)


def engine_supports(tracker: str, params: Mapping[str, Any]) -> str | None:
    """``None`` when the engine can run this tracker, else the reason it cannot."""
    if tracker != "siamrpnpp":
        return f"the engine runs siamrpnpp only, not {tracker}"
    try:
        p = merged_params(params)
    except Exception as exc:  # the per-sequence runner reports bad parameters itself
        return f"{type(exc).__name__}: {exc}"
    if p.long_term:
        return "long_term (SiamRPNLTTracker) changes its search size per stream"
    return None


def build_engine(params: Mapping[str, Any], *, device: str | None = None, checkpoint: str | None = None,
                 allow_random_weights: bool = False, options: EngineOptions | None = None):
    """An ``Engine`` for these SiamRPN++ parameters (its knobs are only defaults: each stream
    brings its own).  Engines are cached per structure, weights, device and options."""
    from sotbench.engine.core import Engine
    from sotbench.trackers.siamrpnpp.builder import build

    options = options or EngineOptions()
    p = merged_params(params)
    key = (structure_key(p), device, checkpoint, allow_random_weights, options)
    if key not in _ENGINES:
        tracker = build(p.to_dict(), device=device, checkpoint=checkpoint, allow_random_weights=allow_random_weights)
        _ENGINES[key] = Engine(tracker.model, tracker.p, tracker.device, options, tracker.weights_info())
        while len(_ENGINES) > _ENGINES_KEPT:
            _ENGINES.popitem(last=False)
    _ENGINES.move_to_end(key)
    return _ENGINES[key]
