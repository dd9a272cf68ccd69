"""Real short sequences with images (``shared/data/sequences``): frames load, counts follow the rules."""

from __future__ import annotations

import json

import cv2
import numpy as np

from sotbench.datasets import load_dataset


def test_otb_native_real_sequences(shared_data):
    ds = load_dataset("otb100", root=shared_data / "sequences" / "OTB100")
    assert ds.layout == "native"
    assert ds.names == ["Couple", "Crossing", "Football1", "Jogging-1", "Jogging-2"]
    assert [len(ds[n]) for n in ds.names] == [140, 120, 74, 307, 307]
    assert len(list((shared_data / "sequences/OTB100/Football1/img").iterdir())) == 81
    ref = json.loads((shared_data / "annotations/OTB100/pysot/OTB100.json").read_text())
    for seq in ds:
        assert np.array_equal(seq.gt, np.array(ref[seq.name]["gt_rect"], dtype=float)), seq.name
        assert [p.name for p in seq.frames.paths] == [n.rsplit("/", 1)[1] for n in ref[seq.name]["img_names"]]
        last = seq.frames[len(seq) - 1]
        assert np.array_equal(last, cv2.imread(str(seq.frames.paths[-1])))
        assert seq.image_size == (last.shape[1], last.shape[0])
    assert ds["Jogging-1"].frames.paths == ds["Jogging-2"].frames.paths
    assert not np.array_equal(ds["Jogging-1"].gt, ds["Jogging-2"].gt)


def test_vot_flat_real_sequence(shared_data):
    ds = load_dataset("vot2018", root=shared_data / "sequences" / "VOT2018")
    assert ds.names == ["bag"] and len(ds.missing_names) == 59
    seq = ds["bag"]
    ref = json.loads((shared_data / "annotations/VOT2018/VOT2018.json").read_text())["bag"]
    assert len(seq) == 196 and np.array_equal(seq.gt, np.array(ref["gt_rect"]))
    img = seq.frames[0]
    assert img.shape == (360, 480, 3) and seq.image_size == (ref["width"], ref["height"])
    assert np.array_equal(img, cv2.imread(str(seq.frames.paths[0])))


def test_vot_json_finds_flat_images(shared_data, tmp_path):
    """VOT2018.json names <seq>/color/…; a flat legacy download is found too."""
    root = tmp_path / "VOT2018"
    root.mkdir()
    (root / "VOT2018.json").symlink_to(shared_data / "annotations/VOT2018/VOT2018.json")
    (root / "bag").symlink_to(shared_data / "sequences/VOT2018/bag")
    ds = load_dataset("vot2018", root=root)
    assert len(ds) == 60 and ds["bag"].frames is not None and ds["ants1"].frames is None
    assert ds["bag"].frames.paths[0].name == "00000001.jpg"
