"""TrackingNet: the devkit's own example scored as the devkit does, and server archives."""

from __future__ import annotations

import zipfile
from fractions import Fraction as F

import numpy as np
import pytest

from sotbench.datasets.base import Dataset, DatasetSpec
from sotbench.metrics.importers import import_results
from sotbench.metrics.profiles import get_profile
from sotbench.metrics.readers import read_boxes
from sotbench.metrics.scoring import score_sequences
from sotbench.pack import PackError, pack_results
from sotbench.sequences import Sequence


@pytest.fixture(scope="module")
def dummy(shared_data):
    gt_dir = shared_data / "annotations/TrackingNet/dummy_GT"
    seqs = [Sequence(p.stem, read_boxes(p)) for p in sorted(gt_dir.glob("*.txt"))]
    return seqs, shared_data / "results/TrackingNet/dummy_subm"


def test_devkit_example_scores_as_the_devkit(dummy):
    """7 files equal the GT, a8v0k4Bz_QA_0 has 432 of 480 rows, a9jgDU5THOU_0 (450 frames) is missing.

    Short file: the 48 missing rows fail every threshold -> 432/480 = 9/10 at every threshold.
    Missing file: all-zero boxes, frame 0 set to the GT -> IoU 0 elsewhere, which passes t = 0
    under ">=" -> success 1 at t = 0 and 1/450 above; distances stay > 50 px (> 0.5 normalized).
    Mean over 9 sequences: a = (7 + 9/10 + 1)/9 at t = 0, b = (7 + 9/10 + 1/450)/9 elsewhere.
    Trapezoid on x = 0..1 in 20 steps: success = (a/2 + 19.5 b)/20; precision = NP = b.
    """
    seqs, subm = dummy
    imported = import_results(subm, [s.name for s in seqs])
    assert imported.missing == ["a9jgDU5THOU_0"]
    trajs = {k: r.trajectories for k, r in imported.results.items()}
    scoring = score_sequences(seqs, trajs, get_profile("trackingnet"))
    overall = scoring.overall()[0]
    a = (7 + F(9, 10) + 1) / 9
    b = (7 + F(9, 10) + F(1, 450)) / 9
    assert b == F(1778, 2025)
    assert overall["success_auc"] == pytest.approx(float((a / 2 + F(39, 2) * b) / 20), abs=1e-12)
    assert overall["precision"] == pytest.approx(float(b), abs=1e-12)
    assert overall["norm_precision"] == pytest.approx(float(b), abs=1e-12)
    assert len(scoring.table) == 9
    text = " ".join(scoring.warnings)
    assert "432 rows for 480 frames" in text and "a9jgDU5THOU_0: no result file" in text


class _Server(Dataset):
    """Hidden test split with known frame counts (the frames are on disk in a real tree)."""

    spec = DatasetSpec(key="trackingnet", title="TrackingNet", folder="TrackingNet", public_gt_splits=())
    lengths = {"seq_a": 4, "seq_b": 3}

    def _index(self):
        return {n: (lambda n=n, k=k: Sequence(n, np.array([[1.0, 2, 30, 40]]), meta={"n_frames": k}))
                for n, k in self.lengths.items()}


class _Got(_Server):
    spec = DatasetSpec(key="got10k", title="GOT-10k", folder="GOT-10k", public_gt_splits=())


def _write(folder, name, rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text("".join(",".join(map(str, r)) + "\n" for r in rows))


def test_pack_trackingnet_flat_zip_read_back(tmp_path):
    res = tmp_path / "MyTracker"
    _write(res, "seq_a", [[1, 2, 30, 40]] * 4)
    _write(res, "seq_b", [[1.123456, 2, 30, 40]] * 3)
    report = pack_results(_Server(root=tmp_path), res, tmp_path / "sub.zip")
    with zipfile.ZipFile(report.archive) as zf:
        assert sorted(zf.namelist()) == ["seq_a.txt", "seq_b.txt"]
        assert zf.read("seq_b.txt").decode().splitlines()[0] == "1.1235,2.0000,30.0000,40.0000"


def test_pack_refuses_wrong_lengths_nan_and_missing(tmp_path):
    res = tmp_path / "T"
    _write(res, "seq_a", [[1, 2, 30, 40]] * 3)
    with pytest.raises(PackError, match=r"seq_a.txt: 3 rows for 4 frames(.|\n)*1 of 2 sequences have no results"):
        pack_results(_Server(root=tmp_path), res, tmp_path / "sub.zip")
    _write(res, "seq_a", [[1, 2, 30, 40]] * 3 + [["nan"] * 4])
    _write(res, "seq_b", [[1, 2, 30, 40]] * 3)
    with pytest.raises(PackError, match=r"seq_a.txt:4: NaN or infinite"):
        pack_results(_Server(root=tmp_path), res, tmp_path / "sub.zip")
    assert not (tmp_path / "sub.zip").exists()


def test_pack_errors_are_one_line(tmp_path, capsys):
    res = tmp_path / "T"
    _write(res, "seq_a", [[1, 2, 30, 40]] * 2)
    _write(res, "seq_b", [[1, 2, 30, 40]] * 2 + [["nan"] * 4])
    with pytest.raises(PackError) as info:
        pack_results(_Server(root=tmp_path), res, tmp_path / "sub.zip")
    assert str(info.value).startswith("cannot pack: ") and "\n" not in str(info.value)
    assert "seq_a.txt: 2 rows for 4 frames; " in str(info.value) and "seq_b.txt:3: NaN" in str(info.value)


def test_pack_got10k_layout_with_times(tmp_path):
    res = tmp_path / "T"
    for name, n in _Got.lengths.items():
        (res / name).mkdir(parents=True)
        (res / name / f"{name}_001.txt").write_text("1,2,30,40\n" * n)
        (res / name / f"{name}_time.txt").write_text("0.01\n" * n)
    report = pack_results(_Got(root=tmp_path), res, tmp_path / "got.zip")
    with zipfile.ZipFile(report.archive) as zf:
        assert sorted(zf.namelist()) == ["seq_a/seq_a_001.txt", "seq_a/seq_a_time.txt",
                                         "seq_b/seq_b_001.txt", "seq_b/seq_b_time.txt"]
