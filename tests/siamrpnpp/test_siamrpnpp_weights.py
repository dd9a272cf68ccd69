"""Checkpoint reading (safe, unwrapped), key layouts, strict loading, and the network's pieces."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from sotbench.trackers.siamrpnpp import weights as W
from sotbench.trackers.siamrpnpp.model import MultiRPN, SiamRPNpp, xcorr_depthwise


@pytest.fixture(scope="module")
def model_keys() -> dict:
    return {k: tuple(v.shape) for k, v in SiamRPNpp().state_dict().items()}


def test_state_dict_matches_pysot_keys(fixtures_dir, model_keys):
    """458 keys in pysot's order with pysot's shapes (the fixture key list)."""
    ref = json.loads((fixtures_dir / "siamrpn_r50_l234_dwxcorr.keys.json").read_text())
    assert list(model_keys) == list(ref)
    assert all(model_keys[k] == tuple(s) for k, s in ref.items())
    assert sum(int(np.prod(s)) for k, s in ref.items() if "running" not in k and "num_batches" not in k) == 53_950_624


def test_mmtracking_names_map_to_pysot(shared):
    """Every row of the spec's pysot <-> mmtracking table, through the renaming rules."""
    rows = [ln.split("\t") for ln in (shared / "spec/siamrpn_r50_l234_state_dict_keys.tsv").read_text().splitlines()
            if ln and not ln.startswith("#")]
    assert len(rows) == 458
    sd, layout = W.to_pysot_keys({mm.strip(): torch.zeros(1) for _, _, mm in rows})
    assert layout == "mmtracking" and list(sd) == [p for p, _, _ in rows]


def _save(obj, path):
    torch.save(obj, path)
    return path


def test_wrappers_and_prefixes(tmp_path):
    sd = {"rpn_head.cls_weight": torch.ones(3), "backbone.conv1.weight": torch.zeros(2)}
    meta = {"epoch": 20, "hook_msgs": {"best_score": np.float64(0.5)}, "CLASSES": ("a",), "config": "x"}
    for i, obj in enumerate([sd, {"state_dict": sd}, {"model": sd}, {"meta": meta, "state_dict": sd, "optimizer": {}},
                             {"state_dict": {f"module.{k}": v for k, v in sd.items()}}]):
        got = W.read_checkpoint(_save(obj, tmp_path / f"c{i}.pth"))
        assert set(got) == set(sd) and torch.equal(got["rpn_head.cls_weight"], sd["rpn_head.cls_weight"])


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = _save({"state_dict": {"a": torch.ones(1)}, "x": _Evil(marker)}, tmp_path / "evil.pth")
    with pytest.raises(W.WeightsError, match="refused or unreadable checkpoint.*weights_only=True"):
        W.read_checkpoint(path)
    assert not marker.exists()
    raw = tmp_path / "raw.pkl"
    raw.write_bytes(pickle.dumps(_Evil(marker)))
    with pytest.raises(W.WeightsError):
        W.read_checkpoint(raw)
    assert not marker.exists()


def test_unreadable_and_foreign_files(tmp_path):
    with pytest.raises(W.WeightsError, match="not found"):
        W.read_checkpoint(tmp_path / "missing.pth")
    (tmp_path / "text.pth").write_text("hello")
    with pytest.raises(W.WeightsError, match="text.pth: refused or unreadable"):
        W.read_checkpoint(tmp_path / "text.pth")
    with pytest.raises(W.WeightsError, match=r"no state dict found \(top-level entries: \['epoch'\]"):
        W.read_checkpoint(_save({"epoch": 3}, tmp_path / "e.pth"))
    with pytest.raises(W.WeightsError, match="not a SiamRPN\\+\\+ checkpoint"):
        W.to_pysot_keys({"fc.weight": torch.zeros(1)})


def _like(keys: dict, **changes) -> dict:
    sd = {k: torch.zeros(s) for k, s in keys.items()}
    for k, v in changes.items():
        if v is None:
            sd.pop(k)
        else:
            sd[k] = v
    return sd


