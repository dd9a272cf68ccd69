"""Honest search gains: the best against the preset with a 95 % interval on the tuning split and on
the sweep's held-out ``confirm:`` split, the noise floor, and the checks on ``confirm:``."""

from pathlib import Path

import numpy as np
import optuna
import pytest
import yaml
from standins import TruthBackend

from sotbench.cli import main
from sotbench.search import PlanError, SearchOptions, prepare, run_search, sweep_from_dict
from sotbench.search.gains import GainReport, NoiseFloor, SplitGain, _warnings, noise_floor
from sotbench.search.sweep import SweepFileError

REPO = Path(__file__).resolve().parents[2]


def _sweep(root: Path, **extra) -> dict:
    return {"name": "gain", "preset": "ncc/default", "dataset": "synthetic", "split": "val", "root": str(root),
            "space": {"lr": [0.1, 0.8]}, "pruner": "none", "sampler": {"type": "random", "seed": 3}, **extra}


def _lr_truth() -> TruthBackend:
    """Boxes shifted right by 80 * lr: a smaller lr is better on every sequence."""
    return TruthBackend(lambda p: 80.0 * p.lr)


def test_gain_on_tuning_and_held_out_splits(synthetic_root, tmp_path, capsys):
    from sotbench.search.summary import print_summary

    plan = prepare(sweep_from_dict(_sweep(synthetic_root, confirm={"split": "test"})), out=tmp_path)
    assert plan.confirm.label == "synthetic/test" and len(plan.confirm.sequences) == 8 and plan.confirm.test_split
    engine = _lr_truth()
    result = run_search(plan, SearchOptions(trials=6, trial_batch=3, progress=False), backend=engine)
    gain = result.outputs.gain
    assert gain.tuning.split == "synthetic/val" and gain.tuning.n_sequences == 4 and gain.tuning.rerun
    assert gain.confirm.split == "synthetic/test" and gain.confirm.n_sequences == 8 and gain.confirm.role == "held out"
    for g in (gain.tuning, gain.confirm):  # smaller lr shifts less: better on every sequence
        assert g.gain > 0 and g.ci95[0] > 0 and g.p_value < 0.01 and g.best == pytest.approx(g.preset + g.gain)
    assert gain.noise.spread == 0.0 and gain.noise.repeated == 2  # the backend is deterministic
    prov = yaml.safe_load((tmp_path / "best.yaml").read_text())["provenance"]["gain"]
    assert prov["tuning"]["ci95"] == pytest.approx(gain.tuning.ci95) and prov["confirm"]["significant"] is True
    assert prov["noise_floor"] == {"spread": 0.0, "repeated": 2, "evaluations": 4}
    assert any("only 4 sequences" in w for w in prov["warnings"])  # the tuning split is tiny
    print_summary(plan, result)
    out = capsys.readouterr().out
    assert "gain on synthetic/val (tuning, 4 sequences): success_auc +" in out and "95% interval [+" in out
    assert "gain on synthetic/test (held out, a test split, 8 sequences)" in out
    assert "noise floor: 0.0000 (spread of success_auc over 2 parameter sets" in out
    # --report-only keeps the measured gain and tracks nothing
    again = _lr_truth()
    result = run_search(plan, SearchOptions(trials=6, trial_batch=3, progress=False, report_only=True), backend=again)
    assert again.calls == [] and result.outputs.gain.to_dict() == gain.to_dict()


def test_preset_best_means_no_gain(synthetic_root, tmp_path):
    plan = prepare(sweep_from_dict(_sweep(synthetic_root)), out=tmp_path)
    engine = _lr_truth()
    result = run_search(plan, SearchOptions(trials=1, trial_batch=1, progress=False), backend=engine)
    gain = result.outputs.gain
    assert gain.tuning.gain == 0.0 and gain.tuning.ci95 == [0.0, 0.0] and not gain.tuning.rerun
    assert gain.confirm is None and any("no held-out split" in n for n in gain.notes)
    assert len(engine.calls) == len(plan.sequences)  # the one trial; nothing tracked again


