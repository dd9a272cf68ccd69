"""One rule finds a preset, for `run --tracker` and a sweep's `preset:` alike: a .yaml path, or a
name looked up in ./trackers/ (where `search --export` writes) and then among the built-ins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sotbench.cli import build_parser, main
from sotbench.presets import PresetError, builtin_presets, find_preset, local_preset_path


@pytest.fixture()
def project(tmp_path, monkeypatch) -> Path:
    """An empty project folder as the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_names_are_looked_up_in_the_project_then_the_builtins(project):
    assert find_preset("ncc/default") == builtin_presets()["ncc/default"]
    assert find_preset("ncc/mine") is None
    mine = _write(project / "trackers" / "ncc" / "mine.yaml", "tracker: ncc\nparams: {lr: 0.3}\n")
    assert local_preset_path("ncc/mine") == Path("trackers/ncc/mine.yaml")
    assert find_preset("ncc/mine").resolve() == mine.resolve()
    local = _write(project / "trackers" / "ncc" / "default.yaml", "tracker: ncc\nparams: {lr: 0.3}\n")
    assert find_preset("ncc/default").resolve() == local.resolve()


def test_paths_end_in_yaml(project):
    with pytest.raises(PresetError, match=r"nope.yaml: preset file not found"):
        find_preset("nope.yaml")
    path = _write(project / "elsewhere" / "p.yml", "tracker: ncc\nparams: {}\n")
    assert find_preset("elsewhere/p.yml") == Path("elsewhere/p.yml") and path.is_file()


@pytest.mark.parametrize("ref", ["../ncc/default", "/etc/passwd", "ncc//default", "nc c/default"])
def test_names_are_names(project, ref):
    with pytest.raises(PresetError, match="not a preset name"):
        find_preset(ref)


def test_a_local_preset_shadowing_a_builtin_is_reported(project, capsys, synthetic_root):
    _write(project / "trackers" / "identity.yaml", "tracker: identity\nname: local-identity\nparams: {}\n")
    assert main(["run", "--tracker", "identity", "--dataset", "synthetic", "--root", str(synthetic_root),
                 "--sequences", "Jumps", "--out", "res", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"note: preset 'identity' is {Path('trackers/identity.yaml')} (it shadows the built-in preset " in out
    manifest = json.loads((project / "res" / "synthetic" / "local-identity" / "run.json").read_text())
    assert Path(manifest["tracker"]["preset"]).resolve() == (project / "trackers" / "identity.yaml").resolve()


def test_the_same_rule_for_a_sweep_preset(project, capsys, synthetic_root):
    local = _write(project / "trackers" / "ncc" / "default.yaml",
                   "tracker: ncc\nparams: {penalty_k: 0.1, window_influence: 0.4, lr: 0.3}\n")
    _write(project / "s.yaml", f"preset: ncc/default\ndataset: synthetic\nsplit: val\nroot: {synthetic_root}\n"
                               "space: {lr: [0.1, 0.5]}\n")
    assert main(["search", "s.yaml", "--trials", "1", "--batch", "1", "--out", "o", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "search 's': ncc/default (ncc)" in out
    assert f"note: preset 'ncc/default' is {Path('trackers/ncc/default.yaml')} (it shadows the built-in preset" in out
    best = yaml.safe_load((project / "o" / "best.yaml").read_text())  # the only trial ran the preset's values
    assert best["params"] == {"penalty_k": 0.1, "window_influence": 0.4, "lr": 0.3} and local.is_file()


def test_help_states_the_rule():
    parser = build_parser()
    for command in ("run", "search"):
        sub = parser._subparsers._group_actions[0].choices[command]
        text = " ".join(sub.format_help().split())
        assert "./trackers/<name>.yaml" in text and "then among the built-in presets" in text, command
