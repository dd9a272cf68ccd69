"""``sotbench datasets``: what is found where, what is missing, how to get it."""

from __future__ import annotations

from sotbench.cli import main


def test_datasets_on_annotation_roots(shared_data, capsys):
    assert main(["datasets", "--root", str(shared_data / "annotations")]) == 0
    out = capsys.readouterr().out
    assert "uav123: UAV123 [ope] at" in out
    assert "[test] annotations only (native): 123/123 sequences, 112,578 frames, 0 with images" in out
    assert "[test] annotations only (toolkit): 280/280 sequences, 685,360 frames" in out
    assert "[test] annotations only (pysot-json): 60/60 sequences, 21,356 frames" in out
    assert "needs registration" in out  # GOT-10k / TrackingNet
    assert "download: sotbench download otb100" in out


def test_datasets_one_dataset_with_images(fake_tree, capsys):
    root, _ = fake_tree("lasot")
    assert main(["datasets", "lasot", "--root", str(root.parent)]) == 0
    out = capsys.readouterr().out
    assert "[test] images (native): 1/280 sequences, 6 frames, 1 with images" in out
    assert "missing 279: airplane-9, airplane-13" in out
    assert "[val] images (native): 1/140 sequences, 4 frames" in out


def test_datasets_reports_bad_sequences(tmp_path, capsys):
    seq = tmp_path / "VOT2018" / "bag"
    seq.mkdir(parents=True)
    (seq / "groundtruth.txt").write_text("1,2,3\n")
    assert main(["datasets", "vot2018", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "error bag:" in out and "expected 4 or 8 numbers, found 3" in out


def test_datasets_unknown_name(capsys):
    assert main(["datasets", "otb"]) == 2
    assert "known: otb100" in capsys.readouterr().err
