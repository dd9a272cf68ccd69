"""Start-up stays light: ``--help``, ``list`` and argument errors import only what they need
(timings: ``benchmarks/startup.py``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "matplotlib", "scipy", "torch", "optuna", "cv2", "joblib", "sqlalchemy", "PIL")

PROBE = """
import json, sys
from sotbench.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if "." not in m)}), file=sys.stderr)
"""


def _imported(*argv: str) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def test_help_imports_no_command_and_not_numpy():
    code, modules = _imported("--help")
    assert code == 0
    assert not modules & {*HEAVY, "numpy", "yaml"}


@pytest.mark.parametrize("argv", [("list", "trackers"), ("list", "datasets"), ("run",), ("eval",),
                                  ("search", "--trials", "0"), ("bogus",), ("run", "--help")])
def test_list_and_argument_errors_import_no_heavy_module(argv):
    code, modules = _imported(*argv)
    assert code in (0, 2)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_the_probe_sees_heavy_imports():
    code, modules = _imported("list", "profiles")
    assert "numpy" in modules  # the profiles are numpy objects: the probe reports what a command loaded
