"""``Profile``: every convention a tracking toolkit applies when it scores results.

A profile is a frozen set of parameters; the metric code reads these and nothing else (it
never asks which dataset or toolkit it is scoring).  The named profiles that reproduce each
toolkit are in ``sotbench.metrics.profiles``; ``docs/profiles.md`` explains every field.

Some toolkits change their own rules per benchmark (pytracking's UAV and LaSOT branches,
got10k's GOT-10k experiment).  A profile records those as ``overrides``: per dataset key, the
fields that differ.  ``Profile.for_dataset(key)`` returns the resolved profile that the
metric code then uses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

__all__ = ["Profile", "thresholds", "THRESHOLD_SPECS", "matlab_colon", "CHOICES"]


def matlab_colon(start: float, step: float, stop: float) -> np.ndarray:
    """MATLAB's ``start:step:stop``: first half ``start + k*step``, second half ``last - k*step``.

    MATLAB builds colon ranges symmetrically (MathWorks' ``colonop.m`` description), so the
    values above the midpoint differ in the last bit from ``np.arange``.  Only the general
    (non-integer) case is needed here.
    """
    n = int(round((stop - start) / step))
    tol = 2.0 * np.finfo(float).eps * max(abs(start), abs(stop))
    if start + n * step - stop > tol:
        n -= 1
    last = start + n * step
    if last - stop > -tol:
        last = stop
    out = np.zeros(n + 1)
    k = np.arange(n // 2 + 1)
    out[k] = start + k * step
    out[n - k] = last - k * step
    if n % 2 == 0:
        out[n // 2] = (start + last) / 2
    return out


# Threshold arrays by the expression each toolkit uses (so the docs can quote them).
THRESHOLD_SPECS: dict[str, Any] = {
    "np.arange(0, 1.05, 0.05)": lambda: np.arange(0, 1.05, 0.05),
    "np.linspace(0, 1, 21)": lambda: np.linspace(0, 1, 21),
    "np.linspace(0, 1, 101)": lambda: np.linspace(0, 1, 101),
    "matlab 0:0.05:1": lambda: matlab_colon(0.0, 0.05, 1.0),
    "np.arange(0, 51)": lambda: np.arange(0, 51).astype(np.float64),
    "np.linspace(0, 50, 21)": lambda: np.linspace(0, 50, 21),
    "np.arange(0, 51) / 100": lambda: np.arange(0, 51) / 100,
    "np.linspace(0, 0.5, 51)": lambda: np.linspace(0, 0.5, 51),
    "np.linspace(0, 0.5, 21)": lambda: np.linspace(0, 0.5, 21),
}


def thresholds(spec: str) -> np.ndarray:
    """The threshold array named ``spec`` (a key of ``THRESHOLD_SPECS``)."""
    try:
        return THRESHOLD_SPECS[spec]()
    except KeyError:
        raise ValueError(f"unknown threshold spec {spec!r}, known: {', '.join(THRESHOLD_SPECS)}") from None


# Allowed values of the string-valued fields (checked when a profile is built).
CHOICES: dict[str, tuple[str, ...]] = {
    "first_frame": ("as_written", "gt", "drop"),
    "fix_predictions": ("none", "previous", "previous_otb", "previous_zero"),
    "corner_first_row": ("keep", "convert"),
    "longer_results": ("truncate", "error"),
    "shorter_results": ("error", "pad_nan", "pad_zeros", "truncate"),
    "missing_sequence": ("skip", "zeros"),
    "gt_valid": ("wh_positive", "all_positive", "corners_ordered", "finite", "any"),
    "invalid_gt": ("fail", "ignore"),
    "precision_valid": ("center_positive", "gt_valid", "any"),
    "invalid_gt_precision": ("correct", "fail", "ignore"),
    "invalid_gt_norm_precision": ("correct", "fail", "ignore"),
    "absent": ("fail", "ignore", "score"),
    "denominator": ("all", "valid"),
    "iou": ("continuous", "inclusive"),
    "success_compare": (">", ">="),
    "success_score": ("mean", "trapz", "average_overlap"),
    "precision_score": ("at_20", "trapz"),
    "norm_mode": ("centers_eps", "centers", "diff_max1", "diff"),
    "norm_score": ("at_0.20", "mean", "trapz"),
    "sequence_weight": ("equal", "frames"),
    "vot_overlap_mode": ("trax", "votpy"),
    "vot_accuracy_bounds": ("size", "size_minus_1", "none"),
    "vot_eao_bounds": ("size", "size_minus_1", "none"),
    "vot_repetition_rule": ("all", "pysot", "first"),
    "vot_fragment_rule": ("pysot", "votpy"),
    "vot_fragment_weight": ("fragment", "per_run"),
    "vot_empty_tag": ("frames", "pysot"),
    "vot_length_mismatch": ("error", "truncate"),
    "vot_index_convention": ("pysot", "votpy"),
    "vot_accuracy_aggregation": ("frame_pooled", "length_weighted"),
    "vot_robustness": ("failures_per_100_frames", "length_weighted_failures"),
}


@dataclass(frozen=True)
class Profile:
    """One toolkit's scoring conventions (see ``docs/profiles.md`` for every field)."""

    name: str
    toolkit: str
    source: str
    protocols: tuple[str, ...] = ("ope",)
    notes: str = ""
    # -- reading the trajectory -------------------------------------------------------
    first_frame: str = "as_written"
    fix_predictions: str = "none"
    corner_first_row: str = "keep"
    longer_results: str = "truncate"
    shorter_results: str = "pad_nan"
    missing_sequence: str = "skip"
    round_boxes: bool = False
    # -- which frames count ------------------------------------------------------------
    gt_valid: str = "wh_positive"
    invalid_gt: str = "fail"
    precision_valid: str = "center_positive"
    invalid_gt_precision: str = "correct"
    invalid_gt_norm_precision: str = "correct"
    absent: str = "fail"
    absent_from_cover: bool = False
    denominator: str = "all"
    # -- overlap ---------------------------------------------------------------------
    iou: str = "continuous"
    iou_eps: float = 0.0
    union_min: float = 0.0
    iou_clip: bool = True
    iou_float32: bool = False
    iou_bound: bool = False
    # -- success ---------------------------------------------------------------------
    success_thresholds: str = "np.arange(0, 1.05, 0.05)"
    success_compare: str = ">"
    success_score: str = "mean"
    # -- precision -------------------------------------------------------------------
    center_offset: float = -0.5
    precision_thresholds: str = "np.arange(0, 51)"
    precision_score: str = "at_20"
    # -- normalized precision -------------------------------------------------------------
    norm_mode: str = "centers_eps"
    norm_thresholds: str = "np.arange(0, 51) / 100"
    norm_score: str = "at_0.20"
    # -- aggregation -----------------------------------------------------------------
    sequence_weight: str = "equal"
    drop_zero_sequences: bool = False
    # -- VOT reset protocol: keyword arguments of sotbench.metrics.vot (prefix "vot_" removed);
    #    skip_initialize, eao_interval and sensitivity come from the dataset's VotSettings.
    vot_overlap_mode: str = "trax"
    vot_accuracy_bounds: str = "size"
    vot_eao_bounds: str = "size_minus_1"
    vot_burnin: int = 10
    vot_ignore_unknown: bool = True
    vot_repetition_rule: str = "pysot"
    vot_fragment_rule: str = "pysot"
    vot_fragment_weight: str = "fragment"
    vot_empty_tag: str = "pysot"
    vot_length_mismatch: str = "truncate"
    vot_index_convention: str = "pysot"
    vot_accuracy_aggregation: str = "frame_pooled"
    vot_robustness: str = "failures_per_100_frames"  # what the toolkit prints as "Robustness"
    # -- per-benchmark rules of the toolkit itself --------------------------------------
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"profile {self.name!r}: {name}={value!r}, expected one of {', '.join(allowed)}")
        for name in ("success_thresholds", "precision_thresholds", "norm_thresholds"):
            thresholds(getattr(self, name))
        names = {f.name for f in fields(self)}
        for key, changes in self.overrides.items():
            unknown = set(changes) - names
            if unknown:
                raise ValueError(f"profile {self.name!r}: override for {key!r} has unknown fields {sorted(unknown)}")
        frozen = MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.overrides.items()})
        object.__setattr__(self, "overrides", frozen)

    def for_dataset(self, dataset_key: str | None) -> "Profile":
        """This profile with the toolkit's own rules for ``dataset_key`` applied."""
        changes = self.overrides.get(dataset_key or "", None)
        if not changes:
            return self
        return replace(self, **dict(changes), overrides={})

    def thresholds(self, metric: str) -> np.ndarray:
        """Threshold array of ``metric`` (``success``, ``precision`` or ``norm_precision``)."""
        spec = {"success": self.success_thresholds, "precision": self.precision_thresholds,
                "norm_precision": self.norm_thresholds}[metric]
        return thresholds(spec)

    def as_dict(self) -> dict[str, Any]:
        """All fields as plain JSON-able values."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["protocols"] = list(self.protocols)
        out["overrides"] = {k: dict(v) for k, v in self.overrides.items()}
        return out

    def vot_kwargs(self) -> dict[str, Any]:
        """The VOT fields as keyword arguments of ``sotbench.metrics.vot`` (without the prefix)."""
        return {f.name[4:]: getattr(self, f.name) for f in fields(self)
                if f.name.startswith("vot_") and f.name != "vot_robustness"}

    @property
    def hash(self) -> str:
        """sha256 of the fields that change numbers (name, documentation and overrides excluded)."""
        data = {k: v for k, v in self.as_dict().items() if k not in ("name", "toolkit", "source", "notes", "overrides")}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
