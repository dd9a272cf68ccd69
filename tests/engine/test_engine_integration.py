"""The engine inside ``sotbench run`` and ``sotbench search`` (fixture weights, a few real frames).

``run``: the engine's result files equal the lockstep backend's (``--no-engine``) to the
files' 4 decimals (1e-4 allowed for rounding), the manifest records the engine.  ``search``:
trials through the engine give what the lockstep backend gives, bad parameter sets fail alone,
and with several sequences in flight a trial pruned before a sequence starts is left out of it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sotbench.cli import main as cli
from sotbench.datasets import load_dataset
from sotbench.search.trials import TrialFailure, TrialRunner
from sotbench.trackers import TrackerSpec
from sotbench.trackers.backends import BackendOptions


def _run(root, out, checkpoint, *extra):
    return cli(["run", "--tracker", "siamrpnpp/pysot-vot2018", "--dataset", "folder", "--root", str(root),
                "--checkpoint", str(checkpoint), "--device", "cpu", "--out", str(out), "--no-progress", *extra])


def test_run_through_the_engine_writes_the_per_sequence_runners_files(folder_root, tmp_path, randw_checkpoint,
                                                                      monkeypatch):
    monkeypatch.setenv("SOTBENCH_WEIGHTS", str(tmp_path / "none"))
    assert _run(folder_root, tmp_path / "engine", randw_checkpoint, "--batch", "2") == 0
    assert _run(folder_root, tmp_path / "single", randw_checkpoint, "--no-engine") == 0
    a, b = tmp_path / "engine/custom/siamrpnpp-pysot-vot2018", tmp_path / "single/custom/siamrpnpp-pysot-vot2018"
    for seq, n in (("bag", 4), ("Couple", 3)):
        got, want = np.loadtxt(a / f"{seq}.txt", delimiter=","), np.loadtxt(b / f"{seq}.txt", delimiter=",")
        assert got.shape == (n, 4)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
        assert len((a / f"{seq}_time.txt").read_text().split()) == n
    manifest = json.loads((a / "run.json").read_text())
    assert manifest["backend"]["batch"] == 2 and manifest["backend"]["precision"] == "fp32"
    assert manifest["backend"]["decoder_used"] == "cpu" and manifest["status"] == "finished"
    assert manifest["summary"]["frames"] == 7
    assert json.loads((b / "run.json").read_text())["backend"] == {"backend": "lockstep"}
    # resuming in another precision would mix results: refused
    assert _run(folder_root, tmp_path / "engine", randw_checkpoint, "--precision", "bf16") == 2


def test_precision_needs_the_engine(folder_root, tmp_path, randw_checkpoint, capsys):
    assert _run(folder_root, tmp_path / "x", randw_checkpoint, "--no-engine", "--precision", "tf32") == 2
    assert "--precision tf32 needs the tracker's own batch backend" in capsys.readouterr().err


def test_trials_through_the_engine_match_the_lockstep_backend(folder_root, randw_checkpoint):
    base = TrackerSpec("siamrpnpp", {"flavour": "pysot", "penalty_k": 0.05, "window_influence": 0.42, "lr": 0.38},
                       checkpoint=str(randw_checkpoint), device="cpu")
    ds = load_dataset("folder", root=folder_root)
    trials = {0: {"lr": 0.3}, 1: {"penalty_k": 0.2, "window_influence": 0.3}, 2: {"window_influence": 2.0}}
    engine = TrialRunner(base, ds, BackendOptions(batch=2))
    [(_, got)] = engine.iter_sequences(["Couple"], lambda: dict(trials))  # two good trials: one pass of 2 streams
    [(_, want)] = TrialRunner(base, ds, BackendOptions(own_backend=False)).iter_sequences(
        ["Couple"], lambda: {k: trials[k] for k in (0, 1)})
    for k in (0, 1):
        np.testing.assert_allclose(got[k].boxes, want[k].boxes, rtol=0, atol=1e-3)
    assert isinstance(got[2], TrialFailure) and "window_influence must be in [0, 1]" in got[2].message
    # many sequences in flight: results in order; a trial pruned before "Couple" starts is left out
    calls = []

    def active():
        calls.append(1)
        return {7: trials[0], 9: trials[1]} if len(calls) <= 2 else {7: trials[0]}
    out = list(engine.iter_sequences(["bag", "Couple"], active))
    assert [name for name, _ in out] == ["bag", "Couple"]
    assert sorted(out[0][1]) == [7, 9] and sorted(out[1][1]) == [7]
    np.testing.assert_allclose(out[1][1][7].boxes, got[0].boxes, rtol=0, atol=1e-3)
    [(_, alone)] = engine.iter_sequences(["bag"], lambda: {0: trials[1]})
    np.testing.assert_allclose(out[0][1][9].boxes, alone[0].boxes, rtol=0, atol=1e-3)
