"""``sotbench show``: draw runs on a sequence's real frames (video, contact sheet, failure gallery)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sotbench.commands.common import (add_dataset_arguments, add_display_name_arguments, display_name_mapping,
                                      float_range, int_range)
from sotbench.errors import CommandError

EPILOG = """The output's extension picks what is written: .mp4 (H.264, needs the video extra:
pip install 'sotbench[video]'), .gif (animated), .png (a contact sheet of --frames, or with
--gallery the failure gallery: for each run the K frames where its IoU drops the most or it
loses the target). Every frame shows the frame number, each run's IoU with the ground truth
(the metric profile's overlap) and a legend; VOT runs are drawn as polygons, with failure
frames framed in red and re-initialisations marked. With several --sequences, one file per
sequence is written: OUT's name gets _<sequence> before the extension.

examples:
  sotbench show --dataset otb100 --root ~/data/OTB100 --sequences Couple \\
      --results results/OTB100/SiamRPN++ ~/raw/OTB100/ATOM --out couple.mp4
  sotbench show --dataset otb100 --root ~/data/OTB100 --sequences Couple,Crossing \\
      --results ~/raw/OTB100/SiamRPN++ --gallery --out gallery.png
  sotbench show --dataset vot2018 --root ~/data/VOT2018 --sequences bag --results res/VOT2018/Ocean \\
      --out bag.gif --fps 15
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_arguments(p)
    p.add_argument("--results", nargs="+", action="extend", default=[], type=Path, metavar="DIR", required=True,
                   help="run folders (sotbench runs or any toolkit's raw results), one colour each")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="output file: .mp4, .gif or .png")
    p.add_argument("--gallery", action="store_true",
                   help="write the failure gallery (PNG): each run's worst frames, where its IoU drops or it is lost")
    p.add_argument("-k", "--gallery-frames", type=int_range(1, 200), default=12, metavar="K",
                   help="frames per run in the gallery, 1 <= K <= 200 (default 12)")
    p.add_argument("--frames", metavar="LIST",
                   help="only these frames, 1-based: 1,50,100 or 1-200 (default: all for a video, 12 spread "
                        "evenly for a PNG contact sheet)")
    p.add_argument("--fps", type=float_range(0.1, 240), default=25.0, metavar="N",
                   help="video frame rate, 0.1 <= N <= 240 (default 25)")
    p.add_argument("--profile", metavar="NAME", help="metric profile of the IoU shown (default: the dataset's)")
    add_display_name_arguments(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_frames(text: str | None, n: int) -> list[int] | None:
    """``"1,5,10-12"`` (1-based, inclusive ranges) -> 0-based indices; out-of-range numbers are an error."""
    if not text:
        return None
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, dash, last = part.partition("-")
        try:
            a, b = int(first), int(last) if dash else int(first)
        except ValueError:
            raise CommandError(f"--frames expects numbers and ranges like 1,50,100-120, got {part!r}") from None
        if not 1 <= a <= b <= n:
            raise CommandError(f"--frames {part}: the sequence has frames 1 to {n}")
        out.extend(range(a - 1, b))
    if not out:
        raise CommandError("--frames names no frame")
    return sorted(dict.fromkeys(out))


def _outputs(out: Path, names: list[str]) -> dict[str, Path]:
    from sotbench.report.sequences import sequence_file_stem

    if len(names) == 1:
        return {names[0]: out}
    return {n: out.with_name(f"{out.stem}_{sequence_file_stem(n)}{out.suffix}") for n in names}


def _check_args(args: argparse.Namespace) -> None:
    from sotbench.visual.media import SUFFIXES

    suffix = args.out.suffix.lower()
    if suffix not in SUFFIXES:
        raise CommandError(f"--out {args.out}: unknown extension {args.out.suffix or '(none)'!r}, "
                           f"known: {', '.join(SUFFIXES)}")
    if args.gallery and suffix != ".png":
        raise CommandError(f"--gallery writes a PNG contact sheet; --out {args.out} should end in .png")
    if args.gallery_frames < 1:
        raise CommandError(f"--gallery-frames must be at least 1, got {args.gallery_frames}")
    if not args.sequences:
        raise CommandError("--sequences is required: the sequence(s) to show, e.g. --sequences Couple")
    missing = [str(d) for d in args.results if not d.is_dir()]
    if missing:
        raise CommandError(f"results folder not found: {', '.join(missing)}")


def _styles(run_dirs: list[Path]) -> dict[str, object]:
    """The report's colour of each run (stable per results root), keyed by run folder."""
    from sotbench.report.runs import colour_universe
    from sotbench.report.style import assign_styles

    return assign_styles([d.name for d in run_dirs], colour_universe(run_dirs))


def _display(run_dirs: list[Path], mapping: dict[str, str]) -> dict[str, str]:
    from sotbench.report.runs import RunRef, display_names

    names = {d.name for d in run_dirs}
    unknown = sorted(set(mapping) - names)
    if unknown:
        raise CommandError(f"--name/--names give a display name for {', '.join(repr(u) for u in unknown)}, which is "
                           f"not one of the --results folders: {', '.join(sorted(names))}")
    return display_names([RunRef(d.name, d) for d in run_dirs], mapping)


def _show_one(args, dataset, seq, run_dirs, profile, styles, display, out: Path) -> str:
    from sotbench.visual.render import even_frames, write_gallery, write_sheet, write_video
    from sotbench.visual.tracks import load_track

    tracks = [load_track(dataset, seq, d, profile, name=display.get(d.name, d.name), colour=styles[d.name].color,
                         dashed=styles[d.name].linestyle != "-") for d in run_dirs]
    frames = parse_frames(args.frames, len(seq))
    if args.gallery:
        path = write_gallery(seq, tracks, out, args.gallery_frames)
        return f"{path}: failure gallery of {seq.name}, up to {args.gallery_frames} frames for each of {len(tracks)} runs"
    if out.suffix.lower() == ".png":
        picked = frames if frames is not None else even_frames(len(seq), 12)
        path = write_sheet(seq, tracks, out, picked)
        return f"{path}: {len(picked)} frames of {seq.name}"
    path, count = write_video(seq, tracks, out, args.fps, frames, progress=not args.no_progress)
    return f"{path}: {count} frames of {seq.name} at {args.fps:g} fps"


def main(args: argparse.Namespace) -> int:
    from sotbench.commands.common import open_dataset, parse_sequences
    from sotbench.evaluate import EvaluationError, resolve_profile
    from sotbench.visual.tracks import ShowError

    _check_args(args)
    dataset = open_dataset(args)
    names = dataset.subset(list(parse_sequences(args.sequences) or ()))
    try:
        profile = resolve_profile(dataset, args.profile)
    except EvaluationError as exc:
        raise CommandError(str(exc)) from None
    run_dirs = list(dict.fromkeys(args.results))
    styles, display = _styles(run_dirs), _display(run_dirs, display_name_mapping(args))
    for name, out in _outputs(args.out, names).items():
        try:
            print(_show_one(args, dataset, dataset[name], run_dirs, profile, styles, display, out))
        except ShowError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            print(f"interrupted: {out} not written", file=sys.stderr)
            raise
    return 0
