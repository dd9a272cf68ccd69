"""Batched GPU tracking engine for SiamRPN++: many sequences and many hyperparameter sets per
forward pass (see ``docs/engine.md``).

``Engine(model, params, device, EngineOptions(...)).run(jobs)`` runs ``Job`` objects (one
sequence, one or more streams of knobs) and yields a ``JobResult`` per finished job;
``build_engine`` makes one from a tracker spec; ``run_jobs_for_dataset`` is what
``sotbench run`` uses; ``EngineEvaluator`` is the search's batch evaluator.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DECODERS", "PRECISIONS", "Engine", "EngineEvaluator", "EngineOptions", "Job", "JobResult",
           "StreamSpec", "build_engine", "engine_supports"]

_LAZY = {
    "Engine": "core", "EngineOptions": "options", "PRECISIONS": "options", "DECODERS": "options",
    "Job": "jobs", "JobResult": "jobs", "StreamSpec": "jobs",
    "build_engine": "build", "engine_supports": "build", "EngineEvaluator": "evaluator",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
