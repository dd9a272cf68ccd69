"""A leaderboard: score files of several runs on one dataset, checked, ranked and labelled.

Every renderer (tables, plots, HTML) reads a ``Board``; nothing else reads score files.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sotbench.metrics.table import METRICS, PRIMARY, MetricInfo, metrics_for, scored_as
from sotbench.scores import SCHEMA  # one definition of the score-file schema name

__all__ = ["SCHEMA", "METRICS", "MetricInfo", "Entry", "Board", "ReportError", "read_scores", "build_board",
           "dataset_title", "benchmark_name", "attribute_names"]



class ReportError(ValueError):
    """Score files that cannot go into one report (the message says which and why)."""





@dataclass(frozen=True)
class Entry:
    """One run's scores in a report."""

    name: str
    scores: dict
    path: str = ""

    @property
    def overall(self) -> dict:
        return self.scores.get("overall") or {}

    @property
    def coverage(self) -> tuple[int, int]:
        """``(evaluated, total)`` sequences."""
        cov = self.scores.get("coverage") or {}
        evaluated = cov.get("evaluated")
        total = cov.get("total", evaluated)
        if evaluated is None:
            return (0, 0)
        return int(evaluated), int(total)

    @property
    def complete(self) -> bool:
        evaluated, total = self.coverage
        return evaluated == total

    @property
    def coverage_text(self) -> str:
        evaluated, total = self.coverage
        return f"{evaluated}/{total}" if total else "?"

    @property
    def imported(self) -> bool:
        """Results not produced by ``sotbench run`` (no run.json): published raw results."""
        return not self.scores.get("tracker")

    def speed(self, key: str) -> float | None:
        value = (self.scores.get("speed") or {}).get(key)
        return float(value) if isinstance(value, (int, float)) and math.isfinite(value) and value > 0 else None

    def value(self, metric: str) -> float | None:
        value = self.overall.get(metric)
        return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


@dataclass
class Board:
    """Runs of one dataset and profile: ranked entries, then those left out of the ranking."""

    dataset: str
    split: str
    protocol: str
    profile: str
    title: str
    ranked: list[Entry]
    unranked: list[Entry]
    allow_partial: bool = False
    attributes: list[str] = field(default_factory=list)
    attribute_labels: dict[str, str] = field(default_factory=dict)

    @property
    def primary(self) -> str:
        return PRIMARY.get(scored_as(self.protocol), "success_auc")

    @property
    def entries(self) -> list[Entry]:
        return self.ranked + self.unranked

    @property
    def plotted(self) -> list[Entry]:
        """Entries drawn in plots: the ranked ones (partial runs only with ``allow_partial``)."""
        return self.ranked

    def metrics(self) -> list[str]:
        """Leaderboard columns of the metric table present in at least one entry, in display order."""
        keys = metrics_for(self.protocol if scored_as(self.protocol) in PRIMARY else "ope", leaderboard=True)
        return [k for k in keys if any(e.value(k) is not None for e in self.entries)]

    def speed_columns(self) -> list[str]:
        return [k for k in ("tracker_fps", "end_to_end_fps") if any(e.speed(k) for e in self.entries)]

    def rank_of(self, entry: Entry) -> int | None:
        return self.ranked.index(entry) + 1 if entry in self.ranked else None


