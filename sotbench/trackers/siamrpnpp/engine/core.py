"""The batched engine: many SiamRPN++ streams advanced in lockstep, one network pass per step.

Per step (``Engine._step``): the frames of the step arrive packed on the device (``feed.py``);
streams that (re)initialise get their template from one batched template pass, computed once
per (job, frame) and copied into each stream's slot; every tracking stream then goes through
one batched search crop, one network forward and one batched post-processing, reading and
writing its slot of the device buffers (state, kernels, padding colour, frame bounds,
``penalty_k``/``window_influence``/``lr``).  The step's boxes and scores are copied to pinned
host memory asynchronously; the host reads them ``lag`` steps later (the copy is long done by
then, so there is no per-frame synchronisation), records them and runs the VOT failure test.
A VOT failure on frame ``f`` is therefore known before frame ``f + skip_initialize`` is
launched as long as ``lag < skip_initialize``; the stream's frames in between were tracked
speculatively and are discarded (written as skipped, as the protocol says).

Batches are padded to a power of two (or the full batch) by repeating a stream, so the
network sees few distinct shapes (cuDNN autotuning and ``torch.compile`` work per shape).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from sotbench.jobs import Job, JobResult
from sotbench.protocols import StreamRecord, region_at
from sotbench.trackers.siamrpnpp.anchors import make_anchors, make_window
from sotbench.trackers.siamrpnpp.crop import PackedFrames
from sotbench.trackers.siamrpnpp.engine.decode import choose_decoder
from sotbench.trackers.siamrpnpp.engine.feed import Feeder, PackedStep
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions, auto_batch
from sotbench.trackers.siamrpnpp.engine.precision import PrecisionNet
from sotbench.trackers.siamrpnpp.engine.schedule import Planner
from sotbench.trackers.siamrpnpp.engine.slots import Slots
from sotbench.trackers.siamrpnpp.flavours import FLAVOUR_CLASSES, Knobs, MMTracking
from sotbench.trackers.siamrpnpp.model import SiamRPNpp
from sotbench.trackers.siamrpnpp.params import Params, score_size
from sotbench.vot_failures import vot_overlap_ok

__all__ = ["Engine", "EngineStats", "bucket"]

MAX_PLAN_AHEAD = 64


def bucket(n: int, cap: int) -> int:
    """The padded batch for ``n`` streams: the next power of two, at most ``cap``."""
    b = 1
    while b < n:
        b *= 2
    return min(b, cap)


@dataclass
class EngineStats:
    """Counters of one ``run``."""

    steps: int = 0
    stream_frames: int = 0  # tracked + initialised stream-frames
    tracked: int = 0
    templates: int = 0
    decoded_frames: int = 0
    decode_wait: float = 0.0  # compute thread waiting for frames
    wall: float = 0.0
    decoder: str = ""
    batches: dict[int, int] = field(default_factory=dict)  # padded batch -> steps

    @property
    def fps(self) -> float:
        """Stream-frames per second of wall time."""
        return self.stream_frames / self.wall if self.wall else 0.0


@dataclass
class _Launched:
    """A launched step whose boxes are not read yet."""

    step: int
    start: float
    inits: list[tuple[StreamRecord, int]]
    tracks: list[tuple[StreamRecord, int, tuple[int, int]]]
    host: torch.Tensor | None = None
    event: object = None
    frames: int = 0  # stream-frames of the step, skipped ones included (for progress bars)


class Engine:
    """Batched SiamRPN++ tracking for one parameter structure (knobs vary per stream)."""

    def __init__(self, model: SiamRPNpp, params: Params, device: torch.device,
                 options: EngineOptions | None = None, weights: dict | None = None):
        if params.long_term:
            raise ValueError("the batched engine does not run long_term (SiamRPNLTTracker: its search size "
                             "changes per stream); use the single-stream tracker")
        options = options or EngineOptions()
        self.p, self.device, self.options = params, device, options
        self.flavour = FLAVOUR_CLASSES[params.flavour]
        self.weights = dict(weights or {})
        size = score_size(params)
        self.anchors, self.window = make_anchors(params, size, device), make_window(params, size, device)
        self.batch = options.batch or auto_batch(device)
        self.net = PrecisionNet(model, options.precision, device, options.compile, compile_batch=self.batch)
        self.slots = Slots(self.batch, device, torch.uint8 if self.flavour is not MMTracking else torch.float32)
        self.stats = EngineStats()
        self._progress: Callable[[int], None] | None = None
        self._running = False

    def describe(self) -> dict:
        """Engine settings for run manifests."""
        return {"engine": "sotbench.engine", "batch": self.batch, **self.options.describe(),
                **self.net.describe(), "decoder_used": self.stats.decoder, "device": str(self.device)}

    # -- host <-> device helpers ----------------------------------------------------------------
    def _upload(self, arr: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(np.ascontiguousarray(arr))
        if self.device.type == "cuda":
            return t.pin_memory().to(self.device, non_blocking=True)
        return t

    def _download(self, t: torch.Tensor):
        if self.device.type != "cuda":
            return t, None
        host = torch.empty(t.shape, dtype=t.dtype, pin_memory=True)
        host.copy_(t, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        return host, event

    # -- the loop -------------------------------------------------------------------------------
    def run(self, jobs: Iterable[Job | None], progress: Callable[[int], None] | None = None) -> Iterator[JobResult]:
        """Run jobs (pulled lazily, ``None`` = none ready yet); yields each job when it ends.
        ``progress(n)`` is told the stream-frames of every step read back."""
        if self._running:
            raise RuntimeError("this engine is already running (one run at a time per engine)")
        self._running, self._progress = True, progress
        t0 = time.perf_counter()
        try:
            decoder = choose_decoder(self.options.decoder, self.options.precision, self.device,
                                     self.options.decode_threads)
            self.stats = EngineStats(decoder=decoder.name)
            feeder = Feeder(decoder, self.device)
            try:
                with torch.no_grad():
                    yield from self._loop(Planner(iter(jobs), self.batch), feeder)
            finally:
                feeder.close()
                decoder.close()
        finally:
            self.stats.wall = time.perf_counter() - t0
            self._running = False

    def _loop(self, planner: Planner, feeder: Feeder) -> Iterator[JobResult]:
        runs: dict[int, list[StreamRecord]] = {}
        ends: dict[int, int] = {}
        errors: dict[int, str] = {}
        ahead: deque = deque()
        launched: deque[_Launched] = deque()
        starts: dict[int, float] = {}
        collected = -1
        while True:
            self._plan_ahead(planner, feeder, ahead, runs, ends)
            if not ahead:
                break
            t_wait = time.perf_counter()
            packed = feeder.get()
            self.stats.decode_wait += time.perf_counter() - t_wait
            ahead.popleft()
            step = packed.plan.step
            starts[step] = time.perf_counter()
            for jid, msg in packed.errors.items():
                errors.setdefault(jid, msg)
            launched.append(self._step(packed, runs, errors))
            lag = 0 if packed.plan.empty else self._lag(runs)
            while launched and launched[0].step <= step - lag:
                collected = self._collect(launched.popleft(), starts)
            yield from self._finished(collected, runs, ends, errors, planner)
        while launched:
            collected = self._collect(launched.popleft(), starts)
        yield from self._finished(None, runs, ends, errors, planner)

    def _lag(self, runs: dict) -> int:
        """Steps to wait before reading a step's boxes (less than every running VOT job's skip)."""
        lag = self.options.lag
        for streams in runs.values():
            job = streams[0].job
            if job.protocol == "vot_reset":
                lag = min(lag, job.vot.skip_initialize - 1)
        return max(lag, 0)

    def _plan_ahead(self, planner: Planner, feeder: Feeder, ahead: deque, runs: dict, ends: dict) -> None:
        """Send plans to the feeder until enough frames are in flight."""
        in_flight = sum(len(p.frames) for p in ahead)
        while not planner.done and len(ahead) < MAX_PLAN_AHEAD and (
                len(ahead) < 2 or in_flight < self.options.prefetch_frames):
            if ahead and ahead[-1].empty:
                break  # the source has nothing now: do not run empty steps ahead of the compute
            plan = planner.plan()
            for jid in plan.starts:
                run = planner.jobs[jid]
                runs[jid] = [StreamRecord(stream, run.job, slot=slot)
                             for stream, slot in zip(run.job.streams, run.slots)]
                ends[jid] = run.end
            feeder.put(plan, {jid: planner.jobs[jid].job.seq.frames for jid, _ in plan.frames})
            ahead.append(plan)
            in_flight += len(plan.frames)

    def _finished(self, collected: int | None, runs: dict, ends: dict, errors: dict,
                  planner: Planner) -> Iterator[JobResult]:
        """Jobs whose last step has been read back (``None``: all)."""
        for jid in [j for j, e in ends.items() if collected is None or e <= collected]:
            del ends[jid]
            records = runs.pop(jid)
            job = planner.jobs[jid].job
            planner.forget(jid)
            yield JobResult(job, [None if r.error else r.output() for r in records],
                            errors=[r.error for r in records], error=errors.pop(jid, None))

    # -- one step ---------------------------------------------------------------------------------
    def _step(self, packed: PackedStep, runs: dict, errors: dict) -> _Launched:
        """Initialise and track the streams of one planned step; launch, do not wait."""
        plan = packed.plan
        packed.wait()
        inits: list[tuple[StreamRecord, int, int]] = []
        tracks: list[tuple[StreamRecord, int, int]] = []
        for jid, t in plan.frames:
            if jid in errors:
                continue
            for run in runs[jid]:
                action = run.action(t)
                if action == "init":
                    inits.append((run, jid, t))
                elif action == "track":
                    tracks.append((run, jid, t))
        self.stats.steps += 1
        self.stats.decoded_frames += len(plan.frames)
        launched = _Launched(plan.step, time.perf_counter(), [], [])
        launched.frames = sum(len(runs[jid]) for jid, _ in plan.frames)
        if inits:
            launched.inits = self._init(packed, inits)
        if tracks:
            launched.host, launched.event = self._search(packed, tracks)
            launched.tracks = [(run, t, (int(packed.width[packed.index[jid]]), int(packed.height[packed.index[jid]])))
                               for run, jid, t in tracks]
        self.stats.stream_frames += len(launched.inits) + len(tracks)
        self.stats.tracked += len(tracks)
        return launched

    def _init_states(self, packed: PackedStep, groups: dict) -> tuple[list, list, list]:
        """Host side of the initialisations: the flavour's init state and frame-0 box per
        (job, frame); a region the tracker cannot start from fails its streams."""
        keys, states, boxes = [], [], []
        for key, members in groups.items():
            t = key[1]
            region = members[0].region(t)
            try:
                state, box = self.flavour.init(region)
            except ZeroDivisionError:  # a polygon without area
                state, box = np.full(4, np.nan), None
            state = np.asarray(state, dtype=np.float64)
            if not (np.isfinite(state).all() and state[2] > 0 and state[3] > 0):
                for run in members:
                    run.error = (f"ValueError: cannot initialise SiamRPN++ from region {np.asarray(region).tolist()} "
                                 f"on frame {t} (gives centre/size {state.tolist()})")
                continue
            keys.append(key)
            states.append(state)
            boxes.append(box)
        return keys, states, boxes

    def _init(self, packed: PackedStep, inits: list) -> list[tuple[StreamRecord, int]]:
        """One template pass for the distinct (job, frame, initial region) initialisations of the step."""
        groups: dict[tuple, list[StreamRecord]] = {}
        for run, jid, t in inits:
            # streams of a job that start on one frame from one region share a template (SRE's
            # shifted boxes do not)
            groups.setdefault((jid, t, run.region(t).tobytes()), []).append(run)
        keys, states, boxes = self._init_states(packed, groups)
        if not keys:
            return []
        u = len(keys)
        frames = [packed.frame(key[0]) for key in keys]
        pad = torch.stack([self.flavour.padding_tensor(f) for f in frames])
        ks = [packed.index[key[0]] for key in keys]
        meta = self._upload(np.stack([packed.base[ks], packed.height[ks], packed.width[ks]], axis=1))
        state = self._upload(np.stack(states))
        pf = PackedFrames(packed.pixels, meta[:, 0], meta[:, 1], meta[:, 2])
        z = self.flavour.template_crop(pf, state, torch.zeros(u, dtype=torch.bool, device=self.device), self.p, pad)
        nb = bucket(u, max(u, self.batch))
        if nb > u:
            z = torch.cat([z, z[:1].expand(nb - u, *z.shape[1:])])
        kernels = self.net.template(z)
        self.stats.templates += u
        out, slots, which, params = [], [], [], []
        for i, (key, box) in enumerate(zip(keys, boxes)):
            for run in groups[key]:
                slots.append(run.slot)
                which.append(i)
                params.append(run.stream.params)
                run.initialised(key[1], box)
                out.append((run, key[1]))
        bounds = torch.stack([meta[:, 2], meta[:, 1]], dim=1).to(torch.float64)
        knobs = Knobs.of(params, self.device)
        self.slots.initialise(self._upload(np.array(slots, dtype=np.int64)), self._upload(np.array(which, dtype=np.int64)),
                              kernels, state, pad, bounds, knobs)
        return out

    def _search(self, packed: PackedStep, tracks: list):
        """One batched search step (crop, network, post-processing, state update)."""
        n = len(tracks)
        nb = bucket(n, self.batch)
        rows = [(run.slot, packed.index[jid]) for run, jid, _ in tracks]
        rows += [rows[0]] * (nb - n)
        slot_idx = np.array([r[0] for r in rows], dtype=np.int64)
        ks = np.array([r[1] for r in rows], dtype=np.int64)
        meta = self._upload(np.stack([slot_idx, packed.base[ks], packed.height[ks], packed.width[ks]], axis=1))
        idx = meta[:, 0].contiguous()
        state, f32, pad, bounds, knobs, kernels = self.slots.gather(idx)
        pf = PackedFrames(packed.pixels, meta[:, 1], meta[:, 2], meta[:, 3])
        x, scale_z = self.flavour.search_crop(pf, state, f32, self.p, self.p.instance_size, pad)
        cls_map, loc = self.net.track(x, kernels)
        post = self.flavour.postprocess(cls_map, loc, self.anchors, self.window, state, f32, scale_z, knobs,
                                        bounds, self.p, False)
        self.slots.update(idx[:n], post.state[:n], self.flavour is MMTracking)
        self.stats.batches[nb] = self.stats.batches.get(nb, 0) + 1
        summary = torch.cat([post.box[:n], post.best_score[:n, None].to(torch.float64)], dim=1)
        return self._download(summary)

    def _collect(self, ls: _Launched, starts: dict) -> int:
        """Read a launched step's boxes back; record them (and the VOT failure test)."""
        if ls.event is not None:
            ls.event.synchronize()
        end = starts.get(ls.step + 1, time.perf_counter())
        starts.pop(ls.step, None)
        dt = (end - ls.start) / max(1, len(ls.inits) + len(ls.tracks))
        for run, t in ls.inits:
            run.times[t] = dt
        if self._progress is not None:
            self._progress(ls.frames)
        if not ls.tracks:
            return ls.step
        rows = ls.host.numpy()
        ok = np.ones(len(rows), dtype=bool)
        vot = [k for k, (run, _, _) in enumerate(ls.tracks) if run.vot]
        if vot:
            regions = [region_at(ls.tracks[k][0].job.seq, ls.tracks[k][1]) for k in vot]
            bounds = np.array([ls.tracks[k][2] for k in vot], dtype=np.float64)
            thresholds = {ls.tracks[k][0].job.vot.failure_overlap for k in vot}
            if len(thresholds) == 1:
                ok[vot] = vot_overlap_ok(rows[vot, :4], regions, bounds, thresholds.pop())
            else:
                for j, k in enumerate(vot):
                    ok[k] = vot_overlap_ok(rows[k:k + 1, :4], [regions[j]], bounds[j:j + 1],
                                           ls.tracks[k][0].job.vot.failure_overlap)[0]
        for k, (run, t, _) in enumerate(ls.tracks):
            run.tracked(t, rows[k, :4].copy(), float(rows[k, 4]), bool(ok[k]))
            run.times[t] = dt
        return ls.step
