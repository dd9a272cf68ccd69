"""Sequence names from annotation files (pysot JSON keys, list files) and image paths that would
leave the dataset root or the run folder are refused with file and line; result files are only
ever written inside the run folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from dataset_trees import got10k, pysot_json, vot2018, write_frames

from sotbench.cli import main
from sotbench.datasets import load_dataset
from sotbench.datasets.base import Dataset, DatasetSpec
from sotbench.datasets.folder import FolderDataset
from sotbench.results import RunDir
from sotbench.run import RunOptions, run_dataset
from sotbench.safepath import UnsafeNameError
from sotbench.sequences import AnnotationError
from sotbench.trackers import TrackerSpec

HOSTILE = ["../../escaped", "/ABS/escaped", "a/../../escaped", "..", "bad\nname", "back\\slash"]


def _snapshot(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.mark.parametrize("bad", HOSTILE)
def test_pysot_json_keys_are_checked_with_file_and_line(tmp_path, bad):
    root, _ = pysot_json(tmp_path)
    path = root / "NFS30.json"
    data = json.loads(path.read_text())
    data[bad.replace("/ABS", str(tmp_path))] = data["Bee"]
    path.write_text(json.dumps(data, indent=1))
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1)
                if ln.startswith(" " + json.dumps(bad.replace("/ABS", str(tmp_path)))))
    with pytest.raises(AnnotationError, match=re.escape(f"{path}:{line}: unsafe sequence name")):
        load_dataset("pysot-json", root=root).names


@pytest.mark.parametrize("make,listing", [(vot2018, "list.txt"), (got10k, "val/list.txt")])
def test_list_file_names_are_checked_with_file_and_line(tmp_path, make, listing):
    root, kwargs = make(tmp_path)
    path = root / listing
    path.write_text(path.read_text().splitlines()[0] + "\n../../escaped\n")
    key = "vot2018" if make is vot2018 else "got10k"
    with pytest.raises(AnnotationError, match=re.escape(f"{path}:2: unsafe sequence name '../../escaped'")):
        load_dataset(key, root=root, **kwargs).names


def test_folder_list_cannot_reach_outside_the_root(tmp_path):
    outside = tmp_path / "elsewhere"
    write_frames(outside / "img", range(1, 3), "{:04d}.jpg")
    (outside / "groundtruth.txt").write_text("1,2,3,4\n1,2,3,4\n")
    root = tmp_path / "custom"
    root.mkdir()
    (root / "list.txt").write_text("../elsewhere\n")
    with pytest.raises(AnnotationError, match=re.escape(f"{root / 'list.txt'}:1: unsafe sequence name")):
        FolderDataset(root=root).names


def test_image_paths_must_stay_in_the_root(tmp_path):
    root, _ = pysot_json(tmp_path)
    path = root / "NFS30.json"
    data = json.loads(path.read_text())
    data["Bee"]["img_names"][1] = "../../etc/passwd"
    path.write_text(json.dumps(data))
    with pytest.raises(AnnotationError, match="img_names entry '../../etc/passwd' is not a path inside"):
        load_dataset("pysot-json", root=root)["Bee"]


def test_vot_sequence_file_cannot_point_outside(tmp_path):
    root, _ = vot2018(tmp_path)
    (root / "ants1" / "sequence").write_text("channels.color=../../elsewhere/%08d.jpg\n")
    with pytest.raises(AnnotationError, match=re.escape(str(root / "ants1" / "sequence")) + ".*unsafe"):
        load_dataset("vot2018", root=root)["ants1"]


class _Named(Dataset):
    """An adapter that hands names on unchecked (the base class is the backstop)."""

    spec = DatasetSpec(key="named", title="named", folder="named")

    def _index(self):
        return {"ok": None, "../../escaped": None}


def test_the_base_class_refuses_what_an_adapter_let_through(tmp_path):
    with pytest.raises(AnnotationError, match=r"unsafe sequence name '\.\./\.\./escaped'"):
        _Named(root=tmp_path).names


@pytest.mark.parametrize("bad", HOSTILE)
def test_result_paths_stay_in_the_run_folder(tmp_path, bad):
    bad = bad.replace("/ABS", str(tmp_path))
    store = RunDir(tmp_path / "out" / "run")
    before = _snapshot(tmp_path)
    with pytest.raises(UnsafeNameError):
        store.write_ope(bad, np.ones((2, 4)), np.ones(2))
    with pytest.raises(UnsafeNameError):
        store.write_vot(bad, 1, [1, 0], np.ones(2))
    assert _snapshot(tmp_path) - before <= {tmp_path / "out", tmp_path / "out" / "run"}


def test_linked_result_folder_is_refused(tmp_path):
    store = RunDir(tmp_path / "out" / "run")
    (store.path / "baseline").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (store.path / "baseline" / "bag").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafeNameError, match="outside"):
        store.write_vot("bag", 1, [1, 0], np.ones(2))
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_run_over_a_hostile_annotation_file_writes_nothing_outside(tmp_path, capsys):
    root, _ = pysot_json(tmp_path / "data")
    path = root / "NFS30.json"
    data = json.loads(path.read_text())
    data["../../../../escaped"] = data.pop("Bee")
    path.write_text(json.dumps(data))
    before = _snapshot(tmp_path)
    out = tmp_path / "out"
    code = main(["run", "--tracker", "identity", "--dataset", "pysot-json", "--root", str(root),
                 "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and f"{path}:1: unsafe sequence name" in err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["..", "../../x", "a/b"])
def test_run_names_are_one_folder(synthetic_root, tmp_path, name):
    ds = load_dataset("synthetic", root=synthetic_root)
    with pytest.raises(UnsafeNameError, match="run name"):
        run_dataset(TrackerSpec("identity"), ds, RunOptions(out=tmp_path / "out", name=name, progress=False))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.txt"))


def test_preset_named_dotdot_is_refused(synthetic_root, tmp_path, capsys):
    preset = tmp_path / "p.yaml"
    preset.write_text("tracker: identity\nname: '..'\n")
    code = main(["run", "--tracker", str(preset), "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 2 and "unsafe run name '..'" in capsys.readouterr().err
    assert not list((tmp_path / "out").rglob("*.txt"))
