"""A preset's declared ``weights: {file, sha256}`` is checked before the tracker loads the file,
for any tracker."""

from __future__ import annotations

import hashlib
import textwrap

import pytest

from sotbench.cli import main

PLUGIN = textwrap.dedent('''
    from pathlib import Path

    import numpy as np

    from sotbench.trackers import TrackerDef

    LOADED = Path({loaded!r})


    class Loads:
        deterministic = True

        def __init__(self, checkpoint):
            LOADED.write_bytes(Path(checkpoint).read_bytes())  # what a tracker does with its weights file

        def init(self, image, region):
            self.box = np.asarray(region[:4], float)

        def update(self, image):
            return self.box


    TRACKER = TrackerDef(name="loads", build=lambda p, o: Loads(o.checkpoint))
''')


@pytest.fixture()
def plugin(plugin_module, tmp_path):
    return plugin_module("loadsplug", PLUGIN.format(loaded=str(tmp_path / "LOADED"))) + ":TRACKER"


@pytest.fixture()
def run(synthetic_root, tmp_path, plugin, capsys):
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"the weights")

    def run(weights_block: str, *extra: str) -> tuple[int, str]:
        preset = tmp_path / "p.yaml"
        preset.write_text(f"tracker: {plugin}\nweights: {weights_block}\n")
        code = main(["run", "--tracker", str(preset), "--dataset", "synthetic", "--root", str(synthetic_root),
                     "--sequences", "Drift", "--out", str(tmp_path / "out"), "--no-progress", *extra])
        return code, capsys.readouterr().err.strip()
    return run


SHA = hashlib.sha256(b"the weights").hexdigest()


def test_wrong_sha256_is_refused_before_loading(tmp_path, run):
    code, err = run(f"{{file: {tmp_path / 'w.bin'}, sha256: '{'0' * 64}'}}")
    assert code == 2 and len(err.splitlines()) == 1
    assert f"p.yaml: weights file {tmp_path / 'w.bin'}: sha256 {SHA[:16]}... does not match" in err
    assert not (tmp_path / "LOADED").exists()  # the tracker never read the file


def test_matching_sha256_or_prefix_runs(tmp_path, run):
    for declared in (SHA, SHA[:12].upper()):
        code, err = run(f"{{file: {tmp_path / 'w.bin'}, sha256: '{declared}'}}", "--force")
        assert code == 0, err
    assert (tmp_path / "LOADED").read_bytes() == b"the weights"


def test_checkpoint_flag_replaces_the_declared_file(tmp_path, run):
    other = tmp_path / "other.bin"
    other.write_bytes(b"other weights")
    code, err = run(f"{{file: {tmp_path / 'w.bin'}, sha256: '{'0' * 64}'}}", "--checkpoint", str(other))
    assert code == 0, err
    assert (tmp_path / "LOADED").read_bytes() == b"other weights"


@pytest.mark.parametrize("block,message", [
    ("{file: w.bin, sha256: xyz}", "weights.sha256 must be the file's sha256 in hex"),
    ("{file: w.bin, sha256: '12ab'}", "at least its first 8"),
    ("{sha256: '0123456789abcdef'}", "weights.sha256 is the checksum of weights.file, which is missing"),
])
def test_malformed_declarations(run, block, message):
    code, err = run(block)
    assert code == 2 and message in err
