"""Fixtures for the engine tests: the golden-fixture weights, short real and synthetic sequences,
and the single-stream tracker as the reference.

The weights are rebuilt by ``shared/fixtures/pysot_random_weights.py`` (digest checked);
everything skips when the shared folder is absent.  Sequences are kept to a few frames: the
R50 costs ~0.4 s per stream-frame on a CPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from engine_helpers import ListFrames, params
from fixture_files import import_file

torch = pytest.importorskip("torch")


@pytest.fixture(scope="session", autouse=True)
def _flush_denormals():
    """The fixture weights produce float32 denormals (slow on this CPU; flushing changes nothing here)."""
    torch.set_flush_denormal(True)
    yield
    torch.set_flush_denormal(False)


@pytest.fixture(scope="session")
def bag_dir(shared) -> Path:
    return shared / "data/sequences/VOT2018/bag"


@pytest.fixture(scope="session")
def bag_seq(bag_dir):
    """``bag_seq(name, start, n, gt=None)``: frames ``start..start+n-1`` of VOT2018 bag."""
    from sotbench.frames import ImageFiles
    from sotbench.sequences import Sequence

    all_gt = np.loadtxt(bag_dir / "groundtruth.txt", delimiter=",")
    paths = sorted(bag_dir.glob("*.jpg"))

    def make(name: str, start: int, n: int, gt=None):
        return Sequence(name, all_gt[start:start + n] if gt is None else gt, ImageFiles(paths[start:start + n]))
    return make


@pytest.fixture(scope="session")
def synth_seq(fixtures_dir):
    """``synth_seq(name, n)``: the first frames of the fixtures' synthetic video (640x360, in memory)."""
    from sotbench.sequences import Sequence

    frames, boxes = import_file(fixtures_dir / "synthetic_video.py", "synthetic_video").make_video(60)

    def make(name: str, n: int):
        return Sequence(name, boxes[:n].astype(np.float64), ListFrames(frames[:n]))
    return make


@pytest.fixture(scope="session")
def reference():
    """``reference(model, flavour, knobs, seq, device, vot=None)``: the single-stream tracker's
    OPE boxes, or its VOT lines (``run_vot_reset``)."""
    from sotbench.trackers.lockstep import run_ope, run_vot_reset
    from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker

    def run(model, flavour, knobs, seq, device="cpu", vot=None):
        trk = SiamRPNppTracker(params(flavour, knobs), model, torch.device(device))
        if vot is not None:
            return run_vot_reset(trk, seq, vot).lines
        return run_ope(trk, seq).boxes
    return run


@pytest.fixture(scope="session")
def folder_root(bag_dir, shared, tmp_path_factory):
    """A folder dataset: bag (polygons, 4 frames) and Couple (OTB boxes, 3 frames, 320x240)."""
    root = tmp_path_factory.mktemp("folder")
    bag = root / "bag"
    bag.mkdir()
    for i in range(1, 5):
        (bag / f"{i:08d}.jpg").symlink_to(bag_dir / f"{i:08d}.jpg")
    (bag / "groundtruth.txt").write_text("\n".join((bag_dir / "groundtruth.txt").read_text().splitlines()[:4]) + "\n")
    src = shared / "data/sequences/OTB100/Couple"
    couple = root / "Couple"
    (couple / "img").mkdir(parents=True)
    for i in range(1, 4):
        (couple / "img" / f"{i:04d}.jpg").symlink_to(src / "img" / f"{i:04d}.jpg")
    (couple / "groundtruth.txt").write_text("\n".join((src / "groundtruth_rect.txt").read_text().splitlines()[:3]) + "\n")
    return root
