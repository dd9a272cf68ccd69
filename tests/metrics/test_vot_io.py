"""Reading reset-protocol result files: codes, regions, junk."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.metrics.vot_io import (REGION, VotResultError, as_trajectory, parse_vot_line, read_vot_repetitions,
                                     read_vot_trajectory)
from sotbench.results import RunDir


def test_lines():
    assert parse_vot_line("1") == (1, [])
    assert parse_vot_line("2.0\n") == (2, [])  # Ocean-online writes 1.0 / 2.0 / 0.0
    assert parse_vot_line(" 0 ") == (0, [])
    assert parse_vot_line("1.5,2,3.25,4") == (REGION, [1.5, 2.0, 3.25, 4.0])
    assert parse_vot_line("1,2,3,4,5,6")[1] == [1, 2, 3, 4, 5, 6]
    assert parse_vot_line("nan,nan,nan,nan") == (0, [])  # as the VOT toolkit: unknown


@pytest.mark.parametrize("text, message", [
    ("", "empty line"),
    ("3", "unknown code"),
    ("1.5", "unknown code"),
    ("1,2", "got 2 numbers"),
    ("1,2,3,4,5", "got 5 numbers"),
    ("1,2,3,4,5,6,7", "got 7 numbers"),
    ("1;2;3;4", "comma-separated numbers"),
    ("a,b,c,d", "comma-separated numbers"),
    ("1,2,inf,4", "infinite"),
    ("m10,10,2,2,0,4", "RLE mask"),
])
def test_junk_lines_name_file_and_line(text, message):
    with pytest.raises(VotResultError, match=message) as err:
        parse_vot_line(text, "bag_001.txt", 7)
    assert str(err.value).startswith("bag_001.txt:7: ")


def test_read_file(tmp_path):
    p = tmp_path / "bag_001.txt"
    p.write_text("1\n10,20,30,40\n1,2,3,4,5,6,7,8\n2\n0\n\n\n")
    t = read_vot_trajectory(p)
    assert len(t) == 5 and t.codes.tolist() == [1, -1, -1, 2, 0]
    assert t.failures.tolist() == [3] and t.inits.tolist() == [0] and t.n_failures == 1
    assert t.regions[1, :4].tolist() == [10, 20, 30, 40] and np.isnan(t.regions[1, 4:]).all()
    assert t.regions[2].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert np.isnan(t.regions[0]).all()
    p.write_text("1\n\n10,20,30,40\n")
    with pytest.raises(VotResultError, match=r"bag_001.txt:2: empty line"):
        read_vot_trajectory(p)
    p.write_text("")
    with pytest.raises(VotResultError, match="empty result file"):
        read_vot_trajectory(p)
    p.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(VotResultError, match="not a text file"):
        read_vot_trajectory(p)


def test_long_polygons_widen_the_array(tmp_path):
    p = tmp_path / "s_001.txt"
    p.write_text("1\n" + ",".join(str(v) for v in range(20)) + "\n")
    t = read_vot_trajectory(p)
    assert t.regions.shape == (2, 20)


def test_repetitions_in_order_and_written_by_rundir(tmp_path):
    run = RunDir(tmp_path / "run")
    for rep in (2, 1, 10):
        run.write_vot("bag", rep, [1, np.array([1.0, 2.0, 3.0, 4.0]), 2, 0], np.zeros(4))
    (run.vot_dir("bag") / "bag_001_time.value").write_text("0\n")
    (run.vot_dir("bag") / "other_001.txt").write_text("1\n")
    reps = read_vot_repetitions(run.vot_dir("bag"))
    assert [r.source.rsplit("/", 1)[1] for r in reps] == ["bag_001.txt", "bag_002.txt", "bag_010.txt"]
    assert reps[0].codes.tolist() == [1, -1, 2, 0]
    assert read_vot_repetitions(tmp_path / "missing") == []


def test_as_trajectory_from_entries():
    t = as_trajectory([[1], [1, 2, 3, 4], 2, [0.0], np.array([np.nan] * 4)])
    assert t.codes.tolist() == [1, -1, 2, 0, 0] and t.nan_regions == 1
    assert as_trajectory(t) is t
    with pytest.raises(VotResultError, match="<trajectory>:2: "):
        as_trajectory([[1], [1, 2]])
