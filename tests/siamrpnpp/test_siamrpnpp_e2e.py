"""``sotbench run`` with SiamRPN++ on a few real frames: one-pass (OTB sequence, generated
checkpoint, through the CLI) and the VOT reset protocol (VOT2018 bag polygons, random weights)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sotbench.cli import main as cli
from sotbench.datasets.base import DatasetSpec, VotSettings
from sotbench.datasets.folder import FolderDataset
from sotbench.frames import decode_image
from sotbench.run import RunOptions, run_dataset
from sotbench.trackers import TrackerSpec
from sotbench.trackers.siamrpnpp.weights import file_sha256

N_FRAMES = 3


@pytest.fixture
def otb_root(shared, tmp_path):
    """OTB layout with the first frames of Couple."""
    src = shared / "data/sequences/OTB100/Couple"
    seq = tmp_path / "otb" / "Couple"
    (seq / "img").mkdir(parents=True)
    for i in range(1, N_FRAMES + 1):
        (seq / "img" / f"{i:04d}.jpg").symlink_to(src / "img" / f"{i:04d}.jpg")
    rows = (src / "groundtruth_rect.txt").read_text().splitlines()[:N_FRAMES]
    (seq / "groundtruth_rect.txt").write_text("\n".join(rows) + "\n")
    return tmp_path / "otb"


def test_ope_through_the_cli(otb_root, tmp_path, randw_checkpoint, make_tracker, monkeypatch):
    monkeypatch.setenv("SOTBENCH_WEIGHTS", str(tmp_path / "none"))
    out = tmp_path / "res"
    rc = cli(["run", "--tracker", "siamrpnpp/pysot-vot2018", "--set", "lr=0.3", "--dataset", "folder",
              "--root", str(otb_root), "--checkpoint", str(randw_checkpoint), "--device", "cpu",
              "--out", str(out), "--no-progress"])
    assert rc == 0
    run = out / "custom" / "siamrpnpp-pysot-vot2018"
    boxes = np.loadtxt(run / "Couple.txt", delimiter=",")
    assert boxes.shape == (N_FRAMES, 4)
    gt = np.loadtxt(otb_root / "Couple/groundtruth_rect.txt")[0]
    np.testing.assert_array_equal(boxes[0], [gt[0] + 0.5, gt[1] + 0.5, gt[2], gt[3]])  # pysot's frame 0
    manifest = json.loads((run / "run.json").read_text())
    info = manifest["tracker_info"]
    assert info["weights"]["sha256"] == file_sha256(randw_checkpoint)
    assert info["params"]["lr"] == 0.3 and info["params"]["flavour"] == "pysot"
    assert info["device"]["device"] == "cpu" and manifest["status"] == "finished"
    # the same frames through the Python API give the same boxes (to the file's 4 decimals)
    trk = make_tracker("pysot", lr=0.3)
    frames = [decode_image(otb_root / f"Couple/img/{i:04d}.jpg") for i in range(1, N_FRAMES + 1)]
    trk.init(frames[0], gt)
    for i in range(1, N_FRAMES):
        np.testing.assert_allclose(trk.update(frames[i]).box, boxes[i], atol=6e-5)


def test_missing_checkpoint_is_a_clear_cli_error(otb_root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOTBENCH_WEIGHTS", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    rc = cli(["run", "--tracker", "siamrpnpp", "--dataset", "folder", "--root", str(otb_root),
              "--device", "cpu", "--out", str(tmp_path / "res"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "SiamRPN++ needs a checkpoint" in err and "sotbench download siamrpnpp-r50-lasot" in err


class BagVot(FolderDataset):
    """A folder of sequences evaluated with the VOT reset protocol."""

    spec = DatasetSpec(key="bag-vot", title="bag (VOT reset)", folder="bag-vot", protocol="vot_reset",
                       vot=VotSettings(repetitions=1))


def test_vot_reset_with_random_weights(shared, tmp_path, monkeypatch):
    monkeypatch.setenv("SOTBENCH_WEIGHTS", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    src = shared / "data/sequences/VOT2018/bag"
    seq = tmp_path / "vot" / "bag"
    seq.mkdir(parents=True)
    n = 4
    for i in range(1, n + 1):
        (seq / f"{i:08d}.jpg").symlink_to(src / f"{i:08d}.jpg")
    (seq / "groundtruth.txt").write_text("\n".join((src / "groundtruth.txt").read_text().splitlines()[:n]) + "\n")
    spec = TrackerSpec("siamrpnpp", {"flavour": "mmtracking"}, device="cpu", allow_random_weights=True)
    summary = run_dataset(spec, BagVot(root=tmp_path / "vot"), RunOptions(out=tmp_path / "res", progress=False))
    assert summary.ok and summary.done == ["bag"]
    lines = (summary.run_dir / "baseline/bag/bag_001.txt").read_text().splitlines()
    assert len(lines) == n and lines[0] == "1"
    assert all(ln in ("0", "1", "2") or len(ln.split(",")) == 4 for ln in lines[1:])
    info = json.loads((summary.run_dir / "run.json").read_text())["tracker_info"]
    assert info["weights"]["random"] == "torch default init (seed 0)"


RANDOM = "random weights (--allow-random-weights): not a real result"


def test_random_weights_marked_from_run_to_report(otb_root, tmp_path, randw_checkpoint, monkeypatch, capsys):
    """``run --allow-random-weights`` without a checkpoint: the run, eval and report say so, and the
    run folder refuses to be resumed with real weights (the results would mix)."""
    monkeypatch.setenv("SOTBENCH_WEIGHTS", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "res"
    run_args = ["run", "--tracker", "siamrpnpp", "--dataset", "folder", "--root", str(otb_root), "--device", "cpu",
                "--out", str(out), "--no-progress", "--allow-random-weights"]
    assert cli(run_args) == 0
    assert f"warning: {RANDOM}" in capsys.readouterr().err.splitlines()
    run = out / "custom" / "siamrpnpp"
    assert cli(["eval", "--dataset", "folder", "--root", str(otb_root), "--results", str(run)]) == 0
    assert f"caveat: {RANDOM}" in capsys.readouterr().out.splitlines()
    assert json.loads((run / "scores.json").read_text())["flags"] == {"random_weights": True}
    assert cli(["report", "--dataset", "folder", "--root", str(otb_root), "--runs", str(run), "--out",
                str(tmp_path / "rep"), "--formats", "csv,md"]) == 0
    assert RANDOM in capsys.readouterr().out
    assert "sotbench run, random weights" in (tmp_path / "rep" / "leaderboard.csv").read_text()
    # resuming with real weights would mix boxes (and the manifest would claim real weights for all)
    assert cli([*run_args, "--checkpoint", str(randw_checkpoint)]) == 2
    err = capsys.readouterr().err
    assert "other settings (weights: stored" in err and "random weights" in err and "--force" in err
    assert json.loads((run / "run.json").read_text())["tracker_info"]["weights"]["source"] == "random"
