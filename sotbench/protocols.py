"""Run protocols, once for every backend: one-pass evaluation (OPE), the VOT reset protocol, and
the protocols derived from them (OTB's TRE and SRE, long-term runs).

A ``StreamRecord`` follows one stream through a job: what it does on each frame
(``action``: ``init``, ``track`` or ``skip``) and what it produced.  Backends call it as the
boxes of each frame reach the host; the lockstep backend (``sotbench.trackers.lockstep``) at
once, SiamRPN++'s engine a few steps later (so frames it tracked after a failure it did not
know of yet are discarded here).

* OPE: initialise on the stream's start frame (0 unless the stream says otherwise) from the
  stream's initial region (default: that frame's ground truth), then track every later frame;
  the start frame's box is the one the backend reports for the initialisation (what ``init``
  returned: pysot reports a half-pixel-shifted box there; else the initial region's box).
* VOT reset (supervised): a frame whose box overlaps the ground-truth region (both bounded by
  the image) by no more than ``failure_overlap`` is a failure (2), the next
  ``skip_initialize - 1`` frames are skipped (0), and the tracker restarts from the ground
  truth ``skip_initialize`` frames after the failure (1).

Derived protocols (``RUN_PROTOCOLS``; docs/protocols.md) are OPE jobs whose streams start
elsewhere: TRE (temporal robustness, OTB) runs 20 segments of each sequence, each from its
start frame to the end (``tre_starts``); SRE (spatial robustness, OTB) runs 12 perturbed
initial boxes from the first usable frame (``sre_regions``); a long-term run (VOT-LT) is one
OPE pass whose per-frame confidences are written too.  Every backend runs them, because a
stream's start and initial region are part of the stream (``sotbench.jobs.Stream``).

Repetitions: ``repetition_round`` is the rule for how many reset-protocol repetitions to run:
a deterministic tracker stops once three agree (the VOT toolkit's rule), so the first round
runs up to three, a second round the rest if they differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sotbench.jobs import Job, OpeOutput, Stream, VotOutput
from sotbench.results import VOT_FAILURE, VOT_INIT, VOT_SKIP
from sotbench.sequences import Sequence

__all__ = ["StreamRecord", "region_at", "repetition_round", "DETERMINISTIC_AGREEMENT", "RunProtocol",
           "RUN_PROTOCOLS", "run_protocol", "check_protocol", "dataset_protocols", "protocol_streams", "part_count",
           "tre_starts", "sre_regions", "shift_box", "SRE_SHIFTS", "TRE_SEGMENTS", "TRE_MIN_LENGTH", "part_starts"]

DETERMINISTIC_AGREEMENT = 3  # identical repetitions after which a deterministic tracker stops


def region_at(seq: Sequence, i: int) -> np.ndarray:
    """Frame ``i``'s ground-truth region: 4 numbers, or 8 for a polygon."""
    row = seq.gt[i]
    return row[:4] if np.isnan(row[4:]).all() else row


