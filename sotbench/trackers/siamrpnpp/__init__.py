"""SiamRPN++ R50 (``siamrpn_r50_l234_dwxcorr``) in PyTorch, reproducing pysot or mmtracking.

``build`` is the ``siamrpnpp`` entry of ``sotbench.trackers.TRACKERS``.  The pieces a batched
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

__all__ = [
    "FLAVOURS",
    "Params",
    "ParamsError",
    "SiamRPNppTracker",
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
    "Params": "params", "ParamsError": "params", "FLAVOURS": "params",
    "SiamRPNppTracker": "tracker", "WeightsError": "weights",
    "ZooError": "zoo", "download_weights": "zoo", "zoo_names": "zoo",
}


def build(params: dict | None = None, **options: Any):
    """Build the SiamRPN++ tracker (see ``builder.build``)."""
    from sotbench.trackers.siamrpnpp.builder import build as _build

    return _build(params, **options)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
