"""Attribute-stratified tuning subsets (the ``tune`` / ``heldout`` splits of OTB100 and UAV123).

Hyperparameter search must not look at the sequences it is judged on.  The ``tune`` split is
a fixed quarter of a benchmark, picked so that its attribute frequencies follow the whole
benchmark's; ``heldout`` is the rest.  Targets that share a video (OTB Jogging-1/-2, UAV123
car1_1/_2/_3) always land on the same side.  The lists are stored as package data
(``splits/<bench>_tune.txt``); this module is how they were made, and the tests re-derive
them from the attribute tables::

    python -m sotbench.datasets.tune_split otb100     # prints the list
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["stratified_subset", "TUNE_FRACTION"]

TUNE_FRACTION = 0.25


def _attribute_matrix(names: Sequence[str], attributes: Mapping[str, Sequence[str]],
                      codes: Sequence[str]) -> np.ndarray:
    return np.array([[c in attributes[n] for c in codes] for n in names], dtype=np.float64)


def stratified_subset(
    names: Sequence[str],
    groups: Mapping[str, str],
    attributes: Mapping[str, Sequence[str]],
    codes: Sequence[str],
    fraction: float = TUNE_FRACTION,
) -> list[str]:
    """A deterministic subset of about ``fraction`` of ``names`` matching attribute frequencies.

    Greedy: starting empty, add the video group (``groups``: name -> video) that brings the
    subset's attribute frequencies closest (squared error) to the full set's, ties broken by
    group name, until the subset holds ``round(fraction * len(names))`` sequences.
    """
    names = list(names)
    target = max(1, round(fraction * len(names)))
    matrix = _attribute_matrix(names, attributes, codes)
    goal = matrix.mean(axis=0)
    members: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        members.setdefault(groups[n], []).append(i)
    chosen: list[int] = []
    counts = np.zeros(len(codes))
    remaining = sorted(members)
    while len(chosen) < target and remaining:
        best, best_cost = None, np.inf
        for g in remaining:
            idx = members[g]
            if len(chosen) + len(idx) > target + len(idx) // 2:  # do not overshoot by much
                continue
            freq = (counts + matrix[idx].sum(axis=0)) / (len(chosen) + len(idx))
            cost = float(((freq - goal) ** 2).sum())
            if cost < best_cost - 1e-12:
                best, best_cost = g, cost
        if best is None:
            break
        chosen.extend(members[best])
        counts += matrix[members[best]].sum(axis=0)
        remaining.remove(best)
    keep = set(chosen)
    return [n for i, n in enumerate(names) if i in keep]


def _otb100() -> list[str]:
    from sotbench.datasets.layout import package_json

    facts = package_json("otb.json")
    seqs = facts["sequences"]
    names = facts["lists"]["OTB100"]
    return stratified_subset(names, {n: seqs[n]["folder"] for n in names},
                             {n: seqs[n]["attributes"] for n in names}, facts["attribute_order"])


def _uav123() -> list[str]:
    from sotbench.datasets.layout import package_json

    facts = package_json("uav123.json")
    seqs = facts["UAV123"]
    return stratified_subset(list(seqs), {n: seqs[n]["folder"] for n in seqs},
                             {n: seqs[n]["attributes"] for n in seqs}, facts["attribute_order"])


BUILDERS = {"otb100": _otb100, "uav123": _uav123}


def main(argv: list[str] | None = None) -> int:
    """Print the tune list of a benchmark (``otb100`` or ``uav123``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in BUILDERS:
        print(f"usage: python -m sotbench.datasets.tune_split {{{','.join(BUILDERS)}}}", file=sys.stderr)
        return 2
    print("\n".join(BUILDERS[args[0]]()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
