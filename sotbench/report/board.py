"""A leaderboard: score files of several runs on one dataset, checked, ranked and labelled.

Every renderer (tables, plots, HTML) reads a ``Board``; nothing else reads score files.  Each
ranked run is tested against the leader on the primary metric (paired bootstrap over the
sequences both scored, from the score files' ``sequence_sums``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sotbench.caveats import Caveat, caveats, counts, grouped_captions, is_complete
from sotbench.datasets import benchmark_name, dataset_title  # noqa: F401 (re-exported)
from sotbench.metrics.bootstrap import DEFAULT as DEFAULT_BOOTSTRAP
from sotbench.metrics.bootstrap import Bootstrap, statistic_from_json
from sotbench.metrics.paired import Comparison, compare
from sotbench.metrics.table import METRICS, PRIMARY, MetricInfo, metrics_for, scored_as
from sotbench.scores import SCHEMA  # one definition of the score-file schema name

__all__ = ["SCHEMA", "METRICS", "MetricInfo", "Entry", "SkippedRun", "Board", "ReportError", "read_scores", "build_board",
           "dataset_title", "benchmark_name", "attribute_names"]



class ReportError(ValueError):
    """Score files that cannot go into one report (the message says which and why)."""





@dataclass(frozen=True)
class Entry:
    """One run's scores in a report."""

    name: str
    scores: dict
    path: str = ""
    display: str = ""  # the name shown in tables and legends (default: ``name``, the run folder)

    @property
    def shown(self) -> str:
        """The run's display name: ``display`` when set, else its folder name."""
        return self.display or self.name

    @property
    def overall(self) -> dict:
        return self.scores.get("overall") or {}

    @property
    def coverage(self) -> tuple[int, int]:
        """``(evaluated, total)`` sequences; total is the split's size where the benchmark lists it."""
        return counts(self.scores)

    @property
    def complete(self) -> bool:
        """Every sequence of the split scored."""
        return is_complete(self.scores)

    @property
    def coverage_text(self) -> str:
        evaluated, total = self.coverage
        return f"{evaluated}/{total}" if total else "?"

    @property
    def caveats(self) -> list[Caveat]:
        """What limits these scores (partial, random weights); see ``sotbench.caveats``."""
        return caveats(self.scores)

    @property
    def tags(self) -> list[str]:
        """The caveats' short forms, for legends and labels (``5/100``, ``random weights``)."""
        return [c.tag for c in self.caveats]

    def label(self) -> str:
        """The run's display name with its caveat tags: ``SiamRPN++ (5/100, random weights)``."""
        return f"{self.shown} ({', '.join(self.tags)})" if self.tags else self.shown

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

    def interval(self, metric: str) -> tuple[float, float] | None:
        """The 95 % bootstrap interval of an overall score (``None`` in score files without one)."""
        return _pair((self.scores.get("ci95") or {}).get(metric))

    def attribute_interval(self, attr: str, metric: str) -> tuple[float, float] | None:
        """The 95 % interval of ``metric`` on attribute ``attr``."""
        block = (self.scores.get("per_attribute") or {}).get(attr)
        return _pair(((block or {}).get("ci95") or {}).get(metric)) if isinstance(block, dict) else None

    def statistic(self, metric: str):
        """``(statistic, sequence names)`` of ``metric`` from the score file's ``sequence_sums``
        (``None`` when it has none; checked by ``check_scores``)."""
        sums = self.scores.get("sequence_sums")
        if not isinstance(sums, dict) or metric not in (sums.get("metrics") or {}):
            return None
        return statistic_from_json(sums["metrics"][metric]), list(sums["sequences"])


def _pair(value: Any) -> tuple[float, float] | None:
    ok = isinstance(value, (list, tuple)) and len(value) == 2 and \
        all(isinstance(v, (int, float)) and math.isfinite(v) for v in value)
    return (float(value[0]), float(value[1])) if ok else None


@dataclass(frozen=True)
class SkippedRun:
    """A run that could not go into the report, and why (one line)."""

    name: str
    path: str
    reason: str

    def line(self) -> str:
        """``name (path): reason``."""
        where = f" ({self.path})" if self.path and self.path != self.name else ""
        return f"{self.name}{where}: {self.reason}"


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
    skipped: list[SkippedRun] = field(default_factory=list)
    colour_names: list[str] = field(default_factory=list)  # every run of the results roots (stable colours)
    leader_tests: dict[str, Comparison] = field(default_factory=dict)  # ranked run -> its test against #1
    test_spec: Bootstrap = DEFAULT_BOOTSTRAP

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

    def versus_leader(self, entry: Entry) -> Comparison | None:
        """The paired test of ``entry`` against the leader on the primary metric (``None``: the
        leader itself, an unranked run, or score files without per-sequence sums)."""
        return self.leader_tests.get(entry.name)

    def caveat_lines(self, entries: list[Entry] | None = None) -> list[str]:
        """The caveat captions of ``entries`` (default: all), each naming its runs unless it is every run's."""
        return grouped_captions([(e.shown, e.scores) for e in (self.entries if entries is None else entries)])


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
    _check_sums(data.get("sequence_sums"), where)


