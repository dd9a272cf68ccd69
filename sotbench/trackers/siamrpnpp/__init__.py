"""SiamRPN++ R50 (``siamrpn_r50_l234_dwxcorr``) in PyTorch, reproducing pysot or mmtracking.

``TRACKER`` is the ``siamrpnpp`` entry of ``sotbench.trackers.TRACKERS``: typed ``Params``
over the default preset, the three per-stream knobs, the default search space, and the
batched engine (``engine/``) as its batch backend.  The pieces a batched
engine reuses (all batched over a leading stream dimension, device-agnostic):

* ``model.SiamRPNpp`` (``template`` -> ``Kernels``, ``track``), ``builder.build_model``,
  ``builder.load_weights``;
* ``anchors.make_anchors`` / ``make_window`` / ``flatten`` (flavour order);
* ``flavours.Pysot`` / ``MMTracking``: ``init`` (region -> state), ``template_crop``,
  ``search_crop``, ``postprocess``; ``flavours.Knobs`` (per-stream penalty_k, window
  influence, lr tensors);
* ``crop.crop_cv2_linear`` / ``crop_bilinear`` and ``postprocess.*``.

Torch is imported only when a tracker is built (``zoo`` and ``params`` work without it).
"""

from __future__ import annotations

import importlib
from typing import Any

from sotbench.trackers.definition import BackendUnavailable, BuildOptions, ResolvedTracker, TrackerDef, WeightsZoo
from sotbench.trackers.siamrpnpp import zoo as _zoo
from sotbench.trackers.siamrpnpp.params import SEARCH_SPACE, STREAM_PARAMS, Params, with_defaults

__all__ = [
    "FLAVOURS",
    "Params",
    "ParamsError",
    "SiamRPNppTracker",
    "TRACKER",
    "WeightsError",
    "ZooError",
    "build",
    "build_model",
    "download_weights",
    "load_weights",
    "resolve_device",
    "zoo_names",
]

_LAZY = {
    "build_model": "builder", "load_weights": "builder", "resolve_device": "builder",
    "ParamsError": "params", "FLAVOURS": "params",
    "SiamRPNppTracker": "tracker", "WeightsError": "weights",
    "ZooError": "zoo", "download_weights": "zoo", "zoo_names": "zoo",
}


def build(params: Params | dict | None = None, **options: Any):
    """Build the SiamRPN++ tracker (see ``builder.build``)."""
    from sotbench.trackers.siamrpnpp.builder import build as _build

    return _build(params, **options)


def _build(params: Params, options: BuildOptions):
    return build(params, device=options.device, checkpoint=options.checkpoint,
                 allow_random_weights=options.allow_random_weights)


def _engine(resolved: ResolvedTracker, options: Any):
    """The batched engine for these parameters (not the long-term tracker, whose search size
    changes per stream)."""
    if resolved.params.long_term:
        raise BackendUnavailable("long_term (SiamRPNLTTracker) changes its search size per stream")
    from sotbench.trackers.siamrpnpp.engine.backend import EngineBackend

    return EngineBackend(resolved, options)


TRACKER = TrackerDef(name="siamrpnpp", build=_build, parse=with_defaults, stream_params=STREAM_PARAMS,
                     search_space=SEARCH_SPACE, batch_backend=_engine,
                     zoo=WeightsZoo(_zoo.zoo_names, _zoo.describe_zoo, _zoo.download_weights, _zoo.ZooError),
                     description="SiamRPN++ R50, pysot or mmtracking arithmetic (needs torch)")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
