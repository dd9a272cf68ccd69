"""OTB's temporal and spatial robustness (TRE, SRE) from their part files: which frames each part
covers, checked against the files, for ``score_sequences`` to pool.

A TRE segment ``k`` covers its start frame (``sotbench.protocols.tre_starts``) to the last frame;
every SRE shift covers the first segment's start to the last frame.  The OTB kit scores each part
against the ground truth from its start (its first frame counts as the part's first frame: the
kit sets it to the ground truth, ``calcSeqErrRobust.m``) and pools the parts of a sequence frame
by frame (``perfPlot.m``: the summed success counts over the summed part lengths) before the
mean over sequences; ``score_sequences`` does exactly that with ``starts``.
"""

from __future__ import annotations

import os
from pathlib import Path

from sotbench.metrics.importers import ImportedResults
from sotbench.sequences import Sequence

__all__ = ["part_starts_of"]


def _number(path: Path) -> int | None:
    tail = path.stem.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else None


def part_starts_of(sequences: list[Sequence], imported: ImportedResults, protocol: str,
                   root: Path | None = None) -> tuple[dict[str, list[int]], list[str]]:
    """Per sequence with results, the start frame of each of its part files; and one error per
    sequence whose files are not the protocol's parts (some missing, or a file of the wrong length)."""
    from sotbench.protocols import part_starts

    def rel(p: Path) -> str:
        return os.path.relpath(p, root) if root is not None else str(p)

    starts: dict[str, list[int]] = {}
    errors: list[str] = []
    for seq in sequences:
        found = imported.results.get(seq.name)
        if found is None:
            continue
        try:
            want = part_starts(protocol, seq)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        numbers = [_number(p) for p in found.paths]
        n = len(seq.gt)
        if numbers != list(range(1, len(want) + 1)):
            where = rel(found.paths[0].parent)
            errors.append(f"{where}: {len(numbers)} {protocol.upper()} part files, expected {len(want)} "
                          f"({seq.name}_001.txt .. {seq.name}_{len(want):03d}.txt)")
            continue
        for k, (path, traj, s) in enumerate(zip(found.paths, found.trajectories, want), start=1):
            if len(traj) != n - s:
                errors.append(f"{rel(path)}: {len(traj)} rows, expected {n - s} ({protocol.upper()} part {k} of "
                              f"{seq.name} covers frames {s + 1}..{n} of {n})")
                break
        else:
            starts[seq.name] = want
    return starts, errors
