"""Names read from files or flags (presets, sweeps, --tracker, --dataset, plugins) never make
sotbench call an arbitrary callable: what they name is checked to be a tracker or dataset class
before anything is called, and the canary file below is never created."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

from sotbench.cli import main
from sotbench.datasets import dataset_class
from sotbench.trackers import TrackerSpec, build_tracker

REFUSED = ("is not a tracker class (a class with init(image, region) and update(image), a got10k Tracker subclass, "
           "or a sotbench TrackerDef)")

# a module whose every lookup has a side effect: the module-level __getattr__, a metaclass
# property, a class whose constructor is not a tracker's or a dataset's
EVIL = textwrap.dedent('''
    from pathlib import Path

    CANARY = Path({canary!r})

    def __getattr__(name):
        CANARY.touch()
        raise AttributeError(name)

    class Meta(type):
        @property
        def boom(cls):
            CANARY.touch()
            return cls

    class Loud(metaclass=Meta):
        def __init__(self, *args, **kwargs):
            CANARY.touch()

    def builder(params=None, **options):
        CANARY.touch()
''')


@pytest.fixture()
def canary(tmp_path) -> Path:
    """A file that must never exist when the test ends."""
    path = tmp_path / "CANARY"
    yield path
    assert not path.exists(), "a name from a file or flag made sotbench run code"


@pytest.fixture()
def evilmod(tmp_path, monkeypatch, canary) -> str:
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "evilmod.py").write_text(EVIL.format(canary=str(canary)))
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    yield "evilmod"
    sys.modules.pop("evilmod", None)


def _popen_preset(tmp_path: Path, canary: Path, tracker: str = "subprocess:Popen") -> Path:
    path = tmp_path / "trackers" / "evil.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"tracker: {tracker}\nparams: {{args: 'touch {canary}', shell: true}}\n")
    return path


def _one_line_error(capsys, argv: list[str], command: str = "run") -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"sotbench {command}: error: ") and "\n" not in err, err
    return err


def _run(tracker: str, root: Path, out: Path, *extra: str) -> list[str]:
    return ["run", "--tracker", tracker, "--dataset", "synthetic", "--root", str(root), "--sequences", "Jumps",
            "--out", str(out), "--no-progress", *extra]


def test_preset_naming_popen_is_refused_before_it_is_called(tmp_path, capsys, canary, synthetic_root):
    preset = _popen_preset(tmp_path, canary)
    err = _one_line_error(capsys, _run(str(preset), synthetic_root, tmp_path / "res"))
    assert f"{preset}: tracker 'subprocess:Popen' {REFUSED}; refusing to call it" in err
    assert not (tmp_path / "res").exists()  # refused before the dataset or any result folder


def test_sweep_preset_naming_popen_is_refused_before_any_trial(tmp_path, capsys, canary, synthetic_root):
    preset = _popen_preset(tmp_path, canary)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"preset: {preset}\ndataset: synthetic\nsplit: val\nroot: {synthetic_root}\n"
                     "space: {lr: [0.1, 0.5]}\n")
    err = _one_line_error(capsys, ["search", str(sweep), "--trials", "1", "--out", str(tmp_path / "o"),
                                   "--no-progress"], "search")
    assert f"{preset}: tracker 'subprocess:Popen' {REFUSED}" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("ref", ["os:system", "builtins:eval", "textwrap:dedent", "fractions:Fraction",
                                 "subprocess:Popen", "collections:OrderedDict"])
def test_tracker_flag_naming_a_non_tracker_is_refused(tmp_path, capsys, synthetic_root, ref):
    err = _one_line_error(capsys, _run(ref, synthetic_root, tmp_path / "res", "--set", "args=true"))
    assert f"tracker {ref!r} {REFUSED}; refusing to call it" in err


@pytest.mark.parametrize("attr", ["anything", "Loud.boom", "Loud", "builder"])
def test_looking_up_the_name_calls_nothing(tmp_path, capsys, synthetic_root, evilmod, attr):
    err = _one_line_error(capsys, _run(f"{evilmod}:{attr}", synthetic_root, tmp_path / "res"))
    assert f"'{evilmod}:{attr}'" in err


def test_spec_built_elsewhere_is_checked_too(canary):
    """A TrackerSpec that did not come through the command (a search worker, the API) is checked
    when it is built."""
    spec = TrackerSpec("subprocess:Popen", params={"args": f"touch {canary}", "shell": True}, preset="p.yaml")
    with pytest.raises(ValueError, match=re.escape(f"p.yaml: tracker 'subprocess:Popen' {REFUSED}")):
        build_tracker(spec)


def test_a_real_tracker_class_and_module_path_still_run(tmp_path, synthetic_root):
    assert main(_run("sotbench.trackers.identity:IdentityTracker", synthetic_root, tmp_path / "res")) == 0
    assert (tmp_path / "res" / "synthetic" / "IdentityTracker" / "Jumps.txt").is_file()


def _install_plugin(tmp_path: Path, monkeypatch, group: str, line: str) -> None:
    site = tmp_path / "site"
    dist = site / "evilplug-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evilplug\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\n{line}\n")
    monkeypatch.syspath_prepend(str(site))


def test_entry_point_naming_popen_is_refused(tmp_path, capsys, canary, synthetic_root, monkeypatch):
    _install_plugin(tmp_path, monkeypatch, "sotbench.trackers", "evil-tracker = subprocess:Popen")
    preset = _popen_preset(tmp_path, canary, tracker="evil-tracker")
    err = _one_line_error(capsys, _run(str(preset), synthetic_root, tmp_path / "res"))
    assert f"{preset}: tracker 'evil-tracker'" in err and "refusing to call it" in err


@pytest.mark.parametrize("attr", ["Loud", "Loud.boom", "builder", "anything"])
def test_dataset_flag_naming_a_non_dataset_is_refused(tmp_path, capsys, synthetic_root, evilmod, attr):
    err = _one_line_error(capsys, ["run", "--tracker", "identity", "--dataset", f"{evilmod}:{attr}",
                                   "--root", str(synthetic_root), "--out", str(tmp_path / "res"), "--no-progress"])
    assert f"'{evilmod}:{attr}'" in err


def test_dataset_class_must_be_a_dataset():
    with pytest.raises(ValueError, match=r"dataset 'subprocess:Popen' is not a dataset class "
                                         r"\(a sotbench.datasets.base.Dataset subclass\); refusing to call it"):
        dataset_class("subprocess:Popen")
    assert dataset_class("sotbench.datasets.synthetic:Synthetic").spec.key == "synthetic"


def test_sweep_dataset_naming_a_non_dataset_is_refused(tmp_path, capsys, evilmod):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"preset: ncc/default\ndataset: '{evilmod}:Loud'\nsplit: val\nspace: {{lr: [0.1, 0.5]}}\n")
    err = _one_line_error(capsys, ["search", str(sweep), "--out", str(tmp_path / "o"), "--no-progress"], "search")
    assert f"{sweep}: dataset '{evilmod}:Loud' is not a dataset class" in err


def test_storage_url_cannot_name_a_plugin(tmp_path):
    from sotbench.search.storage import StorageError, parse_storage

    with pytest.raises(StorageError, match=r"sqlite:///x.db\?plugin=p: query parameter 'plugin' .*not accepted"):
        parse_storage("sqlite:///x.db?plugin=p", tmp_path / "j")
    assert parse_storage("sqlite:///x.db", tmp_path / "j").kind == "rdb"


def test_preset_zoo_name_must_be_known(tmp_path):
    from sotbench.presets import PresetError, load_preset
    from sotbench.trackers import spec_from_preset

    path = tmp_path / "p.yaml"
    path.write_text("tracker: siamrpnpp\nweights: {zoo: r50}\nparams: {}\n")
    with pytest.raises(PresetError, match=rf"{path}: unknown zoo checkpoint 'r50' under weights, known: siamrpnpp-r50-"):
        spec_from_preset(load_preset(path))
    path.write_text("tracker: siamrpnpp\nweights: {zo: siamrpnpp-r50-lasot}\nparams: {}\n")
    with pytest.raises(PresetError, match=rf"{path}: unknown keys under weights: zo; allowed: zoo, file, sha256"):
        load_preset(path)
