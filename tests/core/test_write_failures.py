"""Where sotbench cannot write (a file where a folder belongs, a read-only folder, a full disk) or
reads a damaged study journal, the command stops with one line naming the path and what to do,
exits non-zero, and loses nothing it already wrote."""

from __future__ import annotations

import errno
import json
import os

import optuna
import pytest

import sotbench.results
from sotbench.cli import main

SYN = ["--dataset", "synthetic", "--no-progress"]


def _one_line_error(capsys, command: str) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"sotbench {command}: error: ") and "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    return err


@pytest.fixture()
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return path


def test_run_out_is_a_file(synthetic_root, a_file, capsys):
    code = main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(a_file)])
    err = _one_line_error(capsys, "run")
    assert code == 2 and f"cannot write {a_file}/synthetic/identity: Not a directory" in err
    assert "choose another folder" in err and a_file.read_text() == "not a folder\n"


@pytest.mark.parametrize("command", [
    ["eval", "--dataset", "synthetic", "--results", "RUN", "--out", "FILE/x"],
    ["report", "--dataset", "synthetic", "--results", "RUNS", "--out", "FILE/x"],
    ["download", "otb100", "--root", "FILE", "--only", "Basketball", "--no-progress"],
])
def test_other_commands_with_a_file_in_the_way(synthetic_root, tmp_path, a_file, capsys, command):
    assert main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out",
                 str(tmp_path / "res")]) == 0
    capsys.readouterr()
    argv = [a.replace("RUNS", str(tmp_path / "res" / "synthetic")).replace("RUN", str(tmp_path / "res" / "synthetic" / "identity"))
            .replace("FILE", str(a_file)) for a in command]
    if command[0] != "download":
        argv += ["--root", str(synthetic_root)]
    assert main(argv) == 2
    err = _one_line_error(capsys, command[0])
    assert str(a_file) in err and "Not a directory" in err


def _failing_writes(monkeypatch, fail):
    """``write_atomic`` raising ``OSError`` where ``fail(path)`` gives an errno."""
    real = sotbench.results.write_atomic

    def write(path, text):
        code = fail(path)
        if code:
            raise OSError(code, os.strerror(code), str(path))
        real(path, text)

    monkeypatch.setattr(sotbench.results, "write_atomic", write)


def test_read_only_out(synthetic_root, tmp_path, monkeypatch, capsys):
    _failing_writes(monkeypatch, lambda path: errno.EACCES)  # as a non-root user in a mode 555 folder
    code = main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(tmp_path / "ro")])
    err = _one_line_error(capsys, "run")
    assert code == 2 and "Permission denied (not writable: choose a writable folder" in err and "run.json" in err


def test_disk_full_at_the_final_manifest_keeps_the_results(synthetic_root, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    manifests = []

    def fail(path):  # the first manifest is written, the last one finds the disk full
        if path.name == "run.json":
            manifests.append(path)
        return errno.ENOSPC if len(manifests) > 1 else 0

    _failing_writes(monkeypatch, fail)
    code = main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(out)])
    err = _one_line_error(capsys, "run")
    assert code == 2 and "No space left on device (the disk is full: free space and run again)" in err
    assert "the 8 sequences run are written and kept" in err
    run = out / "synthetic" / "identity"
    assert len([p for p in run.glob("*.txt") if not p.name.endswith("_time.txt")]) == 8
    assert json.loads((run / "run.json").read_text())["status"] == "running"  # the first manifest is kept
    monkeypatch.undo()
    assert main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(out)]) == 0
    assert "0 sequences run, 8 already finished" in capsys.readouterr().out
    assert json.loads((run / "run.json").read_text())["status"] == "finished"


def test_disk_full_during_the_run_keeps_what_was_written(synthetic_root, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    written = []

    def fail(path):
        if path.name.endswith(".txt") and not path.name.endswith("_time.txt"):
            written.append(path)
        return errno.ENOSPC if len(written) > 3 else 0

    _failing_writes(monkeypatch, fail)
    code = main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(out)])
    err = _one_line_error(capsys, "run")
    assert code == 2 and "No space left on device" in err and "a rerun continues" in err
    kept = {p: p.read_bytes() for p in written[:3]}
    monkeypatch.undo()
    assert main(["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(out)]) == 0
    assert "5 sequences run, 3 already finished" in capsys.readouterr().out
    assert all(p.read_bytes() == data for p, data in kept.items())


def test_corrupt_journal_line(synthetic_root, tmp_path, capsys):
    out = tmp_path / "s"
    out.mkdir()
    journal = out / "study.journal"
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name="synthetic", storage=storage)
    study.optimize(lambda t: t.suggest_float("lr", 0.1, 0.8), n_trials=3)
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[4] = b'{"op_code": 4, "worker_id": "x", "trial_id": 0, "par\n'  # a damaged middle line
    journal.write_bytes(b"".join(lines))
    before = journal.read_bytes()
    code = main(["search", "synthetic", "--root", str(synthetic_root), "--out", str(out), "--trials", "4",
                 "--no-progress"])
    err = _one_line_error(capsys, "search")
    assert code == 2 and f"{journal}:5: corrupt study journal entry (not JSON" in err and "backup" in err
    assert journal.read_bytes() == before  # the journal is left as it was


def test_damaged_run_manifest(synthetic_root, tmp_path, capsys):
    run = tmp_path / "out" / "synthetic" / "identity"
    run.mkdir(parents=True)
    (run / "run.json").write_text('{"schema": "sotbench-run-v1",\n  broken\n')
    argv = ["run", "--tracker", "identity", *SYN, "--root", str(synthetic_root), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = _one_line_error(capsys, "run")
    assert f"{run / 'run.json'}:2: damaged run manifest" in err and "--force" in err
    assert main([*argv, "--force"]) == 0
    assert json.loads((run / "run.json").read_text())["status"] == "finished"
