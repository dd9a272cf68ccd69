"""Reading SiamRPN++ checkpoints (pysot or mmtracking key names) safely and strictly.

Files are read with ``torch.load(weights_only=True)`` only: tensors, plain containers and
numpy scalars (mmcv puts those in ``meta``); anything else (a pickled object, code) is
refused.  Wrappers ``state_dict`` / ``model`` (with ``meta`` and ``optimizer`` beside them)
and ``module.`` prefixes are removed, mmtracking names are mapped to pysot names (the
mapping of ``spec/siamrpn_r50_l234_state_dict_keys.tsv``), and loading is strict: missing,
unexpected and mis-shaped keys are all listed.  Only ``num_batches_tracked`` (absent from
checkpoints saved by PyTorch < 0.4.1, unused at test time) may be missing.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import torch
from torch import nn

__all__ = [
    "MMTRACK_TO_PYSOT",
    "WeightsError",
    "detect_layout",
    "file_sha256",
    "load_strict",
    "random_init",
    "read_checkpoint",
    "state_digest",
    "to_pysot_keys",
]


class WeightsError(ValueError):
    """A checkpoint cannot be used (unreadable, unsafe, or not this network)."""


# mmtracking (mmcv ConvModule / ChannelMapper / SiameseRPNHead) -> pysot module names
MMTRACK_TO_PYSOT: tuple[tuple[str, str], ...] = (
    (r"^neck\.convs\.(\d)\.conv\.", lambda m: f"neck.downsample{int(m.group(1)) + 2}.downsample.0."),
    (r"^neck\.convs\.(\d)\.bn\.", lambda m: f"neck.downsample{int(m.group(1)) + 2}.downsample.1."),
    (r"^head\.cls_weight$", "rpn_head.cls_weight"),
    (r"^head\.reg_weight$", "rpn_head.loc_weight"),
    (r"^head\.cls_heads\.(\d)\.", lambda m: f"rpn_head.rpn{int(m.group(1)) + 2}.cls."),
    (r"^head\.reg_heads\.(\d)\.", lambda m: f"rpn_head.rpn{int(m.group(1)) + 2}.loc."),
    (r"\.kernel_convs\.conv\.", ".conv_kernel.0."),
    (r"\.kernel_convs\.bn\.", ".conv_kernel.1."),
    (r"\.search_convs\.conv\.", ".conv_search.0."),
    (r"\.search_convs\.bn\.", ".conv_search.1."),
    (r"\.head_convs\.0\.conv\.", ".head.0."),
    (r"\.head_convs\.0\.bn\.", ".head.1."),
    (r"\.head_convs\.1\.conv\.", ".head.3."),
)
_MM_RULES = [(re.compile(p), r) for p, r in MMTRACK_TO_PYSOT]


def _numpy_safe_globals() -> list:
    """numpy scalar reconstruction (data only), as mmcv checkpoints carry it in ``meta``."""
    try:
        import numpy as np
        from numpy._core import multiarray as ma  # numpy >= 2
    except ImportError:  # numpy 1.x
        import numpy as np
        from numpy.core import multiarray as ma
    dtypes = [type(np.dtype(c)) for c in ("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "?")]
    return [ma.scalar, (ma.scalar, "numpy.core.multiarray.scalar"), np.dtype, *dtypes]


def _torch_load(path: Path) -> Any:
    safe = getattr(torch.serialization, "safe_globals", None)
    try:
        if safe is None:
            return torch.load(path, map_location="cpu", weights_only=True)
        with safe(_numpy_safe_globals()):
            return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"{path}: checkpoint file not found") from None
    except Exception as exc:  # noqa: BLE001 - UnpicklingError, RuntimeError (zip), EOFError, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WeightsError(
            f"{path}: refused or unreadable checkpoint ({first[:200]}). Only tensors, plain "
            "containers and numpy scalars are accepted (torch.load weights_only=True); if you "
            "trust the file, re-save its state dict: torch.save(torch.load(PATH, weights_only="
            "False)['state_dict'], 'plain.pth')") from None


def _unwrap(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    for _ in range(3):  # {'state_dict': {...}}, {'model': {...}}, {'meta': .., 'state_dict': ..}
        if isinstance(obj, dict) and not _all_tensors(obj):
            inner = next((obj[k] for k in ("state_dict", "model") if isinstance(obj.get(k), dict)), None)
            if inner is None:
                break
            obj = inner
    if not isinstance(obj, dict) or not obj or not _all_tensors(obj):
        top = sorted(obj)[:8] if isinstance(obj, dict) else type(obj).__name__
        raise WeightsError(f"{path}: no state dict found (top-level entries: {top}; expected tensors, "
                           "or a 'state_dict' / 'model' entry holding them)")
    return dict(obj)


def _all_tensors(d: dict) -> bool:
    return all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in d.items())


def read_checkpoint(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The state dict of a checkpoint file, unwrapped and without ``module.`` prefixes."""
    path = Path(path)
    sd = _unwrap(_torch_load(path), path)
    return {k.removeprefix("module."): v for k, v in sd.items()}


