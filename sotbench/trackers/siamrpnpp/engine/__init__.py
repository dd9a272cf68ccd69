"""SiamRPN++'s batch backend: many sequences and many knob sets per forward pass (``docs/engine.md``).

``Engine(model, params, device, EngineOptions(...)).run(jobs)`` tracks ``sotbench.jobs.Job``
objects (one sequence, one or more streams of ``Params`` that differ only in the per-stream
knobs) and yields a ``JobResult`` per finished job; ``EngineBackend`` is what
``sotbench.trackers.backends.backend_for`` returns for SiamRPN++ (engines cached per network
structure, weights, device and options).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DECODERS", "PRECISIONS", "Engine", "EngineBackend", "EngineOptions", "engine_for"]

_LAZY = {
    "Engine": "core", "EngineOptions": "options", "PRECISIONS": "options", "DECODERS": "options",
    "EngineBackend": "backend", "engine_for": "backend",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
