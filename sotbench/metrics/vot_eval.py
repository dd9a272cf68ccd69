"""Scores of a reset-protocol (VOT) run: the glue between ``evaluate`` and ``sotbench.metrics.vot``.

The profile's ``vot_*`` fields are the keyword arguments of ``vot_sequence_stats`` and
``vot_aggregate``; the dataset's ``VotSettings`` give the EAO interval, the restart offset and
the AR sensitivity.  ``overall.robustness`` is always pysot's failures per 100 frames; the VOT
toolkit's values are ``mean_failures`` and ``reliability``.  Every score and per-tag score gets
a bootstrap interval over the sequences (``sotbench.metrics.vot_sums``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sotbench.caveats import coverage_facts
from sotbench.datasets.base import Dataset, VotSettings
from sotbench.metrics.bootstrap import Bootstrap, intervals
from sotbench.metrics.importers import ImportedResults
from sotbench.metrics.profile import Profile
from sotbench.scores import Scores
from sotbench.sequences import Sequence

__all__ = ["score_vot", "VOT_KEYS"]

VOT_KEYS = ("eao", "accuracy", "robustness", "failures", "mean_failures", "reliability")


_TAG_KEYS = ("eao", "accuracy", "robustness", "failures")


def _per_attribute(result: dict, long_names: dict[str, str], found: dict | None) -> tuple[pd.DataFrame, dict]:
    rows = []
    for tag, values in result["per_tag"].items():
        if tag == "all":
            continue
        row = {"attribute": tag, "name": long_names.get(tag, tag), "n_frames": values.get("n_frames"),
               **{k: values.get(k) for k in _TAG_KEYS}}
        for k in _TAG_KEYS if found is not None else ():
            row[f"{k}_ci95_lo"], row[f"{k}_ci95_hi"] = found.get(tag, {}).get(k) or (np.nan, np.nan)
        rows.append(row)
    cols = ["attribute", "name", "n_frames", *_TAG_KEYS]
    cols += [f"{k}_ci95_{end}" for k in _TAG_KEYS for end in ("lo", "hi")] if found is not None else []
    return pd.DataFrame(rows, columns=cols).set_index("attribute"), {}


def _intervals(stats: list, agg: dict, bootstrap: Bootstrap) -> tuple[dict, dict, dict]:
    """``(overall intervals, per-tag intervals, overall statistics)`` (one set of resamples)."""
    from sotbench.metrics.vot_sums import vot_statistics

    overall, per_tag = vot_statistics(stats, **agg)
    both = {**overall, **{f"{t}:{k}": v for t, block in per_tag.items() for k, v in block.items()}}
    found = intervals(both, bootstrap)
    tags = {t: {k: found[f"{t}:{k}"] for k in block} for t, block in per_tag.items()}
    return {k: found[k] for k in overall}, tags, overall


def score_vot(dataset: Dataset, sequences: list[Sequence], imported: ImportedResults, profile: Profile,
              bootstrap: Bootstrap | None = None) -> Scores:
    """EAO, accuracy, robustness (+ per tag, per sequence) of the imported reset-protocol runs,
    with their bootstrap intervals over the sequences unless ``bootstrap`` is ``None``."""
    from sotbench.metrics.vot import split_kwargs, vot_aggregate, vot_sequence_stats

    settings = dataset.spec.vot or VotSettings()
    seq_kw, agg_kw = split_kwargs(profile.vot_kwargs())
    stats, missing = [], []
    for seq in sequences:
        found = imported.results.get(seq.name)
        if found is None:
            missing.append(seq.name)
            continue
        stats.append(vot_sequence_stats(found.trajectories, seq.gt, seq.image_size, dict(seq.tags), name=seq.name,
                                        skip_initialize=settings.skip_initialize, **seq_kw))
    if not stats:
        raise ValueError("no sequence has results to score")
    agg = dict(eao_interval=tuple(settings.eao_interval), sensitivity=settings.ar_sensitivity, **agg_kw)
    result = vot_aggregate(stats, **agg)
    overall = {k: result[k] for k in VOT_KEYS}
    table = pd.DataFrame(result["per_sequence"]).set_index("name")
    table.index.name = "sequence"
    ci, tag_ci, statistics = _intervals(stats, agg, bootstrap) if bootstrap is not None else ({}, None, {})
    per_attr, attr_curves = _per_attribute(result, dict(dataset.spec.attributes), tag_ci)
    warnings = list(imported.warnings) + list(result.get("warnings", []))
    if missing:
        warnings.insert(0, f"{len(missing)} of {len(sequences)} sequences have no results "
                           f"({', '.join(missing[:5])}); the scores cover the others only")
    return Scores(
        dataset=dataset.key, split=dataset.split, protocol=dataset.protocol, profile=profile.name,
        profile_hash=profile.hash, overall=overall, per_sequence=table, curves={"eao": result["eao_curve"]},
        per_attribute=per_attr, attribute_curves=attr_curves, default_profile=dataset.spec.default_profile,
        coverage=coverage_facts(dataset, len(stats), len(sequences), missing), warnings=warnings,
        ci95=ci, bootstrap=bootstrap.as_dict() if bootstrap is not None else {}, statistics=statistics)
