"""Bootstrap over sequences: confidence intervals and paired p-values of overall scores.

An overall score is a function of the run's sequences.  Each score is written here as *sums
over sequences*: ``Ratio`` (``(w @ num) / (w @ den)``) or ``EaoSums`` (a curve of such ratios,
averaged over the EAO interval).  With ``w`` a row of resample counts (how often each sequence
is drawn) that is the score of the resampled set of sequences, aggregated exactly as the
profile aggregates the real set; ``w = 1`` is the score itself.  ``replicates`` draws the
resamples as ``scipy.stats.bootstrap`` does (``rng.integers(0, n, (B, n))`` from
``numpy.random.default_rng(seed)``), counts them into a ``(B, S)`` matrix chunk by chunk and
evaluates every score with one matrix product per chunk, so 10,000 resamples cost a few
matmuls.  Intervals are percentile intervals (docs/metrics.md says why).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = ["Bootstrap", "DEFAULT", "SequenceStatistic", "Ratio", "EaoSums", "resample_counts", "replicates",
           "percentile_interval", "intervals", "bootstrap_p_value", "statistic_from_json"]

_CHUNK_CELLS = 2_000_000  # resample counts held at once (16 MB of float64)


@dataclass(frozen=True)
class Bootstrap:
    """How intervals are drawn: ``resamples`` resamples of the sequences (0: none), seeded."""

    resamples: int = 10_000
    seed: int = 0
    level: float = 0.95
    method: str = "percentile"

    def __post_init__(self) -> None:
        if self.resamples < 0 or self.seed < 0:
            raise ValueError(f"resamples and seed must be >= 0, got {self.resamples} and {self.seed}")

    @property
    def enabled(self) -> bool:
        """Whether any resample is drawn."""
        return self.resamples > 0

    def as_dict(self) -> dict[str, Any]:
        """The ``bootstrap`` block of a score file."""
        return {"method": self.method, "level": self.level, "resamples": self.resamples, "seed": self.seed,
                "unit": "sequence"}

    def describe(self) -> str:
        """``percentile bootstrap over sequences, 10000 resamples, seed 0``."""
        return f"{self.method} bootstrap over sequences, {self.resamples} resamples, seed {self.seed}"


DEFAULT = Bootstrap()


class SequenceStatistic(Protocol):
    """A score as a function of resample counts ``w`` ``(B, S)`` -> ``(B,)`` (or ``(B, K)``: a curve):
    ``finish(w @ columns())``, so that many statistics share one matrix product."""

    @property
    def n(self) -> int: ...

    def columns(self) -> np.ndarray: ...

    def finish(self, sums: np.ndarray) -> np.ndarray: ...

    def take(self, rows: np.ndarray) -> "SequenceStatistic": ...

    def per_sequence(self) -> np.ndarray | None: ...


def _divide(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom``, NaN where ``bottom`` is 0 (no counted frame in the resample)."""
    ok = bottom > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, top / np.where(ok, bottom, 1.0), np.nan)


class _Columns:
    """``stat(w) = stat.finish(w @ stat.columns())``."""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return self.finish(w @ self.columns())

    def value(self):
        """The score of the real set (every sequence once)."""
        return self(np.ones((1, self.n)))[0]


