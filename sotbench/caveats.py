"""What limits a score: how complete it is, and whether a real tracker made it.

The facts are computed once, when a run is evaluated: ``coverage_facts`` (sequences scored
against the split's published list) and ``score_flags`` (random weights, from the run
manifest).  ``caveats`` turns the facts of a ``scores.json`` document into the captions that
the eval console, score files, leaderboards and plots print: there is no other wording.
Score files written before these facts existed fall back to what they hold (``total``, the
tracker block's ``allow_random_weights``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Caveat", "coverage_facts", "score_flags", "random_weights", "counts", "is_complete", "has_facts",
           "caveats", "captions", "run_captions", "grouped_captions", "RANDOM_WEIGHTS"]

RANDOM_WEIGHTS = "random weights (--allow-random-weights): not a real result"


@dataclass(frozen=True)
class Caveat:
    """One limit of a score: ``text`` is the caption, ``tag`` its short form (legends, cells)."""

    key: str
    tag: str
    text: str


def coverage_facts(dataset, evaluated: int, asked: int, missing: list[str]) -> dict:
    """The ``coverage`` block: scored / asked / on disk / in the split (the benchmark's list when
    it publishes one, else what is on disk, with ``split_known`` false)."""
    expected = dataset.expected_names()
    on_disk = len(dataset)
    split_total = len(expected) if expected is not None else on_disk
    return {"evaluated": int(evaluated), "total": int(asked), "missing": list(missing), "on_disk": on_disk,
            "split_total": split_total, "split_known": expected is not None,
            "complete": not missing and evaluated >= split_total}


def random_weights(manifest: Mapping | None) -> bool:
    """Whether a run's tracker ran on random weights: what it reported about its weights, else
    (a tracker that reports none) whether random weights were allowed."""
    if not manifest:
        return False
    weights = (manifest.get("tracker_info") or {}).get("weights")
    if isinstance(weights, Mapping) and weights.get("source"):
        return weights["source"] == "random"
    return bool((manifest.get("tracker") or {}).get("allow_random_weights"))


def score_flags(manifest: Mapping | None) -> dict:
    """The ``flags`` block of a score file, from the run manifest (``None``: imported results, all false)."""
    return {"random_weights": random_weights(manifest)}


def counts(doc: Mapping) -> tuple[int, int]:
    """``(sequences scored, sequences in the split)`` of a score document (``(0, 0)`` if unknown)."""
    cov = doc.get("coverage") or {}
    evaluated = cov.get("evaluated")
    if evaluated is None:
        return 0, 0
    return int(evaluated), int(cov.get("split_total", cov.get("total", evaluated)))


def is_complete(doc: Mapping) -> bool:
    """Whether every sequence of the split was scored."""
    cov = doc.get("coverage") or {}
    if "complete" in cov:
        return bool(cov["complete"])
    evaluated, total = counts(doc)
    return evaluated == total


def has_facts(doc: Mapping) -> bool:
    """Whether a score document records the completeness and weights facts (newer files do)."""
    return "split_total" in (doc.get("coverage") or {}) and "flags" in doc


def _random(doc: Mapping) -> bool:
    flags = doc.get("flags")
    if isinstance(flags, Mapping) and "random_weights" in flags:
        return bool(flags["random_weights"])
    return bool((doc.get("tracker") or {}).get("allow_random_weights"))


def caveats(doc: Mapping) -> list[Caveat]:
    """What limits the scores of ``doc`` (empty for a complete run of real weights)."""
    from sotbench.datasets import dataset_title

    out = []
    if not is_complete(doc):
        evaluated, total = counts(doc)
        title = dataset_title(str(doc.get("dataset", "?")), doc.get("split"))
        out.append(Caveat("partial", f"{evaluated}/{total}", f"partial: {evaluated} of {total} sequences — "
                          f"not comparable with published {title} numbers"))
    if _random(doc):
        out.append(Caveat("random_weights", "random weights", RANDOM_WEIGHTS))
    return out


def captions(doc: Mapping) -> list[str]:
    """The caveat captions of a score document."""
    return [c.text for c in caveats(doc)]


def run_captions(manifest: Mapping | None) -> list[str]:
    """Captions known before scoring, from a run manifest (random weights)."""
    return [RANDOM_WEIGHTS] if random_weights(manifest) else []


def grouped_captions(named: list[tuple[str, Mapping]]) -> list[str]:
    """One line per distinct caption of several runs' documents, naming the runs it applies to
    unless it applies to all of them."""
    runs: dict[str, list[str]] = {}
    for name, doc in named:
        for text in captions(doc):
            runs.setdefault(text, []).append(name)
    return [text if len(names) == len(named) else f"{', '.join(names)}: {text}" for text, names in runs.items()]
