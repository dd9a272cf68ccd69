"""`search --export` writes the preset where `run --tracker` finds it, and prints that command."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from sotbench.cli import main
from sotbench.presets import load_preset

REPO = Path(__file__).resolve().parents[2]


def test_exported_preset_runs_with_the_printed_reference(tmp_path, monkeypatch, capsys, synthetic_root):
    monkeypatch.chdir(tmp_path)
    assert main(["search", str(REPO / "sweeps" / "synthetic.yaml"), "--root", str(synthetic_root), "--out", "syn",
                 "--trials", "2", "--batch", "1", "--export", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert load_preset(tmp_path / "trackers" / "ncc" / "synthetic.yaml")["tracker"] == "ncc"
    found = re.search(r"^next: (sotbench run --tracker ncc/synthetic .*)$", out, re.M)
    assert found, out
    argv = shlex.split(found.group(1).replace("<test split>", "val"))[1:]
    assert main([*argv, "--sequences", "ValWalk", "--out", "res", "--no-progress"]) == 0
    assert (tmp_path / "res").is_dir()


def test_export_path_must_be_a_yaml_file(tmp_path, monkeypatch, capsys, synthetic_root):
    monkeypatch.chdir(tmp_path)
    assert main(["search", str(REPO / "sweeps" / "synthetic.yaml"), "--root", str(synthetic_root), "--out", "syn",
                 "--trials", "1", "--export", "mine", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "sotbench search: error: --export mine: expected a path ending in .yaml or .yml", err
    assert not (tmp_path / "syn").exists()