class StreamRecord:
    """One stream while its job runs: where it restarts, its outputs so far, or its error."""

    def __init__(self, stream: Stream, job: Job, slot: int = -1):
        self.stream, self.job, self.slot = stream, job, slot
        self.n = job.length
        self.start = stream.start
        self.restart = stream.start  # next frame to initialise on (VOT: after a failure; OPE: the start)
        self.failures = 0
        self.error: str | None = None
        self.boxes = np.zeros((self.n, 4))
        self.scores = np.full(self.n, np.nan)
        self.times = np.zeros(self.n)
        self.lines: list[Any] = [None] * self.n if self.vot else []

    @property
    def vot(self) -> bool:
        return self.job.protocol == "vot_reset"

    def region(self, t: int) -> np.ndarray:
        """The region the stream initialises from on frame ``t``: its own initial region on its
        start frame (SRE's shifted boxes), else the frame's ground truth."""
        if t == self.start and self.stream.init is not None:
            return np.asarray(self.stream.init, dtype=np.float64)
        return region_at(self.job.seq, t)

    def action(self, t: int) -> str:
        """What this stream does on frame ``t``: ``init``, ``track`` or ``skip``."""
        if self.error is not None:
            return "skip"
        if t == self.restart:
            return "init"
        return "skip" if t < self.restart else "track"

    def initialised(self, t: int, box0: np.ndarray | None) -> None:
        """Frame ``t`` was an initialisation: OPE writes the init box, VOT writes 1."""
        if self.vot:
            self.lines[t] = VOT_INIT
        else:
            self.boxes[t] = box0

    def tracked(self, t: int, box: np.ndarray, score: float | None, ok: bool) -> None:
        """A tracked frame's box reached the host; ``ok``: the VOT overlap test passed."""
        if self.error is not None or (self.vot and t < self.restart):
            return  # computed before the host knew of a failure: those frames are skipped
        if not np.isfinite(box).all():
            self.error = f"RuntimeError: the tracker produced a non-finite box {np.asarray(box).tolist()} on frame {t}"
            return
        if not self.vot:
            self.boxes[t] = box
            self.scores[t] = np.nan if score is None else score
        elif ok:
            self.lines[t] = np.array(box, dtype=np.float64)
        else:
            self.lines[t] = VOT_FAILURE
            self.failures += 1
            self.restart = t + self.job.vot.skip_initialize
            for k in range(t + 1, min(self.restart, self.n)):
                self.lines[k] = VOT_SKIP

    def fail(self, message: str) -> None:
        """Stop this stream (its tracker raised); the other streams of the job go on."""
        if self.error is None:
            self.error = message

    def output(self) -> OpeOutput | VotOutput:
        """The stream's result once the job ended (frames never reached are skips)."""
        if self.vot:
            lines = [VOT_SKIP if v is None else v for v in self.lines]
            return VotOutput(lines=lines, times=self.times, failures=self.failures)
        s = self.start
        return OpeOutput(boxes=self.boxes[s:], scores=self.scores[s:], times=self.times[s:], start=s)


def repetition_round(done: list[int], repetitions: int, deterministic: bool, agreed: bool) -> list[int]:
    """Reset-protocol repetitions still to run, given those already ``done`` (numbers from 1).

    A deterministic tracker runs up to three first and stops when they agree (``agreed``: the
    first three on disk are identical); a stochastic one runs all of them."""
    missing = [r for r in range(1, repetitions + 1) if r not in set(done)]
    if not deterministic:
        return missing
    if len(done) >= DETERMINISTIC_AGREEMENT and agreed:
        return []
    first = max(1, DETERMINISTIC_AGREEMENT - len(done))
    return missing if len(done) >= DETERMINISTIC_AGREEMENT else missing[:first]


# -- the run protocols -------------------------------------------------------------------------
@dataclass(frozen=True)
class RunProtocol:
    """A way of running a tracker over a dataset: the protocol its jobs follow and its parts.

    ``job``: the tracking protocol of its jobs (``ope`` or ``vot_reset``); ``scored_as``: whose
    metrics score it; ``folder``: the sub-folder of a run folder that holds its results and
    manifest (``None``: the run folder itself); ``datasets``: the dataset protocol it derives
    from (``None``: a dataset's own protocol only)."""

    name: str
    title: str  # in plot titles: "Success plots of TRE on OTB100"
    job: str
    scored_as: str
    folder: str | None
    derives_from: str | None
    source: str
    everywhere: bool = False  # on every dataset of ``derives_from`` (else: those that list it)


RUN_PROTOCOLS: dict[str, RunProtocol] = {
    "ope": RunProtocol("ope", "OPE", "ope", "ope", None, None,
                       "one-pass evaluation (Wu, Lim, Yang, CVPR 2013; every OPE toolkit)"),
    "vot_reset": RunProtocol("vot_reset", "VOT reset protocol", "vot_reset", "vot_reset", None, None,
                             "VOT supervised (baseline) experiment (VOT toolkit; pysot tools/test.py)"),
    "tre": RunProtocol("tre", "TRE", "ope", "ope", "tre", "ope",
                       "temporal robustness evaluation: Wu, Lim, Yang, TPAMI 2015; OTB MATLAB kit "
                       "util/splitSeqTRE.m (20 segments), perfPlot.m (pooled per sequence)"),
    "sre": RunProtocol("sre", "SRE", "ope", "ope", "sre", "ope",
                       "spatial robustness evaluation: Wu, Lim, Yang, TPAMI 2015; OTB MATLAB kit "
                       "util/shiftInitBB.m (8 shifts, 4 scales), main_running.m"),
    "longterm": RunProtocol("longterm", "long-term", "ope", "longterm", "longterm", "ope",
                            "VOT long-term experiment: one pass, per-frame confidence (pysot tools/test.py "
                            "for VOT2018-LT; pysot toolkit evaluation/f1_benchmark.py)", everywhere=True),
}


