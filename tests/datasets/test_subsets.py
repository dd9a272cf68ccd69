"""``--sequences`` on every adapter: no subclass attribute may hide a ``Dataset`` method or property."""

from __future__ import annotations

import inspect
import json

import pytest

from sotbench.cli import main
from sotbench.datasets import DATASETS, Dataset, dataset_class

_CALLABLE = (property, classmethod, staticmethod)


def _is_method(value) -> bool:
    return inspect.isfunction(value) or isinstance(value, _CALLABLE)


def _base_methods() -> dict[str, object]:
    return {k: v for k, v in vars(Dataset).items() if not k.startswith("__") and _is_method(v)}


@pytest.mark.parametrize("key", list(DATASETS))
def test_no_adapter_attribute_shadows_a_dataset_method(key, fake_tree):
    cls = dataset_class(key)
    methods = _base_methods()
    for klass in cls.__mro__[: cls.__mro__.index(Dataset)]:
        for name, value in vars(klass).items():
            assert not (name in methods and not _is_method(value)), \
                f"{klass.__name__}.{name} ({type(value).__name__}) hides Dataset.{name}"
    # attributes set on instances (not only class attributes) must not hide methods either
    root, kwargs = fake_tree(key)
    instance = cls(root=root, **kwargs)
    hidden = sorted(set(vars(instance)) & set(methods))
    assert not hidden, f"{cls.__name__} instances hide Dataset methods: {hidden}"


@pytest.mark.parametrize("key, seq", [("uav123", "car11"), ("uav20l", "car3")])
def test_sequences_option_runs_and_scores_uav(key, seq, fake_tree, tmp_path, capsys):
    root, _ = fake_tree(key)
    out = tmp_path / "results"
    assert main(["run", "--tracker", "identity", "--dataset", key, "--root", str(root), "--sequences", seq,
                 "--out", str(out), "--no-progress"]) == 0
    run_dir = next(out.glob("*/identity"))
    assert [p.name for p in run_dir.glob("*.txt") if not p.stem.endswith("_time")] == [f"{seq}.txt"]
    capsys.readouterr()
    assert main(["eval", "--dataset", key, "--root", str(root), "--results", str(run_dir), "--sequences", seq,
                 "--json", "--no-write"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["coverage"]["evaluated"] == 1 and doc["coverage"]["missing"] == []
    assert 0.0 <= doc["success_auc"] <= 1.0
