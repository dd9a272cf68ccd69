"""A seeded study is reproducible across resumes: a search interrupted mid-batch and resumed
evaluates the same parameter sets, with the same values, as one that ran through, and so finds
the same best value (one worker, a deterministic tracker)."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from standins import TruthBackend

from sotbench.search import SearchOptions, prepare, run_search, sweep_from_dict


class Killed(BaseException):
    """The worker dies (as with kill -9: nothing in the worker handles it)."""


class DyingBackend(TruthBackend):
    """The ground truth shifted by 80 * |lr - 0.37| px (a minimum inside the space); the worker
    dies after ``die_after`` jobs (sequences)."""

    def __init__(self, die_after: int | None = None):
        super().__init__(lambda p: 80.0 * abs(p.lr - 0.37) + 40.0 * abs(p.window_influence - 0.2))
        self.die_after = die_after

    def run(self, jobs, progress=None):
        for res in super().run(jobs, progress):
            if self.die_after is not None and len(self.calls) > self.die_after:
                raise Killed()
            yield res


def _plan(root: Path, out: Path, sampler: str, pruner: dict):
    sweep = sweep_from_dict({"name": "repro", "preset": "ncc/default", "dataset": "synthetic", "split": "test",
                             "root": str(root), "space": {"lr": [0.1, 0.8], "window_influence": [0.0, 0.6]},
                             "pruner": pruner, "sampler": {"type": sampler, "seed": 7, "n_startup_trials": 3}})
    return prepare(sweep, allow_test_split=True, out=out)


def _finished(out: Path) -> list[tuple]:
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(out / "study.journal")))
    study = optuna.load_study(study_name="repro", storage=storage)
    rows = [(round(t.params["lr"], 12), round(t.params["window_influence"], 12), t.state.name,
             None if t.value is None else round(t.value, 12))
            for t in study.get_trials(deepcopy=False) if t.state.name in ("COMPLETE", "PRUNED")]
    best = max((r[3] for r in rows if r[2] == "COMPLETE"), default=None)
    return sorted(rows), best


PRUNERS = {"none": {"type": "none"},
           "wilcoxon": {"type": "wilcoxon", "n_startup_steps": 3, "p_threshold": 0.2}}


@pytest.mark.parametrize("sampler,pruner", [("tpe", "none"), ("tpe", "wilcoxon"), ("random", "wilcoxon")])
@pytest.mark.parametrize("die_after", [5, 13, 19])
def test_resumed_search_equals_an_uninterrupted_one(synthetic_root, tmp_path, sampler, pruner, die_after):
    options = SearchOptions(trials=12, trial_batch=3, progress=False)
    run_search(_plan(synthetic_root, tmp_path / "whole", sampler, PRUNERS[pruner]), options, backend=DyingBackend())
    plan = _plan(synthetic_root, tmp_path / "killed", sampler, PRUNERS[pruner])
    with pytest.raises(Killed):
        run_search(plan, options, backend=DyingBackend(die_after))
    run_search(plan, options, backend=DyingBackend())  # resumed
    whole, resumed = _finished(tmp_path / "whole"), _finished(tmp_path / "killed")
    assert len(whole[0]) == len(resumed[0]) == 12
    assert resumed == whole
