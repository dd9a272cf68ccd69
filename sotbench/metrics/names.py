"""Matching result-file names to sequence names across toolkits' spelling variants.

Toolkits spell the same target differently: ``Jogging-1`` (pysot), ``jogging_1`` (OTB kit
results), ``Jogging.1`` (got10k), ``Skating2_1`` (pytracking), ``human4_2``.  Matching goes
from strict to loose, and a looser stage is used only where it is unambiguous on both sides,
so distinct sequences are never merged: UAV123's ``car1_1`` and ``car11`` both squeeze to
``car11`` and are therefore never matched by squeezing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

__all__ = ["match_names"]

_SEP = re.compile(r"[-_.]")
_SUFFIX = re.compile(r"[-_.]\d+$")


def _canonical(name: str) -> str:
    return _SEP.sub("-", name.casefold())


def _squeezed(name: str) -> str:
    return _SEP.sub("", name.casefold())


def _base(name: str) -> str:
    return _SUFFIX.sub("", name.casefold())


_STAGES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("case", str.casefold),
    ("separators", _canonical),
    ("squeezed", _squeezed),
    ("target suffix", _base),
)


def _unique_index(items: Iterable[str], key: Callable[[str], str]) -> dict[str, str]:
    """``key(item) -> item`` for keys that exactly one item has."""
    groups: dict[str, list[str]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return {k: v[0] for k, v in groups.items() if len(v) == 1}


def match_names(stems: Iterable[str], names: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Map file stems to sequence names; returns ``(stem -> name, notes on loose matches)``.

    Stems that match nothing are left out of the mapping.  A stage matches a stem to a name
    only when its key is unique among the remaining stems and among the remaining names.
    """
    stems, names = list(stems), list(names)
    name_set = set(names)
    mapping = {s: s for s in stems if s in name_set}
    notes = []
    for stage, key in _STAGES:
        free_stems = [s for s in stems if s not in mapping]
        taken = set(mapping.values())
        free_names = [n for n in names if n not in taken]
        if not free_stems or not free_names:
            break
        by_name = _unique_index(free_names, key)
        by_stem = _unique_index(free_stems, key)
        for k, stem in by_stem.items():
            if k in by_name:
                mapping[stem] = by_name[k]
                notes.append(f"{stem} -> {by_name[k]} ({stage})")
    return mapping, notes
