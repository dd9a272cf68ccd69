"""Tracker contract, weight-free OpenCV trackers, got10k adapters, plugins and presets."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.presets import PresetError, builtin_presets, load_preset
from sotbench.trackers import TrackerSpec, as_output, build_tracker
from sotbench.trackers.identity import IdentityTracker
from sotbench.trackers.opencv import available


def test_as_output_forms():
    assert as_output([1, 2, 3, 4]).score is None
    out = as_output((np.array([1.0, 2, 3, 4]), 0.7))
    assert out.box.tolist() == [1, 2, 3, 4] and out.score == 0.7
    with pytest.raises(ValueError, match="expected a box"):
        as_output([1, 2, 3])


@pytest.mark.parametrize("kind", ["mil", "csrt", "kcf"])
def test_opencv_trackers_follow_a_moving_target(synthetic_root, kind):
    if not available(kind):
        pytest.skip(f"this OpenCV build has no {kind}")
    seq = load_dataset("synthetic", root=synthetic_root)["Drift"]
    tracker = build_tracker(TrackerSpec(f"opencv-{kind}"))
    tracker.init(seq.frames[0], seq.gt[0])
    from sotbench.boxes import iou

    ious = [iou(as_output(tracker.update(seq.frames[i])).box, seq.gt[i])[0] for i in range(1, 20)]
    assert np.mean(ious) > 0.5  # a real tracker on an easy sequence, unlike a frozen box


def test_got10k_adapters_roundtrip(synthetic_root, tmp_path):
    pytest.importorskip("got10k")
    from got10k.trackers import IdentityTracker as G10kIdentity

    from sotbench.trackers.got10k_adapter import FromGot10k, ToGot10k

    seq = load_dataset("synthetic", root=synthetic_root)["Jumps"]
    files = [str(p) for p in seq.frames.paths[:5]]
    boxes, times = ToGot10k(IdentityTracker()).track(files, seq.gt[0])
    assert np.allclose(boxes, np.repeat(seq.gt[:1], 5, axis=0)) and len(times) == 5
    wrapped = FromGot10k(G10kIdentity())
    wrapped.init(seq.frames[0], seq.gt[0])
    assert np.allclose(wrapped.update(seq.frames[1]), seq.gt[0])
    # any got10k tracker runs under `sotbench run`
    assert main(["run", "--tracker", "got10k.trackers:IdentityTracker", "--dataset", "synthetic",
                 "--root", str(synthetic_root), "--sequences", "Jumps", "--out", str(tmp_path), "--no-progress"]) == 0
    assert np.allclose(np.loadtxt(tmp_path / "synthetic" / "IdentityTracker" / "Jumps.txt", delimiter=","),
                       np.repeat(seq.gt[:1], 80, axis=0))


def test_got10k_rgb_is_converted_to_bgr(tmp_path):
    pytest.importorskip("got10k")
    from PIL import Image

    from sotbench.trackers.got10k_adapter import ToGot10k

    seen = {}

    class Probe(IdentityTracker):
        def init(self, image, region):
            seen["pixel"] = image[0, 0].tolist()
            super().init(image, region)

    Image.fromarray(np.full((8, 8, 3), (10, 20, 30), np.uint8)).save(tmp_path / "f.png")
    ToGot10k(Probe()).track([str(tmp_path / "f.png")], [1, 1, 3, 3])
    assert seen["pixel"] == [30, 20, 10]


def test_entry_point_plugin(tmp_path, monkeypatch):
    pkg = tmp_path / "site"
    (pkg / "myplug").mkdir(parents=True)
    (pkg / "myplug" / "__init__.py").write_text(textwrap.dedent('''
        from sotbench.trackers.identity import IdentityTracker
        def build(params=None, **_):
            return IdentityTracker()
    '''))
    dist = pkg / "myplug-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myplug\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[sotbench.trackers]\nmy-tracker = myplug:build\n")
    monkeypatch.syspath_prepend(str(pkg))
    from sotbench.trackers import tracker_names

    assert "my-tracker" in tracker_names()
    assert isinstance(build_tracker(TrackerSpec("my-tracker")), IdentityTracker)


def test_presets(tmp_path):
    assert "identity" in builtin_presets()
    bad = tmp_path / "bad.yaml"
    bad.write_text("tracker: identity\nparms: {}\n")
    with pytest.raises(PresetError, match="unknown keys parms"):
        load_preset(bad)
    bad.write_text("params: {}\n")
    with pytest.raises(PresetError, match="'tracker'"):
        load_preset(bad)
    good = tmp_path / "mine.yaml"
    good.write_text("tracker: identity\nparams: {}\n")
    assert load_preset(good)["name"] == "mine"
