"""Shared loaders for the VOT2018 metric tests: annotations (bundled pysot JSON, through the
VOT2018 dataset adapter) and the bundled raw results, parsed once per test session."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from sotbench.datasets.vot import VOT2018
from sotbench.metrics.vot import split_kwargs, vot_aggregate, vot_sequence_stats
from sotbench.metrics.vot_io import read_vot_repetitions

TRACKERS = ("SiamRPN++", "DaSiamRPN", "NanoTrack", "Ocean", "Ocean-online")


@lru_cache(maxsize=None)
def annotations(shared_data: Path) -> dict[str, tuple[np.ndarray, tuple[int, int], dict]]:
    """name -> ((N, 8) ground truth, (W, H), per-frame tags), read by the VOT2018 adapter from
    the bundled pysot VOT2018.json (annotation-only layout)."""
    dataset = VOT2018(shared_data / "annotations" / "VOT2018")
    return {seq.name: (seq.gt, seq.image_size, dict(seq.tags)) for seq in dataset}


@lru_cache(maxsize=None)
def results(shared_data: Path, tracker: str) -> dict[str, list]:
    """name -> list of VotTrajectory (all repetitions) of a bundled tracker."""
    base = shared_data / "results" / "VOT2018" / tracker / "baseline"
    return {name: read_vot_repetitions(base / name) for name in annotations(shared_data)}


@lru_cache(maxsize=None)
def evaluate(shared_data: Path, tracker: str, profile: tuple) -> tuple[list, dict]:
    """(per-sequence stats, aggregate) of a tracker under a keyword profile (a sorted item tuple)."""
    seq_kw, agg_kw = split_kwargs(dict(profile))
    ann, res = annotations(shared_data), results(shared_data, tracker)
    stats = [vot_sequence_stats(res[n], gt, size, tags, name=n, **seq_kw) for n, (gt, size, tags) in ann.items()]
    return stats, vot_aggregate(stats, eao_interval=(100, 356), **agg_kw)
