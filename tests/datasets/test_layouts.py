"""Every adapter on a tiny fake tree in its native layout (tmp_path), plus each layout's quirks."""

from __future__ import annotations

import numpy as np
import pytest
from dataset_trees import TREES, frame_id

from sotbench.datasets import DATASETS, load_dataset


@pytest.mark.parametrize("key", list(DATASETS))
def test_every_adapter_reads_its_native_layout(key, fake_tree, request):
    assert key in TREES, f"dataset {key!r} has no fake tree in tests/datasets/dataset_trees.py"
    if key == "synthetic":
        root, kwargs = request.getfixturevalue("synthetic_root"), {"split": "val"}
    else:
        root, kwargs = fake_tree(key)
    ds = load_dataset(key, root=root, **kwargs)
    assert len(ds) > 0
    for seq in ds:
        assert seq.frames is not None, seq.name
        assert seq.gt.shape[0] in (1, len(seq))
        img = seq.frames[len(seq) - 1]
        assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8
    spec = ds.spec
    assert spec.protocol in ("ope", "vot_reset", "longterm") and spec.default_split in spec.splits
    assert set(spec.test_splits) <= set(spec.splits) and set(spec.public_gt_splits) <= set(spec.splits)


def test_otb_native_quirks(fake_tree):
    root, _ = fake_tree("otb100")
    ds = load_dataset("otb100", root=root)
    assert ds.layout == "native"
    assert ds.names == ["Board", "David", "Football1", "Human4-2", "Skating2-1", "Skating2-2", "Tiger1"]
    assert len(ds.missing_names) == 93
    foot = ds["Football1"]
    assert len(foot) == 74 and frame_id(foot.frames[73]) == 74  # 81 images, the first 74 used
    board = ds["Board"]
    assert board.frames.paths[0].name == "00001.jpg" and board.gt[-1].tolist() == [1, 2, 0, 0]
    david = ds["David"]
    assert len(david) == 471 and david.frames.paths[0].name == "0300.jpg" and frame_id(david.frames[0]) == 300 % 256
    tiger = ds["Tiger1"]
    assert len(tiger) == 349 and tiger.frames.paths[0].name == "0006.jpg"
    sixth = (root / "Tiger1/groundtruth_rect.txt").read_text().split("\n")[5]
    assert tiger.gt[0].tolist() == [float(v) for v in sixth.split()]
    full = load_dataset("otb100", root=root, full_annotation=True)["Tiger1"]
    assert len(full) == 354 and full.frames.paths[0].name == "0001.jpg"
    assert not np.array_equal(ds["Skating2-1"].gt, ds["Skating2-2"].gt)
    assert ds["Skating2-1"].frames.paths == ds["Skating2-2"].frames.paths
    assert len(ds["Human4-2"]) == 667 and ds.resolve_name("Human4") == "Human4-2"
    assert ds["Board"].image_size == (16, 12)
    assert load_dataset("otb2013", root=root).names == ["David", "Football1", "Tiger1"]
    assert load_dataset("otb50", root=root).names == ["David", "Human4-2", "Skating2-1", "Skating2-2"]


def test_uav123_subsequences_never_collide(fake_tree):
    root, _ = fake_tree("uav123")
    ds = load_dataset("uav123", root=root)
    assert ds.names == ["car1_1", "car11"] and ds.layout == "native"
    a, b = ds["car1_1"], ds["car11"]
    assert a.frames.paths[0].parent.name == "car1" and b.frames.paths[0].parent.name == "car11"
    assert (len(a), len(b)) == (751, 337)
    assert a.absent.tolist()[:5] == [False, False, False, True, False] and np.isnan(a.gt[3]).all()
    assert a.attributes == {"SV", "CM", "SOB"} and b.attributes == {"SV", "ARC"}
    with pytest.raises(KeyError):
        ds.resolve_name("car1")


def test_uav20l_in_uav123_root(fake_tree):
    root, _ = fake_tree("uav20l")
    ds = load_dataset("uav20l", root=root)
    seq = ds["car3"]
    assert len(seq) == 1717 and seq.frames.paths[0].parent.name == "car3" and seq.attributes == {"LR", "SOB"}


def test_lasot_native(fake_tree):
    root, _ = fake_tree("lasot")
    test = load_dataset("lasot", root=root)
    assert test.layout == "native" and test.names == ["airplane-1"]
    seq = test["airplane-1"]
    assert seq.absent.tolist() == [False, False, True, False, False, True]
    assert seq.meta["full_occlusion"].tolist() == [False, False, True, False, False, False]
    assert seq.text == "the airplane in view" and seq.attributes == {"POC", "ROT", "SV", "LR"}
    assert frame_id(seq.frames[5]) == 6
    train = load_dataset("lasot", root=root, split="train")
    assert train.names == ["bear-1"] and len(train.missing_names) == 1119
    assert load_dataset("lasot", root=root, split="val").names == ["bear-1"]


