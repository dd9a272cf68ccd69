"""Result files: the contract between running and evaluating.

A run folder holds one tracker's output on one dataset split, in the pysot / got10k layout
that other toolkits read as well::

    <out>/<Dataset>[-<split>]/<run>/run.json             manifest (tracker, params, versions, ...)
    <out>/<Dataset>/<run>/<seq>.txt                      one-pass: x,y,w,h per frame (%.4f)
    <out>/<Dataset>/<run>/<seq>_time.txt                 seconds per frame (tracker call)
    <out>/<Dataset>/<run>/baseline/<seq>/<seq>_001.txt   reset protocol: per frame a box, or
                                                         1 (init), 2 (failure), 0 (skipped)
    <out>/<Dataset>/<run>/baseline/<seq>/<seq>_001_time.value

Protocols other than the benchmark's own one-pass or reset protocol keep their results and
their manifest in a sub-folder of the run folder (``--protocol``, docs/protocols.md); each
part (a TRE segment, an SRE shift, the long-term pass) is one trajectory file in the VOT
toolkit's layout, with its per-frame values beside it::

    <out>/<Dataset>/<run>/tre/run.json                   TRE (OTB): segment k = 1..20 covers
    <out>/<Dataset>/<run>/tre/<seq>/<seq>_001.txt        its start frame .. the last frame
    <out>/<Dataset>/<run>/tre/<seq>/<seq>_001_time.value
    <out>/<Dataset>/<run>/sre/<seq>/<seq>_001.txt        SRE (OTB): shift k = 1..12 (SRE_SHIFTS)
    <out>/<Dataset>/<run>/tre/otb-kit/<seq>_<run>.mat    the same, as the OTB MATLAB kit's results
                                                         (its ``results`` cell; also sre/otb-kit/)
    <out>/<Dataset>/<run>/longterm/<seq>/<seq>_001.txt   long-term (pysot's VOT-LT layout): 1 on
    <out>/<Dataset>/<run>/longterm/<seq>/<seq>_001_confidence.value   frame 0, then boxes;
                                                         confidence per frame (frame 0: empty)

Repeated runs of a stochastic tracker (``--repeat N``) are sibling run folders named by run id
as pytracking names them: ``<out>/<Dataset>/<run>_000``, ``<run>_001``, ...

Every file is written atomically (temporary file + rename), so a killed run never leaves a
half-written result, and a finished sequence is recognised by its file alone.  Sequence names
come from annotation files: each must be one path component (``sotbench.safepath``), and a
file is written only where it resolves inside the run folder (a linked ``baseline/<seq>``
folder pointing elsewhere is refused).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from sotbench.safepath import check_name, inside

__all__ = ["RunDir", "write_atomic", "format_box", "VOT_INIT", "VOT_FAILURE", "VOT_SKIP", "PART_PROTOCOLS",
           "run_id_dir", "RUN_ID"]

VOT_INIT, VOT_FAILURE, VOT_SKIP = 1, 2, 0
MANIFEST = "run.json"
PART_PROTOCOLS = ("tre", "sre", "longterm")  # one trajectory file per part, <seq>/<seq>_NNN.txt
RUN_ID = re.compile(r"^(?P<base>.+)_(?P<id>\d{3})$")  # pytracking's <parameter>_<run id:03d>


def run_id_dir(path: str | os.PathLike, run_id: int | None) -> Path:
    """The folder of run ``run_id`` of the run at ``path`` (``None``: the run itself)."""
    path = Path(path)
    return path if run_id is None else path.with_name(f"{path.name}_{run_id:03d}")


def write_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    # os.open applies the umask (mkstemp would force mode 0600 on the result files)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_box(box: Iterable[float]) -> str:
    """``x,y,w,h`` with 4 decimals."""
    return ",".join(f"{v:.4f}" for v in box)


class RunDir:
    """One run folder of one protocol: where each result file of each sequence goes, and what is finished."""

    def __init__(self, path: str | os.PathLike, protocol: str = "ope"):
        self.path = Path(path)
        self.protocol = protocol

    # -- paths (the one place that builds them from sequence names) ------------------------
    def ope_path(self, seq: str) -> Path:
        return self.path / f"{check_name(seq, 'sequence name')}.txt"

    def time_path(self, seq: str) -> Path:
        return self.path / f"{check_name(seq, 'sequence name')}_time.txt"

    def vot_dir(self, seq: str) -> Path:
        return self.path / "baseline" / check_name(seq, "sequence name")

    def vot_path(self, seq: str, repetition: int) -> Path:
        return self.vot_dir(seq) / f"{seq}_{repetition:03d}.txt"

    def vot_time_path(self, seq: str, repetition: int) -> Path:
        return self.vot_dir(seq) / f"{seq}_{repetition:03d}_time.value"

    def part_path(self, seq: str, part: int) -> Path:
        """A TRE / SRE / long-term trajectory: ``<seq>/<seq>_<part:03d>.txt``."""
        seq = check_name(seq, "sequence name")
        return self.path / seq / f"{seq}_{part:03d}.txt"

    def part_value_path(self, seq: str, part: int, name: str) -> Path:
        """A per-frame value of a part (``time``, ``confidence``), as the VOT toolkit names them."""
        seq = check_name(seq, "sequence name")
        return self.path / seq / f"{seq}_{part:03d}_{name}.value"

    def kit_mat_path(self, kit_name: str, run: str) -> Path:
        """A TRE / SRE sequence as the OTB MATLAB kit's result file (``<seq>_<tracker>.mat``, the
        name its perfPlot.m loads from ``results/results_TRE_*``); ``kit_name``: the kit's name of the sequence."""
        return self.path / "otb-kit" / f"{check_name(kit_name, 'sequence name')}_{check_name(run, 'run name')}.mat"

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    # -- writing ------------------------------------------------------------------------
    def _write(self, path: Path, text: str | bytes) -> None:
        """``write_atomic`` once ``path``'s folder is known to resolve inside the run folder."""
        self.path.mkdir(parents=True, exist_ok=True)
        inside(self.path, path.parent, "result folder")
        write_atomic(path, text)

    def write_ope(self, seq: str, boxes: np.ndarray, times: np.ndarray | None = None) -> None:
        """Write a one-pass trajectory (and per-frame times); the box file is written last."""
        if times is not None:
            self._write(self.time_path(seq), "".join(f"{t:.6f}\n" for t in times))
        self._write(self.ope_path(seq), "".join(format_box(b) + "\n" for b in np.asarray(boxes)))

    def write_vot(self, seq: str, repetition: int, lines: list[Any], times: np.ndarray | None = None) -> None:
        """Write one reset-protocol repetition: each entry is a code (0/1/2) or a box."""
        if times is not None:
            self._write(self.vot_time_path(seq, repetition), "".join(f"{t:.6f}\n" for t in times))
        text = "".join((f"{int(v)}" if np.ndim(v) == 0 else format_box(v)) + "\n" for v in lines)
        self._write(self.vot_path(seq, repetition), text)

    def write_part(self, seq: str, part: int, output: Any) -> None:
        """Write one part of a TRE / SRE / long-term run (an ``OpeOutput``); the trajectory last.
        Long-term runs write ``1`` for the initialisation frame and its confidences, as pysot does."""
        self._write(self.part_value_path(seq, part, "time"), "".join(f"{t:.6f}\n" for t in output.times))
        rows = [format_box(b) for b in np.asarray(output.boxes)]
        if self.protocol == "longterm":
            rows[0] = f"{VOT_INIT}"
            conf = ["" if k == 0 else f"{v:.6f}" for k, v in enumerate(np.asarray(output.scores, dtype=np.float64))]
            self._write(self.part_value_path(seq, part, "confidence"), "".join(c + "\n" for c in conf))
        self._write(self.part_path(seq, part), "".join(r + "\n" for r in rows))

    def write_kit_mat(self, kit_name: str, run: str, first_frame: int,
                      parts: list[tuple[int, np.ndarray, str | None]]) -> None:
        """Write a TRE / SRE sequence's parts ``(start index, boxes, SRE shift or None)`` as the OTB
        kit's ``results`` cell: per part a struct ``res`` (boxes), ``type`` ('rect'), ``len``,
        ``annoBegin`` (the sequence's first image number), ``startFrame`` (the part's), ``shiftType``
        (SRE), as the kit's main_running.m saves them."""
        import io

        from scipy.io import savemat

        cell = np.empty((1, len(parts)), dtype=object)
        for k, (start, boxes, shift) in enumerate(parts):
            boxes = np.asarray(boxes, dtype=np.float64)
            cell[0, k] = {"res": boxes, "type": "rect", "len": float(len(boxes)), "annoBegin": float(first_frame),
                          "startFrame": float(first_frame + start), **({"shiftType": shift} if shift else {})}
        buf = io.BytesIO()
        savemat(buf, {"results": cell})
        self._write(self.kit_mat_path(kit_name, run), buf.getvalue())

    def write_output(self, seq: str, part: int, output: Any) -> None:
        """Write one stream's output (``sotbench.jobs.OpeOutput`` or ``VotOutput``) as this folder's
        protocol lays it out: the one writer every run path uses."""
        if not hasattr(output, "boxes"):
            self.write_vot(seq, part, output.lines, np.asarray(output.times))
        elif self.protocol in PART_PROTOCOLS:
            self.write_part(seq, part, output)
        else:
            self.write_ope(seq, output.boxes, output.times)

    def write_manifest(self, manifest: dict) -> None:
        write_atomic(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n")

    # -- reading ------------------------------------------------------------------------
    def read_manifest(self) -> dict | None:
        """The manifest, None when there is none; a damaged one is a ``ValueError`` naming it."""
        if not self.manifest_path.is_file():
            return None
        try:
            data = json.loads(self.manifest_path.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{self.manifest_path}:{exc.lineno}: damaged run manifest (not JSON: {exc.msg}); "
                             "--force rewrites it, or move the folder away") from None
        if not isinstance(data, dict):
            raise ValueError(f"{self.manifest_path}: damaged run manifest (expected a JSON object); "
                             "--force rewrites it, or move the folder away")
        return data

    def vot_repetitions(self, seq: str) -> list[Path]:
        """Existing repetition files of ``seq``, in order."""
        d = self.vot_dir(seq)
        if not d.is_dir():
            return []
        reps = []
        for i in range(1, 1000):
            p = self.vot_path(seq, i)
            if not p.is_file():
                break
            reps.append(p)
        return reps

    def agree(self, seq: str, count: int = 3) -> bool:
        """Whether ``seq`` has ``count`` reset-protocol repetitions on disk and the first ``count`` are identical."""
        reps = self.vot_repetitions(seq)
        if len(reps) < count:
            return False
        first = reps[0].read_bytes()
        return all(p.read_bytes() == first for p in reps[1:count])

    def drop_vot_after(self, seq: str, last: int) -> None:
        """Remove ``seq``'s repetition files numbered above ``last`` (stale ones a forced rerun replaces)."""
        for i, path in enumerate(self.vot_repetitions(seq), start=1):
            if i > last:
                path.unlink(missing_ok=True)
                self.vot_time_path(seq, i).unlink(missing_ok=True)

    def is_done(self, seq: str, protocol: str | None = None, repetitions: int = 1, deterministic: bool = True) -> bool:
        """True when ``seq`` has complete results (reset runs: all repetitions, or for a
        deterministic tracker three identical ones; TRE / SRE: all ``repetitions`` parts)."""
        protocol = protocol or self.protocol
        if protocol in PART_PROTOCOLS:
            return all(self.part_path(seq, k).is_file() for k in range(1, repetitions + 1))
        if protocol == "ope":
            return self.ope_path(seq).is_file()
        if len(self.vot_repetitions(seq)) >= repetitions:
            return True
        return deterministic and self.agree(seq)