def _check_sums(sums: Any, where: str) -> None:
    """``sequence_sums`` (optional): sequence names and, per metric, sums of that many sequences."""
    if sums is None:
        return
    if not (isinstance(sums, dict) and isinstance(sums.get("sequences"), list)
            and all(isinstance(n, str) for n in sums["sequences"]) and isinstance(sums.get("metrics"), dict)):
        raise ReportError(f"{where}: 'sequence_sums' must hold 'sequences' (names) and 'metrics' (schema {SCHEMA})")
    for metric, block in sums["metrics"].items():
        try:
            stat = statistic_from_json(block)
        except ValueError as exc:
            raise ReportError(f"{where}: sequence_sums.metrics.{metric}: {exc}") from None
        if stat.n != len(sums["sequences"]):
            raise ReportError(f"{where}: sequence_sums.metrics.{metric} holds {stat.n} sequences, "
                              f"'sequences' names {len(sums['sequences'])}")


def leader_tests(ranked: list[Entry], metric: str, spec: Bootstrap = DEFAULT_BOOTSTRAP) -> dict[str, Comparison]:
    """Each ranked run (after the first) against the first on ``metric``: the paired bootstrap over
    the sequences both scored, where both score files hold per-sequence sums."""
    if len(ranked) < 2 or ranked[0].statistic(metric) is None:
        return {}
    lead, lead_names = ranked[0].statistic(metric)
    out = {}
    for e in ranked[1:]:
        found = e.statistic(metric)
        if found is None:
            continue
        try:
            out[e.name] = compare(found[0], lead, found[1], lead_names, metric, spec)
        except ValueError:  # no sequence in common: nothing to test
            continue
    return out


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


def _check_display(names: list[str], display: Mapping[str, str]) -> None:
    """Display names must name runs of the report and tell them apart."""
    unknown = sorted(set(display) - set(names))
    if unknown:
        raise ReportError(f"display name given for {', '.join(repr(u) for u in unknown)}, which is not a run of "
                          f"this report; runs: {', '.join(names)}")
    shown: dict[str, str] = {}
    for name in names:
        label = display.get(name) or name
        if label in shown:
            raise ReportError(f"runs {shown[label]!r} and {name!r} would both be shown as {label!r}; "
                              "give them different display names")
        shown[label] = name


def build_board(items: list[tuple[str, dict, str]], allow_partial: bool = False,
                title: str | None = None, skipped: list[SkippedRun] = (),
                display: Mapping[str, str] | None = None) -> Board:
    """Check ``(name, scores, path)`` items for one leaderboard and rank them; ``skipped`` runs
    are listed in the report with their reason; ``display`` maps run names to display names."""
    if not items:
        if skipped:
            raise ReportError("no run could be reported: " + "; ".join(s.line() for s in skipped))
        raise ReportError("no runs to report")
    for name, data, path in items:
        check_scores(data, path or name)
    _check_names(items)
    check_consistent([(n, s) for n, s, _ in items])
    first = items[0][1]
    protocol = first.get("protocol", "ope")
    primary = PRIMARY.get(scored_as(protocol), "success_auc")
    display = dict(display or {})
    _check_display([n for n, _, _ in items], display)
    entries = [Entry(name, data, path, display.get(name, "")) for name, data, path in items]
    for e in entries:
        if e.value(primary) is None:
            raise ReportError(f"{e.path or e.name}: no {primary!r} score in 'overall' "
                              f"(found: {', '.join(e.overall) or 'nothing'})")
    sign = 1 if METRICS[primary].higher_is_better else -1
    order = sorted(entries, key=lambda e: (-sign * e.value(primary), e.shown.lower()))
    ranked = [e for e in order if e.complete or allow_partial]
    unranked = [e for e in order if e not in ranked]
    attrs, labels = attribute_names(first["dataset"], entries)
    split = first.get("split", "test")
    return Board(dataset=first["dataset"], split=split, protocol=protocol, profile=str(first.get("profile") or ""),
                 title=title or dataset_title(first["dataset"], split), ranked=ranked, unranked=unranked,
                 allow_partial=allow_partial, attributes=attrs, attribute_labels=labels, skipped=list(skipped),
                 leader_tests=leader_tests(ranked, primary))


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
