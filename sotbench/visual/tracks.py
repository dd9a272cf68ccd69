"""One run's result on one sequence, ready to draw: its regions and per-frame overlap.

Result files are read with ``sotbench.metrics.importers.import_results`` (any toolkit's layout)
and scored frame by frame with ``sotbench.metrics.frame_overlap`` under the metric profile; the
first repetition is shown (VOT ``<seq>_001.txt``, GOT-10k ``<seq>_001.txt``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sotbench.metrics.fit import ResultsMismatch, check_layout
from sotbench.metrics.frame_overlap import FrameOverlap, ope_frame_overlaps, vot_frame_overlaps
from sotbench.metrics.importers import import_results, resolve_layout
from sotbench.metrics.prepare import PredictionError
from sotbench.metrics.profile import Profile
from sotbench.sequences import Sequence

__all__ = ["ShowError", "Track", "load_track"]


class ShowError(ValueError):
    """Runs or frames that cannot be shown; one line naming the file and the problem."""


@dataclass(frozen=True, eq=False)
class Track:
    """What one run reported on one sequence, with its overlaps and how it is drawn."""

    name: str
    regions: np.ndarray  # (N, K): per frame a box (K = 4) or NaN-padded region; NaN rows: nothing reported
    overlap: FrameOverlap
    source: str
    colour: str = "#1f77b4"
    dashed: bool = False
    repetitions: int = 1

    def region(self, frame: int) -> np.ndarray | None:
        """The region reported for ``frame`` (``None``: no region, e.g. a VOT code frame)."""
        if frame >= len(self.regions):
            return None
        r = self.regions[frame]
        return None if np.isnan(r[:4]).any() else r

    def code(self, frame: int) -> int | None:
        """The VOT code of ``frame`` (0 skipped, 1 init, 2 failure), ``None`` on a region or one-pass."""
        codes = self.overlap.codes
        if codes is None or frame >= len(codes) or codes[frame] < 0:
            return None
        return int(codes[frame])


def _rows(values: np.ndarray, n: int) -> np.ndarray:
    """``values`` cut or NaN-padded to ``n`` rows."""
    out = np.full((n, values.shape[1]), np.nan)
    out[: min(n, len(values))] = values[:n]
    return out


def load_track(dataset, seq: Sequence, run_dir: str | os.PathLike, profile: Profile, *, name: str | None = None,
               colour: str = "#1f77b4", dashed: bool = False) -> Track:
    """Read ``run_dir``'s result for ``seq`` (raises ``ShowError`` when there is none or it is unreadable)."""
    run_dir = Path(run_dir)
    if dataset.protocol not in ("ope", "vot_reset"):
        raise ShowError(f"{dataset.key} is a {dataset.protocol} benchmark: show draws one-pass (OPE) and "
                        "reset-protocol (VOT) runs only")
    try:
        layout = resolve_layout(run_dir)
        check_layout(dataset, run_dir, layout)
    except (FileNotFoundError, ResultsMismatch) as exc:
        raise ShowError(str(exc)) from None
    imported = import_results(run_dir, [seq.name], layout=layout, first_gt={seq.name: seq.gt[0, :4]})
    if imported.errors:
        raise ShowError(imported.errors[0])
    found = imported.results.get(seq.name)
    if found is None:
        expected = f"baseline/{seq.name}/{seq.name}_001.txt" if layout == "vot" else f"{seq.name}.txt"
        raise ShowError(f"{run_dir}: no result file for sequence {seq.name!r} (expected {run_dir / expected})")
    n = len(seq.gt)
    source = str(found.paths[0])
    try:
        if dataset.protocol == "vot_reset":
            traj = found.trajectories[0]
            overlap = vot_frame_overlaps(seq, traj, profile)
            regions = _rows(np.asarray(traj.regions), n)
        else:
            boxes = np.asarray(found.trajectories[0], dtype=np.float64)
            overlap = ope_frame_overlaps(seq, boxes, profile, corner_first_row=found.corner_first_row, label=source)
            regions = _rows(boxes, n)
    except (PredictionError, ValueError) as exc:
        raise ShowError(str(exc)) from None
    return Track(name or run_dir.name, regions, overlap, source, colour, dashed, len(found.trajectories))
