"""``build``: parameters + device + checkpoint -> a ready ``SiamRPNppTracker``.

Parameters not given come from the built-in preset ``siamrpnpp/default``; so does the
checkpoint when none is given (its zoo entry, if downloaded).  Without usable weights the
build stops with a message naming the zoo entries and where to get them, unless
``allow_random_weights`` is set: then the network keeps PyTorch's default initialisation
(fixed seed), and ``weights_info()`` says so.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch

from sotbench.trackers.siamrpnpp import weights as W
from sotbench.trackers.siamrpnpp.model import SiamRPNpp
from sotbench.trackers.siamrpnpp.params import DEFAULT_PRESET, Params, default_preset, with_defaults
from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker
from sotbench.trackers.siamrpnpp.zoo import ZooError, describe_zoo, find_local, weights_dirs, zoo, zoo_entry

__all__ = [
    "DEFAULT_PRESET",
    "RANDOM_SEED",
    "build",
    "build_model",
    "default_preset",
    "load_weights",
    "resolve_checkpoint",
    "resolve_device",
]

RANDOM_SEED = 0


def resolve_device(device: str | None) -> torch.device:
    """``None``/``auto``: CUDA when available, else CPU; a CUDA device must exist."""
    if device in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r} (expected cpu, cuda or cuda:N)") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {device!r} requested but CUDA is not available (use --device cpu)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f"device {device!r}: only {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type != "cpu":
        raise ValueError(f"unsupported device {device!r} (expected cpu, cuda or cuda:N)")
    return dev


def build_model(p: Params) -> SiamRPNpp:
    """The network for parameters ``p`` (weights uninitialised: load or ``random_init``)."""
    return SiamRPNpp(p.anchor_num, p.neck_channels, p.weighted, p.center_size).eval()


def _no_weights_message(ref: str, entry) -> str:
    where = " or ".join(str(d) if d.is_absolute() else f"./{d}" for d in weights_dirs())
    head = (f"SiamRPN++ needs a checkpoint; {ref} was not found in {where}" if entry
            else "SiamRPN++ needs a checkpoint")
    return (f"{head}. Pass --checkpoint PATH (pysot or mmtracking .pth), or fetch a zoo model, "
            f"e.g. `sotbench download siamrpnpp-r50-lasot`, into $SOTBENCH_WEIGHTS or "
            f"./weights. Zoo:\n{describe_zoo()}\n(--allow-random-weights runs without a "
            "checkpoint, for smoke tests only)")


def _locate(ref: str) -> tuple[Path | None, Any]:
    """A checkpoint reference (``zoo:NAME``, a zoo name, or a path) -> (file or None, entry)."""
    name = ref.removeprefix("zoo:")
    if ref.startswith("zoo:") or (name in zoo() and not Path(ref).exists()):
        entry = zoo_entry(name)
        return find_local(entry), entry
    path = Path(ref).expanduser()
    if not path.is_file():
        raise W.WeightsError(f"checkpoint {ref}: file not found")
    return path, None


def _check_requires(entry, p: Params) -> None:
    """A zoo model that needs other network parameters (pysot _otb, _lt) says so up front."""
    wrong = {k: v for k, v in entry.requires.items()
             if getattr(p, k) != (tuple(v) if isinstance(v, list) else v)}
    if wrong:
        need = ", ".join(f"{k}: {v}" for k, v in wrong.items())
        raise W.WeightsError(f"{entry.name} needs {need} (use its preset, or --set)")


def resolve_checkpoint(checkpoint: str | None, allow_random: bool):
    """``(reference, file or None, zoo entry or None)`` for a checkpoint argument (default: the
    default preset's zoo entry); raises when nothing is usable and random weights are not allowed."""
    ref = checkpoint or f"zoo:{default_preset().get('weights', {}).get('zoo', 'siamrpnpp-r50-lasot')}"
    try:
        path, entry = _locate(ref)
    except ZooError as exc:
        raise W.WeightsError(str(exc)) from None
    if path is None and not allow_random:
        raise W.WeightsError(_no_weights_message(ref, entry))
    if path is None and checkpoint:
        print(f"warning: {ref} not found; running with random weights (--allow-random-weights)", file=sys.stderr)
    return ref, path, entry


def load_weights(model: SiamRPNpp, checkpoint: str | None, allow_random: bool, p: Params) -> dict:
    """Fill ``model`` from ``checkpoint`` (see ``resolve_checkpoint``) and describe the weights
    for the run manifest."""
    return _fill(model, *resolve_checkpoint(checkpoint, allow_random), p)


def _fill(model: SiamRPNpp, ref: str, path: Path | None, entry, p: Params) -> dict:
    if path is None:
        W.random_init(model, RANDOM_SEED)
        return {"source": "random", "random": f"torch default init (seed {RANDOM_SEED})",
                "state_sha256": W.state_digest(model)}
    if entry is not None:
        _check_requires(entry, p)
    sha = W.file_sha256(path)
    if entry is not None and entry.sha256_prefix and not sha.startswith(entry.sha256_prefix):
        raise W.WeightsError(f"{path}: sha256 {sha[:16]}... does not start with {entry.sha256_prefix} "
                             f"({entry.name}); the file is damaged or another model: download it again")
    sd, layout = W.to_pysot_keys(W.read_checkpoint(path))
    W.load_strict(model, sd, str(path))
    info = {"source": ref, "path": str(path.resolve()), "sha256": sha, "layout": layout}
    if entry is not None:
        info["zoo"] = entry.name
    return info


# Networks already loaded in this process, shared by trackers that differ only in test-time
# parameters (a hyperparameter search builds hundreds): (file, size, mtime, structure, device).
_MODELS: OrderedDict[tuple, tuple[SiamRPNpp, dict]] = OrderedDict()
_MODELS_KEPT = 2


def _model_key(path: Path | None, p: Params, dev: torch.device) -> tuple:
    stat = path.stat() if path is not None else None
    where = (str(path.resolve()), stat.st_size, stat.st_mtime_ns) if stat else ("random", RANDOM_SEED)
    return (*where, p.neck_channels, p.weighted, p.center_size, p.anchor_num, str(dev))


def build(params: Params | dict | None = None, *, device: str | None = None, checkpoint: str | None = None,
          allow_random_weights: bool = False, **_: Any) -> SiamRPNppTracker:
    """Build the SiamRPN++ tracker from ``Params`` (or a mapping over the default preset's).
    Trackers built from the same file and network structure on one device share the network."""
    p = params if isinstance(params, Params) else with_defaults(params)
    dev = resolve_device(device)
    ref, path, entry = resolve_checkpoint(checkpoint, allow_random_weights)  # fail before building
    if entry is not None and path is not None:
        _check_requires(entry, p)
    key = _model_key(path, p, dev)
    if key not in _MODELS:
        model = build_model(p)
        _MODELS[key] = (model, _fill(model, ref, path, entry, p))
        model.to(dev)
        while len(_MODELS) > _MODELS_KEPT:
            _MODELS.popitem(last=False)
    _MODELS.move_to_end(key)
    model, info = _MODELS[key]
    return SiamRPNppTracker(p, model, dev, {**info, "source": ref} if path is not None else info)
