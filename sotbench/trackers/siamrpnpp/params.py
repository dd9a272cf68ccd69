"""SiamRPN++ test-time parameters: one frozen dataclass, checked on construction.

The four tuning knobs (``penalty_k``, ``window_influence``, ``lr``) and the ``flavour``
(``pysot`` or ``mmtracking``: whose tracker arithmetic to reproduce) have no default here:
they come from a preset (``trackers/siamrpnpp/*.yaml``; ``default.yaml`` for a bare
``--tracker siamrpnpp``).  Everything else defaults to the value both codebases use for
``siamrpn_r50_l234_dwxcorr``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, fields
from functools import lru_cache
from typing import Any

__all__ = ["FLAVOURS", "STREAM_PARAMS", "SEARCH_SPACE", "DEFAULT_PRESET", "Params", "ParamsError", "score_size",
           "default_preset", "with_defaults"]

FLAVOURS = ("pysot", "mmtracking")
# The test-time knobs each stream of a batch may set on its own (they do not change the network
# or the template), and the default search ranges over them (siamban tools/tune.py, reference.md §5.3).
STREAM_PARAMS = ("penalty_k", "window_influence", "lr")
SEARCH_SPACE = {"penalty_k": (0.0, 0.6), "window_influence": (0.0, 0.65), "lr": (0.1, 0.8)}
DEFAULT_PRESET = "siamrpnpp/default"


class ParamsError(ValueError):
    """Bad SiamRPN++ parameters (unknown name, wrong type or out of range)."""


@dataclass(frozen=True)
class Params:
    """Every number the SiamRPN++ tracker uses at test time."""

    flavour: str
    penalty_k: float
    window_influence: float
    lr: float
    exemplar_size: int = 127
    instance_size: int = 255
    base_size: int = 8
    context_amount: float = 0.5
    anchor_stride: int = 8
    anchor_ratios: tuple[float, ...] = (0.33, 0.5, 1.0, 2.0, 3.0)
    anchor_scales: tuple[float, ...] = (8.0,)
    weighted: bool = True  # MultiRPN learned fusion weights; False: plain average (pysot _otb)
    neck_channels: tuple[int, int, int] = (256, 256, 256)  # pysot _lt model: (128, 256, 512)
    center_size: int = 7
    long_term: bool = False  # pysot SiamRPNLTTracker behaviour (the _lt config)
    lost_instance_size: int = 831
    confidence_low: float = 0.8
    confidence_high: float = 0.998

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _coerce(f.name, getattr(self, f.name), f.type))
        if self.flavour not in FLAVOURS:
            raise ParamsError(f"unknown flavour {self.flavour!r}, known: {', '.join(FLAVOURS)}")
        for name in ("penalty_k", "lr", "context_amount"):
            if not getattr(self, name) >= 0:
                raise ParamsError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0 <= self.window_influence <= 1:
            raise ParamsError(f"window_influence must be in [0, 1], got {self.window_influence}")
        if self.instance_size <= self.exemplar_size or self.exemplar_size < 16:
            raise ParamsError(f"need 16 <= exemplar_size < instance_size, got {self.exemplar_size}, "
                              f"{self.instance_size}")
        if len(self.neck_channels) != 3 or not self.anchor_ratios or not self.anchor_scales:
            raise ParamsError("neck_channels needs 3 numbers; anchor_ratios and anchor_scales at least one")
        if self.long_term and self.flavour != "pysot":
            raise ParamsError("long_term (SiamRPNLTTracker) exists only in the pysot flavour")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Params:
        """Build from a plain mapping; unknown or missing names raise, listing the valid ones."""
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ParamsError(f"unknown siamrpnpp parameter(s) {', '.join(unknown)}; "
                              f"valid: {', '.join(names)}")
        required = [f.name for f in fields(cls) if f.default is MISSING]
        missing = [n for n in required if n not in values]
        if missing:
            raise ParamsError(f"missing siamrpnpp parameter(s) {', '.join(missing)} "
                              "(a preset such as siamrpnpp/default sets them)")
        return cls(**dict(values))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @property
    def anchor_num(self) -> int:
        """Anchors per score-map cell."""
        return len(self.anchor_ratios) * len(self.anchor_scales)


@lru_cache(maxsize=1)
def default_preset() -> dict:
    """The built-in default preset (``trackers/siamrpnpp/default.yaml``), read once; do not modify it."""
    from sotbench.presets import builtin_presets, load_preset

    return load_preset(builtin_presets()[DEFAULT_PRESET])


def with_defaults(values: Mapping[str, Any] | None = None) -> Params:
    """``Params`` of ``values`` over the default preset's parameters (what ``--tracker siamrpnpp`` uses)."""
    return Params.from_dict({**default_preset()["params"], **dict(values or {})})


def score_size(params: Params, instance_size: int | None = None) -> int:
    """Side of the score map: ``(instance - exemplar) // stride + 1 + base_size``."""
    inst = params.instance_size if instance_size is None else instance_size
    return (inst - params.exemplar_size) // params.anchor_stride + 1 + params.base_size


def _coerce(name: str, value: Any, kind: Any) -> Any:
    """Check one value against its annotated type (YAML gives ints for floats, lists for tuples)."""
    kind = str(kind)
    if kind.startswith("tuple"):
        if not isinstance(value, (list, tuple)):
            raise ParamsError(f"{name} must be a list, got {value!r}")
        item = int if "int" in kind else float
        return tuple(_number(name, v, item) for v in value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ParamsError(f"{name} must be true or false, got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ParamsError(f"{name} must be a string, got {value!r}")
        return value
    return _number(name, value, int if kind == "int" else float)


def _number(name: str, value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamsError(f"{name} must be a number, got {value!r}")
    if kind is int:
        if float(value) != int(value):
            raise ParamsError(f"{name} must be an integer, got {value!r}")
        return int(value)
    if not math.isfinite(value):
        raise ParamsError(f"{name} must be finite, got {value!r}")
    return float(value)
