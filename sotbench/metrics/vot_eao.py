"""Expected Average Overlap (EAO) of the VOT reset protocol: fragments, curve and score.

Each run is cut into fragments at its failures.  Two rules (``fragment_rule``):

``"votpy"`` (Python VOT toolkit, mmtracking): the i-th fragment is ``overlaps[init_i : fail_i]``
(failure frame excluded) and is flagged *failed*; when the run ends after a last
initialisation without a failure, ``overlaps[last_init:]`` is a *succeeded* fragment; a run
without failures is one succeeded fragment.

``"pysot"`` (pysot-toolkit, legacy MATLAB toolkit): restart points are ``failure + skip``
(only those ``<= len(overlaps)``) after a first point 0; fragment ``i`` is
``overlaps[p_i : p_{i+1} + 1]`` (failure and skipped frames in it are NaN -> 0), failed; the last
one, ``overlaps[p_last:]``, succeeded.  A failure within the last ``skip`` frames therefore
adds no restart and its frames end up, as zeros, in a succeeded tail.  Overlaps of a run
without failures are used as they are (a NaN overlap there makes later curve points NaN, as
in pysot).

Curve: ``phi[j]`` (``j >= 1``) is the weighted mean over the fragments usable at ``j`` of
``mean(fragment[1 .. j])`` (column 0, the initialisation frame, is left out).  Failed
fragments are zero-padded and always usable; a succeeded one only for ``j < len``.
``phi[0]`` is 1 under the pysot rule and the weighted mean of the column-0 overlaps under the
votpy rule.  The score averages ``phi`` over an interval (see :func:`eao_score`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FRAGMENT_RULES", "INDEX_CONVENTIONS", "Fragment", "fragments_pysot", "fragments_votpy",
           "build_fragments", "tag_fraction", "fragment_columns", "eao_curve", "eao_score"]

FRAGMENT_RULES = ("pysot", "votpy")
INDEX_CONVENTIONS = ("pysot", "votpy")


@dataclass(frozen=True)
class Fragment:
    """One EAO fragment: overlaps from an initialisation on, and the frames its tag weight uses."""

    values: np.ndarray
    failed: bool
    tag_start: int  # tag weight = sum(tag[tag_start:tag_stop]) / tag_length
    tag_stop: int
    tag_length: float


def fragments_pysot(codes: np.ndarray, overlaps: np.ndarray, n_frames: int, skip: int = 5) -> list[Fragment]:
    """pysot / legacy MATLAB fragments (restart points at ``failure + skip``)."""
    ov = np.asarray(overlaps, dtype=np.float64)
    n = ov.size
    failures = np.flatnonzero(np.asarray(codes) == 2)
    if failures.size == 0:
        return [Fragment(ov.copy(), False, 0, n, float(n))]
    points = [0] + [int(f) + skip for f in failures if f + skip <= n]
    out = []
    for a, b in zip(points[:-1], points[1:]):
        out.append(Fragment(np.nan_to_num(ov[a : b + 1], nan=0.0), True, a, b + 1, float(b - a + 1)))
    last = points[-1]
    out.append(Fragment(np.nan_to_num(ov[last:], nan=0.0), False, last, n, float(n_frames - last)))
    return out


def fragments_votpy(codes: np.ndarray, overlaps: np.ndarray, source: str = "trajectory") -> list[Fragment]:
    """Python VOT toolkit / mmtracking fragments (cut at the recorded initialisations)."""
    ov = np.asarray(overlaps, dtype=np.float64)
    codes = np.asarray(codes)
    fails, inits = np.flatnonzero(codes == 2), np.flatnonzero(codes == 1)
    if fails.size == 0:
        return [Fragment(ov.copy(), False, 0, ov.size, float(ov.size))]
    if inits.size < fails.size:
        raise ValueError(f"{source}: {fails.size} failures but only {inits.size} initialisations (code 1)")
    out = [Fragment(ov[a:b].copy(), True, int(a), int(b), float(max(b - a, 0)))
           for a, b in zip(inits[: fails.size], fails)]
    if inits.size > fails.size:
        a = int(inits[-1])
        out.append(Fragment(ov[a:].copy(), False, a, ov.size, float(ov.size - a)))
    return out


def build_fragments(codes, overlaps, n_frames: int, *, rule: str, skip: int = 5, source: str = "trajectory"):
    """Fragments of one run under ``rule`` (``"pysot"`` or ``"votpy"``)."""
    if rule == "pysot":
        return fragments_pysot(codes, overlaps, n_frames, skip)
    if rule == "votpy":
        return fragments_votpy(codes, overlaps, source)
    raise ValueError(f"unknown fragment rule {rule!r}, known: {', '.join(FRAGMENT_RULES)}")


def tag_fraction(frag: Fragment, tag: np.ndarray) -> float:
    """Share of the fragment's frames that carry ``tag`` (pysot's per-tag EAO weight)."""
    if frag.tag_length <= 0:
        return 0.0
    return float(np.sum(tag[frag.tag_start : frag.tag_stop])) / frag.tag_length


def _matrix(fragments: list[Fragment], width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fragments as a zero-padded ``(F, width)`` array, their lengths and failed flags."""
    values = np.zeros((len(fragments), width))
    lengths = np.array([f.values.size for f in fragments], dtype=np.int64)
    for i, f in enumerate(fragments):
        values[i, : f.values.size] = f.values
    failed = np.array([f.failed for f in fragments], dtype=bool)
    return values, lengths, failed


