"""Whether a results folder belongs to a dataset, decided before anything is scored.

Three checks, each refused in one line naming the folder, what was found and what was expected:

* the layout fits the protocol (VOT reset-protocol files are never scored as one-pass boxes, nor
  the reverse);
* enough of the files name a sequence of the benchmark (any of its splits, so a full run fits a
  smaller split);
* the files matched to sequences of this root have their frame counts (``Dataset.result_length_fits``
  holds each benchmark's documented exceptions, e.g. OTB's Tiger1 from frame 1).

A run with files for only some sequences fits: that is a partial run, not another benchmark.
"""

from __future__ import annotations

from pathlib import Path

from sotbench.datasets.base import Dataset
from sotbench.metrics.importers import candidate_files
from sotbench.metrics.names import match_names
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["ResultsMismatch", "check_fit", "check_layout", "known_length"]

#: below this fraction of files naming a sequence, a folder is another benchmark's (the bundled
#: cross-benchmark folders name at most 13%; OTB2013/OTB50 from OTB100 runs, 50%)
MIN_NAMED = 0.25
#: above this fraction of matched files with another length (and more than one), likewise
#: (published folders of the right benchmark: at most 2 of 60; OTB100 files on VOT2018: 3 of 8)
MAX_OTHER_LENGTH = 0.25
SHOWN = 3

LAYOUT_FOUND = {
    "vot": "VOT reset-protocol layout (baseline/<seq>/<seq>_001.txt)",
    "flat": "one-pass layout (<seq>.txt files)",
    "got10k": "GOT-10k layout (<seq>/<seq>_001.txt boxes)",
}
PROTOCOL = {
    "ope": ("a one-pass (OPE) benchmark", ("flat", "got10k"), "<seq>.txt files"),
    "vot_reset": ("a reset-protocol (VOT) benchmark", ("vot",), "baseline/<seq>/<seq>_001.txt files"),
    "longterm": ("a long-term benchmark", ("vot", "got10k"), "longterm/<seq>/<seq>_001.txt files"),
}


class ResultsMismatch(ValueError):
    """The result files do not belong to the dataset (layout, names or lengths); one line."""


def known_length(seq: Sequence) -> int | None:
    """Frame count of a sequence, or None when only a first-frame annotation and no frames are known."""
    if seq.frames is not None or "n_frames" in seq.meta or seq.gt.shape[0] > 1:
        return len(seq)
    return None


def check_layout(dataset: Dataset, run_dir: Path, layout: str) -> dict[str, list[Path]]:
    """The result files (stem -> paths) of ``run_dir`` in ``layout``; raises when none or the protocol differs."""
    what, fitting, expected = PROTOCOL[dataset.protocol]
    files = candidate_files(run_dir, layout)
    if not files:
        raise ResultsMismatch(f"{run_dir}: no result files in the {layout} layout; expected {expected} "
                              f"for {dataset.key}")
    if layout not in fitting:
        raise ResultsMismatch(f"{run_dir}: {LAYOUT_FOUND[layout]} but {dataset.key} is {what}: expected {expected}")
    return files


def _short(dataset: Dataset) -> str:
    """The benchmark's short name, as plots and leaderboards print it (its folder: OTB100, LaSOT)."""
    return dataset.spec.folder or dataset.key


def _benchmark_names(dataset: Dataset) -> list[str]:
    """Sequence names of every split of the benchmark that can be listed (this root's first)."""
    names = list(dataset.names) + list(dataset.missing_names)
    for split in dataset.spec.splits:
        if split == dataset.split:
            continue
        try:  # other splits' lists are best effort: some need their own folders
            names += type(dataset)(dataset.root, split=split).expected_names() or []
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return list(dict.fromkeys(names))


def _rows(path: Path) -> int:
    """Lines of a result file up to its last non-blank one (one per frame in every layout)."""
    return len(path.read_text(encoding="utf-8", errors="replace").rstrip().splitlines())


def _other_lengths(dataset: Dataset, run_dir: Path, files: dict[str, list[Path]]) -> tuple[int, list[str]]:
    """``(files checked, "<file>: N rows, <title>'s <seq> has M frames" for each that does not fit)``."""
    mapping, _ = match_names(files, dataset.names)
    checked, bad = 0, []
    for stem, name in sorted(mapping.items()):
        try:
            seq = dataset[name]
        except (AnnotationError, FileNotFoundError):
            continue  # unreadable annotations are reported when (if) that sequence is scored
        frames = known_length(seq)
        if frames is None:
            continue
        checked += 1
        rows = _rows(files[stem][0])
        if not dataset.result_length_fits(seq, rows):
            rel = files[stem][0].relative_to(run_dir).as_posix()
            bad.append(f"{rel}: {rows} rows, {_short(dataset)}'s {name} has {frames} frames")
    return checked, bad


def check_fit(dataset: Dataset, run_dir: Path, layout: str) -> None:
    """Raise ``ResultsMismatch`` unless ``run_dir`` (in ``layout``, not auto) holds results of ``dataset``."""
    files = check_layout(dataset, run_dir, layout)
    named = len(match_names(files, _benchmark_names(dataset))[0])
    checked, bad = _other_lengths(dataset, run_dir, files)
    few_named = named < MIN_NAMED * len(files)
    many_bad = len(bad) > max(1.0, MAX_OTHER_LENGTH * checked)
    if not (few_named or many_bad):
        return
    title = _short(dataset)
    parts = [f"only {named} of {len(files)} result files name a sequence of {title}"] if few_named else []
    if bad:
        parts.append(f"{len(bad)} of the {checked} with ground truth here have another length "
                     f"({'; '.join(bad[:SHOWN])}{'; ...' if len(bad) > SHOWN else ''})")
    raise ResultsMismatch(f"{run_dir}: these look like another benchmark's results: {', and '.join(parts)}; "
                          f"expected one file per sequence of {title} with one row per frame")
