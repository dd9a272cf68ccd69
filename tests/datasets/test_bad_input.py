"""Bad annotation input gets an ``AnnotationError`` naming the file, the line and what was expected."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from dataset_trees import boxes, write_frames

from sotbench.datasets import load_dataset
from sotbench.datasets.base import read_flags, read_rows
from sotbench.sequences import AnnotationError


def _file(tmp_path: Path, text: str, name: str = "gt.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text,line,message", [
    ("1,2,3,4\n1,2,x,4\n", 2, "expected numbers"),
    ("1,2,3,4\n1,2,3\n", 2, "expected 4 numbers, found 3"),
    ("1 2 3\n4 5 6 7 8\n", 1, "expected 4 numbers, found 3"),  # ragged: 8 values must not become 2 rows
    ("1,2,3,4\n\n5,6,7,8\n", 2, "found 0"),
    ("1,2,3,4\n1,2,inf,4\n", 2, "infinite"),
    ("1,2,3,4\nNaN,NaN,NaN,NaN\n", 2, "NaN is not allowed"),
])
def test_read_rows_names_file_and_line(tmp_path, text, line, message):
    path = _file(tmp_path, text)
    with pytest.raises(AnnotationError, match=re.escape(f"{path}:{line}: ") + ".*" + message):
        read_rows(path)


def test_read_rows_accepts_benchmark_formats(tmp_path):
    text = "1\t2\t3\t4\r\n5 6 7 8\r\n9,10, 11 ,12"  # tabs, spaces, commas, CRLF, no final newline
    assert read_rows(_file(tmp_path, text)).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
    mixed = read_rows(_file(tmp_path, "1,2,3,4,5,6,7,8\n1,2,3,4\n\n"), widths=(4, 8))
    assert mixed.shape == (2, 8) and np.isnan(mixed[1, 4:]).all()
    assert np.isnan(read_rows(_file(tmp_path, "nan,nan,nan,nan\n1,2,3,4"), allow_nan=True)[0]).all()
    assert read_rows(_file(tmp_path, "0.1,1e-3,3,4\n")).tolist() == [[0.1, 0.001, 3, 4]]


def test_empty_missing_and_binary_files(tmp_path):
    with pytest.raises(AnnotationError, match="empty"):
        read_rows(_file(tmp_path, "\n\n"))
    with pytest.raises(AnnotationError, match="missing"):
        read_rows(tmp_path / "nope.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xd8\xff\xe0\x00")
    with pytest.raises(AnnotationError, match="not a text file"):
        read_rows(tmp_path / "bin.txt")
    with pytest.raises(AnnotationError, match="expected 3 values"):
        read_flags(_file(tmp_path, "0,1", "f.txt"), 3)
    with pytest.raises(AnnotationError, match="integer flag"):
        read_flags(_file(tmp_path, "0,yes", "f.txt"))


def _otb_football(tmp_path: Path, rows: str, images: int = 81) -> Path:
    root = tmp_path / "OTB100"
    write_frames(root / "Football1" / "img", range(1, images + 1), "{:04d}.jpg")
    (root / "Football1" / "groundtruth_rect.txt").write_text(rows)
    return root


def test_otb_zero_size_only_where_documented(tmp_path):
    rows = boxes(74).splitlines()
    rows[9] = "5,5,0,12"
    root = _otb_football(tmp_path, "\n".join(rows))
    gt = root / "Football1" / "groundtruth_rect.txt"
    with pytest.raises(AnnotationError, match=re.escape(f"{gt}:10: zero or negative box size")):
        load_dataset("otb100", root=root)["Football1"]


def test_otb_row_and_frame_counts(tmp_path):
    root = _otb_football(tmp_path / "a", boxes(75))
    with pytest.raises(AnnotationError, match="75 rows, expected 74 .*frame 1..74 of Football1"):
        load_dataset("otb100", root=root)["Football1"]
    root = _otb_football(tmp_path / "b", boxes(74), images=60)
    with pytest.raises(AnnotationError, match="0074.jpg is missing"):
        load_dataset("otb100", root=root)["Football1"]
    root = _otb_football(tmp_path / "c", "1,2,3,4\n" * 73 + "nan,1,2,3\n")
    with pytest.raises(AnnotationError, match=":74: NaN is not allowed"):
        load_dataset("otb100", root=root)["Football1"]


def test_uav_nan_rules(tmp_path):
    anno = tmp_path / "UAV123" / "anno" / "UAV123"
    anno.mkdir(parents=True)
    rows = boxes(109).splitlines()
    rows[5] = "NaN,3,4,5"
    (anno / "uav6.txt").write_text("\n".join(rows))
    ds = load_dataset("uav123", root=tmp_path / "UAV123")
    with pytest.raises(AnnotationError, match=r"uav6.txt:6: NaN in box .*all four values NaN"):
        ds["uav6"]
    rows[5], rows[0] = "1,2,3,4", "NaN,NaN,NaN,NaN"
    (anno / "uav6.txt").write_text("\n".join(rows))
    with pytest.raises(AnnotationError, match=r"uav6.txt:1: first box must be finite"):
        load_dataset("uav123", root=tmp_path / "UAV123")["uav6"]


def test_lasot_flag_length(tmp_path):
    seq = tmp_path / "LaSOT" / "airplane" / "airplane-1"
    write_frames(seq / "img", range(1, 4))
    (seq / "groundtruth.txt").write_text(boxes(3))
    (seq / "full_occlusion.txt").write_text("0,0")
    (seq / "out_of_view.txt").write_text("0,0,0")
    with pytest.raises(AnnotationError, match=r"full_occlusion.txt: expected 3 values \(one per frame\), found 2"):
        load_dataset("lasot", root=tmp_path / "LaSOT")["airplane-1"]


def test_vot_bad_inputs(tmp_path):
    root = tmp_path / "VOT2018"
    seq = root / "bag"
    write_frames(seq, range(1, 4))
    (seq / "groundtruth.txt").write_text("1,1,4,4\n2,2,4,4\n")
    with pytest.raises(AnnotationError, match="2 regions for 3 frames"):
        load_dataset("vot2018", root=root)["bag"]
    (seq / "groundtruth.txt").write_text("1,1,4,4\n2,2,4,4,5,5,6\n3,3,4,4\n")
    with pytest.raises(AnnotationError, match=r"groundtruth.txt:2: expected 4 or 8 numbers, found 7"):
        load_dataset("vot2018", root=root)["bag"]
    (seq / "groundtruth.txt").write_text("1,1,4,4\n2,2,-4,4\n3,3,4,4\n")
    with pytest.raises(AnnotationError, match=r"groundtruth.txt:2: bad region"):
        load_dataset("vot2018", root=root)["bag"]
    (seq / "groundtruth.txt").write_text("1,1,4,4\n2,2,4,4\n3,3,4,4\n")
    (seq / "occlusion.tag").write_text("0\n2\n")
    with pytest.raises(AnnotationError, match=r"occlusion.tag:2: expected 0 or 1"):
        load_dataset("vot2018", root=root)["bag"]
    (root / "list.txt").write_text("bag\nants1\n")
    with pytest.raises(AnnotationError, match="sequence folder of ants1"):
        load_dataset("vot2018", root=root)["ants1"]


def test_pysot_json_errors(tmp_path):
    root = tmp_path / "OTB100"
    root.mkdir()
    (root / "OTB100.json").write_text('{"Basketball": {"gt_rect": [[1, 2, 3, 4]],\n "img_names": [}}')
    with pytest.raises(AnnotationError, match=r"OTB100.json:2: not valid JSON"):
        load_dataset("otb100", root=root).names
    good = {"init_rect": [1, 2, 3, 4], "img_names": ["Deer/img/0001.jpg"] * 71, "attr": ["Fast Motion"],
            "gt_rect": [[1, 2, 3, 4]] * 70 + [[1, 2, 3]]}
    (root / "OTB100.json").write_text(json.dumps({"Deer": good}))
    with pytest.raises(AnnotationError, match=r"video 'Deer': gt_rect\[70\] = \[1, 2, 3\] \(expected 4 numbers\)"):
        load_dataset("otb100", root=root)["Deer"]
    good["gt_rect"][70] = [1, 2, 3, 4]
    good["attr"] = ["Fast Motoin"]
    (root / "OTB100.json").write_text(json.dumps({"Deer": good}))
    with pytest.raises(AnnotationError, match="unknown attribute 'Fast Motoin'"):
        load_dataset("otb100", root=root)["Deer"]


def test_got10k_and_trackingnet_errors(tmp_path):
    seq = tmp_path / "GOT-10k" / "val" / "GOT-10k_Val_000001"
    write_frames(seq, range(1, 4))
    (seq / "groundtruth.txt").write_text(boxes(3))
    (seq / "meta_info.ini").write_text("[METAINFO]\nresolution: wide\n")
    with pytest.raises(AnnotationError, match=r"meta_info.ini: resolution 'wide'"):
        load_dataset("got10k", root=tmp_path / "GOT-10k", split="val")["GOT-10k_Val_000001"]
    (seq / "meta_info.ini").write_text("[METAINFO]\nresolution: (16, 12)\n")
    (seq / "cover.label").write_text("8\n9\n8\n")
    with pytest.raises(AnnotationError, match="cover values must be 0..8"):
        load_dataset("got10k", root=tmp_path / "GOT-10k", split="val")["GOT-10k_Val_000001"]
    chunk = tmp_path / "TrackingNet" / "TRAIN_0"
    write_frames(chunk / "frames" / "abc_0", range(4), "{}.jpg")
    (chunk / "anno").mkdir(parents=True)
    (chunk / "anno" / "abc_0.txt").write_text(boxes(3))
    with pytest.raises(AnnotationError, match="3 boxes for 4 frames"):
        load_dataset("trackingnet", root=tmp_path / "TrackingNet", split="train")["abc_0"]


def test_unknown_names_list_valid_ones(shared_data):
    with pytest.raises(ValueError, match="unknown dataset 'otb'.*known: otb100, otb2013"):
        load_dataset("otb")
    with pytest.raises(ValueError, match="unknown split 'validation' for dataset 'lasot', known: test, train, val"):
        load_dataset("lasot", split="validation")
    ds = load_dataset("uav123", root=shared_data / "annotations" / "UAV123")
    expected = r"unknown sequence 'car1_4' in uav123/test .*close: .*car1_3.*known: bike1, bike2"
    with pytest.raises(KeyError, match=expected):
        ds.resolve_name("car1_4")
    ds = load_dataset("vot2018", root=shared_data / "sequences" / "VOT2018")
    with pytest.raises(KeyError, match="listed by the benchmark but absent from this root"):
        ds["ants1"]
    with pytest.raises(FileNotFoundError, match="no UAV20L sequences"):
        load_dataset("uav20l", root=shared_data / "annotations" / "UAV123").names
