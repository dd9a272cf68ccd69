"""Reading results in other toolkits' layouts: names, quirks of real files, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from sotbench.metrics.importers import detect_layout, import_results, is_corner_row
from sotbench.metrics.names import match_names
from sotbench.metrics.readers import ResultError, read_boxes


@pytest.mark.parametrize("stem, name", [
    ("Jogging-1", "Jogging-1"), ("jogging_1", "Jogging-1"), ("Jogging.1", "Jogging-1"),
    ("Skating2.1", "Skating2-1"), ("skating2_2", "Skating2-2"), ("human4_2", "Human4-2"),
    ("human4-2", "Human4-2"), ("Human4", "Human4-2"), ("skater", "Skater"), ("Blurcar4", "BlurCar4"),
])
def test_name_variants_match(stem, name):
    names = ["Jogging-1", "Jogging-2", "Skating2-1", "Skating2-2", "Human4-2", "Skater", "Skater2", "BlurCar4"]
    mapping, _ = match_names([stem], names)
    assert mapping == {stem: name}


def test_uav123_sub_sequences_are_never_merged_with_their_neighbours():
    names = ["car1_1", "car1_2", "car1_3", "car11", "car1_s"]
    mapping, _ = match_names(["car11", "car1_1", "car1-2", "car1.3"], names)
    assert mapping == {"car11": "car11", "car1_1": "car1_1", "car1-2": "car1_2", "car1.3": "car1_3"}
    # car1_1 missing: "car11" must still go to car11, and nothing goes to car1_1
    mapping, _ = match_names(["car11"], names)
    assert mapping == {"car11": "car11"}
    # a UAV123 folder read as UAV20L (car1 = the whole video): car1_1/2/3 are ambiguous, unmatched
    mapping, _ = match_names(["car1_1", "car1_2", "car1_3"], ["car1", "car16"])
    assert mapping == {}


def test_reader_accepts_every_separator_and_crlf(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"1,2,3,4\r\n5\t6\t7\t8\r\n9 10  11 12\r\n\r\n")
    np.testing.assert_array_equal(read_boxes(p), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])


def _reference_rows(text: str) -> np.ndarray | None:
    """Python's float() on every token of every line (what the toolkits do); None for a bad file."""
    lines = text.replace(",", " ").replace("\t", " ").replace(";", " ").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    rows = [line.split() for line in lines]
    if not rows or any(len(r) != 4 for r in rows):
        return None
    try:
        return np.array([[float(v) for v in r] for r in rows])
    except ValueError:
        return None


def test_reader_gives_float_of_every_token_for_every_file_form(tmp_path):
    """The fast paths (commas only; one separator kind) and the line-by-line path agree with float()."""
    rng = np.random.default_rng(7)
    tokens = ["0.1", "1e5", "+3", "-0", "nan", "inf", "-inf", "2.2250738585072011e-308", "1_0", "12.", ".5"]
    seps = [",", ", ", "\t", " ", ";", ",\t", "  "]
    for case in range(300):
        n = int(rng.integers(1, 6))
        values = [[repr(float(x)) if rng.random() < 0.7 else str(rng.choice(tokens)) for x in rng.normal(0, 1e3, 4)]
                  for _ in range(n)]
        sep = str(rng.choice(seps))
        lines = [sep.join(v) + ("," if rng.random() < 0.05 else "") for v in values]
        text = ("\r\n" if rng.random() < 0.2 else "\n").join(lines) + ("\n" * int(rng.integers(0, 3)))
        if rng.random() < 0.1:
            text = "\ufeff" + text
        p = tmp_path / f"{case}.txt"
        p.write_text(text, encoding="utf-8", newline="")
        want = _reference_rows(text.lstrip("\ufeff"))
        if want is None:
            with pytest.raises(ResultError):
                read_boxes(p)
        else:
            np.testing.assert_array_equal(read_boxes(p), want, err_msg=repr(text))


@pytest.mark.parametrize("content, line, what", [
    ("1,2,3,4\n1,2,3\n", 2, "expected 4 numbers"),
    ("1,2,3,4\n1,2,3,4,5\n1,2,3\n", 2, "found 5 numbers"),
    ("1,2,3,4\nabc,2,3,4\n", 2, "expected numbers"),
    ("1,2,3,4\n\n1,2,3,4\n", 2, "an empty line"),
])
def test_reader_names_file_and_line_of_junk(tmp_path, content, line, what):
    p = tmp_path / "bad.txt"
    p.write_text(content)
    with pytest.raises(ResultError, match=rf"bad.txt:{line}: .*{what}"):
        read_boxes(p)


