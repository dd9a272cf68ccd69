"""Score dicts that follow the ``sotbench-scores-v1`` schema, built for the report tests."""

from __future__ import annotations

import numpy as np

SUCCESS_X = [round(0.05 * i, 2) for i in range(21)]
PRECISION_X = list(range(51))
NORM_X = [i / 100 for i in range(51)]


def _curve(x, level: float, scale: float) -> list[float]:
    """A decreasing (success) or increasing (precision) curve whose mean is about ``level``."""
    x = np.asarray(x, dtype=float) / scale
    return [float(v) for v in np.clip(1.0 - x ** (level / (1 - level + 1e-9)), 0, 1)]


def ope_scores(run: str, auc: float, prec: float | None = None, *, dataset: str = "otb100",
               profile: str = "pysot", profile_hash: str = "p" * 64, evaluated: int = 100, total: int = 100,
               attributes: dict[str, tuple[int, float]] | None = None, tracker: dict | None = None,
               speed: dict | None = None, split_total: int | None = None, flags: dict | None = None) -> dict:
    """A one-pass score dict with curves; ``attributes`` maps code -> (n_sequences, auc).

    Without ``split_total`` / ``flags`` the dict is a score file of before those facts existed."""
    prec = auc + 0.2 if prec is None else prec

    def block(a: float, p: float) -> tuple[dict, dict]:
        overall = {"success_auc": a, "precision": p, "norm_precision": p - 0.05, "success_rate_50": a + 0.1}
        curves = {"success": {"x": SUCCESS_X, "y": _curve(SUCCESS_X, a, 1.0)},
                  "precision": {"x": PRECISION_X, "y": [1 - v for v in _curve(PRECISION_X, 1 - p, 50.0)]},
                  "norm_precision": {"x": NORM_X, "y": [1 - v for v in _curve(NORM_X, 1 - p, 0.5)]}}
        return overall, curves

    overall, curves = block(auc, prec)
    per_attr = {}
    for code, (n, a) in (attributes or {}).items():
        o, c = block(a, a + 0.2)
        per_attr[code] = {"name": ATTRIBUTE_NAMES.get(code, code), "n_sequences": n, "overall": o, "curves": c}
    coverage = {"evaluated": evaluated, "total": total, "missing": [f"Seq{i}" for i in range(total - evaluated)]}
    if split_total is not None:
        coverage.update(on_disk=total, split_total=split_total, split_known=True,
                        complete=evaluated == total == split_total)
    doc = {
        "schema": "sotbench-scores-v1", "dataset": dataset, "split": "test", "protocol": "ope",
        "profile": profile, "profile_hash": profile_hash, "run": run, "run_dir": f"results/OTB100/{run}",
        "results_hash": "r" * 64, "tracker": tracker,
        "coverage": coverage, "overall": overall, "curves": curves, "per_attribute": per_attr,
        "speed": speed or {}, "warnings": [],
    }
    if flags is not None:
        doc["flags"] = flags
    return doc


def vot_scores(run: str, eao: float, accuracy: float, robustness: float, failures: float,
               tags: dict[str, dict] | None = None, flags: dict | None = None) -> dict:
    """A reset-protocol score dict with an EAO curve."""
    lengths = list(range(1, 401))
    phi = [float(0.9 * np.exp(-n / (900 * eao)) + eao * 0.2) for n in lengths]
    return {
        "schema": "sotbench-scores-v1", "dataset": "vot2018", "split": "test", "protocol": "vot_reset",
        "profile": "pysot", "profile_hash": "v" * 64, "run": run, "run_dir": f"results/VOT2018/{run}",
        "results_hash": "r" * 64, "tracker": None,
        "coverage": {"evaluated": 60, "total": 60, "missing": []},
        "overall": {"eao": eao, "accuracy": accuracy, "robustness": robustness, "failures": failures},
        "curves": {"eao": {"x": lengths, "y": phi, "interval": [100, 356]}},
        "per_attribute": tags or {}, "speed": {}, "warnings": [], "flags": flags or {"random_weights": False},
    }


OTB_ATTRS = {"IV": 38, "SV": 65, "OCC": 49, "FM": 39}
ATTRIBUTE_NAMES = {"IV": "Illumination Variation", "SV": "Scale Variation", "OCC": "Occlusion", "FM": "Fast Motion"}
