"""Annotation parsing: separators, missing newline, and clear errors naming file and line."""

import numpy as np
import pytest

from sotbench.datasets.base import read_flags, read_rows
from sotbench.sequences import AnnotationError


def test_mixed_separators_and_no_final_newline(tmp_path):
    p = tmp_path / "gt.txt"
    p.write_text("1,2,3,4\r\n5\t6\t7\t8\n9 10  11 12")
    assert read_rows(p).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]


def test_mixed_widths_are_nan_padded(tmp_path):
    p = tmp_path / "gt.txt"
    p.write_text("1,2,3,4,5,6,7,8\n1,2,3,4\n")
    rows = read_rows(p, widths=(4, 8))
    assert rows.shape == (2, 8) and np.isnan(rows[1, 4:]).all()


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("1,2,3,4\n1,2,3\n", 2, "expected 4 numbers, found 3"),
        ("1,2,3,4\nx,2,3,4\n", 2, "expected numbers"),
        ("1,2,3,4\n\n1,2,3,4\n", 2, "found 0"),
        ("1,2,3,4\nNaN,NaN,NaN,NaN\n", 2, "NaN is not allowed"),
        ("1,2,3,inf\n", 1, "infinite"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, text, line, words):
    p = tmp_path / "groundtruth.txt"
    p.write_text(text)
    with pytest.raises(AnnotationError) as err:
        read_rows(p)
    assert f"{p}:{line}" in str(err.value) and words in str(err.value)


def test_nan_rows_when_allowed(tmp_path):
    p = tmp_path / "gt.txt"
    p.write_text("1,2,3,4\nNaN,NaN,NaN,NaN\n")
    assert np.isnan(read_rows(p, allow_nan=True)[1]).all()


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(AnnotationError, match="missing"):
        read_rows(tmp_path / "nope.txt")
    (tmp_path / "e.txt").write_text("\n\n")
    with pytest.raises(AnnotationError, match="empty"):
        read_rows(tmp_path / "e.txt")


def test_flags(tmp_path):
    (tmp_path / "a.txt").write_text("0,1,1,0")
    (tmp_path / "b.label").write_text("0\n1\n")
    assert read_flags(tmp_path / "a.txt", 4).tolist() == [0, 1, 1, 0]
    with pytest.raises(AnnotationError, match="expected 3 values"):
        read_flags(tmp_path / "b.label", 3)