@dataclass(frozen=True, eq=False)
class Ratio(_Columns):
    """``score(w) = (w @ num) / (w @ den)``; ``den=None``: the sum ``w @ num`` (a count).

    ``num`` is ``(S,)`` for a score, ``(S, T)`` for a curve (one ``den`` per sequence)."""

    num: np.ndarray
    den: np.ndarray | None

    @property
    def n(self) -> int:
        return int(self.num.shape[0])

    def columns(self) -> np.ndarray:
        num = self.num.reshape(self.n, -1)
        return num if self.den is None else np.column_stack([num, self.den])

    def finish(self, sums: np.ndarray) -> np.ndarray:
        if self.den is None:
            return sums[:, 0] if self.num.ndim == 1 else sums
        top, bottom = sums[:, :-1], sums[:, -1:]
        out = _divide(top, bottom)
        return out[:, 0] if self.num.ndim == 1 else out

    def take(self, rows: np.ndarray) -> "Ratio":
        """The same score over the sequences ``rows`` (indices; repeats allowed)."""
        return Ratio(self.num[rows], None if self.den is None else self.den[rows])

    def per_sequence(self) -> np.ndarray | None:
        """Each sequence's own value (NaN where it has no counted frame); ``None`` for curves."""
        if self.num.ndim != 1:
            return None
        return self.num.copy() if self.den is None else _divide(self.num, self.den)

    def to_json(self) -> dict:
        return {"kind": "ratio", "num": self.num.tolist(), "den": None if self.den is None else self.den.tolist()}


@dataclass(frozen=True, eq=False)
class EaoSums(_Columns):
    """EAO of a resample: per interval column, ``(w @ num) / (w @ den)`` (the expected-overlap
    curve); pysot's rule gives 0 to a column no drawn fragment reaches (``support``) and skips
    NaN columns, the VOT toolkit's rule takes the plain mean (sotbench.metrics.vot_eao)."""

    num: np.ndarray  # (S, K)
    den: np.ndarray  # (S, K)
    support: np.ndarray  # (S, K) usable fragments per sequence and column
    rule: str

    @property
    def n(self) -> int:
        return int(self.num.shape[0])

    def columns(self) -> np.ndarray:
        return np.concatenate([self.num, self.den, self.support], axis=1)

    def finish(self, sums: np.ndarray) -> np.ndarray:
        k = self.num.shape[1]
        if k == 0:
            return np.full(sums.shape[0], np.nan)
        curve = _divide(sums[:, :k], sums[:, k:2 * k])
        if self.rule != "pysot":
            return curve.mean(axis=1)
        curve = np.where(sums[:, 2 * k:] > 0, curve, 0.0)
        finite = ~np.isnan(curve)
        total = np.where(finite, curve, 0.0).sum(axis=1)
        return _divide(total, finite.sum(axis=1).astype(np.float64))

    def take(self, rows: np.ndarray) -> "EaoSums":
        return EaoSums(self.num[rows], self.den[rows], self.support[rows], self.rule)

    def per_sequence(self) -> None:
        return None  # EAO is defined over a set of sequences only

    def to_json(self) -> dict:
        # 10 significant digits keep a VOT score file small; the support is usually the denominator
        same = np.array_equal(self.support, self.den)
        return {"kind": "eao", "rule": self.rule, "num": _rounded(self.num), "den": self.den.tolist(),
                "support": None if same else self.support.tolist()}


def _rounded(values: np.ndarray) -> list:
    return np.vectorize(lambda v: float(f"{v:.10g}"), otypes=[np.float64])(values).tolist()