def test_noise_floor_from_repeated_parameter_sets():
    study = optuna.create_study(direction="maximize")
    dist = {"lr": optuna.distributions.FloatDistribution(0.1, 0.8)}
    for lr, value in ((0.3, 0.50), (0.3, 0.53), (0.4, 0.60), (0.5, 0.40)):
        study.add_trial(optuna.trial.create_trial(params={"lr": lr}, distributions=dist, value=value))
    floor = noise_floor(study, {(("lr", 0.4),): [0.58]})
    assert floor == NoiseFloor(pytest.approx(0.03), 2, 4)
    assert noise_floor(study, {}).repeated == 1
    assert noise_floor(optuna.create_study(), {}).spread is None
    inside = SplitGain("d/val", "tuning", "success_auc", 30, 0.50, 0.52, 0.02, [0.005, 0.035], 0.01, 0.02)
    report = GainReport(3, tuning=inside, noise=floor)
    warnings = _warnings(report, "success_auc")
    assert warnings == ["the gain on d/val (+0.0200) is inside the noise floor (0.0300): it may be run-to-run noise"]
    assert GainReport.from_dict(report.to_dict()).to_dict() == report.to_dict()


@pytest.mark.parametrize("confirm, words", [
    ({"split": "val"}, r"confirm: synthetic/val is not held out: 4 of its 4 sequences are tuning sequences"),
    ({"split": "nope"}, r"confirm: .*nope"),
    ({"split": "test", "sequences": ["Drift", "Nope"]}, r"confirm: .*Nope"),
    ({"dataset": "vot2018", "split": "test", "root": "{shared}/annotations/VOT2018"},
     r"confirm: vot2018/test uses the vot_reset protocol, the tuning split synthetic/val the ope protocol"),
    ({"dataset": "otb100", "split": "heldout", "root": "{shared}/annotations/OTB100/pysot"},
     r"confirm: 75 of 75 sequences of otb100/heldout cannot be tracked: Basketball: no frames on disk.*"
     r"under 'confirm.sequences'"),
])
def test_confirm_split_is_checked_before_any_trial(synthetic_root, shared_data, tmp_path, confirm, words):
    confirm = {k: v.replace("{shared}", str(shared_data)) if isinstance(v, str) else v for k, v in confirm.items()}
    with pytest.raises(PlanError, match=words):
        prepare(sweep_from_dict(_sweep(synthetic_root, confirm=confirm)), out=tmp_path)


def test_confirm_keys_are_strict(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("preset: ncc/default\ndataset: synthetic\nsplit: val\nconfirm:\n  datset: otb100\n  split: test\n")
    with pytest.raises(SweepFileError, match=r"s.yaml, line 5: unknown key 'datset' in confirm; allowed: dataset"):
        from sotbench.search.sweep import load_sweep

        load_sweep(path)
    with pytest.raises(SweepFileError, match="confirm.split is required"):
        sweep_from_dict({"preset": "ncc/default", "dataset": "synthetic", "confirm": {"dataset": "synthetic"}})
    sweep = sweep_from_dict({"preset": "ncc/default", "dataset": "synthetic", "space": {"lr": [0.1, 0.8]},
                             "confirm": {"split": "test", "sequences": ["Drift"]}})
    assert sweep_from_dict(sweep.to_dict()).confirm == sweep.confirm


def test_builtin_synthetic_sweep_confirms_on_test():
    from sotbench.search.sweep import load_sweep

    sweep = load_sweep(REPO / "sweeps" / "synthetic.yaml")
    assert sweep.confirm is not None and sweep.confirm.split == "test" and sweep.split == "val"


def test_cli_summary_of_the_synthetic_search(synthetic_root, tmp_path, capsys):
    """The CPU proof: its closing summary shows the gain with its interval on val and on test."""
    out = tmp_path / "syn"
    assert main(["search", str(REPO / "sweeps" / "synthetic.yaml"), "--root", str(synthetic_root), "--out", str(out),
                 "--trials", "6", "--no-progress"]) == 0
    text = capsys.readouterr().out
    lines = [ln for ln in text.splitlines() if ln.startswith("gain on ")]
    assert [ln.split(" (")[0] for ln in lines] == ["gain on synthetic/val", "gain on synthetic/test"]
    assert all("95% interval [" in ln and "p = " in ln for ln in lines)
    gain = yaml.safe_load((out / "best.yaml").read_text())["provenance"]["gain"]
    assert len(gain["tuning"]["ci95"]) == 2 and np.isfinite(gain["confirm"]["p_value"])
