"""Fixtures for the SiamRPN++ tests: the golden fixture files, their weights and frames.

The weights are rebuilt at test time by ``shared/fixtures/pysot_random_weights.py`` (imported
from the shared folder, its digest checked first); nothing of the fixtures is copied into the
repository.  Every fixture skips when ``../shared`` is absent.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from fixture_files import import_file

torch = pytest.importorskip("torch")

SYNTH_DIGEST = "ea4f77a7c880e1274283b372e229a3e5d96beba141d28d29f54c2dd26cc79d5e"
VIDEOS = ("vot2018-bag", "synth")
SETTINGS = {"default": (0.05, 0.42, 0.38), "alt": (0.2, 0.3, 0.5)}


@pytest.fixture(scope="session", autouse=True)
def _flush_denormals():
    """The fixture weights drive some activations into float32 denormals, which this CPU
    handles ~4x slower; flushing them changes no output here (checked) but keeps the tests fast."""
    torch.set_flush_denormal(True)
    yield
    torch.set_flush_denormal(False)


@pytest.fixture(scope="session")
def golden(fixtures_dir):
    """``golden(video, setting, flavour)`` -> the npz arrays (cached)."""
    cache: dict = {}

    def load(video: str, setting: str, flavour: str):
        prefix = "golden_mmtrack_" if flavour == "mmtracking" else "golden_"
        key = (video, setting, flavour)
        if key not in cache:
            with np.load(fixtures_dir / f"{prefix}{video}_{setting}.npz", allow_pickle=False) as z:
                cache[key] = {k: z[k] for k in z.files}
        return cache[key]
    return load


@pytest.fixture(scope="session")
def video_frames(fixtures_dir, shared):
    """``video_frames(video)`` -> the 60 BGR frames, decoded by sotbench, sha256-checked."""
    from sotbench.frames import decode_image

    cache: dict = {}

    def load(video: str) -> list[np.ndarray]:
        if video not in cache:
            if video == "synth":
                synth = import_file(fixtures_dir / "synthetic_video.py", "synthetic_video")
                frames = synth.make_video(60)[0]
                assert synth.digest(frames) == SYNTH_DIGEST
                cache[video] = list(frames)
            else:
                with np.load(fixtures_dir / f"golden_{video}_default.npz", allow_pickle=False) as z:
                    names, shas = json.loads(str(z["meta_json"]))["frame_names"], z["frame_sha256"]
                frames = [decode_image(shared / n) for n in names]
                for f, sha in zip(frames, shas):
                    assert hashlib.sha256(np.ascontiguousarray(f).tobytes()).hexdigest() == sha
                cache[video] = frames
        return cache[video]
    return load


@pytest.fixture(scope="session")
def make_tracker(randw_model):
    """``make_tracker(flavour, setting, **params)`` -> a ``SiamRPNppTracker`` on the fixture weights."""
    from sotbench.trackers.siamrpnpp.params import Params
    from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker

    def make(flavour: str, setting: str = "default", device: str = "cpu", model=None, **overrides):
        k, wi, lr = SETTINGS[setting]
        p = Params(**{"flavour": flavour, "penalty_k": k, "window_influence": wi, "lr": lr, **overrides})
        return SiamRPNppTracker(p, model or randw_model, torch.device(device), {"source": "sotbench-randw-v1"})
    return make