def detect_layout(keys: list[str]) -> str:
    """``pysot`` or ``mmtracking``, from the neck and head key names."""
    if any(k.startswith(("rpn_head.", "neck.downsample")) for k in keys):
        return "pysot"
    if any(k.startswith(("head.cls_heads.", "head.reg_heads.", "neck.convs.")) for k in keys):
        return "mmtracking"
    raise WeightsError("not a SiamRPN++ checkpoint: no pysot (rpn_head.*, neck.downsample*) or "
                       f"mmtracking (head.cls_heads.*, neck.convs.*) keys; first keys: {keys[:5]}")


def _mm_to_pysot(key: str) -> str:
    for pattern, repl in _MM_RULES:
        key = pattern.sub(repl, key)
    return key


def to_pysot_keys(sd: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], str]:
    """The state dict with pysot key names, and the layout it came in."""
    layout = detect_layout(list(sd))
    if layout == "pysot":
        return dict(sd), layout
    return {_mm_to_pysot(k): v for k, v in sd.items()}, layout


def _mismatch_report(model: nn.Module, sd: dict[str, torch.Tensor]) -> list[str]:
    expected = model.state_dict()
    missing = [k for k in expected if k not in sd and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in sd if k not in expected]
    shapes = [f"{k} {list(sd[k].shape)} (expected {list(expected[k].shape)})"
              for k in expected if k in sd and sd[k].shape != expected[k].shape]
    lines = []
    for title, items in (("missing", missing), ("unexpected", unexpected), ("wrong shape", shapes)):
        if items:
            more = f" ... and {len(items) - 20} more" if len(items) > 20 else ""
            lines.append(f"{len(items)} {title}: {', '.join(items[:20])}{more}")
    return lines


def _hints(lines: list[str]) -> str:
    text = " ".join(lines)
    hints = []
    if "cls_weight" in text and "missing" in text:
        hints.append("a checkpoint without fusion weights (pysot _otb) needs weighted: false")
    if "cls_weight" in text and "unexpected" in text:
        hints.append("this checkpoint has fusion weights: set weighted: true")
    if "neck.downsample" in text and "wrong shape" in text:
        hints.append("the pysot _lt model needs neck_channels: [128, 256, 512]")
    return f" (hint: {'; '.join(hints)})" if hints else ""


def load_strict(model: nn.Module, sd: dict[str, torch.Tensor], source: str) -> None:
    """Copy ``sd`` (pysot names) into ``model``; any mismatch raises listing every problem."""
    problems = _mismatch_report(model, sd)
    if problems:
        raise WeightsError(f"{source} does not fit SiamRPN++ with these parameters: "
                           + "; ".join(problems) + _hints(problems))
    full = model.state_dict()
    full.update(sd)  # keeps the model's num_batches_tracked where the file has none
    model.load_state_dict(full, strict=True)


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """sha256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def state_digest(model: nn.Module) -> str:
    """sha256 over the model's tensors (names, dtypes, shapes, bytes), for random weights."""
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        t = v.detach().cpu().contiguous()
        h.update(k.encode() + b"\0" + str(t.dtype).encode() + str(tuple(t.shape)).encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def random_init(model: nn.Module, seed: int = 0) -> None:
    """Re-initialise every layer with PyTorch's default init from a fixed seed."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for m in model.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
            if hasattr(m, "reset_running_stats"):
                m.reset_running_stats()
        for name, p in model.named_parameters():
            if name.endswith(("cls_weight", "loc_weight")):
                nn.init.ones_(p)
