"""Trackers marked deterministic give each sequence the same boxes whatever ran before in the
process (other sequences, other streams stepped in lockstep), so resumed runs are byte-identical."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.datasets import load_dataset
from sotbench.datasets.base import VotSettings
from sotbench.jobs import Job, Stream
from sotbench.run import RunOptions, run_dataset
from sotbench.trackers import TrackerSpec
from sotbench.trackers.lockstep import run_ope, run_vot_reset, step_job

DETERMINISTIC = ["opencv-mil", "opencv-csrt", "opencv-kcf", "ncc", "identity"]


@pytest.fixture(scope="module")
def ds(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_a_sequence_does_not_depend_on_earlier_ones(ds, name):
    spec = TrackerSpec(name)
    if not getattr(spec.build(), "deterministic", True):
        pytest.skip(f"{name} is not marked deterministic here")
    first = run_ope(spec.build(), ds["ScaleUp"]).boxes
    run_ope(spec.build(), ds["Drift"])
    again = run_ope(spec.build(), ds["ScaleUp"]).boxes
    np.testing.assert_array_equal(first, again)


def test_mil_streams_stepped_together_do_not_share_randomness(ds):
    spec, seq = TrackerSpec("opencv-mil"), ds["Occluder"]
    vot = VotSettings(repetitions=2, skip_initialize=5)
    alone = run_vot_reset(spec.build(), seq, vot)
    together = step_job([spec.build(), spec.build()], Job(seq, [Stream(None, 1), Stream(None, 2)], "vot_reset", vot))
    for output in together.outputs:
        assert [np.ravel(v).tolist() for v in output.lines] == [np.ravel(v).tolist() for v in alone.lines]


@pytest.mark.slow
def test_resumed_mil_run_is_byte_identical(ds, tmp_path):
    spec, names = TrackerSpec("opencv-mil"), ("Drift", "ScaleUp", "Lights", "Bounce")
    run_dataset(spec, ds, RunOptions(out=tmp_path / "whole", sequences=names, progress=False))
    run_dataset(spec, ds, RunOptions(out=tmp_path / "resumed", sequences=names[2:], progress=False))
    run_dataset(spec, ds, RunOptions(out=tmp_path / "resumed", sequences=names, progress=False))  # resumed
    whole, resumed = tmp_path / "whole" / "synthetic" / "opencv-mil", tmp_path / "resumed" / "synthetic" / "opencv-mil"
    for name in names:
        assert (whole / f"{name}.txt").read_bytes() == (resumed / f"{name}.txt").read_bytes(), name
