"""Fixtures of the dataset tests: fake trees are built once per session and shared read-only."""

from __future__ import annotations

import pytest
from dataset_trees import TREES


@pytest.fixture(scope="session")
def fake_tree(tmp_path_factory):
    """``fake_tree(key) -> (root, kwargs)``: the tree of ``TREES[key]``, built on first use."""
    built: dict = {}

    def get(key: str):
        builder = TREES[key]
        if builder not in built:
            built[builder] = builder(tmp_path_factory.mktemp(key))
        return built[builder]

    return get
