"""The adapters on the complete real annotation sets in ``shared/data/annotations`` (no images).

Expected figures are counted here independently of the adapters (plain text/JSON reading) or
are the published dataset sizes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sotbench.datasets import load_dataset

OTB_DIFF_FROM_ATTR_LIST = {"Box", "Car1", "Car2", "Coke", "Crossing", "Deer", "Freeman3", "Freeman4",
                           "Ironman", "Jump", "MotorRolling", "Skiing", "Walking", "Walking2"}
# OTB-100 attribute counts of the TPAMI 2015 paper (Wu, Lim, Yang), which pysot's OTB100.json follows
OTB_TPAMI_COUNTS = {"IV": 38, "SV": 64, "OCC": 49, "DEF": 44, "MB": 29, "FM": 39, "IPR": 51, "OPR": 63,
                    "OV": 14, "BC": 31, "LR": 9}


def _rows(path: Path) -> np.ndarray:
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    return np.array([[float(v) for v in re.split(r"[,\s]+", ln.strip())] for ln in lines])


@pytest.fixture(scope="module")
def ann(shared_data) -> Path:
    return shared_data / "annotations"


@pytest.fixture(scope="module")
def otb_json(ann) -> dict:
    return json.loads((ann / "OTB100" / "pysot" / "OTB100.json").read_text())


# -- OTB -------------------------------------------------------------------------------------
@pytest.mark.parametrize("layout,sub", [("pysot-json", "pysot"), ("matlab-kit", "tracker_benchmark_tb100")])
def test_otb100_counts_and_first_boxes(ann, otb_json, layout, sub):
    ds = load_dataset("otb100", root=ann / "OTB100" / sub)
    seqs = list(ds)
    assert ds.layout == layout
    assert len(seqs) == 100 and sum(len(s) for s in seqs) == 59_035
    assert ds.names == list(otb_json)  # pysot's canonical names and order
    assert {"Jogging-1", "Jogging-2", "Skating2-1", "Skating2-2", "Human4-2"} <= set(ds.names)
    for s in seqs:
        assert s.frames is None and s.gt.shape == (len(otb_json[s.name]["gt_rect"]), 4)
        assert s.gt[0].tolist() == otb_json[s.name]["init_rect"]
    assert ds["Tiger1"].meta["start_frame"] == 6 and len(ds["Tiger1"]) == 349
    assert ds["David"].meta["start_frame"] == 300 and len(ds["David"]) == 471
    assert ds["BlurCar1"].meta["start_frame"] == 247 and len(ds["Football1"]) == 74
    assert ds["Board"].gt[-1, 2:].tolist() == [0, 0] and ds["Twinnings"].gt[-1, 2:].tolist() == [0, 0]


def test_otb_kit_and_json_layouts_agree(ann):
    kit = load_dataset("otb100", root=ann / "OTB100" / "tracker_benchmark_tb100")
    pysot = load_dataset("otb100", root=ann / "OTB100" / "pysot")
    assert all(np.array_equal(kit[n].gt, pysot[n].gt) for n in pysot.names)
    assert all(kit[n].attributes == pysot[n].attributes for n in pysot.names)
    full = load_dataset("otb100", root=ann / "OTB100" / "tracker_benchmark_tb100", full_annotation=True)
    differ = [n for n in pysot.names if not np.array_equal(full[n].gt, pysot[n].gt)]
    assert differ == ["Tiger1"]  # the kit holds Tiger1 from frame 1 (354 rows), the JSON from 6
    assert len(full["Tiger1"]) == 354 and np.array_equal(full["Tiger1"].gt[5:], pysot["Tiger1"].gt)
    assert kit["Tiger1"].meta["init_omit"][0] == (1, 5)  # why the protocol starts at 6
    with pytest.raises(Exception, match="full_annotation needs"):
        load_dataset("otb100", root=ann / "OTB100" / "pysot", full_annotation=True)["Tiger1"]


def test_otb_attributes_cross_checked(ann, otb_json):
    ds = load_dataset("otb100", root=ann / "OTB100" / "tracker_benchmark_tb100")
    full_names = dict((d, c) for c, d in ds.spec.attributes)
    for name, rec in otb_json.items():
        assert ds[name].attributes == {full_names[a] for a in rec["attr"]}
    counts = Counter(a for s in ds for a in s.attributes)
    assert counts == OTB_TPAMI_COUNTS
    listed = {}
    for line in (ann / "OTB100" / "lists" / "attr_list.txt").read_text().splitlines():
        if line.strip():
            seq, attrs = line.split("\t")
            listed[seq] = {a.strip() for a in attrs.split(",") if a.strip()}
    differ = {n for n in ds.names if ds[n].attributes != listed[n]}
    assert differ == OTB_DIFF_FROM_ATTR_LIST  # the site's list vs the paper's assignment (docs/datasets.md)


def test_otb_subsets_and_aliases(ann):
    root = ann / "OTB100" / "pysot"
    assert len(load_dataset("otb2013", root=root)) == 51
    assert len(load_dataset("otb50", root=root)) == 50
    ds = load_dataset("otb100", root=root)
    for alias, name in [("Jogging.1", "Jogging-1"), ("jogging_2", "Jogging-2"), ("Skating2_1", "Skating2-1"),
                        ("Human4", "Human4-2"), ("human4_2", "Human4-2"), ("basketball", "Basketball")]:
        assert ds.resolve_name(alias) == name
    with pytest.raises(KeyError, match="close: Jogging"):
        ds.resolve_name("Joging-1")


@pytest.mark.parametrize("key", ["otb100", "uav123"])
def test_tune_heldout_splits(ann, key):
    root = ann / ("OTB100/pysot" if key == "otb100" else "UAV123")
    test = load_dataset(key, root=root).names
    tune, held = (load_dataset(key, root=root, split=s).names for s in ("tune", "heldout"))
    assert not set(tune) & set(held) and sorted(tune + held) == sorted(test)
    assert len(tune) == round(0.25 * len(test))
    ds = load_dataset(key, root=root)
    folders = {ds[n].meta["folder"] for n in tune}
    assert not folders & {ds[n].meta["folder"] for n in held}  # a video never straddles the split
    assert ds.spec.test_splits == ("test", "heldout")


def test_tune_lists_rederived():
    from sotbench.datasets.layout import package_lines
    from sotbench.datasets.tune_split import BUILDERS

    for key, build in BUILDERS.items():
        assert build() == package_lines(f"{key}_tune.txt")


# -- UAV123 ----------------------------------------------------------------------------------
def test_uav123(ann):
    ds = load_dataset("uav123", root=ann / "UAV123")
    seqs = list(ds)
    assert len(seqs) == 123 and sum(len(s) for s in seqs) == 112_578
    anno = ann / "UAV123" / "anno" / "UAV123"
    nan_rows = {p.stem: sum("nan" in ln.lower() for ln in p.read_text().splitlines()) for p in anno.glob("*.txt")}
    assert sum(1 for v in nan_rows.values() if v) == 33
    for s in seqs:
        assert int(s.absent.sum()) == nan_rows[s.name]
        assert np.isnan(s.gt[s.absent]).all() and not np.isnan(s.gt[~s.absent]).any()
    assert ds["bike1"].gt[0].tolist() == [703, 361, 57, 114]
    assert (len(ds["car1_1"]), ds["car1_1"].meta["folder"]) == (751, "car1")
    assert (len(ds["car11"]), ds["car11"].meta["folder"]) == (337, "car11")
    assert ds["uav1_3"].meta["start_frame"] == 2473
    codes = [c for c, _ in ds.spec.attributes]
    for s in seqs[:20]:
        flags = [int(v) for v in re.split(r"[,\s]+", (anno / "att" / f"{s.name}.txt").read_text().strip())]
        assert s.attributes == {c for c, f in zip(codes, flags) if f}


def _got10k_json(name: str) -> dict:
    """A data file bundled with the got10k toolkit (an independent copy of the split facts)."""
    got10k = pytest.importorskip("got10k")
    return json.loads((Path(got10k.__file__).parent / "datasets" / name).read_text())


def test_uav_ranges_match_got10k_toolkit(ann):
    from sotbench.datasets.layout import package_json

    theirs = _got10k_json("uav123.json")
    ours = package_json("uav123.json")
    for subset in ("UAV123", "UAV20L"):
        assert list(ours[subset]) == list(theirs[subset])
        for name, rec in theirs[subset].items():
            mine = ours[subset][name]
            assert (mine["folder"], mine["start"], mine["end"]) == \
                (rec["folder_name"], rec["start_frame"], rec["end_frame"])
    assert sum(r["end"] - r["start"] + 1 for r in ours["UAV20L"].values()) == 58_670


# -- LaSOT -----------------------------------------------------------------------------------
def test_lasot_toolkit_layout(ann):
    root = ann / "LaSOT"
    ds = load_dataset("lasot", root=root)
    seqs = list(ds)
    assert ds.layout == "toolkit" and len(seqs) == 280
    listing = [ln.strip() for ln in (root / "sequence_evaluation_config/testing_set.txt").read_text().splitlines()]
    assert ds.names == [n for n in listing if n]
    total = absent = 0
    for s in seqs[::7]:
        gt = _rows(root / "annos" / f"{s.name}.txt")
        flags = [int(v) for v in (root / "annos/absent" / f"{s.name}.txt").read_text().split()]
        assert np.array_equal(s.gt, gt) and s.absent.tolist() == [bool(f) for f in flags]
    total = sum(len(s) for s in seqs)
    absent = sum(int(s.absent.sum()) for s in seqs)
    assert (total, absent) == (685_360, 18_346)
    s = ds["airplane-1"]
    assert s.gt[0].tolist() == [367, 101, 41, 16] and s.text == "white airplane landing on ground"
    assert s.attributes == {"POC", "ROT", "SV", "LR"}
    assert len(ds["monkey-17"]) == 2260
    assert ds["lion-5"].gt[552].tolist() == [1, 1, -1, -1]  # dummy box on a frame not flagged absent


def test_lasot_split_lists():
    from sotbench.datasets.layout import package_lines

    test, train, val = (package_lines(f"lasot_{s}.txt") for s in ("test", "train", "val"))
    assert (len(test), len(train), len(val)) == (280, 1120, 140)
    assert not set(test) & set(train) and set(val) <= set(train)
    assert Counter(n.rsplit("-", 1)[0] for n in val) == {c: 2 for c in {n.rsplit("-", 1)[0] for n in test}}
    theirs = _got10k_json("lasot.json")
    assert test == theirs["test"] and sorted(train) == sorted(theirs["train"])


# -- VOT2018 ---------------------------------------------------------------------------------
def test_vot2018_json(ann):
    root = ann / "VOT2018"
    data = json.loads((root / "VOT2018.json").read_text())
    ds = load_dataset("vot2018", root=root)
    seqs = list(ds)
    assert ds.layout == "pysot-json" and ds.protocol == "vot_reset"
    assert ds.names == (root / "list.txt").read_text().split()
    assert len(seqs) == 60 and sum(len(s) for s in seqs) == 21_356
    rect_rows = sum(int(np.isnan(s.gt[:, 4:]).all(axis=1).sum()) if s.gt.shape[1] == 8 else len(s) for s in seqs)
    assert rect_rows == 345
    assert ds["ants1"].gt[0].tolist() == [137.21, 458.36, 156.83, 460.78, 148.35, 529.41, 128.72, 526.99]
    assert ds["conduction1"].gt.shape == (345, 4)
    for s in seqs:
        assert s.image_size == (data[s.name]["width"], data[s.name]["height"])
        assert set(s.tags) == {"camera_motion", "illum_change", "motion_change", "size_change", "occlusion"}
        listed = [bool(v) for v in data[s.name]["occlusion"]]
        assert s.tags["occlusion"].tolist() == listed + [False] * (len(s) - len(listed))  # padded
    assert ds.spec.vot.repetitions == 15 and ds.spec.vot.eao_interval == (100, 356)


# -- TrackingNet -----------------------------------------------------------------------------
def test_trackingnet_dummy_gt(ann):
    ds = load_dataset("trackingnet", root=ann / "TrackingNet" / "dummy_GT")
    seqs = list(ds)
    assert ds.layout == "flat" and len(seqs) == 9
    assert [len(s) for s in seqs] == [480, 540, 480, 540, 450, 540, 540, 480, 450]
    assert ds["-3TIfnTSM6c_2"].gt[0].tolist() == [1.0, 102.0, 245.0, 174.0]
    assert all(s.has_full_gt for s in seqs)
