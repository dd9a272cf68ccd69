"""A resume into an existing run folder refuses when anything that determines the results differs
from its manifest (weights, full parameters, precision/decoder, protocol settings, dataset),
says which fields differ, and --force or another --out proceeds."""

from __future__ import annotations

import json
import textwrap

import pytest

from sotbench.cli import main

PLUGIN = textwrap.dedent('''
    import hashlib

    import numpy as np

    from sotbench.trackers import TrackerDef
    from sotbench.trackers.lockstep import LockstepBackend

    DEFAULTS = {"dx": 1.0}


    class Weighted:
        """Moves the box by dx plus the first byte of its weights file per frame."""

        deterministic = True

        def __init__(self, params, checkpoint):
            self.dx = float(params["dx"])
            self.data = open(checkpoint, "rb").read() if checkpoint else b"\\0"
            self.step = self.dx + self.data[0]

        def init(self, image, region):
            self.box = np.asarray(region[:4], float)

        def update(self, image):
            self.box = self.box + [self.step, 0, 0, 0]
            return self.box

        def weights_info(self):
            return {"sha256": hashlib.sha256(self.data).hexdigest()}


    def parse(values):
        unknown = sorted(set(values) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"unknown parameters {unknown}")
        return {**DEFAULTS, **values}  # the full typed parameters: defaults filled in


    class Described(LockstepBackend):
        """The lockstep backend, reporting precision and decoder as a batch backend does."""

        def __init__(self, resolved, options):
            super().__init__(resolved)
            self.options = options

        def describe(self):
            return {"backend": "described", "precision": self.options.precision, "decoder": self.options.decoder}


    TRACKER = TrackerDef(name="weighted", build=lambda p, o: Weighted(p, o.checkpoint), parse=parse,
                         batch_backend=Described)
''')


@pytest.fixture()
def weighted(plugin_module):
    return plugin_module("weightedplug", PLUGIN) + ":TRACKER"


@pytest.fixture()
def run(synthetic_root, tmp_path, weighted, capsys):
    def run(*extra: str, out: str = "out") -> tuple[int, str]:
        code = main(["run", "--tracker", weighted, "--dataset", "synthetic", "--root", str(synthetic_root),
                     "--sequences", "Drift", "--out", str(tmp_path / out), "--name", "w", "--no-progress", *extra])
        return code, capsys.readouterr().err.strip()
    return run


def _weights(tmp_path, name: str, first: int):
    path = tmp_path / name
    path.write_bytes(bytes([first]) + b"weights")
    return str(path)


def test_other_weights_refuse_to_mix(tmp_path, run):
    a, b = _weights(tmp_path, "a.bin", 1), _weights(tmp_path, "b.bin", 2)
    result = tmp_path / "out" / "synthetic" / "w" / "Drift.txt"
    assert run("--checkpoint", a)[0] == 0
    kept = result.read_bytes()
    code, err = run("--checkpoint", b)
    assert code == 2 and len(err.splitlines()) == 1
    assert "holds results computed with other settings (weights: stored" in err and "--force" in err
    assert result.read_bytes() == kept  # nothing replaced, nothing mixed
    manifest = json.loads((tmp_path / "out" / "synthetic" / "w" / "run.json").read_text())
    assert manifest["tracker"]["checkpoint"] == a
    # the same bytes under another path are the same weights
    copy = tmp_path / "copy.bin"
    copy.write_bytes((tmp_path / "a.bin").read_bytes())
    assert run("--checkpoint", str(copy))[0] == 0
    # --force or a new --out proceed
    assert run("--checkpoint", b, "--force")[0] == 0 and result.read_bytes() != kept
    assert run("--checkpoint", a, out="other")[0] == 0


def test_full_parameters_are_compared(run):
    assert run()[0] == 0
    assert run("--set", "dx=1.0")[0] == 0  # the default given explicitly: the same parameters
    code, err = run("--set", "dx=2.0")
    assert code == 2 and "params.dx: stored 1.0, now 2.0" in err


def test_precision_and_decoder_are_compared(run):
    assert run()[0] == 0
    code, err = run("--precision", "bf16")
    assert code == 2 and 'precision: stored "fp32", now "bf16"' in err
    code, err = run("--decoder", "cpu")
    assert code == 2 and 'decoder: stored "auto", now "cpu"' in err


def test_protocol_settings_are_compared(synthetic_root, tmp_path, weighted, capsys):
    from sotbench.datasets.base import DatasetSpec, VotSettings
    from sotbench.datasets.folder import FolderDataset
    from sotbench.run import RunError, RunOptions, run_dataset
    from sotbench.trackers import TrackerSpec

    class Reset(FolderDataset):
        spec = DatasetSpec(key="reset-test", title="reset test", folder="reset", protocol="vot_reset",
                           vot=VotSettings(repetitions=3, skip_initialize=5))

    ds = Reset(root=synthetic_root)
    spec = TrackerSpec(weighted, name="w")
    run_dataset(spec, ds, RunOptions(out=tmp_path, sequences=("Drift",), repetitions=2, progress=False))
    with pytest.raises(RunError, match=r"protocol.repetitions: stored 2, now 3"):
        run_dataset(spec, ds, RunOptions(out=tmp_path, sequences=("Drift",), repetitions=3, progress=False))


def test_manifests_from_before_full_parameters_still_compare_the_spec():
    from sotbench.run import resume_differences

    old = {"tracker": {"tracker": "t", "params": {"dx": 1}}, "protocol": {"name": "ope", "repetitions": 1},
           "dataset": {"key": "synthetic", "split": "test", "version": 1}, "engine": {"precision": "fp32"}}
    same = {**old, "params": {"dx": 1, "dy": 0}, "backend": {"precision": "fp32"}}
    assert resume_differences(old, same) == []
    other = {**same, "tracker": {"tracker": "t", "params": {"dx": 2}}}
    assert resume_differences(old, other) == ["params.dx: stored 1, now 2"]
