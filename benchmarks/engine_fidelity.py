"""Engine fidelity on the golden fixtures: each precision's box and score deltas.

    python benchmarks/engine_fidelity.py [--device cuda] [--frames 59] [--out fidelity.md] [--real]

Needs the shared fixtures (``$SOTBENCH_SHARED`` or ../shared: ``fixtures/`` and
``data/sequences/VOT2018/bag``).  Three tables, and a fourth with ``--real``:

A. teacher-forced, per step: the tracker fed the fixture's state before each frame, its box and
   score compared with what pysot's / mmtracking's own tracker produced (all 8 fixture files),
   with the network in fp32, tf32 and bf16 (``PrecisionNet``, the engine's network);
B. free-running: the engine (several sequences and hyperparameter sets in one batch) against
   the single-stream tracker in fp32 on the same device; fp32 must agree within 1e-3 px;
   tf32/bf16 drift apart once a different cell wins (the random fixture network does not track,
   so small differences can grow), so the first frames are shown separately;
C. (CUDA) nvJPEG against libjpeg-turbo on the bag JPEGs, and the fp32 engine fed by nvJPEG;
D. (``--real``) free-running over the full length of every real sequence in
   ``data/sequences`` (OTB100 Couple, Crossing, Football1, Jogging-1/-2; VOT2018 bag as OPE):
   the fp32 engine with all of them in one run (one stream each, longest first, the device's
   default batch, as ``sotbench run`` does) against the single-stream tracker, per sequence and
   flavour.  The difference grows with the frame count, so it is given with the length.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from engine_workload import load_model, shared_fixtures  # noqa: E402

from sotbench.frames import ImageFiles, decode_image  # noqa: E402
from sotbench.jobs import Job, Stream  # noqa: E402
from sotbench.sequences import Sequence  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.core import Engine  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions  # noqa: E402
from sotbench.trackers.siamrpnpp.engine.precision import PrecisionNet  # noqa: E402
from sotbench.trackers.siamrpnpp.params import Params  # noqa: E402
from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker  # noqa: E402

SETTINGS = {"default": (0.05, 0.42, 0.38), "alt": (0.2, 0.3, 0.5)}
PRECISIONS = ("fp32", "tf32", "bf16")


def _golden(fixtures: Path, video: str, setting: str, flavour: str) -> dict:
    prefix = "golden_mmtrack_" if flavour == "mmtracking" else "golden_"
    with np.load(fixtures / f"{prefix}{video}_{setting}.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _frames(fixtures: Path, video: str) -> list[np.ndarray]:
    if video == "synth":
        sys.path.insert(0, str(fixtures))
        from synthetic_video import make_video

        return list(make_video(60)[0])
    g = _golden(fixtures, video, "default", "pysot")
    return [decode_image(fixtures.parent / n) for n in json.loads(str(g["meta_json"]))["frame_names"]]


def teacher_forced(model, dev, fixtures: Path, frames_per_file: int) -> list[str]:
    """Table A rows: max |box - reference| (px), max |score - reference|, best cell agreement."""
    rows = ["| precision | flavour | max box delta (px) | median box delta (px) | max score delta | same best cell |",
            "|---|---|---:|---:|---:|---:|"]
    videos = {v: _frames(fixtures, v) for v in ("vot2018-bag", "synth")}
    for precision in PRECISIONS:
        net = model if precision == "fp32" else PrecisionNet(model, precision, dev)
        for flavour in ("pysot", "mmtracking"):
            box_d: list[float] = []
            score_d = 0.0
            same = total = 0
            for video, setting in ((v, s) for v in videos for s in SETTINGS):
                g = _golden(fixtures, video, setting, flavour)
                k, wi, lr = SETTINGS[setting]
                trk = SiamRPNppTracker(Params(flavour=flavour, penalty_k=k, window_influence=wi, lr=lr), net, dev)
                init = np.r_[g["init_center_pos"], g["init_size"]] if flavour == "pysot" else g["init_state"]
                trk.init_state(videos[video][0], init)
                for i in np.linspace(0, 58, min(frames_per_file, 59)).astype(int):
                    trk.set_state(np.r_[g["center_pos_in"][i], g["size_in"][i]], f32=flavour == "mmtracking" and i >= 1)
                    res = trk.step(videos[video][i + 1])
                    box_d.append(float(np.abs(res.post.box[0].cpu().numpy() - g["bbox"][i]).max()))
                    score_d = max(score_d, abs(float(res.post.best_score[0]) - float(g["best_score"][i])))
                    same += int(int(res.post.best_idx[0]) == int(g["best_idx"][i]))
                    total += 1
            rows.append(f"| {precision} | {flavour} | {max(box_d):.2e} | {np.median(box_d):.2e} | {score_d:.2e} | "
                        f"{same}/{total} |")
    return rows


def _sequences(fixtures: Path, n: int) -> list[Sequence]:
    bag = fixtures.parent / "data/sequences/VOT2018/bag"
    gt = np.loadtxt(bag / "groundtruth.txt", delimiter=",")
    paths = sorted(bag.glob("*.jpg"))
    sys.path.insert(0, str(fixtures))
    from synthetic_video import make_video

    frames, boxes = make_video(60)

    class Memory:  # the synthetic frames, as a frame source
        def __len__(self):
            return n

        def __getitem__(self, i):
            return frames[i]

        def describe(self, i):
            return f"synth#{i}"
    return [Sequence("bag", gt[:n], ImageFiles(paths[:n])), Sequence("synth", boxes[:n].astype(float), Memory())]


def free_running(model, dev, fixtures: Path, n: int, decoders: list[str]) -> list[str]:
    """Table B (and C's engine row): engine vs single-stream fp32 tracker, all streams in one batch."""
    rows = ["| precision | decoder | flavour | max box delta, all frames (px) | first 5 frames (px) | max score delta |",
            "|---|---|---|---:|---:|---:|"]
    seqs = _sequences(fixtures, n)
    for flavour in ("pysot", "mmtracking"):
        ref = {}
        for seq in seqs:
            for name, (k, wi, lr) in SETTINGS.items():
                trk = SiamRPNppTracker(Params(flavour=flavour, penalty_k=k, window_influence=wi, lr=lr), model, dev)
                boxes, scores = [trk.init(seq.frames[0], seq.gt[0])], [np.nan]
                for t in range(1, n):
                    out = trk.update(seq.frames[t])
                    boxes.append(out.box)
                    scores.append(out.score)
                ref[(seq.name, name)] = np.array(boxes), np.array(scores)
        for precision, decoder in [(p, "cpu") for p in PRECISIONS] + [("fp32", d) for d in decoders if d != "cpu"]:
            p = Params(flavour=flavour, penalty_k=0.1, window_influence=0.4, lr=0.3)
            engine = Engine(model, p, dev, EngineOptions(batch=4, precision=precision, decoder=decoder))
            jobs = [Job(s, [Stream(replace(p, penalty_k=SETTINGS[k][0], window_influence=SETTINGS[k][1],
                                           lr=SETTINGS[k][2]), tag=k) for k in SETTINGS]) for s in seqs]
            all_d = first = score = 0.0
            for res in engine.run(jobs):
                for stream, out in res.items():
                    rb, rs = ref[(res.job.seq.name, stream.tag)]
                    d = np.abs(out.boxes - rb).max(axis=1)
                    all_d, first = max(all_d, float(d.max())), max(first, float(d[:5].max()))
                    score = max(score, float(np.nanmax(np.abs(out.scores - rs))))
            rows.append(f"| {precision} | {engine.stats.decoder} | {flavour} | {all_d:.2e} | {first:.2e} | {score:.2e} |")
    return rows


def nvjpeg_pixels(fixtures: Path, dev) -> list[str]:
    """Table C: nvJPEG vs libjpeg-turbo pixels on the bag JPEGs."""
    from sotbench.trackers.siamrpnpp.engine.decode import NvjpegDecoder, nvjpeg_available

    why = nvjpeg_available(dev)
    if why is not None:
        return [f"nvJPEG unavailable: {why}"]
    paths = sorted((fixtures.parent / "data/sequences/VOT2018/bag").glob("*.jpg"))
    src = ImageFiles(paths)
    dec = NvjpegDecoder(4)
    try:
        images = dec.materialise([dec.submit(src, t).result() for t in range(len(paths))], dev)
    finally:
        dec.close()
    diffs = [np.abs(im.cpu().numpy().astype(int) - src[t].astype(int)) for t, im in enumerate(images)]
    d = np.concatenate([x.ravel() for x in diffs])
    return [f"nvJPEG vs libjpeg-turbo on {len(paths)} bag frames: max |diff| {d.max()}, mean {d.mean():.4f}, "
            f"{np.mean(d > 0):.3%} of values differ, {sum(int(x.max() == 0) for x in diffs)} frames identical"]


def _real_sequences(data: Path) -> list[Sequence]:
    from sotbench.datasets import load_dataset

    otb = load_dataset("otb100", root=data / "sequences/OTB100")
    seqs = [otb[n] for n in otb.names] + [load_dataset("vot2018", root=data / "sequences/VOT2018")["bag"]]
    return sorted(seqs, key=lambda s: -len(s.frames))


def real_sequences(model, dev, data: Path, batch: int | None) -> list[str]:
    """Table D rows: engine fp32 (all real sequences in one run) vs the single-stream tracker."""
    rows = ["| flavour | sequence | frames | max box delta (px) | at frame | first frame with a delta |",
            "|---|---|---:|---:|---:|---:|"]
    seqs = _real_sequences(data)
    k, wi, lr = SETTINGS["default"]
    for flavour in ("pysot", "mmtracking"):
        p = Params(flavour=flavour, penalty_k=k, window_influence=wi, lr=lr)
        engine = Engine(model, p, dev, EngineOptions(batch=batch, precision="fp32", decoder="cpu"))
        got = {r.job.seq.name: r.streams[0].boxes for r in engine.run([Job(s, [StreamSpec(k, wi, lr)]) for s in seqs])}
        for seq in seqs:
            trk = SiamRPNppTracker(p, model, dev)
            want = [trk.init(seq.frames[0], seq.gt[0])]
            want += [trk.update(seq.frames[t]).box for t in range(1, len(seq.frames))]
            d = np.abs(got[seq.name] - np.array(want)).max(axis=1)
            first = int(np.argmax(d > 0)) if (d > 0).any() else "-"
            rows.append(f"| {flavour} | {seq.name} | {len(d)} | {d.max():.2e} | {int(d.argmax())} | {first} |")
            print(rows[-1], flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--frames", type=int, default=59, help="teacher-forced frames per fixture file; free-running "
                                                           "frames per sequence (+1)")
    ap.add_argument("--out", type=Path, default=Path("engine-fidelity.md"))
    ap.add_argument("--real", action="store_true", help="only table D: full real sequences (CPU: ~1 h)")
    ap.add_argument("--batch", type=int, help="table D's engine batch (default: the device's, as sotbench run)")
    args = ap.parse_args(argv)
    fixtures = shared_fixtures()
    if fixtures is None:
        raise SystemExit("needs the shared fixtures: set SOTBENCH_SHARED to a folder with fixtures/ and data/")
    dev = torch.device(args.device)
    torch.set_flush_denormal(True)
    if dev.type == "cuda":
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    model = load_model("fixtures", "pysot", dev)[0]
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    if args.real:
        out = [f"D. Free-running over the full real sequences, engine fp32 (one run, batch "
               f"{args.batch or 'default'}) vs the single-stream tracker, {name}, torch {torch.__version__}:", ""]
        out += real_sequences(model, dev, fixtures.parent / "data", args.batch)
        args.out.write_text("\n".join(out) + "\n")
        return 0
    out = [f"Engine fidelity on the golden fixtures, {name}, torch {torch.__version__}.", "",
           f"A. Teacher-forced against pysot's / mmtracking's own outputs ({min(args.frames, 59)} frames x 8 files):", ""]
    out += teacher_forced(model, dev, fixtures, args.frames)
    out += ["", f"B. Free-running, {args.frames + 1} frames of bag and synth x 2 settings in one engine batch, against "
                "the single-stream fp32 tracker on the same device:", ""]
    out += free_running(model, dev, fixtures, args.frames + 1, ["cpu", "nvjpeg"] if dev.type == "cuda" else ["cpu"])
    if dev.type == "cuda":
        out += ["", "C. " + nvjpeg_pixels(fixtures, dev)[0]]
    text = "\n".join(out) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
