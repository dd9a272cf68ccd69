"""The runner: result files, manifest, resume, force, failures, parallel workers, reset protocol."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.datasets.base import DatasetSpec, VotSettings
from sotbench.datasets.folder import FolderDataset
from sotbench.results import RunDir
from sotbench.run import RunError, RunOptions, run_dataset
from sotbench.trackers import TrackerSpec
from sotbench.trackers.backends import BackendOptions

PLUGIN = textwrap.dedent('''
    import numpy as np

    class Shift:
        """Moves the initial box by ``dx`` pixels per frame."""
        deterministic = True

        def __init__(self, dx=0.0):
            self.dx = float(dx)

        def init(self, image, region):
            self.box = np.asarray(region[:4], float)

        def update(self, image):
            self.box = self.box + [self.dx, 0, 0, 0]
            return self.box, 0.5

        def params(self):
            return {"dx": self.dx}
''')


@pytest.fixture()
def plugin(plugin_module):
    return plugin_module("shiftplug", PLUGIN) + ":Shift"


def test_identity_writes_pysot_layout(synthetic_root, tmp_path):
    ds = load_dataset("synthetic", root=synthetic_root)
    summary = run_dataset(TrackerSpec("identity"), ds, RunOptions(out=tmp_path, progress=False))
    assert summary.ok and len(summary.done) == 8 and summary.frames == 640
    store = RunDir(tmp_path / "synthetic" / "identity")
    boxes = np.loadtxt(store.ope_path("Drift"), delimiter=",")
    assert boxes.shape == (80, 4)
    np.testing.assert_allclose(boxes, np.repeat(ds["Drift"].gt[:1], 80, axis=0))
    assert len(np.loadtxt(store.time_path("Drift"))) == 80
    manifest = store.read_manifest()
    assert manifest["status"] == "finished" and manifest["dataset"]["key"] == "synthetic"
    assert manifest["tracker"]["tracker"] == "identity" and manifest["summary"]["frames"] == 640
    assert "versions" in manifest["environment"]


def test_resume_skips_finished_and_force_redoes(synthetic_root, tmp_path, plugin):
    ds = load_dataset("synthetic", root=synthetic_root)
    spec = TrackerSpec(plugin, params={"dx": 1.0}, name="shift")
    first = run_dataset(spec, ds, RunOptions(out=tmp_path, sequences=("Drift", "Jumps"), progress=False))
    assert sorted(first.done) == ["Drift", "Jumps"]
    path = RunDir(first.run_dir).ope_path("Drift")
    before = path.stat().st_mtime_ns
    second = run_dataset(spec, ds, RunOptions(out=tmp_path, progress=False))
    assert sorted(second.skipped) == ["Drift", "Jumps"] and len(second.done) == 6
    assert path.stat().st_mtime_ns == before
    third = run_dataset(spec, ds, RunOptions(out=tmp_path, sequences=("Drift",), force=True, progress=False))
    assert third.done == ["Drift"]
    boxes = np.loadtxt(path, delimiter=",")
    assert boxes[-1, 0] - boxes[0, 0] == pytest.approx(79.0)


def test_other_parameters_refuse_to_mix(synthetic_root, tmp_path, plugin):
    ds = load_dataset("synthetic", root=synthetic_root)
    opts = RunOptions(out=tmp_path, sequences=("Drift",), progress=False)
    run_dataset(TrackerSpec(plugin, params={"dx": 1.0}, name="shift"), ds, opts)
    with pytest.raises(RunError, match=r"other settings \(params.dx: stored 1.0, now 2.0\)"):
        run_dataset(TrackerSpec(plugin, params={"dx": 2.0}, name="shift"), ds, opts)


def test_parallel_jobs_match_sequential(synthetic_root, tmp_path):
    ds = load_dataset("synthetic", root=synthetic_root)
    run_dataset(TrackerSpec("identity", name="a"), ds, RunOptions(out=tmp_path, progress=False))
    run_dataset(TrackerSpec("identity", name="b"), ds, RunOptions(out=tmp_path, tracking=BackendOptions(jobs=2), progress=False))
    for name in ds.names:
        a = (tmp_path / "synthetic" / "a" / f"{name}.txt").read_text()
        assert a == (tmp_path / "synthetic" / "b" / f"{name}.txt").read_text()


def test_parallel_workers_resolve_relative_paths_in_the_callers_folder(synthetic_root, tmp_path, monkeypatch):
    """Worker processes are reused between runs and keep the folder they started in: relative
    ``out`` and dataset roots must mean the caller's folder at the time of the run."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        (folder / "data").symlink_to(synthetic_root)
    for folder in (first, second):  # the second run reuses the workers started in the first folder
        monkeypatch.chdir(folder)
        ds = load_dataset("synthetic", root="data")
        name = ds.names[0]
        summary = run_dataset(TrackerSpec("identity"), ds, RunOptions(out="results", tracking=BackendOptions(jobs=2), progress=False,
                                                                      sequences=(name,)))
        assert summary.ok, summary.failed
        assert (folder / "results/synthetic/identity" / f"{name}.txt").is_file()


