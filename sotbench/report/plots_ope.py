"""One-pass (OPE) figures: success, precision and normalized-precision plots, per-attribute
success plots and the attribute radar chart, in the style of the OTB / pysot figures (and of
TRE / SRE, scored as OPE); the long-term precision/recall plot is drawn the same way."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sotbench.metrics.table import METRICS, protocol_title
from sotbench.report.board import Board, Entry
from sotbench.report.style import TrackerStyle, new_figure
from sotbench.report.tables import attribute_count, attribute_metric, attribute_value

__all__ = ["CURVES", "LONGTERM_CURVES", "CurveKind", "curve_figure", "radar_figure", "legend_label"]


@dataclass(frozen=True)
class CurveKind:
    """What one OPE plot shows."""

    curve: str       # key in the score file's ``curves``
    metric: str      # score in the legend (key in ``overall``)
    title: str       # "<title> plots of OPE on <dataset>"
    xlabel: str
    ylabel: str
    legend_loc: str


def _curves(protocol: str) -> dict[str, CurveKind]:
    """The curves the metric table names for ``protocol`` (sotbench.metrics.table), keyed by curve."""
    return {m.curve.key: CurveKind(m.curve.key, name, m.curve.title, m.curve.xlabel, m.curve.ylabel, m.curve.legend_loc)
            for name, m in METRICS.items() if m.curve is not None and m.protocol == protocol}


CURVES: dict[str, CurveKind] = _curves("ope")
LONGTERM_CURVES: dict[str, CurveKind] = _curves("longterm")


def legend_label(entry: Entry, score: float | None, percent: bool = False) -> str:
    """``[0.696] SiamRPN++`` (pysot style); a partial or random-weights run also shows its caveat tags."""
    value = "–" if score is None else (f"{100 * score:.1f}" if percent else f"{score:.3f}")
    return f"[{value}] {entry.label()}"


def _block(entry: Entry, attr: str | None) -> dict:
    if attr is None:
        return entry.scores
    return (entry.scores.get("per_attribute") or {}).get(attr) or {}


def _curve(entry: Entry, kind: CurveKind, attr: str | None):
    curve = (_block(entry, attr).get("curves") or {}).get(kind.curve)
    if not curve or not curve.get("x") or not curve.get("y"):
        return None
    x, y = np.asarray(curve["x"], dtype=float), np.asarray(curve["y"], dtype=float)
    return (x, y) if len(x) == len(y) else None


def _band(entry: Entry, kind: CurveKind, attr: str | None, n: int):
    """The curve's 95 % bootstrap band ``(lo, hi)`` from the score file (``None`` without one)."""
    band = ((_block(entry, attr).get("curves") or {}).get(kind.curve) or {}).get("ci95")
    if not isinstance(band, dict):
        return None
    try:
        lo, hi = (np.asarray([np.nan if v is None else v for v in band[k]], dtype=float) for k in ("lo", "hi"))
    except (KeyError, TypeError, ValueError):
        return None
    return (lo, hi) if len(lo) == len(hi) == n else None


def _score(entry: Entry, kind: CurveKind, attr: str | None) -> float | None:
    if attr is None:
        return entry.value(kind.metric)
    return attribute_value(entry, attr, kind.metric)


def curve_figure(board: Board, styles: dict[str, TrackerStyle], name: str, attr: str | None = None,
                 percent: bool = False, kinds: dict[str, CurveKind] = CURVES, bands: bool = False):
    """The ``name`` plot (success / precision / norm_precision, or a curve of ``kinds``) of all
    ranked runs, or ``None``; ``bands``: shade each curve's 95 % bootstrap band where the score
    file has one."""
    kind = kinds[name]
    drawn = []
    for e in board.plotted:
        curve = _curve(e, kind, attr)
        if curve is not None:
            drawn.append((e, curve, _score(e, kind, attr)))
    if not drawn:
        return None
    # Legend order = score order, best first; the best line is drawn on top.
    drawn.sort(key=lambda d: (-(d[2] if d[2] is not None else -math.inf), d[0].shown.lower()))
    fig = new_figure(4.2, 3.4)
    ax = fig.add_subplot()
    for rank, (e, (x, y), score) in enumerate(drawn):
        ax.plot(x, y, label=legend_label(e, score, percent), zorder=len(drawn) - rank + 2,
                **styles[e.name].line_kwargs())
        band = _band(e, kind, attr, len(x)) if bands else None
        if band is not None:
            ax.fill_between(x, band[0], band[1], color=styles[e.name].color, alpha=0.12, linewidth=0, zorder=1)
    x_max = max(float(np.nanmax(x)) for _, (x, _), _ in drawn)
    ax.set_xlim(0, x_max if x_max > 0 else 1.0)
    ax.set_ylim(0, 1.0)
    ax.set_xlabel(kind.xlabel)
    ax.set_ylabel(kind.ylabel)
    ax.set_title(_title(board, kind, attr))
    if bands and any(_band(e, kind, attr, len(x)) is not None for e, (x, _), _ in drawn):
        ax.set_xlabel(f"{kind.xlabel}\n(shaded: 95% bootstrap bands over the sequences)")
    ax.legend(loc=kind.legend_loc, frameon=True, framealpha=0.85, handlelength=2.2, borderaxespad=0.4)
    return fig


def _title(board: Board, kind: CurveKind, attr: str | None) -> str:
    if attr is None:
        return f"{kind.title} plots of {protocol_title(board.protocol)} on {board.title}"
    n = attribute_count(board, attr)
    count = f" ({n})" if n is not None else ""
    return f"{kind.title} plots of {protocol_title(board.protocol)} - {board.attribute_labels.get(attr, attr)}{count}"


def _radar_limits(values: np.ndarray) -> tuple[float, float]:
    """A shared radial range that spreads the trackers apart (starts near the lowest value)."""
    finite = values[np.isfinite(values)]
    low = math.floor((float(finite.min()) - 0.05) * 10) / 10 if finite.size else 0.0
    high = math.ceil((float(finite.max()) + 0.02) * 20) / 20 if finite.size else 1.0
    return max(0.0, low), min(1.0, max(high, low + 0.1))


def radar_figure(board: Board, styles: dict[str, TrackerStyle], percent: bool = False):
    """Attribute radar chart: one polygon per ranked run over the attributes (``None`` if < 3)."""
    attrs = board.attributes
    if len(attrs) < 3 or not board.plotted:
        return None
    metric = attribute_metric(board)
    values = np.array([[attribute_value(e, a, metric) if attribute_value(e, a, metric) is not None else np.nan
                        for a in attrs] for e in board.plotted], dtype=float)
    if not np.isfinite(values).any():
        return None
    low, high = _radar_limits(values)
    angles = np.linspace(0, 2 * np.pi, len(attrs), endpoint=False)
    fig = new_figure(5.6, 4.4)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    for row, e in zip(values, board.plotted):
        closed = np.append(row, row[0])
        ax.plot(np.append(angles, angles[0]), closed, marker=styles[e.name].marker, markersize=3,
                label=legend_label(e, e.value(board.primary), percent), **styles[e.name].line_kwargs())
    labels = []
    for a in attrs:
        n = attribute_count(board, a)
        labels.append(f"{a}\n({n})" if n is not None else a)
    ax.set_xticks(angles)
    ax.set_xticklabels(labels)
    ax.set_ylim(low, high)
    ax.set_rlabel_position(180 / len(attrs))  # radial labels between the first two spokes
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(f"{board.title}: {_metric_name(metric)} per attribute", pad=18)
    ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False)
    return fig


def _metric_name(metric: str) -> str:
    return METRICS[metric].label