def test_trackingnet_chunks(fake_tree):
    root, _ = fake_tree("trackingnet")
    train = load_dataset("trackingnet", root=root, split="train")
    assert train.names == ["aaa_0", "bbb_1"] and train.has_public_ground_truth
    seq = train["aaa_0"]
    assert [p.name for p in seq.frames.paths][9:] == ["9.jpg", "10.jpg", "11.jpg"]  # numeric order
    assert frame_id(seq.frames[10]) == 10 and seq.meta["chunk"] == "TRAIN_0"
    test = load_dataset("trackingnet", root=root)
    seq = test["-Dz7OIf54b0_0"]
    assert not test.has_public_ground_truth and seq.gt.shape == (1, 4) and len(seq) == 11
    assert not seq.has_full_gt and len(test.missing_names) == 510


def test_vot_color_layout(fake_tree):
    root, _ = fake_tree("vot2018")
    ds = load_dataset("vot2018", root=root)
    seq = ds["ants1"]
    assert seq.gt.shape == (5, 8) and np.isnan(seq.gt[2, 4:]).all() and seq.gt[2, :4].tolist() == [3, 2, 6, 7]
    assert seq.frames.paths[0].parent.name == "color" and seq.image_size == (16, 12)
    assert seq.tags["occlusion"].tolist() == [False, True, True, False, False]  # padded
    assert seq.tags["camera_motion"].tolist() == [True, False, False, False, True]  # .label read too
    bag = ds["bag"]
    assert bag.gt.shape == (3, 4) and len(bag.frames) == 3 and bag.image_size == (16, 12)
    assert ds.protocol == "vot_reset"


def test_got10k_val(fake_tree):
    root, _ = fake_tree("got10k")
    ds = load_dataset("got10k", root=root, split="val")
    seq = ds["GOT-10k_Val_000001"]
    assert seq.absent.tolist() == [False, True, False, False, False]
    assert seq.cover.tolist() == [8, 0, 4, 4, 4] and seq.image_size == (16, 12)
    assert seq.gt[1].tolist() == [0, 0, 0, 0] and seq.meta["meta_info"]["object_class"] == "ant"
    assert ds.has_public_ground_truth and "test" in ds.spec.test_splits
    alone = load_dataset("got10k", root=root / "val", split="val")  # root = the split folder
    assert alone.names == ds.names


def test_pysot_json_generic(fake_tree):
    root, _ = fake_tree("pysot-json")
    ds = load_dataset("pysot-json", root=root)
    assert ds.names == ["Gymnastics", "Bee"] and ds.protocol == "ope"
    assert frame_id(ds["Bee"].frames[2]) == 3


def test_vot_sequence_from_video(shared_data, tmp_path):
    """A sequence folder may hold a video file instead of images (pysot's demo bag.avi)."""
    seq_dir = tmp_path / "VOT2018" / "bag"
    seq_dir.mkdir(parents=True)
    (seq_dir / "bag.avi").symlink_to(shared_data / "sequences/videos/pysot_demo/bag.avi")
    gt = (shared_data / "sequences/VOT2018/bag/groundtruth.txt").read_text()
    (seq_dir / "groundtruth.txt").write_text(gt)
    seq = load_dataset("vot2018", root=tmp_path / "VOT2018")["bag"]
    assert len(seq) == 196 and seq.frames[195].shape == (360, 480, 3)
    assert seq.image_size == (480, 360)


def test_vot2018lt_marks_frames_without_the_target(fake_tree, tmp_path):
    root, _ = fake_tree("vot2018lt")
    seq = load_dataset("vot2018lt", root=root)["car1"]
    assert seq.absent.tolist() == [False, True, True, False, False] and seq.image_size == (16, 12)
    assert seq.gt[3].tolist() == [2, 2, 4, 4]
    # pysot's VOT2018-LT.json writes an absent frame as [0] (or NaN)
    import json

    (tmp_path / "lt").mkdir()
    (tmp_path / "lt" / "VOT2018-LT.json").write_text(json.dumps({"car1": {
        "video_dir": "car1", "init_rect": [1, 1, 4, 4], "img_names": [f"car1/color/{i:08d}.jpg" for i in (1, 2, 3)],
        "gt_rect": [[1, 1, 4, 4], [0], [2, 2, 4, 4]], "width": 16, "height": 12}}))
    seq = load_dataset("vot2018lt", root=tmp_path / "lt")["car1"]
    assert seq.absent.tolist() == [False, True, False] and np.isnan(seq.gt[1]).all()
    # a NaN inside an otherwise valid row is still an error
    (root / "car1" / "groundtruth.txt").write_text("1,1,4,4\n1,nan,4,4\n2,2,4,4\n3,3,4,4\n4,4,4,4\n")
    from sotbench.sequences import AnnotationError

    with pytest.raises(AnnotationError, match="groundtruth.txt:2"):
        load_dataset("vot2018lt", root=root)["car1"]