def run_protocol(name: str) -> RunProtocol:
    """The protocol called ``name``; an unknown name is an error listing the known ones."""
    if name not in RUN_PROTOCOLS:
        raise ValueError(f"unknown protocol {name!r}, known: {', '.join(RUN_PROTOCOLS)}")
    return RUN_PROTOCOLS[name]


def dataset_protocols(dataset: Any) -> list[str]:
    """The protocols a dataset (or its ``DatasetSpec``) can be run and scored under: its own, and
    those derived from it that apply everywhere or that the benchmark lists (OTB: TRE, SRE)."""
    spec = getattr(dataset, "spec", dataset)
    extra = getattr(spec, "extra_protocols", ())
    return [spec.protocol] + [p.name for p in RUN_PROTOCOLS.values()
                              if p.derives_from == spec.protocol and (p.everywhere or p.name in extra)]


def check_protocol(name: str, dataset: Any) -> RunProtocol:
    """``name``'s protocol if ``dataset`` supports it, else an error naming the ones it does."""
    proto = run_protocol(name)
    spec = getattr(dataset, "spec", dataset)
    allowed = dataset_protocols(spec)
    if name not in allowed:
        why = " (TRE and SRE are defined for the OTB benchmarks)" if name in ("tre", "sre") else ""
        raise ValueError(f"{spec.title} cannot be run under the {name} protocol{why}; its protocols: "
                         f"{', '.join(allowed)}")
    return proto


TRE_SEGMENTS = 20  # splitSeqTRE's segNum
TRE_MIN_LENGTH = 20  # splitSeqTRE's minNum: a segment has at least this many frames
# shiftInitBB's shift types, in main_running.m's shiftTypeSet order (SRE part k = SRE_SHIFTS[k-1])
SRE_SHIFTS = ("left", "right", "up", "down", "topLeft", "topRight", "bottomLeft", "bottomRight",
              "scale_8", "scale_9", "scale_11", "scale_12")


