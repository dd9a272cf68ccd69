"""The batch seam: a tracker from outside sotbench brings its own batch backend and runs through
``sotbench run`` and ``sotbench search`` without any change to generic code."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset

TOY = textwrap.dedent('''
    """A toy batched tracker: the box drifts right by ``dx`` pixels per frame."""
    import numpy as np

    from sotbench.jobs import JobResult
    from sotbench.protocols import StreamRecord
    from sotbench.vot_failures import vot_overlap_ok

    CALLS = []  # (sequence, streams) of every job the backend was handed


    class ToyBackend:
        capacity = 4
        deterministic = True

        def __init__(self, resolved, options):
            self.resolved = resolved

        def run(self, jobs, progress=None):
            for job in jobs:
                if job is None:
                    continue
                CALLS.append((job.seq.name, len(job.streams)))
                recs = [StreamRecord(s, job) for s in job.streams]
                dx = np.array([float(s.params["dx"]) for s in job.streams])  # all streams at once
                boxes = np.zeros((len(recs), 4))
                for t in range(job.length):
                    for k, rec in enumerate(recs):
                        if rec.action(t) == "init":
                            boxes[k] = np.asarray(rec.region(t), float)[:4]
                            rec.initialised(t, boxes[k].copy())
                    tracking = [k for k, rec in enumerate(recs) if rec.action(t) == "track"]
                    boxes[tracking, 0] += dx[tracking]
                    for k in tracking:
                        recs[k].tracked(t, boxes[k].copy(), 1.0, True)
                yield JobResult(job, [r.output() for r in recs], errors=[None] * len(recs))

        def describe(self):
            return {"backend": "toy"}

        def tracker_info(self):
            return {"params": dict(self.resolved.params)}


    class Toy:
        """Single-stream version (what --no-engine runs)."""
        stream_params = ("dx",)
        search_space = {"dx": (0.0, 2.0)}
        batch_backend = staticmethod(ToyBackend)

        def __init__(self, dx=1.0):
            self.dx = float(dx)

        def init(self, image, region):
            self.box = np.asarray(region[:4], float)

        def update(self, image):
            self.box = self.box + [self.dx, 0, 0, 0]
            return self.box
''')


@pytest.fixture()
def toy(plugin_module):
    plugin_module("toyplug", TOY)
    import toyplug

    return toyplug


def test_run_uses_the_trackers_backend_and_writes_what_single_streams_write(toy, synthetic_root, tmp_path):
    args = ["run", "--tracker", "toyplug:Toy", "--dataset", "synthetic", "--root", str(synthetic_root),
            "--set", "dx=0.5", "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert len(toy.CALLS) == 8 and all(n == 1 for _, n in toy.CALLS)
    assert main([*args, "--out", str(tmp_path / "b"), "--no-engine"]) == 0
    assert len(toy.CALLS) == 8  # the lockstep backend ran the class itself
    a, b = tmp_path / "a/synthetic/Toy", tmp_path / "b/synthetic/Toy"
    for name in load_dataset("synthetic", root=synthetic_root).names:
        np.testing.assert_array_equal(np.loadtxt(a / f"{name}.txt", delimiter=","),
                                      np.loadtxt(b / f"{name}.txt", delimiter=","))
    assert json.loads((a / "run.json").read_text())["backend"] == {"backend": "toy"}


def test_search_batches_trials_through_the_trackers_backend(toy, synthetic_root, tmp_path):
    preset = tmp_path / "toy.yaml"
    preset.write_text("tracker: toyplug:Toy\nparams: {dx: 1.0}\n")
    sweep = tmp_path / "toy-sweep.yaml"
    sweep.write_text(f"preset: {preset}\ndataset: synthetic\nsplit: val\nroot: {synthetic_root}\n"
                     "trials: 6\ntrial_batch: 3\npruner: none\nsampler: {type: random, seed: 0}\n")
    assert main(["search", str(sweep), "--out", str(tmp_path / "study"), "--no-progress"]) == 0
    assert toy.CALLS and max(n for _, n in toy.CALLS) == 3  # three trials per job, one job per sequence
    best = (tmp_path / "study/best.yaml").read_text()
    assert "dx:" in best  # the tracker's own default space (search_space) was searched


def test_parameters_are_resolved_and_the_tracker_built_once_per_run(synthetic_root, tmp_path, monkeypatch):
    from dataclasses import replace

    import sotbench.presets as presets
    from sotbench.trackers import ncc

    counts = {"parse": 0, "build": 0, "preset": 0}
    init, load = ncc.NCCTracker.__init__, presets.load_preset

    def counting_parse(values):
        counts["parse"] += 1
        return ncc.NCCParams.from_dict(values)

    def counting_init(self, **params):
        counts["build"] += 1
        init(self, **params)

    def counting_load(path):
        counts["preset"] += 1
        return load(path)

    monkeypatch.setattr(ncc, "TRACKER", replace(ncc.TRACKER, parse=counting_parse))
    monkeypatch.setattr(ncc.NCCTracker, "__init__", counting_init)
    monkeypatch.setattr(presets, "load_preset", counting_load)
    monkeypatch.setattr("sotbench.commands.run.load_preset", counting_load)
    assert main(["run", "--tracker", "ncc/default", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--out", str(tmp_path), "--no-progress"]) == 0
    # one preset read, one check of the parameters, one tracker for all 8 sequences
    assert counts == {"parse": 1, "build": 1, "preset": 1}


def test_the_siamrpnpp_default_preset_is_read_once(monkeypatch):
    import sotbench.presets as presets
    from sotbench.trackers.siamrpnpp import params as P

    P.default_preset.cache_clear()
    calls = []
    load = presets.load_preset
    monkeypatch.setattr(presets, "load_preset", lambda path: calls.append(path) or load(path))
    for lr in (0.1, 0.2, 0.3):
        assert P.with_defaults({"lr": lr}).lr == lr
    assert len(calls) == 1
    P.default_preset.cache_clear()