def test_reader_errors_on_empty_missing_and_binary_files(tmp_path):
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(ResultError, match="empty"):
        read_boxes(tmp_path / "empty.txt")
    with pytest.raises(ResultError, match="missing"):
        read_boxes(tmp_path / "nope.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ResultError, match="not a text file"):
        read_boxes(tmp_path / "bin.txt")


def test_import_reports_nan_inf_negative_rows_and_missing_files(tmp_path):
    run = tmp_path / "T"
    run.mkdir()
    (run / "a.txt").write_text("1,2,3,4\nnan,nan,nan,nan\n1,2,inf,4\n1,2,-3,4\n")
    (run / "notes.txt").write_text("1,2,3,4\n")
    imported = import_results(run, ["a", "b"])
    assert imported.missing == ["b"] and imported.unmatched == ["notes"]
    text = "\n".join(imported.warnings)
    assert "T/a.txt:2: 1 rows with NaN" in text
    assert "T/a.txt:3: 1 rows with infinite" in text
    assert "T/a.txt:4: 1 rows with negative width or height" in text


def test_unreadable_files_are_collected_as_errors_not_skipped(tmp_path):
    run = tmp_path / "T"
    run.mkdir()
    (run / "a.txt").write_text("1,2,3,4\n1,2,x,4\n")
    imported = import_results(run, ["a"])
    assert imported.errors and "a.txt:2" in imported.errors[0]
    assert "a" not in imported.results


def test_layouts_are_detected(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "a.txt").write_text("1,2,3,4\n")
    got = tmp_path / "got"
    (got / "a").mkdir(parents=True)
    (got / "a" / "a_001.txt").write_text("1,2,3,4\n2,2,3,4\n")
    (got / "a" / "a_002.txt").write_text("1,2,3,4\n3,2,3,4\n")
    (got / "a" / "a_time.txt").write_text("0.1\n0.2\n")
    vot = tmp_path / "vot"
    (vot / "baseline" / "a").mkdir(parents=True)
    (vot / "baseline" / "a" / "a_001.txt").write_text("1\n1,2,3,4\n2\n0\n0\n0\n0\n1\n1,2,3,4,5,6,7,8\n")
    assert [detect_layout(p) for p in (flat, got, vot)] == ["flat", "got10k", "vot"]
    g = import_results(got, ["a"])
    assert len(g.results["a"].trajectories) == 2 and g.results["a"].times.tolist() == [0.1, 0.2]
    v = import_results(vot, ["a"])
    traj = v.results["a"].trajectories[0]
    assert traj.codes.tolist()[:3] == [1, -1, 2] and len(traj) == 9
    assert traj.regions[1, :4].tolist() == [1, 2, 3, 4] and traj.regions[8, :8].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]


def test_vot_files_with_bad_lines_are_errors_naming_the_line(tmp_path):
    vot = tmp_path / "vot"
    (vot / "baseline" / "a").mkdir(parents=True)
    (vot / "baseline" / "a" / "a_001.txt").write_text("1\n1,2,3,4\nxyz\n")
    imported = import_results(vot, ["a"])
    assert imported.errors and "a_001.txt:3" in imported.errors[0]


def test_corner_form_first_row_detection():
    gt0 = np.array([198.0, 214, 34, 81])
    assert is_corner_row(np.array([197.0, 213, 231, 294]), gt0)  # SiamRPN's Basketball.txt
    assert not is_corner_row(np.array([198.5, 214.5, 34, 81]), gt0)  # pysot's half-pixel shift
    assert not is_corner_row(np.array([10.0, 10, 20, 20]), np.array([10.0, 10, 20, 20]))


@pytest.fixture(scope="session")
def otb_names(otb_gt):
    return list(otb_gt)


def test_real_otb_result_folders_match_all_100_sequences(results_root, otb_names, otb_gt):
    first = {n: g[0] for n, g in otb_gt.items()}
    for tracker in sorted(p.name for p in (results_root / "OTB100").iterdir()):
        imported = import_results(results_root / "OTB100" / tracker, otb_names, first_gt=first)
        assert not imported.missing and not imported.unmatched and not imported.errors, tracker
        corners = sum(r.corner_first_row for r in imported.results.values())
        assert corners == (100 if tracker == "SiamRPN" else 0), tracker
    mdnet = import_results(results_root / "OTB100" / "MDNet", otb_names)
    assert len(mdnet.results["Board"].trajectories[0]) == 697 and len(otb_gt["Board"]) == 698