def fragment_columns(fragments: list[Fragment], *, rule: str, min_length: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per fragment and curve column ``(F, L)``: the fragment's mean overlap up to that column
    where the fragment is usable there (else 0), and whether it is usable (see :func:`eao_curve`)."""
    width = max([f.values.size for f in fragments] + [min_length if rule == "pysot" else 0, 1])
    values, lengths, failed = _matrix(fragments, width)
    cols = np.arange(width)
    usable = failed[:, None] | (cols[None, :] < lengths[:, None])
    if rule == "pysot":
        usable &= ~np.isnan(values)  # pysot: a NaN overlap makes that column unusable
    means = np.zeros_like(values)
    means[:, 1:] = np.cumsum(values[:, 1:], axis=1) / cols[1:]
    means[:, 0] = values[:, 0]
    return np.where(usable, means, 0.0), usable


def eao_curve(fragments: list[Fragment], weights: np.ndarray, *, rule: str, min_length: int = 0) -> np.ndarray:
    """EAO curves ``(T, L)`` for ``T`` weightings ``(T, F)`` of the fragments (1-D in -> 1-D out).

    ``min_length``: the pysot rule sizes the curve by the longest run (pass it here); the votpy
    rule by the longest fragment.
    """
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    means, usable = fragment_columns(fragments, rule=rule, min_length=min_length)
    num = w @ means
    den = w @ usable.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = num / den
    if rule == "pysot":
        curve[:, ~usable.any(axis=0)] = 0.0  # pysot leaves columns without fragments at 0
        curve[:, 0] = 1.0
    return curve[0] if np.ndim(weights) == 1 else curve


def eao_score(curve: np.ndarray, interval: tuple[int, int], convention: str) -> tuple[float, tuple[int, int]]:
    """Mean of the curve over ``interval = (low, high)`` and the index range used (inclusive).

    ``"pysot"``: indices ``low-1 .. high-1`` (= lengths ``low .. high``, as the legacy MATLAB
    toolkit), NaN points skipped; ``"votpy"``: indices ``low .. high``, plain mean.
    """
    low, high = int(interval[0]), int(interval[1])
    if convention == "pysot":
        lo, hi = low - 1, high - 1
    elif convention == "votpy":
        lo, hi = low, high
    else:
        raise ValueError(f"unknown EAO index convention {convention!r}, known: {', '.join(INDEX_CONVENTIONS)}")
    part = np.asarray(curve, dtype=np.float64)[lo : hi + 1]
    if convention == "pysot":
        part = part[~np.isnan(part)]
    score = float(part.mean()) if part.size else float("nan")
    return score, (lo, hi)
