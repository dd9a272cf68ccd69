"""Helpers shared by the benchmark adapters: package data, frame ranges, ground-truth checks."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from sotbench.datasets.base import check_sequence_name
from sotbench.datasets.folder import IMAGE_EXTS, VIDEO_EXTS, natural_key
from sotbench.frames import ImageFiles, VideoFrames, image_size
from sotbench.sequences import AnnotationError

__all__ = [
    "package_json",
    "package_lines",
    "numbered_frames",
    "listed_frames",
    "video_frames",
    "check_boxes",
    "first_image_size",
    "read_list",
    "attribute_codes",
    "flag_attributes",
]


@lru_cache(maxsize=None)
def _package_text(name: str) -> str:
    return resources.files("sotbench.datasets").joinpath("splits", name).read_text(encoding="utf-8")


def package_json(name: str) -> dict:
    """A JSON file of benchmark facts shipped in ``sotbench/datasets/splits/``."""
    return json.loads(_package_text(name))


def package_lines(name: str) -> list[str]:
    """The non-blank, non-comment lines of a list file shipped in ``sotbench/datasets/splits/``."""
    lines = (ln.strip() for ln in _package_text(name).splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


def read_list(path: Path) -> list[str]:
    """Names in a ``list.txt``-style file (one per line; blank lines and CRLF are fine); each
    must be one path component (``check_sequence_name``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AnnotationError(path, "list file is missing") from None
    return [check_sequence_name(path, ln.strip(), i) for i, ln in enumerate(text.splitlines(), 1) if ln.strip()]


def numbered_frames(folder: Path, start: int, end: int, zeros: int, ext: str = ".jpg") -> ImageFiles | None:
    """Images ``start..end`` (inclusive, numbers zero-padded to ``zeros`` digits) of ``folder``.

    ``None`` when the folder does not exist (annotation-only tree).  The first and the last
    image must exist; a missing one means the frames do not match the benchmark's range.
    """
    if not folder.is_dir():
        return None
    paths = [folder / f"{i:0{zeros}d}{ext}" for i in range(start, end + 1)]
    for p in (paths[0], paths[-1]):
        if not p.is_file():
            raise AnnotationError(
                folder, f"expected images {paths[0].name} .. {paths[-1].name} "
                f"({len(paths)} frames), but {p.name} is missing")
    return ImageFiles(paths)


def listed_frames(folder: Path, numeric: bool = False) -> ImageFiles | None:
    """All images of ``folder`` sorted by name (``numeric``: by the number in ``N.jpg``)."""
    if not folder.is_dir():
        return None
    names = [n for n in os.listdir(folder) if os.path.splitext(n)[1].lower() in IMAGE_EXTS]
    if not names:
        return None
    if numeric:
        bad = [n for n in names if not os.path.splitext(n)[0].isdigit()]
        if bad:
            raise AnnotationError(folder / bad[0], "expected frame files named <number>.jpg")
        names.sort(key=lambda n: int(os.path.splitext(n)[0]))
    else:
        names.sort(key=natural_key)
    return ImageFiles([folder / n for n in names])


def video_frames(folder: Path) -> VideoFrames | None:
    """The first video file (``.mp4``, ``.avi``, ...) in ``folder`` as a frame source."""
    if not folder.is_dir():
        return None
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_EXTS)
    return VideoFrames(videos[0]) if videos else None


def first_image_size(frames) -> tuple[int, int] | None:
    """``(width, height)`` of the first frame (header only for JPEG); ``None`` without frames."""
    if frames is None:
        return None
    if isinstance(frames, ImageFiles):
        return image_size(frames.paths[0])
    first = frames[0]
    return int(first.shape[1]), int(first.shape[0])


def check_boxes(
    path: Path | str,
    gt: np.ndarray,
    *,
    nonpositive_ok: np.ndarray | bool = False,
    nan_rows_ok: bool = False,
    first_line: int = 1,
    why: str = "",
) -> None:
    """Check ``(N, 4)`` boxes: finite first box with positive size, then per-row rules.

    ``nonpositive_ok``: rows (bool mask, or True for all but the first) where a zero or
    negative width/height is documented by the benchmark.  ``nan_rows_ok``: all-NaN rows mean
    "target absent" (UAV123).  Errors name the file line (``first_line`` = line of row 0).
    """
    if gt.shape[1] != 4:
        return
    first = gt[0]
    if not np.isfinite(first).all() or first[2] <= 0 or first[3] <= 0:
        raise AnnotationError(path, f"first box must be finite with positive width and height, "
                              f"got {first.tolist()}", first_line)
    nan = np.isnan(gt)
    partial = nan.any(axis=1) & ~nan.all(axis=1)
    bad_nan = partial | (nan.all(axis=1) & (not nan_rows_ok))
    if bad_nan.any():
        i = int(np.argmax(bad_nan))
        expect = "all four values NaN (absent) or none" if nan_rows_ok else "no NaN in this benchmark"
        raise AnnotationError(path, f"NaN in box {gt[i].tolist()} (expected {expect})", first_line + i)
    with np.errstate(invalid="ignore"):
        nonpos = ~nan.any(axis=1) & ((gt[:, 2] <= 0) | (gt[:, 3] <= 0))
    if nonpositive_ok is True:
        return
    if nonpositive_ok is not False:
        nonpos &= ~np.asarray(nonpositive_ok, dtype=bool)
    if nonpos.any():
        i = int(np.argmax(nonpos))
        raise AnnotationError(path, f"zero or negative box size {gt[i].tolist()} "
                              f"(expected width and height > 0{why})", first_line + i)


def _fold(text: str) -> str:
    letters = "".join(ch for ch in text.lower() if ch.isalpha())
    return letters[:-1] if letters.endswith("s") else letters


def attribute_codes(path: Path | str, name: str, values, table: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """Attribute codes for ``values`` given as codes or descriptions (case and plural ignored)."""
    lookup = {_fold(code): code for code, _ in table} | {_fold(desc): code for code, desc in table}
    out = set()
    for value in values or ():
        code = lookup.get(_fold(str(value)))
        if code is None:
            raise AnnotationError(path, f"{name}: unknown attribute {value!r} "
                                  f"(known: {', '.join(c for c, _ in table)})")
        out.add(code)
    return frozenset(out)


def flag_attributes(path: Path, codes: tuple[str, ...]) -> frozenset[str]:
    """Attributes from a file of 0/1 flags, one per attribute in ``codes`` order."""
    from sotbench.datasets.base import read_flags

    flags = read_flags(path)
    if len(flags) != len(codes) or not np.isin(flags, (0, 1)).all():
        raise AnnotationError(path, f"expected {len(codes)} 0/1 flags ({','.join(codes)}), "
                              f"found {flags.tolist()}")
    return frozenset(c for c, f in zip(codes, flags) if f)