def _broken_tree(root):
    from sotbench.datasets.synthetic import generate

    generate(root)
    (root / "Drift" / "groundtruth_rect.txt").write_text("1,2,3,4\n" * 40 + "1,2,3\n" + "1,2,3,4\n" * 39)
    (root / "Lights" / "img" / "0007.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    return root


def test_bad_input_fails_one_sequence_and_the_rest_continue(tmp_path, capsys):
    root = _broken_tree(tmp_path / "data")
    out = tmp_path / "out"
    status = main(["run", "--tracker", "identity", "--dataset", "folder", "--root", str(root),
                   "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{root / 'Drift' / 'groundtruth_rect.txt'}:41" in err and "expected 4 or 8 numbers, found 3" in err
    assert "0007.jpg" in err and "corrupt JPEG" in err
    run = out / "custom" / "identity"
    assert not (run / "Drift.txt").exists() and not (run / "Lights.txt").exists()
    written = [p for p in run.glob("*.txt") if not p.name.endswith("_time.txt")]
    assert len(written) == 10  # the 10 other sequences of the tree (test + val folders)
    assert json.loads((run / "run.json").read_text())["status"] == "incomplete"


def test_unknown_names_list_valid_ones(capsys):
    assert main(["run", "--tracker", "identiy", "--dataset", "synthetic"]) == 2
    assert "known trackers and presets: identity" in capsys.readouterr().err
    assert main(["run", "--tracker", "identity", "--dataset", "otb"]) == 2
    assert "known: otb100" in capsys.readouterr().err


class _ResetSynthetic(FolderDataset):
    spec = DatasetSpec(key="reset-test", title="reset test", folder="reset", protocol="vot_reset",
                       vot=VotSettings(repetitions=3, skip_initialize=5))


def test_vot_reset_protocol_codes(synthetic_root, tmp_path, plugin):
    ds = _ResetSynthetic(root=synthetic_root)
    spec = TrackerSpec(plugin, params={"dx": 9.0}, name="shift")
    summary = run_dataset(spec, ds, RunOptions(out=tmp_path, sequences=("Drift",), progress=False))
    store = RunDir(summary.run_dir)
    reps = store.vot_repetitions("Drift")
    assert len(reps) == 3  # deterministic: stops after 3 identical repetitions
    lines = reps[0].read_text().splitlines()
    assert len(lines) == 80 and lines[0] == "1"
    first_fail = lines.index("2")
    assert lines[first_fail + 1 : first_fail + 5] == ["0"] * 4 and lines[first_fail + 5] == "1"
    # the tracker moves 9 px per frame: a 48 px wide box loses all overlap within a few frames
    assert 2 <= first_fail <= 20
    assert store.is_done("Drift", "vot_reset", 3)
