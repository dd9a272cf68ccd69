"""The package layout keeps its promises: no import cycle between packages, no generic module
that tests a tracker's name, and every subpackage in the wheel."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "sotbench"
LINKED = {"_presets", "_sweeps"}  # package data folders (links to trackers/ and sweeps/)


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        if LINKED & set(rel.parts):
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path, module: str) -> set[str]:
    """Every ``sotbench.*`` module imported anywhere in the file (function-level imports too)."""
    tree = ast.parse(path.read_text())
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _type_checking_only(node)
            for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sotbench"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sotbench"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _node(module: str, nodes: set[str]) -> str | None:
    """The package (or root module) ``module`` belongs to: ``sotbench.<first part>``."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    node = ".".join(parts[:2])
    return node if node in nodes else None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    nodes = {".".join(m.split(".")[:2]) for m in modules if m.count(".") >= 1}
    graph: dict[str, set[str]] = {n: set() for n in nodes}
    for module, path in modules.items():
        src = _node(module, nodes)
        if src is None:
            continue
        for imported in _imports(path, module):
            dst = _node(imported, nodes)
            if dst is not None and dst != src:
                graph[src].add(dst)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_packages():
    graph = _graph()
    assert "sotbench.trackers" in graph and "sotbench.search" in graph["sotbench.commands"]
    assert _cycles(graph) == []


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


NAME_TEST = re.compile(r"""(==|!=)\s*["']siamrpnpp|["']siamrpnpp["']\s*(==|!=)|startswith\(\s*["']siamrpnpp""")


def test_no_generic_module_tests_a_trackers_name():
    offenders = []
    for module, path in _modules().items():
        if module.startswith("sotbench.trackers.siamrpnpp"):
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if NAME_TEST.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert offenders == []


def test_every_subpackage_is_packaged():
    setupcfg = pytest.importorskip("setuptools.config.setupcfg")
    packages = set(setupcfg.read_configuration(str(ROOT / "setup.cfg"))["options"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in PKG.rglob("__init__.py")
               if not LINKED & set(p.relative_to(ROOT).parts)}
    assert on_disk <= packages
    assert {"sotbench._presets", "sotbench._sweeps"} <= packages
