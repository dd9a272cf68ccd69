"""The metric table: every score's label, direction, protocol and curve, in one place.

``METRICS`` (display order) is read by ``eval``'s columns, the leaderboards (Markdown, CSV,
LaTeX, HTML), the plots' legends and axes, the search objective's direction and
``primary_metric``.  A metric computed by the protocol's standard pass (the OPE threshold
counts, the VOT analysis) has no ``compute``; any other OPE metric is one module with a
``compute(ctx: OpeContext) -> (overall, per_sequence)`` function and one line here, and then
appears in ``scores.json``, ``per_sequence.csv``, ``eval --json``, per-attribute scores and
(``leaderboard=True``) the leaderboards.  Its confidence interval needs one more function,
``sums(ctx) -> sotbench.metrics.bootstrap.Ratio`` (the overall score as sums over sequences);
a metric without it has no interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sotbench.metrics import centre_error

__all__ = ["MetricInfo", "CurveAxis", "OpeContext", "METRICS", "PRIMARY", "metric_info", "metrics_for", "primary",
           "higher_is_better", "computed_metrics", "computed_sums", "scored_as", "protocol_title"]


@dataclass
class OpeContext:
    """What an extra OPE metric is computed from: per-frame values (``ope.FrameScores``), each
    frame's sequence index, the number of sequences, the profile and the rows to aggregate over."""

    frames: Any
    seq: np.ndarray
    n_seq: int
    profile: Any
    rows: np.ndarray


@dataclass(frozen=True)
class CurveAxis:
    """The curve a metric summarises: its key in a score file's ``curves`` and how it is plotted."""

    key: str
    title: str  # "<title> plots of OPE on <dataset>"
    xlabel: str
    ylabel: str
    legend_loc: str


@dataclass(frozen=True)
class MetricInfo:
    """How a score is named, compared, shown and (for extra metrics) computed."""

    label: str  # table header, plot legend
    latex: str  # LaTeX table header
    protocol: str  # "ope", "vot_reset" or "longterm" (the protocol whose results it scores)
    higher_is_better: bool = True
    fraction: bool = True  # in [0, 1]: shown as 0.xxx, or xx.x with --percent
    curve: CurveAxis | None = None
    leaderboard: bool = True  # a leaderboard column
    compute: Callable[[Any], tuple[float, Any]] | None = None  # extra OPE metrics (see the module docstring)
    sums: Callable[[Any], Any] | None = None  # extra OPE metrics: the overall score as sums over sequences


METRICS: dict[str, MetricInfo] = {
    "success_auc": MetricInfo("Success (AUC)", "Success", "ope",
                              curve=CurveAxis("success", "Success", "Overlap threshold", "Success rate", "lower left")),
    "precision": MetricInfo("Precision", "Prec.", "ope",
                            curve=CurveAxis("precision", "Precision", "Location error threshold (pixels)", "Precision",
                                            "lower right")),
    "norm_precision": MetricInfo("Norm. precision", "Norm. Prec.", "ope",
                                 curve=CurveAxis("norm_precision", "Normalized Precision",
                                                 "Normalized location error threshold", "Precision", "lower right")),
    "success_rate_50": MetricInfo("SR@0.5", r"SR$_{0.5}$", "ope"),
    "success_rate_75": MetricInfo("SR@0.75", r"SR$_{0.75}$", "ope"),
    "average_overlap": MetricInfo("AO", "AO", "ope", leaderboard=False),
    "centre_error": MetricInfo("Centre error (px)", "CLE", "ope", False, False, leaderboard=False,
                               compute=centre_error.mean_centre_error, sums=centre_error.centre_error_sums),
    "eao": MetricInfo("EAO", "EAO", "vot_reset"),
    "accuracy": MetricInfo("Accuracy", "A", "vot_reset"),
    "robustness": MetricInfo("Robustness", "R", "vot_reset", higher_is_better=False, fraction=False),
    "failures": MetricInfo("Failures", "Fail.", "vot_reset", higher_is_better=False, fraction=False),
    "mean_failures": MetricInfo("Mean failures", "Fail./rep.", "vot_reset", higher_is_better=False, fraction=False,
                                leaderboard=False),
    "reliability": MetricInfo("Reliability", "Rel.", "vot_reset", leaderboard=False),
    "f_score": MetricInfo("F-score", "F", "longterm",
                          curve=CurveAxis("precision_recall", "Precision/recall", "Recall", "Precision", "lower left")),
    "lt_precision": MetricInfo("Precision (LT)", "Pr", "longterm"),
    "lt_recall": MetricInfo("Recall (LT)", "Re", "longterm"),
}
PRIMARY: dict[str, str] = {"ope": "success_auc", "vot_reset": "eao", "longterm": "f_score"}


def metric_info(name: str) -> MetricInfo:
    """The table entry of ``name``; unknown names raise, listing the known ones."""
    if name not in METRICS:
        raise KeyError(f"unknown metric {name!r}, known: {', '.join(METRICS)}")
    return METRICS[name]


def scored_as(protocol: str) -> str:
    """Whose metrics score results of ``protocol`` (TRE and SRE: the one-pass metrics)."""
    from sotbench.protocols import RUN_PROTOCOLS

    return RUN_PROTOCOLS[protocol].scored_as if protocol in RUN_PROTOCOLS else protocol


def protocol_title(protocol: str) -> str:
    """How plots and captions name ``protocol`` ("OPE", "TRE", "VOT reset protocol", ...)."""
    from sotbench.protocols import RUN_PROTOCOLS

    return RUN_PROTOCOLS[protocol].title if protocol in RUN_PROTOCOLS else protocol


def metrics_for(protocol: str, leaderboard: bool = False) -> list[str]:
    """The metrics of a protocol in display order (``leaderboard``: only leaderboard columns)."""
    protocol = scored_as(protocol)
    return [k for k, m in METRICS.items() if m.protocol == protocol and (m.leaderboard or not leaderboard)]


def primary(protocol: str) -> str:
    """The protocol's headline metric (success AUC, EAO, F-score)."""
    return PRIMARY[scored_as(protocol)]


def higher_is_better(name: str) -> bool:
    """Whether larger values of ``name`` are better (metrics outside the table: assumed so)."""
    return METRICS[name].higher_is_better if name in METRICS else True


def computed_metrics(protocol: str) -> dict[str, Callable[[Any], tuple[float, Any]]]:
    """The extra metrics of a protocol and their ``compute`` functions."""
    return {k: m.compute for k, m in METRICS.items() if m.protocol == protocol and m.compute is not None}


def computed_sums(protocol: str) -> dict[str, Callable[[Any], Any]]:
    """The extra metrics of a protocol that can be resampled, and their ``sums`` functions."""
    return {k: m.sums for k, m in METRICS.items() if m.protocol == protocol and m.sums is not None}
