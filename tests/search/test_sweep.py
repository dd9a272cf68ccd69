"""Sweep files: defaults, strictness (unknown keys, bad ranges, duplicates) with line numbers."""

from pathlib import Path
from textwrap import dedent

import pytest

from sotbench.search.prepare import builtin_sweeps
from sotbench.search.sweep import SweepFileError, load_sweep, sweep_from_dict


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip())
    return path


def test_minimal_sweep_gets_the_documented_defaults(tmp_path):
    sweep = load_sweep(_write(tmp_path, """
        preset: ncc/default
        dataset: synthetic
        split: val
    """, "mine.yaml"))
    assert sweep.name == "mine"
    assert sweep.space == ()  # the tracker's default space, filled in by prepare (see test_default_space_is_the_trackers)
    assert (sweep.sampler.type, sweep.sampler.seed) == ("tpe", 0)
    assert sweep.pruner.type == "wilcoxon" and sweep.pruner.tell_mean and sweep.pruner.shuffled
    assert (sweep.trials, sweep.trial_batch, sweep.enqueue_preset) == (200, 4, True)
    assert sweep.metric is None and sweep.profile is None


def test_round_trip_through_plain_data(tmp_path):
    sweep = load_sweep(_write(tmp_path, """
        name: t1
        preset: ncc/default
        dataset: synthetic
        split: val
        space:
          lr: {low: 0.1, high: 0.8, step: 0.05}
          exemplar_size: {low: 16, high: 48, type: int}
        sampler: {type: cmaes, seed: 3}
        pruner: {type: median, n_warmup_steps: 2}
        objective: {metric: precision, profile: pysot}
        trials: 12
        trial_batch: 3
    """))
    again = sweep_from_dict(sweep.to_dict())
    assert again.to_dict() == sweep.to_dict()
    assert again.space[1].type == "int" and again.space[0].step == 0.05
    assert not again.pruner.tell_mean and not again.pruner.shuffled  # median: PRUNED state, fixed order


@pytest.mark.parametrize("text, line, words", [
    ("preset: ncc/default\ndataset: synthetic\nsplitt: val\n", 3, ["unknown key 'splitt'", "allowed:"]),
    ("preset: ncc/default\ndataset: synthetic\nspace:\n  lr: [0.5, 0.5]\n", 4, ["space.lr", "empty range"]),
    ("preset: ncc/default\ndataset: synthetic\nspace:\n  lr: [0.8, 0.1]\n", 4, ["space.lr", "inverted range"]),
    ("preset: ncc/default\ndataset: synthetic\nspace:\n  lr: {low: 0.1, hgh: 0.8}\n", 4, ["unknown key 'hgh'"]),
    ("preset: ncc/default\ndataset: synthetic\nspace:\n  lr: [0.1]\n", 4, ["expected [low, high]"]),
    ("preset: ncc/default\ndataset: synthetic\nspace:\n  lr: [0, .nan]\n", 4, ["finite number"]),
    ("preset: ncc/default\ndataset: synthetic\nspace:\n  lr: {low: 0, high: 1, log: true}\n", 4, ["low > 0"]),
    ("preset: ncc/default\ndataset: synthetic\nsampler: {type: bayes}\n", 3, ["unknown sampler 'bayes'", "tpe, gp, cmaes, random"]),
    ("preset: ncc/default\ndataset: synthetic\npruner: {type: hyperband}\n", 3, ["unknown pruner", "wilcoxon, median, none"]),
    ("preset: ncc/default\ndataset: synthetic\ntrials: 0\n", 3, ["trials must be an integer >= 1"]),
    ("preset: ncc/default\ndataset: synthetic\ndataset: otb100\n", 3, ["duplicate key 'dataset'", "first on line 2"]),
    ("dataset: synthetic\n", 1, ["'preset' is required"]),
    ("preset: ncc/default\ndataset: [a\n", 3, ["not valid YAML"]),
])
def test_bad_sweep_files_name_the_file_and_line(tmp_path, text, line, words):
    path = _write(tmp_path, text)
    with pytest.raises(SweepFileError) as info:
        load_sweep(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}:"), message
    for word in words:
        assert word in message


def test_empty_file_and_missing_file(tmp_path):
    with pytest.raises(SweepFileError, match="file is empty"):
        load_sweep(_write(tmp_path, "\n"))
    with pytest.raises(SweepFileError, match="file not found"):
        load_sweep(tmp_path / "nope.yaml")


def test_builtin_sweeps_load():
    sweeps = builtin_sweeps()
    assert {"synthetic", "siamrpnpp-got10k"} <= set(sweeps)
    for path in sweeps.values():
        sweep = load_sweep(path)
        assert sweep.split not in (None, "test")  # built-in sweeps tune on validation splits
    default = load_sweep(sweeps["siamrpnpp-got10k"])
    assert (default.preset, default.dataset, default.split) == ("siamrpnpp/default", "got10k", "val")


def test_default_space_is_the_trackers(synthetic_root, tmp_path):
    from sotbench.search import prepare
    from sotbench.trackers.ncc import SEARCH_SPACE

    sweep = sweep_from_dict({"preset": "ncc/default", "dataset": "synthetic", "split": "val", "root": str(synthetic_root)})
    plan = prepare(sweep, out=tmp_path)
    assert {r.name: (r.low, r.high) for r in plan.sweep.space} == SEARCH_SPACE
    assert SEARCH_SPACE == {"penalty_k": (0.0, 0.6), "window_influence": (0.0, 0.65), "lr": (0.1, 0.8)}


def test_old_batch_key_still_reads_and_both_are_refused(tmp_path):
    old = load_sweep(_write(tmp_path, "preset: ncc/default\ndataset: synthetic\nbatch: 3\n"))
    assert old.trial_batch == 3
    with pytest.raises(SweepFileError, match="trial_batch only"):
        load_sweep(_write(tmp_path, "preset: ncc/default\ndataset: synthetic\nbatch: 3\ntrial_batch: 2\n", "b.yaml"))


def test_the_precision_is_part_of_the_study(synthetic_root, tmp_path):
    """Trials tracked in bf16 are not comparable with fp32 ones: a study records its precision
    (fp32 studies keep their old fingerprint) and best.yaml says it."""
    from sotbench.search import prepare
    from sotbench.search.study import _differences

    sweep = sweep_from_dict({"preset": "ncc/default", "dataset": "synthetic", "split": "val", "root": str(synthetic_root)})
    fp32, bf16 = prepare(sweep, out=tmp_path), prepare(sweep, out=tmp_path, precision="bf16")
    assert "precision" not in fp32.fingerprint() and bf16.fingerprint()["precision"] == "bf16"
    assert _differences(fp32.fingerprint(), bf16.fingerprint()) == ['precision: stored null, now "bf16"']
