"""VOT reset-protocol figures: expected-overlap curves, the EAO ranking and the
accuracy-robustness (AR) plot."""

from __future__ import annotations

import math

import numpy as np

from sotbench.report.board import Board, Entry
from sotbench.report.plots_ope import legend_label
from sotbench.report.style import TrackerStyle, new_figure

__all__ = ["eao_curve_figure", "eao_ranking_figure", "ar_figure", "reliability", "DEFAULT_SENSITIVITY"]

DEFAULT_SENSITIVITY = 30.0  # VOT2016-2018: reliability over S = 30 frames


def _by_eao(board: Board) -> list[Entry]:
    return sorted(board.plotted, key=lambda e: (-(e.value("eao") or -math.inf), e.shown.lower()))


def eao_curve_figure(board: Board, styles: dict[str, TrackerStyle], percent: bool = False):
    """Expected overlap Φ(j) against j, the frames after (re)initialisation; the EAO interval is shaded (``None`` if no curves)."""
    drawn = [(e, (e.scores.get("curves") or {}).get("eao")) for e in _by_eao(board)]
    drawn = [(e, c) for e, c in drawn if c and c.get("x") and c.get("y")]
    if not drawn:
        return None
    fig = new_figure(4.6, 3.4)
    ax = fig.add_subplot()
    interval = next((c.get("interval") for _, c in drawn if c.get("interval")), None)
    if interval:
        ax.axvspan(interval[0], interval[1], color="0.9", zorder=0, label=None)
    for rank, (e, c) in enumerate(drawn):
        ax.plot(np.asarray(c["x"], float), np.asarray(c["y"], float), label=legend_label(e, e.value("eao"), percent),
                zorder=len(drawn) - rank + 2, **styles[e.name].line_kwargs())
    ax.set_xlim(0, max(float(np.max(c["x"])) for _, c in drawn))
    ax.set_ylim(0, 1)
    ax.set_xlabel("Frames after initialisation (curve index j)")
    ax.set_ylabel("Expected overlap")
    suffix = f" (EAO interval {interval[0]:g}–{interval[1]:g})" if interval else ""
    ax.set_title(f"Expected overlap curves on {board.title}{suffix}", fontsize=10)
    ax.legend(loc="upper right", frameon=True, framealpha=0.85)
    return fig


def eao_ranking_figure(board: Board, styles: dict[str, TrackerStyle], percent: bool = False):
    """Horizontal bars of EAO, best on top, each in its tracker's colour, with the 95 % bootstrap
    interval as an error bar where the score file has one."""
    entries = [e for e in _by_eao(board) if e.value("eao") is not None]
    if not entries:
        return None
    fig = new_figure(4.6, 0.9 + 0.32 * len(entries))
    ax = fig.add_subplot()
    y = np.arange(len(entries))[::-1]
    values = [e.value("eao") for e in entries]
    cis = [e.interval("eao") or (v, v) for e, v in zip(entries, values)]
    scale = 100 if percent else 1
    shown = any(e.interval("eao") for e in entries)
    xerr = np.array([[v - lo, hi - v] for v, (lo, hi) in zip(values, cis)]).T * scale if shown else None
    ax.barh(y, [v * scale for v in values], color=[styles[e.name].color for e in entries], height=0.65,
            xerr=xerr, error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "0.25"})
    for yi, v, (_, hi) in zip(y, values, cis):
        ax.text(max(v, hi) * scale, yi, f" {v * scale:.1f}" if percent else f" {v:.3f}", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels([e.label() for e in entries])
    ax.set_xlim(0, max(max(v, hi) for v, (_, hi) in zip(values, cis)) * scale * 1.18)
    ax.set_xlabel("Expected average overlap" + (" (%)" if percent else "")
                  + (" (bars: 95% bootstrap intervals)" if shown else ""))
    ax.set_title(f"EAO ranking on {board.title}")
    ax.grid(axis="y", visible=False)
    return fig


def reliability(robustness: float, sensitivity: float = DEFAULT_SENSITIVITY) -> float:
    """VOT's AR-plot robustness: probability of no failure within ``sensitivity`` frames,
    ``exp(-S · failures / frames)``, from robustness in failures per 100 frames."""
    return math.exp(-sensitivity * robustness / 100.0)


def ar_figure(board: Board, styles: dict[str, TrackerStyle], sensitivity: float = DEFAULT_SENSITIVITY):
    """Accuracy against reliability (right and up is better), one marker per tracker."""
    points = [(e, e.value("accuracy"), e.value("robustness")) for e in _by_eao(board)]
    points = [(e, a, r) for e, a, r in points if a is not None and r is not None]
    if not points:
        return None
    fig = new_figure(4.4, 3.6)
    ax = fig.add_subplot()
    xs, ys = [], []
    for e, acc, rob in points:
        st = styles[e.name]
        # The evaluator's own reliability (VOT toolkit definition) when it gives one.
        rel = e.value("reliability")
        xs.append(rel if rel is not None else reliability(rob, sensitivity))
        ys.append(acc)
        ax.plot([xs[-1]], [acc], linestyle="none", marker=st.marker, color=st.color,
                markersize=7, label=f"{e.label()} (A {acc:.3f}, R {rob:.3f})")
        x_ci, y_ci = _reliability_interval(e, rel, sensitivity), e.interval("accuracy")
        if x_ci or y_ci:  # the 95 % bootstrap intervals, where the score file has them
            ax.errorbar([xs[-1]], [acc], xerr=None if x_ci is None else [[xs[-1] - x_ci[0]], [x_ci[1] - xs[-1]]],
                        yerr=None if y_ci is None else [[acc - y_ci[0]], [y_ci[1] - acc]], color=st.color,
                        linewidth=0.8, capsize=2, linestyle="none")
            xs += [v for v in x_ci or ()]
            ys += [v for v in y_ci or ()]
    # Zoom on the trackers (they crowd near the top right of the unit square), padded.
    ax.set_xlim(*_padded(xs))
    ax.set_ylim(*_padded(ys))
    ax.set_xlabel(f"Robustness (S = {sensitivity:.2f})")
    ax.set_ylabel("Accuracy")
    ax.set_title(f"AR plot on {board.title}")
    ax.legend(loc="lower left", frameon=True, framealpha=0.85, fontsize=7)
    return fig


def _reliability_interval(entry: Entry, rel: float | None, sensitivity: float) -> tuple[float, float] | None:
    """The plotted robustness's interval: the evaluator's reliability interval, else the robustness
    interval mapped through ``reliability`` (decreasing, so its ends swap)."""
    if rel is not None:
        return entry.interval("reliability")
    rob = entry.interval("robustness")
    return None if rob is None else (reliability(rob[1], sensitivity), reliability(rob[0], sensitivity))


def _padded(values: list[float], pad: float = 0.05) -> tuple[float, float]:
    """``[min, max]`` widened by ``pad`` (at least 0.2 wide), rounded to 0.05, within [0, 1]."""
    low, high = min(values) - pad, max(values) + pad
    if high - low < 0.2:
        mid = (high + low) / 2
        low, high = mid - 0.1, mid + 0.1
    return max(0.0, math.floor(low * 20) / 20), min(1.0, math.ceil(high * 20) / 20)
