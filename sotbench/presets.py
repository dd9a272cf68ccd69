"""Tracker presets: YAML files naming a tracker, its weights and its full parameter set.

Built-in presets live in the repository's ``trackers/`` folder, which is installed as the
package data ``sotbench._presets`` (one copy).  A preset is referred to by path
(``trackers/siamrpnpp/pysot-otb100.yaml``) or by name relative to that folder (``siamrpnpp/pysot-otb100``).

::

    tracker: siamrpnpp            # required: a name from sotbench.trackers.TRACKERS or module:attr
    name: SiamRPN++ OTB100        # optional display name (default: the file stem)
    description: ...              # optional
    weights: {zoo: siamrpnpp-r50-otb}   # optional: {zoo: NAME} or {file: PATH, sha256: HEX}
    params: {penalty_k: 0.24, ...}      # the tracker's parameters
    provenance: {...}             # optional, free-form (written by `sotbench search`)
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Preset", "load_preset", "builtin_presets", "find_preset", "PresetError"]

ALLOWED_KEYS = ("tracker", "name", "description", "weights", "params", "provenance")


class PresetError(ValueError):
    """A preset file is malformed or cannot be found."""


class Preset(dict):
    """A parsed preset (a plain dict with ``path`` remembered)."""

    path: str


def _builtin_root() -> Path:
    try:
        return Path(str(resources.files("sotbench._presets")))
    except ModuleNotFoundError:  # a source checkout used through PYTHONPATH, not installed
        return Path(__file__).resolve().parents[1] / "trackers"


def builtin_presets() -> dict[str, Path]:
    """Built-in preset names (``siamrpnpp/pysot-otb100``) and their files."""
    root = _builtin_root()
    found = sorted(root.rglob("*.yaml"))
    return {p.relative_to(root).with_suffix("").as_posix(): p for p in found}


def find_preset(ref: str) -> Path | None:
    """The preset file ``ref`` names (a path or a built-in name), or None."""
    if ref.endswith((".yaml", ".yml")) or os.sep in ref and Path(ref).is_file():
        path = Path(ref)
        if not path.is_file():
            raise PresetError(f"{ref}: preset file not found")
        return path
    return builtin_presets().get(ref)


def load_preset(path: str | os.PathLike) -> Preset:
    """Read and check a preset file; unknown keys are errors (typos must not fall back)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise PresetError(f"{path}: preset file not found") from None
    except yaml.YAMLError as exc:
        raise PresetError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise PresetError(f"{path}: expected a mapping with keys {', '.join(ALLOWED_KEYS)}")
    unknown = sorted(set(data) - set(ALLOWED_KEYS))
    if unknown:
        raise PresetError(f"{path}: unknown keys {', '.join(unknown)}; allowed: {', '.join(ALLOWED_KEYS)}")
    if not isinstance(data.get("tracker"), str):
        raise PresetError(f"{path}: 'tracker' (a tracker name) is required")
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise PresetError(f"{path}: 'params' must be a mapping")
    weights = data.get("weights")
    if weights is not None and not isinstance(weights, dict):
        raise PresetError(f"{path}: 'weights' must be a mapping ({{zoo: NAME}} or {{file: PATH, sha256: HEX}})")
    preset = Preset(data, params=params)
    preset.setdefault("name", path.stem)
    preset.path = str(path)
    return preset


def preset_summary(preset: dict[str, Any]) -> str:
    """One line: tracker and parameters."""
    params = ", ".join(f"{k}={v}" for k, v in preset.get("params", {}).items())
    return f"{preset['tracker']} ({params})" if params else preset["tracker"]