def read_scores(path: str | os.PathLike) -> dict:
    """Read and check one ``scores.json`` (schema ``sotbench-scores-v1``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ReportError(f"{path}: score file is missing") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    check_scores(data, str(path))
    return data


def check_scores(data: Any, where: str) -> None:
    """Raise ``ReportError`` unless ``data`` looks like a ``sotbench-scores-v1`` dict."""
    if not isinstance(data, dict):
        raise ReportError(f"{where}: expected a JSON object with schema {SCHEMA!r}")
    if data.get("schema") != SCHEMA:
        raise ReportError(f"{where}: schema is {data.get('schema')!r}, expected {SCHEMA!r}")
    for key in ("dataset", "run", "overall"):
        if key not in data:
            raise ReportError(f"{where}: missing field {key!r} (schema {SCHEMA})")
    if not isinstance(data["overall"], dict):
        raise ReportError(f"{where}: 'overall' must be an object of scores")


def _group_text(groups: dict[tuple, list[str]], show) -> str:
    return "; ".join(f"{show(key)}: {', '.join(names)}" for key, names in groups.items())


def check_consistent(items: list[tuple[str, dict]]) -> None:
    """All runs must share dataset, split, protocol and profile (else the ranking means nothing)."""
    by_data: dict[tuple, list[str]] = {}
    by_profile: dict[tuple, list[str]] = {}
    for name, s in items:
        by_data.setdefault((s["dataset"], s.get("split", "test"), s.get("protocol", "ope")), []).append(name)
        by_profile.setdefault((s.get("profile"), s.get("profile_hash")), []).append(name)
    if len(by_data) > 1:
        raise ReportError("runs of different datasets cannot share a leaderboard: "
                          + _group_text(by_data, lambda k: f"{k[0]}/{k[1]} ({k[2]})"))
    if len(by_profile) > 1:
        raise ReportError("runs were scored with different metric profiles: "
                          + _group_text(by_profile, lambda k: f"{k[0]} ({str(k[1])[:12]})")
                          + "; re-evaluate them with one --profile")


def _check_names(items: list[tuple[str, dict, str]]) -> None:
    seen: dict[str, str] = {}
    for name, _, path in items:
        if name in seen:
            raise ReportError(f"two runs are named {name!r} ({seen[name] or '?'} and {path or '?'}); "
                              "rename one run folder")
        seen[name] = path


def build_board(items: list[tuple[str, dict, str]], allow_partial: bool = False,
                title: str | None = None) -> Board:
    """Check ``(name, scores, path)`` items for one leaderboard and rank them."""
    if not items:
        raise ReportError("no runs to report")
    for name, data, path in items:
        check_scores(data, path or name)
    _check_names(items)
    check_consistent([(n, s) for n, s, _ in items])
    first = items[0][1]
    protocol = first.get("protocol", "ope")
    primary = PRIMARY.get(scored_as(protocol), "success_auc")
    entries = [Entry(name, data, path) for name, data, path in items]
    for e in entries:
        if e.value(primary) is None:
            raise ReportError(f"{e.path or e.name}: no {primary!r} score in 'overall' "
                              f"(found: {', '.join(e.overall) or 'nothing'})")
    sign = 1 if METRICS[primary].higher_is_better else -1
    order = sorted(entries, key=lambda e: (-sign * e.value(primary), e.name.lower()))
    ranked = [e for e in order if e.complete or allow_partial]
    unranked = [e for e in order if e not in ranked]
    attrs, labels = attribute_names(first["dataset"], entries)
    split = first.get("split", "test")
    return Board(dataset=first["dataset"], split=split, protocol=protocol, profile=str(first.get("profile") or ""),
                 title=title or dataset_title(first["dataset"], split), ranked=ranked, unranked=unranked,
                 allow_partial=allow_partial, attributes=attrs, attribute_labels=labels)


def dataset_title(key: str, split: str | None = None) -> str:
    """The benchmark's short display name (``OTB100``), from its adapter when known."""
    try:
        from sotbench.datasets import dataset_class

        spec = dataset_class(key).spec
    except (ValueError, ImportError, AttributeError):  # a plug-in dataset not importable here
        return key if split in (None, "test") else f"{key} ({split})"
    title = benchmark_name(spec)
    return title if split in (None, spec.default_split) else f"{title} ({split})"


def benchmark_name(spec) -> str:
    """The name used in plot titles: the benchmark's folder name (``OTB100``, ``VOT2018``)."""
    name = spec.folder or spec.key
    return name.capitalize() if name.islower() else name


def attribute_names(key: str, entries: list[Entry]) -> tuple[list[str], dict[str, str]]:
    """Attribute codes present in the scores (in the benchmark's order) and their full names."""
    found: list[str] = []
    named: dict[str, str] = {}
    for e in entries:
        for attr, block in (e.scores.get("per_attribute") or {}).items():
            if attr not in found:
                found.append(attr)
            if isinstance(block, dict) and isinstance(block.get("name"), str):
                named.setdefault(attr, block["name"])
    labels: dict[str, str] = {}
    try:
        from sotbench.datasets import dataset_class

        labels = dict(dataset_class(key).spec.attributes)
    except (ValueError, ImportError, AttributeError):  # unknown dataset: the score file's names
        labels = {}
    # Score files may key attributes by code ("IV") or by full name ("Illumination Variation").
    order = {name: i for i, name in enumerate(labels)} | {full: i for i, full in enumerate(labels.values())}
    ordered = sorted(found, key=lambda a: (a not in order, order.get(a, 0), found.index(a)))
    return ordered, {a: labels.get(a, named.get(a, a)) for a in found}
