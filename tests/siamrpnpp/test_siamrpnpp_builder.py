"""Building the tracker: parameters, devices, checkpoints, the zoo, downloads, long-term logic."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from sotbench.trackers import TrackerSpec
from sotbench.trackers.siamrpnpp import zoo as Z
from sotbench.trackers.siamrpnpp.builder import build, resolve_device
from sotbench.trackers.siamrpnpp.weights import WeightsError, file_sha256

REAL_ZOO = Z.zoo.__wrapped__


@pytest.fixture
def no_weights(tmp_path, monkeypatch):
    """An empty $SOTBENCH_WEIGHTS and a working directory without ./weights."""
    folder = tmp_path / "w"
    folder.mkdir()
    monkeypatch.setenv(Z.WEIGHTS_ENV, str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


def test_zoo_table():
    names = Z.zoo_names()
    for name, prefix in [("siamrpnpp-r50-lasot", "3c522eff"), ("siamrpnpp-r50-uav123", "36ac4934"),
                         ("siamrpnpp-r50-otb100", "12636a0a"), ("siamrpnpp-r50-lasot-fp16", "6733c67e")]:
        e = Z.zoo_entry(name)
        assert e.url.endswith(f"-{prefix}.pth") and e.sha256_prefix == prefix and e.flavour == "mmtracking"
        assert e.filename == e.url.rsplit("/", 1)[1]
    assert "trackingnet" in Z.zoo_entry("siamrpnpp-r50-lasot").benchmarks
    for name in ("siamrpnpp-r50-pysot", "siamrpnpp-r50-pysot-otb", "siamrpnpp-r50-pysot-lt"):
        e = Z.zoo_entry(name)
        assert e.url is None and "Google Drive" in e.where and e.filename in e.where
    assert Z.zoo_entry("siamrpnpp-r50-pysot-otb").requires == {"weighted": False}
    with pytest.raises(Z.ZooError, match=f"unknown SiamRPN\\+\\+ checkpoint 'r50', known: {names[0]}"):
        Z.zoo_entry("r50")


def test_find_local_looks_in_env_then_cwd(no_weights, tmp_path):
    e = Z.zoo_entry("siamrpnpp-r50-pysot")
    assert Z.find_local(e) is None
    (tmp_path / "weights" / "siamrpn_r50_l234_dwxcorr").mkdir(parents=True)
    (tmp_path / "weights" / "siamrpn_r50_l234_dwxcorr" / "model.pth").write_bytes(b"x")
    assert Z.find_local(e).as_posix() == "weights/siamrpn_r50_l234_dwxcorr/model.pth"
    (no_weights / e.filename).write_bytes(b"x")
    assert Z.find_local(e) == no_weights / e.filename


def test_no_checkpoint_says_where_to_get_one(no_weights):
    with pytest.raises(WeightsError) as err:
        build({}, device="cpu")
    msg = str(err.value)
    assert "zoo:siamrpnpp-r50-lasot was not found" in msg and "--checkpoint PATH" in msg
    assert "sotbench download siamrpnpp-r50-lasot" in msg and "--allow-random-weights" in msg
    assert Z.zoo_entry("siamrpnpp-r50-uav123").url in msg and "Google Drive" in msg


def test_random_weights_only_when_allowed(no_weights, capsys):
    trk = TrackerSpec("siamrpnpp", {"lr": 0.3}, device="cpu", allow_random_weights=True).build()
    info = trk.weights_info()
    assert info["source"] == "random" and info["random"] == "torch default init (seed 0)"
    assert len(info["state_sha256"]) == 64
    assert trk.params()["lr"] == 0.3 and trk.params()["flavour"] == "mmtracking"  # the default preset
    assert trk.device_info()["device"] == "cpu"
    # a preset's zoo entry that is not downloaded falls back to random weights, with a warning
    trk = build({}, device="cpu", checkpoint="zoo:siamrpnpp-r50-uav123", allow_random_weights=True)
    assert trk.weights_info()["source"] == "random"
    assert "siamrpnpp-r50-uav123 not found; running with random weights" in capsys.readouterr().err
    with pytest.raises(WeightsError, match="checkpoint /nonexistent.pth: file not found"):
        build({}, device="cpu", checkpoint="/nonexistent.pth", allow_random_weights=True)


def test_checkpoint_file_is_loaded_and_hashed(randw_checkpoint, randw_state):
    trk = build({"flavour": "pysot"}, device="cpu", checkpoint=str(randw_checkpoint))
    info = trk.weights_info()
    assert info["sha256"] == file_sha256(randw_checkpoint) and info["layout"] == "pysot"
    assert torch.equal(trk.model.state_dict()["rpn_head.cls_weight"], randw_state["rpn_head.cls_weight"])


def test_zoo_file_is_verified(no_weights):
    entry = Z.zoo_entry("siamrpnpp-r50-lasot")
    (no_weights / entry.filename).write_bytes(b"not the model")
    with pytest.raises(WeightsError, match="does not start with 3c522eff .*download it again"):
        build({}, device="cpu")
    (no_weights / "siamrpn_r50_l234_dwxcorr_otb.pth").write_bytes(b"x")
    with pytest.raises(WeightsError, match="siamrpnpp-r50-pysot-otb needs weighted: False"):
        build({"flavour": "pysot"}, device="cpu", checkpoint="zoo:siamrpnpp-r50-pysot-otb")
    with pytest.raises(WeightsError, match="unknown SiamRPN\\+\\+ checkpoint 'nope'"):
        build({}, device="cpu", checkpoint="zoo:nope")


def test_devices():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="unsupported device 'meta'"):
        resolve_device("meta")
    with pytest.raises(ValueError, match="unknown device 'gpu0'"):
        resolve_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")


def test_bad_parameters_fail_the_build(no_weights):
    with pytest.raises(ValueError, match="unknown siamrpnpp parameter\\(s\\) window; valid: flavour"):
        build({"window": 0.3}, device="cpu", allow_random_weights=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def http_dir(tmp_path):
    """A local HTTP server over ``tmp_path / 'srv'``; yields (folder, base URL)."""
    folder = tmp_path / "srv"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _fake_entry(monkeypatch, url: str, prefix: str):
    entry = Z.ZooEntry(name="fake", url=url, sha256_prefix=prefix, flavour="mmtracking", layout="mmtracking",
                       benchmarks=("lasot",), filename=url.rsplit("/", 1)[1])
    monkeypatch.setattr(Z, "zoo", lambda: {**REAL_ZOO(), "fake": entry})


def test_download_is_verified(http_dir, tmp_path, monkeypatch):
    pytest.importorskip("sotbench.download")
    folder, base = http_dir
    data = b"pretend checkpoint" * 1000
    prefix = hashlib.sha256(data).hexdigest()[:8]
    (folder / f"model-{prefix}.pth").write_bytes(data)
    _fake_entry(monkeypatch, f"{base}/model-{prefix}.pth", prefix)
    path = Z.download_weights("fake", tmp_path / "dest", progress=False)
    assert path.read_bytes() == data and path.name == f"model-{prefix}.pth"
    _fake_entry(monkeypatch, f"{base}/model-{prefix}.pth", "00000000")
    with pytest.raises(Z.ZooError, match="fake: .*sha256 mismatch"):
        Z.download_weights("fake", tmp_path / "dest2", progress=False)


def test_download_offline_and_manual_entries(tmp_path, monkeypatch):
    pytest.importorskip("sotbench.download")
    _fake_entry(monkeypatch, "http://127.0.0.1:9/none-00000000.pth", "00000000")  # discard port: refused
    with pytest.raises(Z.ZooError, match="fake: cannot reach http://127.0.0.1:9/none-00000000.pth"):
        Z.download_weights("fake", tmp_path, progress=False)
    with pytest.raises(Z.ZooError, match="no direct download: pysot MODEL_ZOO .*save it as"):
        Z.download_weights("siamrpnpp-r50-pysot", tmp_path)


def test_long_term_update_keeps_the_state_below_confidence():
    from sotbench.trackers.siamrpnpp.flavours import Pysot
    from sotbench.trackers.siamrpnpp.params import Params

    p = Params(flavour="pysot", penalty_k=0.05, window_influence=0.28, lr=0.22, long_term=True)
    state = torch.tensor([[5.0, 50.0, 40.0, 30.0], [5.0, 50.0, 40.0, 30.0]], dtype=torch.float64)
    pred = torch.tensor([[-20.0, 0.0, 80.0, 60.0]] * 2, dtype=torch.float64)
    args = (state, None, pred, torch.tensor([2.0, 2.0]), torch.tensor([0.5, 0.5]))
    bounds = torch.tensor([[100.0, 80.0]] * 2, dtype=torch.float64)
    new, box, _ = Pysot.update(*args, torch.tensor([0.9, 0.5]), bounds, p, long_term=True)
    assert new[0].tolist() == [-5.0, 50.0, 40.0, 30.0]  # moved by -20/2, stored unclipped
    assert box[0].tolist() == [-20.0, 35.0, 40.0, 30.0]  # reported clipped: cx 0
    assert new[1].tolist() == state[1].tolist()  # score 0.5 < confidence_low 0.8: state kept
    new, _, _ = Pysot.update(*args, torch.tensor([0.9, 0.5]), bounds, p, long_term=False)
    assert new[0, 0] == 0 and new[1, 0] == 0  # short-term: always updated and clipped


def test_long_term_switches_search_size(monkeypatch):
    """Lost below confidence_low (search 831 px, window 0.001), found again above confidence_high."""
    from sotbench.trackers.siamrpnpp.params import Params
    from sotbench.trackers.siamrpnpp.tracker import SiamRPNppTracker

    p = Params(flavour="pysot", penalty_k=0.05, window_influence=0.28, lr=0.22, long_term=True)
    trk = SiamRPNppTracker(p, torch.nn.Identity(), torch.device("cpu"))
    scores = iter([0.9, 0.5, 0.95, 0.999, 0.85])
    seen = []

    def fake_step(image):
        seen.append(trk.p.lost_instance_size if trk.lost else trk.p.instance_size)
        return SimpleNamespace(summary=torch.tensor([1.0, 2.0, 3.0, 4.0, next(scores)], dtype=torch.float64))
    monkeypatch.setattr(trk, "step", fake_step)
    for _ in range(5):
        trk.update(np.zeros((8, 8, 3), np.uint8))
    assert seen == [255, 255, 831, 831, 255]


def test_download_command_knows_the_zoo(capsys, tmp_path):
    from sotbench.cli import main as cli

    assert cli(["download", "siamrpnpp", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in Z.zoo_names())
    assert cli(["download", "siamrpnpp-r50-pysot", "--root", str(tmp_path)]) == 2
    assert "no direct download" in capsys.readouterr().err


def test_degenerate_regions_are_refused(no_weights):
    trk = build({"flavour": "pysot"}, device="cpu", allow_random_weights=True)
    image = np.zeros((40, 50, 3), np.uint8)
    with pytest.raises(ValueError, match="cannot initialise SiamRPN\\+\\+ from region"):
        trk.init(image, np.array([1.0, 2.0, 3.0, np.nan]))
    with pytest.raises(ValueError, match="cannot initialise"):
        trk.init(image, np.array([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0]))  # a collapsed polygon
    with pytest.raises(ValueError, match="expected a BGR uint8"):
        trk.init(np.zeros((40, 50), np.uint8), np.array([1.0, 2.0, 10.0, 10.0]))


def test_trackers_share_a_loaded_network(randw_checkpoint):
    """A search builds many trackers that differ in test-time parameters only: one network."""
    a = build({"flavour": "pysot", "lr": 0.1}, device="cpu", checkpoint=str(randw_checkpoint))
    b = build({"flavour": "mmtracking", "lr": 0.7}, device="cpu", checkpoint=str(randw_checkpoint))
    assert a.model is b.model and a.weights_info() == b.weights_info()
    assert a.params()["lr"] == 0.1 and b.params()["lr"] == 0.7
    with pytest.raises(WeightsError, match="2 unexpected: rpn_head.cls_weight, rpn_head.loc_weight"):
        build({"flavour": "pysot", "weighted": False}, device="cpu", checkpoint=str(randw_checkpoint))
