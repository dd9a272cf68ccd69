"""Bad input stops `sotbench search` with one clear line before any trial runs."""

import re
from pathlib import Path
from textwrap import dedent

import pytest

from sotbench.cli import main


def _sweep(tmp_path: Path, body: str, root: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(dedent(body).lstrip().replace("ROOT", str(root)))
    return path


def _error(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("sotbench search: error: ") and "Traceback" not in err, err
    return captured.out + err


def _no_trials_ran(out: Path) -> None:
    assert not (out / "study.journal").exists() and not (out / "trials.csv").exists()


def test_unknown_parameter_in_the_space(tmp_path, capsys, synthetic_root):
    path = _sweep(tmp_path, """
        preset: ncc/default
        dataset: synthetic
        split: val
        root: ROOT
        space:
          penalty: [0.0, 0.5]
    """, synthetic_root)
    msg = _error(capsys, ["search", str(path), "--out", str(tmp_path / "o")])
    assert "unknown parameter 'penalty'" in msg and str(path) in msg and "penalty_k, window_influence, lr" in msg
    _no_trials_ran(tmp_path / "o")


@pytest.mark.parametrize("rng, word", [("[0.3, 0.3]", "empty range"), ("[0.6, 0.1]", "inverted range")])
def test_empty_or_inverted_range(tmp_path, capsys, synthetic_root, rng, word):
    path = _sweep(tmp_path, f"""
        preset: ncc/default
        dataset: synthetic
        split: val
        space:
          lr: {rng}
    """, synthetic_root)
    msg = _error(capsys, ["search", str(path), "--root", str(synthetic_root), "--out", str(tmp_path / "o")])
    assert f"{path}, line 5: space.lr: {word}" in msg
    _no_trials_ran(tmp_path / "o")


def test_unreachable_storage(tmp_path, capsys, synthetic_root):
    url = "postgresql://tuner:s3cret@127.0.0.1:1/optuna"
    msg = _error(capsys, ["search", "synthetic", "--root", str(synthetic_root), "--out", str(tmp_path / "o"),
                          "--storage", url])
    assert "cannot reach storage postgresql://tuner:***@127.0.0.1:1/optuna" in msg and "s3cret" not in msg
    msg = _error(capsys, ["search", "synthetic", "--root", str(synthetic_root), "--storage", "ftp://x/y"])
    assert "unknown storage URL scheme 'ftp'" in msg


def test_unwritable_journal(tmp_path, capsys, synthetic_root):
    blocker = tmp_path / "file"
    blocker.write_text("")
    msg = _error(capsys, ["search", "synthetic", "--root", str(synthetic_root), "--out", str(blocker / "sub")])
    assert "cannot write the study journal" in msg


def test_split_with_no_sequences(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    msg = _error(capsys, ["search", "--tracker", "ncc", "--dataset", "folder", "--root", str(tmp_path / "empty"),
                          "--split", "test", "--out", str(tmp_path / "o")])
    assert re.search(r"(holds )?no .*sequences", msg) and str(tmp_path / "empty") in msg, msg
    _no_trials_ran(tmp_path / "o")


def test_unreadable_sequence_stops_before_any_trial(tmp_path, capsys):
    import cv2
    import numpy as np

    seq = tmp_path / "data" / "Walk"
    (seq / "img").mkdir(parents=True)
    for i in range(3):
        cv2.imwrite(str(seq / "img" / f"{i + 1:04d}.jpg"), np.full((40, 40, 3), 80, np.uint8))
    (seq / "groundtruth.txt").write_text("1,1,10,10\n2,2,10,10\n")
    msg = _error(capsys, ["search", "--tracker", "ncc", "--dataset", "folder", "--root", str(tmp_path / "data"),
                          "--split", "test", "--allow-test-split", "--out", str(tmp_path / "o")])
    assert "1 of 1 sequences of folder/test cannot be tracked" in msg and "2 ground-truth rows for 3 frames" in msg
    _no_trials_ran(tmp_path / "o")


def test_unknown_names(tmp_path, capsys, synthetic_root):
    msg = _error(capsys, ["search", "nosuchsweep"])
    assert "unknown sweep 'nosuchsweep'" in msg and "synthetic" in msg
    msg = _error(capsys, ["search", "--tracker", "nosuchtracker", "--dataset", "synthetic", "--root", str(synthetic_root)])
    assert "unknown preset 'nosuchtracker/default'" in msg and "ncc/default" in msg
    msg = _error(capsys, ["search", "--dataset", "synthetic"])
    assert "give both --tracker and --dataset" in msg
    msg = _error(capsys, ["search", "synthetic", "--root", str(synthetic_root), "--split", "train"])
    assert "unknown split 'train'" in msg and "test, val" in msg


def test_unknown_metric(tmp_path, capsys, synthetic_root):
    path = _sweep(tmp_path, """
        preset: ncc/default
        dataset: synthetic
        split: val
        objective: {metric: sucess_auc}
    """, synthetic_root)
    msg = _error(capsys, ["search", str(path), "--root", str(synthetic_root), "--out", str(tmp_path / "o")])
    assert "unknown metric 'sucess_auc'" in msg and "success_auc" in msg


def test_default_sweep_is_announced(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOTBENCH_DATA", str(tmp_path / "nodata"))
    msg = _error(capsys, ["search", "--trials", "200"])
    assert "no sweep given: running the default sweep 'siamrpnpp-got10k'" in msg
    assert not (tmp_path / "sweeps").exists()  # stopped before creating anything


def test_changed_search_space_is_refused_on_continue(tmp_path, capsys, synthetic_root):
    body = """
        preset: ncc/default
        dataset: synthetic
        split: val
        space: {lr: LR}
        trials: 1
        enqueue_preset: false
    """
    out = tmp_path / "o"
    path = _sweep(tmp_path, body.replace("LR", "[0.1, 0.8]"), synthetic_root)
    assert main(["search", str(path), "--root", str(synthetic_root), "--out", str(out), "--no-progress"]) == 0
    assert "importance plot skipped: parameter importance needs at least 2 complete trials" in capsys.readouterr().out
    assert (out / "history.png").is_file() and not (out / "importance.png").exists()
    path = _sweep(tmp_path, body.replace("LR", "[0.2, 0.8]"), synthetic_root)
    msg = _error(capsys, ["search", str(path), "--root", str(synthetic_root), "--out", str(out), "--trials", "2"])
    assert "was made for another search" in msg and "space" in msg


def test_counts_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "synthetic", "--trials", "0"])
    assert exit_.value.code == 2
    assert "argument --trials: expected an integer >= 1, got 0" in capsys.readouterr().err
