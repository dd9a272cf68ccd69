"""The embedded demo runs end to end on the generated benchmark and prints a leaderboard."""

from sotbench.cli import main


def test_demo_prints_leaderboard(tmp_path, capsys):
    status = main(["demo", "--root", str(tmp_path / "syn"), "--out", str(tmp_path / "results"),
                   "--reports", str(tmp_path / "reports"), "--trackers", "identity,opencv-kcf", "--no-progress"])
    out = capsys.readouterr().out
    assert status == 0
    board = out[out.index("Leaderboard"):]
    assert "success AUC" in board and "identity" in board and "opencv-kcf" in board
    assert "± half the 95% bootstrap interval" in board
    # identity reports the first box forever: well below a real tracker on moving targets
    lines = {ln.split()[0]: float(ln.split()[1]) for ln in board.splitlines()[3:5]}
    assert lines["identity"] < 0.1 < lines["opencv-kcf"]
    assert (tmp_path / "results" / "synthetic" / "identity" / "scores.json").is_file()
    assert (tmp_path / "reports" / "synthetic" / "index.html").is_file()  # the README's promise for `make demo`
