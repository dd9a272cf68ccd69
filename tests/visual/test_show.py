"""``sotbench show`` on the bundled real frames and results: videos with the right number of
frames, contact sheets, failure galleries (VOT failures marked), and one-line errors."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from sotbench.cli import main as cli
from sotbench.datasets import load_dataset
from sotbench.evaluate import evaluate, resolve_profile
from sotbench.metrics.frame_overlap import ope_frame_overlaps, vot_frame_overlaps
from sotbench.metrics.importers import import_results
from sotbench.visual.tracks import load_track

pytest.importorskip("imageio_ffmpeg")


@pytest.fixture(scope="module")
def otb(shared_data):
    return shared_data / "sequences" / "OTB100", shared_data / "results" / "OTB100"


def _show(root, results, out, *extra, dataset="otb100", seqs="Couple"):
    return cli(["show", "--dataset", dataset, "--root", str(root), "--sequences", seqs,
                "--results", *map(str, results), "--out", str(out), "--no-progress", *extra])


def test_real_otb_sequence_renders_every_frame_to_mp4(otb, tmp_path, capsys):
    root, res = otb
    out = tmp_path / "couple.mp4"
    assert _show(root, [res / "SiamRPN++", res / "ATOM"], out) == 0
    cap = cv2.VideoCapture(str(out))
    count = 0
    while cap.read()[0]:
        count += 1
    assert count == 140  # Couple has 140 frames
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (320, 240)
    assert "couple.mp4: 140 frames of Couple" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["couple.mp4"]  # no temporary file left


def test_gif_of_chosen_frames_and_png_contact_sheet(otb, tmp_path):
    from PIL import Image

    root, res = otb
    assert _show(root, [res / "SiamFC"], tmp_path / "c.gif", "--frames", "1-10,20") == 0
    assert Image.open(tmp_path / "c.gif").n_frames == 11
    assert _show(root, [res / "SiamFC"], tmp_path / "c.png", "--frames", "1,70,140") == 0
    sheet = cv2.imread(str(tmp_path / "c.png"))
    assert sheet.shape[1] == 3 * 480 + 4 * 4  # three frames side by side, 480 px each


def test_drawn_video_frame_shows_the_result_box(otb, tmp_path):
    """The frame written for frame 50 carries the run's colour on its box's edge."""
    root, res = otb
    ds = load_dataset("otb100", root=root)
    seq = ds["Couple"]
    track = load_track(ds, seq, res / "ATOM", resolve_profile(ds, None), colour="#ff0000")
    from sotbench.visual.render import draw_frame

    img = draw_frame(seq, [track], 49, seq.frames[49])
    box = np.loadtxt(res / "ATOM" / "couple.txt", delimiter=",")[49]  # matched by a normalised name
    left, top = round(box[0]), round(box[1])
    right = round(box[0] + box[2]) - 1
    assert tuple(img[top + 5, left]) == (0, 0, 255) and tuple(img[top + 5, right]) == (0, 0, 255)


def test_per_frame_overlap_is_what_the_evaluator_scores(otb, shared_data):
    root, res = otb
    ds = load_dataset("otb100", root=shared_data / "annotations" / "OTB100" / "pysot")
    scores = evaluate(ds, res / "SiamRPN++", write=False, sequences=["Couple", "Crossing"])
    prof = resolve_profile(ds, None)
    imported = import_results(res / "SiamRPN++", ["Couple", "Crossing"])
    for name in ("Couple", "Crossing"):
        ov = ope_frame_overlaps(ds[name], imported.results[name].trajectories[0], prof)
        assert len(ov.iou) == len(ds[name].gt)
        assert ov.mean == pytest.approx(scores.per_sequence.loc[name, "average_overlap"], abs=1e-9)


def _vot_run_with_a_failure(shared_data, tmp_path):
    """A reset-protocol run on bag: the ground truth, a failure at frame 80, re-init at 86."""
    gt = (shared_data / "sequences/VOT2018/bag/groundtruth.txt").read_text().splitlines()
    lines = ["1"] + gt[1:79] + ["2", "0", "0", "0", "0", "0", "1"] + gt[86:]
    run = tmp_path / "Failing" / "baseline" / "bag"
    run.mkdir(parents=True)
    (run / "bag_001.txt").write_text("\n".join(lines) + "\n")
    return tmp_path / "Failing"


def test_vot_failures_and_reinit_are_marked(shared_data, tmp_path):
    run = _vot_run_with_a_failure(shared_data, tmp_path)
    ds = load_dataset("vot2018", root=shared_data / "sequences" / "VOT2018")
    seq = ds["bag"]
    track = load_track(ds, seq, run, resolve_profile(ds, None))
    assert track.code(79) == 2 and track.code(85) == 1 and track.code(80) == 0 and track.code(40) is None
    assert np.flatnonzero(track.overlap.lost).tolist() == [79]
    assert np.nanmin(track.overlap.iou) > 0.99  # every region frame is the ground truth itself
    from sotbench.visual.gallery import worst_frames
    from sotbench.visual.render import draw_frame

    assert worst_frames(track.overlap.iou, track.overlap.lost, k=3) == [79]
    img = draw_frame(seq, [track], 79, seq.frames[79])
    assert tuple(img[0, 240]) == (40, 40, 230)  # the failure frame is framed in red
    assert tuple(draw_frame(seq, [track], 40, seq.frames[40])[0, 240]) != (40, 40, 230)
    overlap = vot_frame_overlaps(seq, track_traj(run), resolve_profile(ds, None))
    assert np.isnan(overlap.iou[[0, 79, 80, 85]]).all()


def track_traj(run):
    from sotbench.metrics.vot_io import read_vot_trajectory

    return read_vot_trajectory(run / "baseline/bag/bag_001.txt")


def test_failure_gallery_png_per_sequence(shared_data, otb, tmp_path, capsys):
    run = _vot_run_with_a_failure(shared_data, tmp_path)
    out = tmp_path / "bag.png"
    assert _show(shared_data / "sequences" / "VOT2018", [run, shared_data / "results/VOT2018/Ocean"], out,
                 "--gallery", "-k", "4", dataset="vot2018", seqs="bag") == 0
    img = cv2.imread(str(out))
    assert img is not None and img.shape[0] > 2 * 240  # a block of tiles per run
    root, res = otb
    assert _show(root, [res / "SiamFC"], tmp_path / "g.png", "--gallery", seqs="Couple,Crossing") == 0
    assert sorted(p.name for p in tmp_path.glob("g_*.png")) == ["g_Couple.png", "g_Crossing.png"]


@pytest.mark.parametrize("extra, out, message", [
    ((), "x.avi", "unknown extension '.avi', known: .mp4, .gif, .png"),
    (("--gallery",), "x.mp4", "--gallery writes a PNG"),
    (("--frames", "0-3"), "x.png", "--frames 0-3: the sequence has frames 1 to 140"),
    (("--name", "Nope=X"), "x.png", "not one of the --results folders: SiamFC"),
])
def test_bad_arguments_are_one_line_errors(otb, tmp_path, capsys, extra, out, message):
    root, res = otb
    (tmp_path / out).write_text("keep")
    assert _show(root, [res / "SiamFC"], tmp_path / out, *extra) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("sotbench show: error:")
    assert (tmp_path / out).read_text() == "keep"  # nothing written over


def test_missing_result_and_wrong_protocol_name_the_folder(otb, shared_data, tmp_path, capsys):
    root, res = otb
    empty = tmp_path / "Empty"
    empty.mkdir()
    (empty / "Other.txt").write_text("1,2,3,4\n")
    assert _show(root, [empty], tmp_path / "x.png") == 2
    assert f"{empty}: no result file for sequence 'Couple'" in capsys.readouterr().err
    assert _show(root, [shared_data / "results/VOT2018/Ocean"], tmp_path / "x.png") == 2
    assert "VOT reset-protocol layout" in capsys.readouterr().err


def test_display_names_from_run_json_and_the_command_line(otb, tmp_path):
    root, res = otb
    run = tmp_path / "OTB100" / "mine"
    run.mkdir(parents=True)
    (run / "Couple.txt").write_text((res / "SiamFC" / "Couple.txt").read_text())
    (run / "run.json").write_text(json.dumps({"schema": "sotbench-run-v1", "display_name": "My tracker"}))
    from sotbench.commands.show import _display

    assert _display([run, res / "ATOM"], {}) == {"mine": "My tracker"}
    assert _display([run, res / "ATOM"], {"ATOM": "ATOM (CVPR19)"}) == {"mine": "My tracker", "ATOM": "ATOM (CVPR19)"}