def _array(value: Any, what: str) -> np.ndarray:
    arr = np.array(value, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{what}: expected finite numbers")
    return arr


def statistic_from_json(data: Mapping) -> SequenceStatistic:
    """A statistic written by ``to_json`` (a score file's ``sequence_parts``); ``ValueError`` if malformed."""
    if not isinstance(data, Mapping) or data.get("kind") not in ("ratio", "eao"):
        raise ValueError("expected an object with kind 'ratio' or 'eao'")
    try:
        if data["kind"] == "ratio":
            den = None if data.get("den") is None else _array(data["den"], "den")
            stat: SequenceStatistic = Ratio(_array(data["num"], "num"), den)
            if stat.num.ndim != 1 or (den is not None and den.shape != stat.num.shape):
                raise ValueError("num and den must be lists of one length")
            return stat
        num, den = _array(data["num"], "num"), _array(data["den"], "den")
        support = den if data.get("support") is None else _array(data["support"], "support")
    except (KeyError, TypeError) as exc:
        raise ValueError(f"missing or malformed field ({exc})") from None
    if not (num.ndim == 2 and num.shape == den.shape == support.shape):
        raise ValueError("num, den and support must be matrices of one shape")
    return EaoSums(num, den, support, str(data.get("rule", "pysot")))


def resample_counts(n: int, spec: Bootstrap = DEFAULT) -> Iterator[np.ndarray]:
    """Chunks of the ``(B, n)`` resample-count matrix: row ``b`` counts how often each sequence
    is drawn in resample ``b`` (drawn as ``scipy.stats.bootstrap`` draws its indices)."""
    rng = np.random.default_rng(spec.seed)
    chunk = max(1, _CHUNK_CELLS // max(n, 1))
    for start in range(0, spec.resamples, chunk):
        b = min(chunk, spec.resamples - start)
        idx = rng.integers(0, n, (b, n))
        flat = (idx + n * np.arange(b)[:, None]).ravel()
        yield np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


def replicates(stats: Mapping[str, SequenceStatistic], n: int, spec: Bootstrap = DEFAULT) -> dict[str, np.ndarray]:
    """Every statistic on the same ``spec.resamples`` resamples of the ``n`` sequences (one matrix
    product per chunk of resamples for all of them)."""
    blocks = [stat.columns() for stat in stats.values()]
    edges = np.cumsum([0] + [b.shape[1] for b in blocks])
    matrix = np.ascontiguousarray(np.concatenate(blocks, axis=1)) if blocks else np.zeros((n, 0))
    parts: dict[str, list[np.ndarray]] = {k: [] for k in stats}
    for w in resample_counts(n, spec):
        sums = w @ matrix
        for (key, stat), lo, hi in zip(stats.items(), edges[:-1], edges[1:]):
            parts[key].append(stat.finish(sums[:, lo:hi]))
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}


def percentile_interval(values: np.ndarray, level: float = 0.95) -> tuple[Any, Any]:
    """The ``level`` percentile interval of bootstrap replicates (axis 0), linear interpolation as
    ``scipy.stats.bootstrap``; resamples on which a score is undefined (NaN) are left out."""
    alpha = (1.0 - level) / 2.0
    if values.shape[0] == 0 or np.isnan(values).all(axis=0).any():
        return (None, None) if values.ndim == 1 else (np.full(values.shape[1:], np.nan),) * 2
    quantile = np.quantile if not np.isnan(values).any() else np.nanquantile
    lo, hi = quantile(values, [alpha, 1.0 - alpha], axis=0)
    return (float(lo), float(hi)) if values.ndim == 1 else (lo, hi)


def intervals(stats: Mapping[str, SequenceStatistic], spec: Bootstrap = DEFAULT,
              min_sequences: int = 2) -> dict[str, Any]:
    """``{name: (lo, hi)}`` of each statistic (``None`` where the score or its interval is undefined:
    fewer than ``min_sequences`` sequences, no resamples, a NaN score)."""
    if not stats:
        return {}
    n = next(iter(stats.values())).n
    if not spec.enabled or n < min_sequences:
        return dict.fromkeys(stats)
    reps = replicates(stats, n, spec)
    out: dict[str, Any] = {}
    for key, stat in stats.items():
        point = stat.value()
        if np.ndim(point) == 0 and not np.isfinite(point):
            out[key] = None
            continue
        lo, hi = percentile_interval(reps[key], spec.level)
        out[key] = None if lo is None else (lo, hi)
    return out


def bootstrap_p_value(differences: np.ndarray) -> float:
    """Two-sided p-value of "no difference" from paired bootstrap replicates of a difference: twice
    the smaller share of replicates on either side of 0 (with the +1 Monte Carlo correction), so
    p < 0.05 where the 95 % percentile interval excludes 0."""
    d = differences[np.isfinite(differences)]
    if d.size == 0:
        return math.nan
    side = min(int((d <= 0).sum()), int((d >= 0).sum()))
    return float(min(1.0, 2.0 * (side + 1) / (d.size + 1)))
