"""Per-sequence results across runs (pytracking's ``print_per_sequence_results``): one row per
sequence with its attributes and each run's score, and the files each row links to (the
sequence's IoU-over-time plot and its failure gallery).

The scores come from each run's ``per_sequence.csv`` (written with its ``scores.json``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sotbench.metrics.table import METRICS
from sotbench.report.board import Board, Entry
from sotbench.report.tables import Column, Table

__all__ = ["SEQUENCE_METRICS", "per_sequence_path", "read_per_sequence", "sequence_matrix", "sequence_table",
           "sequence_file_stem", "write_sequence_files"]

#: the per-sequence scores shown for each run, by protocol
SEQUENCE_METRICS = {"ope": ("success_auc",), "vot_reset": ("accuracy", "failures")}


def per_sequence_path(score_file: str | Path) -> Path:
    """The ``per_sequence*.csv`` written next to a ``scores*.json`` (same profile suffix)."""
    path = Path(score_file)
    return path.with_name("per_sequence" + path.stem[len("scores"):] + ".csv")


def read_per_sequence(score_file: str | Path) -> pd.DataFrame | None:
    """The per-sequence table next to ``score_file`` (index: sequence), or ``None`` when absent or unreadable."""
    path = per_sequence_path(score_file)
    try:
        table = pd.read_csv(path, index_col="sequence", dtype={"sequence": str})
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return None
    return table


def sequence_matrix(runs: list[tuple[str, pd.DataFrame]], protocol: str,
                    attributes: Mapping[str, list[str]] | None = None) -> pd.DataFrame:
    """Sequences x (runs' per-sequence scores): columns ``attributes``, ``n_frames``, then
    ``<run>`` (one metric) or ``<run> <metric label>`` per run and metric; rows in sequence order
    of the first run, then the others'."""
    metrics = [m for m in SEQUENCE_METRICS.get(protocol, ("success_auc",))]
    order: list[str] = []
    for _, table in runs:
        order += [s for s in table.index.astype(str) if s not in order]
    out = pd.DataFrame(index=pd.Index(order, name="sequence"))
    if attributes is not None:
        out["attributes"] = [" ".join(sorted(attributes.get(s, ()))) for s in order]
    frames = pd.Series(index=out.index, dtype="float64")
    for _, table in runs:
        if "n_frames" in table.columns:
            frames = frames.fillna(table["n_frames"].reindex(out.index.astype(str)))
    out["n_frames"] = frames.astype("Int64")
    for name, table in runs:
        table = table.copy()
        table.index = table.index.astype(str)
        for m in metrics:
            key = name if len(metrics) == 1 else f"{name} {METRICS[m].label}"
            out[key] = table[m].reindex(out.index) if m in table.columns else float("nan")
    return out


def sequence_file_stem(name: str) -> str:
    """A file-name-safe form of a sequence name."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "sequence"


def _value(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(float(v)) else None


def sequence_table(board: Board, tables: Mapping[str, pd.DataFrame],
                   attributes: Mapping[str, list[str]] | None = None) -> Table | None:
    """The per-sequence table of a report: one row per sequence, one column per run (and metric);
    ``None`` when no run has per-sequence scores."""
    entries: list[Entry] = [e for e in board.entries if e.name in tables]
    if not entries:
        return None
    metrics = SEQUENCE_METRICS.get(board.protocol, ("success_auc",))
    matrix = sequence_matrix([(e.name, tables[e.name]) for e in entries], board.protocol, attributes)
    cols = [Column("sequence", "Sequence", "Sequence")]
    if attributes is not None:
        cols.append(Column("attributes", "Attributes", "Attributes"))
    cols.append(Column("n_frames", "Frames", "Frames", "count"))
    for e in entries:
        for m in metrics:
            info = METRICS[m]
            label = e.shown if len(metrics) == 1 else f"{e.shown} {info.label}"
            cols.append(Column(f"run:{e.name}:{m}", label, label, "metric", info.higher_is_better, info.fraction))
    rows = []
    for seq, values in matrix.iterrows():
        row = {"sequence": seq, "n_frames": None if pd.isna(values["n_frames"]) else int(values["n_frames"])}
        if attributes is not None:
            row["attributes"] = values["attributes"] or "–"
        for e in entries:
            for m in metrics:
                key = e.name if len(metrics) == 1 else f"{e.name} {METRICS[m].label}"
                row[f"run:{e.name}:{m}"] = _value(values[key])
        rows.append(row)
    what = " and ".join(METRICS[m].label for m in metrics)
    caption = f"{board.title}: {what} per sequence"
    return Table(cols, rows, caption, [], n_ranked=len(rows), row_best=True)


def _tracks(dataset, seq, runs: Mapping[str, Path], profile, styles, display: Mapping[str, str]):
    """The runs' tracks on ``seq`` (a run without a readable result for it is left out)."""
    from sotbench.visual.tracks import ShowError, load_track

    out = []
    for name, path in runs.items():
        style = styles[name]
        try:
            out.append((name, load_track(dataset, seq, path, profile, name=display.get(name, name), colour=style.color,
                                         dashed=style.linestyle != "-")))
        except ShowError:
            continue  # the run has no (scorable) result for this sequence: its row cell is empty too
    return out


def write_sequence_files(dataset, runs: Mapping[str, Path], out: Path, profile, styles, *,
                         display: Mapping[str, str] | None = None, galleries: bool = False, k: int = 12,
                         log=None) -> dict[str, dict[str, Path]]:
    """Per sequence, its IoU-over-time plot (``sequences/<seq>_iou.png``) and, with ``galleries``
    and frames on disk, its failure gallery (``sequences/<seq>_gallery.png``)."""
    from sotbench.visual.draw import hex_to_bgr
    from sotbench.visual.media import write_png
    from sotbench.visual.render import write_gallery
    from sotbench.visual.timeline import iou_timeline
    from sotbench.visual.tracks import ShowError

    display = display or {}
    written: dict[str, dict[str, Path]] = {}
    no_frames = []
    from sotbench.sequences import AnnotationError

    for name in dataset.names:
        try:
            seq = dataset[name]
        except (AnnotationError, FileNotFoundError, ValueError):
            continue  # unreadable annotations: the evaluator names the file
        tracks = _tracks(dataset, seq, runs, profile, styles, display)
        if not tracks:
            continue
        stem = out / "sequences" / sequence_file_stem(name)
        lines = [(t.name, hex_to_bgr(styles[run].color), t.overlap.iou,
                  np.flatnonzero(t.overlap.lost) if t.overlap.codes is not None else None) for run, t in tracks]
        iou_path = write_png(stem.with_name(stem.name + "_iou.png"), iou_timeline(f"{name}: IoU per frame", lines))
        written[name] = {"iou": iou_path}
        if galleries:
            if seq.frames is None:
                no_frames.append(name)
                continue
            try:
                written[name]["gallery"] = write_gallery(seq, [t for _, t in tracks],
                                                         stem.with_name(stem.name + "_gallery.png"), k)
            except ShowError as exc:
                if log:
                    log(f"{name}: no failure gallery ({exc})")
    if no_frames and log:
        log(f"no failure galleries for {len(no_frames)} sequences without frames in the dataset root "
            f"({', '.join(no_frames[:3])}{', ...' if len(no_frames) > 3 else ''})")
    return written