def _omitted(seq: Sequence) -> np.ndarray:
    """Frames the OTB kit does not start a segment on: initOmit ranges, invalid ground truth."""
    n = len(seq.gt)
    ok = np.ones(n, dtype=bool)
    first = int(seq.meta.get("start_frame", 1))  # initOmit holds image numbers
    for a, b in seq.meta.get("init_omit", ()):
        lo, hi = max(int(a) - first, 0), min(int(b) - first, n - 1)
        if lo <= hi:
            ok[lo:hi + 1] = False
    g = np.asarray(seq.gt[:, :4], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok &= np.isfinite(g).all(axis=1) & (g > 0).all(axis=1)  # the kit: r(1..4) > 0, no NaN
    return ~ok


def tre_starts(seq: Sequence, segments: int = TRE_SEGMENTS, min_length: int = TRE_MIN_LENGTH) -> list[int]:
    """The start frames (0-based) of the TRE segments of ``seq``, as the OTB kit's splitSeqTRE
    picks them: among the frames a tracker may start on (not in initOmit, valid ground truth),
    the last one with ``min_length`` frames to go ends the range; ``segments`` starts are spread
    evenly over it (``floor(1 : e/(segments-1) : e)`` and ``e``, 1-based)."""
    n = len(seq.gt)
    candidates = np.flatnonzero(~_omitted(seq))
    fit = np.flatnonzero(n - candidates >= min_length)
    if not len(fit):
        raise ValueError(f"{seq.name}: no frame to start a TRE segment on with {min_length} frames to go "
                         f"({n} frames, {len(candidates)} usable starts)")
    e = int(fit[-1]) + 1  # endSegIdx: how many candidates may start a segment
    steps = segments - 1
    # 1 + k*e/steps for k = 0, 1, ... while <= e, floored; integer arithmetic is exact here
    picks = [1 + (k * e) // steps for k in range(steps + 1) if k * e <= (e - 1) * steps] + [e]
    return [int(candidates[p - 1]) for p in picks]


def _mround(v: float) -> float:
    """MATLAB's round: half away from zero."""
    return math.copysign(math.floor(abs(v) + 0.5), v)


def shift_box(box: np.ndarray, kind: str, image_size: tuple[int, int] | None) -> np.ndarray:
    """The OTB kit's shiftInitBB: the initial box moved by 10% of its size (``left`` ... ``down``:
    the whole box; ``topLeft`` ...: one corner, the opposite one stays) or scaled about its centre
    (``scale_8`` = 0.8 ...), rounded as MATLAB rounds, then cut to the image (1-based pixels)."""
    x, y, w, h = (float(v) for v in box[:4])
    cx, cy = x + w / 2, y + h / 2
    brx, bry = x + w - 1, y + h - 1
    if kind.startswith("scale_"):
        ratio = int(kind.split("_")[1]) / 10
        nw, nh = ratio * w, ratio * h
        x, y, w, h = (_mround(v) for v in (cx - nw / 2, cy - nh / 2, nw, nh))
    elif kind in ("left", "right"):
        x += (1 if kind == "right" else -1) * math.ceil(0.1 * w)
    elif kind in ("up", "down"):
        y += (1 if kind == "down" else -1) * math.ceil(0.1 * h)
    elif kind in ("topLeft", "topRight", "bottomLeft", "bottomRight"):
        if kind.endswith("Left"):
            x = _mround(x - 0.1 * w)
        else:
            brx = _mround(brx + 0.1 * w)
        if kind.startswith("top"):
            y = _mround(y - 0.1 * h)
        else:
            bry = _mround(bry + 0.1 * h)
        w, h = brx - x + 1, bry - y + 1
    else:
        raise ValueError(f"unknown SRE shift {kind!r}, known: {', '.join(SRE_SHIFTS)}")
    x, y = max(x, 1.0), max(y, 1.0)
    if image_size is not None:
        img_w, img_h = image_size
        if x + w - 1 > img_w:
            w = img_w - x + 1
        if y + h - 1 > img_h:
            h = img_h - y + 1
    return np.array([x, y, w, h], dtype=np.float64)


def sre_regions(seq: Sequence) -> tuple[int, list[np.ndarray]]:
    """SRE's start frame (the first TRE segment's) and its 12 initial boxes, in ``SRE_SHIFTS`` order."""
    start = tre_starts(seq)[0]
    box = np.asarray(seq.gt[start, :4], dtype=np.float64)
    return start, [shift_box(box, kind, seq.image_size) for kind in SRE_SHIFTS]


def part_count(protocol: str) -> int:
    """Result files per sequence and run of ``protocol`` (TRE: 20 segments, SRE: 12 shifts, else 1)."""
    return {"tre": TRE_SEGMENTS, "sre": len(SRE_SHIFTS)}.get(protocol, 1)


def part_starts(protocol: str, seq: Sequence) -> list[int]:
    """The start frame of each part of ``protocol`` on ``seq`` (what its result files cover)."""
    if protocol == "tre":
        return tre_starts(seq)
    if protocol == "sre":
        return [tre_starts(seq)[0]] * len(SRE_SHIFTS)
    return [0]


def protocol_streams(protocol: str, seq: Sequence, params: Any, run_id: int | None = None) -> list[Stream]:
    """The OPE streams of one run of ``protocol`` on ``seq``; each is tagged ``(run_id, part)``
    (parts numbered from 1: TRE segments, SRE shifts; 1 for OPE and long-term)."""
    if protocol == "tre":
        return [Stream(params, (run_id, k), start=s) for k, s in enumerate(tre_starts(seq), start=1)]
    if protocol == "sre":
        start, boxes = sre_regions(seq)
        return [Stream(params, (run_id, k), start=start, init=tuple(float(v) for v in b))
                for k, b in enumerate(boxes, start=1)]
    return [Stream(params, (run_id, 1))]