def test_strict_load_lists_every_problem(model_keys):
    model = SiamRPNpp()
    bad = _like(model_keys, **{"rpn_head.cls_weight": None, "neck.downsample2.downsample.0.weight": torch.zeros(5),
                               "extra.thing": torch.zeros(1)})
    with pytest.raises(W.WeightsError) as err:
        W.load_strict(model, bad, "x.pth")
    msg = str(err.value)
    assert "1 missing: rpn_head.cls_weight" in msg and "1 unexpected: extra.thing" in msg
    assert "neck.downsample2.downsample.0.weight [5] (expected [256, 512, 1, 1])" in msg
    assert "weighted: false" in msg


def test_otb_and_lt_variants_load_with_their_parameters(model_keys):
    otb = _like(model_keys, **{"rpn_head.cls_weight": None, "rpn_head.loc_weight": None})
    W.load_strict(SiamRPNpp(weighted=False), otb, "otb")
    with pytest.raises(W.WeightsError, match="set weighted: true"):
        W.load_strict(SiamRPNpp(weighted=False), _like(model_keys), "vot")
    lt = {k: torch.zeros(s.shape) for k, s in SiamRPNpp(neck_channels=(128, 256, 512)).state_dict().items()}
    with pytest.raises(W.WeightsError, match=r"neck_channels: \[128, 256, 512\]"):
        W.load_strict(SiamRPNpp(), lt, "lt")


def test_missing_num_batches_tracked_and_fp16_are_accepted(model_keys):
    sd = {k: torch.full(s, 0.5, dtype=torch.float16) for k, s in model_keys.items() if "num_batches" not in k}
    model = SiamRPNpp()
    W.load_strict(model, sd, "fp16")
    assert model.backbone.conv1.weight.dtype == torch.float32 and float(model.backbone.conv1.weight.detach()[0, 0, 0, 0]) == 0.5


def test_xcorr_depthwise_matches_a_loop():
    g = torch.Generator().manual_seed(0)
    x, k = torch.randn(3, 4, 9, 9, generator=g), torch.randn(3, 4, 3, 3, generator=g)
    out = xcorr_depthwise(x, k)
    for b in range(3):
        for c in range(4):
            ref = torch.nn.functional.conv2d(x[b:b + 1, c:c + 1], k[b:b + 1, c:c + 1])
            torch.testing.assert_close(out[b, c], ref[0, 0], rtol=1e-5, atol=1e-5)


def test_fusion_weights_and_mean():
    outs = [torch.full((1, 2), v) for v in (1.0, 2.0, 4.0)]
    head = MultiRPN(5, (8, 8, 8), weighted=True)
    with torch.no_grad():
        head.cls_weight.copy_(torch.tensor([0.0, 0.0, np.log(2.0)]))
    assert torch.allclose(head.fuse(outs, head.cls_weight), torch.full((1, 2), (1 + 2 + 8) / 4))
    assert torch.allclose(MultiRPN(5, (8, 8, 8), weighted=False).fuse(outs, None), torch.full((1, 2), 7 / 3))


def test_head_is_batch_consistent():
    """Two streams through one head call give what each gives alone (template kernels per stream)."""
    model = SiamRPNpp().eval()
    from sotbench.trackers.siamrpnpp.model import Kernels

    g = torch.Generator().manual_seed(1)
    xf = [torch.randn(2, 256, 11, 11, generator=g) for _ in range(3)]
    kern = Kernels([torch.randn(2, 256, 5, 5, generator=g) for _ in range(3)],
                   [torch.randn(2, 256, 5, 5, generator=g) for _ in range(3)])
    with torch.no_grad():
        cls, loc = model.head(xf, kern)
        one = model.head([f[1:] for f in xf], kern.select(slice(1, 2)))
    assert cls.shape == (2, 10, 5, 5) and loc.shape == (2, 20, 5, 5)
    torch.testing.assert_close(cls[1:], one[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(loc[1:], one[1], rtol=1e-5, atol=1e-5)


def test_state_digest_and_random_init_are_reproducible():
    a, b = SiamRPNpp(), SiamRPNpp()
    W.random_init(a, 0)
    W.random_init(b, 0)
    assert W.state_digest(a) == W.state_digest(b)
    W.random_init(b, 1)
    assert W.state_digest(a) != W.state_digest(b)
    assert torch.equal(a.rpn_head.cls_weight, torch.ones(3))

