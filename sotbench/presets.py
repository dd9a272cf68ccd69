"""Tracker presets: YAML files naming a tracker, its weights and its full parameter set.

Built-in presets live in the repository's ``trackers/`` folder, which is installed as the
package data ``sotbench._presets`` (one copy).  ``find_preset`` holds the one lookup rule
(``PRESET_RULE``), used by ``run --tracker``, ``search --tracker`` and a sweep's ``preset:``:
a path ending in ``.yaml``/``.yml``, or a name (``siamrpnpp/pysot-otb100``) looked up first in
``./trackers/<name>.yaml`` (the current project's presets, where ``search --export`` writes),
then among the built-in presets.

::

    tracker: siamrpnpp            # required: a name from sotbench.trackers.TRACKERS or module:attr
    name: SiamRPN++ OTB100        # optional display name (default: the file stem)
    description: ...              # optional
    weights: {zoo: siamrpnpp-r50-otb}   # optional: {zoo: NAME} (a zoo entry) or {file: PATH, sha256: HEX}
    params: {penalty_k: 0.24, ...}      # the tracker's parameters
    provenance: {...}             # optional, free-form (written by `sotbench search`)

``weights.sha256`` (the file's sha256, or at least its first 8 hex characters) is checked before
any tracker loads ``weights.file`` (``sotbench.trackers.check_checkpoint``); ``--checkpoint``
replaces the file and its declaration.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Preset", "load_preset", "builtin_presets", "find_preset", "local_preset_path", "preset_name",
           "shadow_note", "PresetError", "PRESET_RULE"]

ALLOWED_KEYS = ("tracker", "name", "description", "weights", "params", "provenance")
WEIGHTS_KEYS = ("zoo", "file", "sha256")
PROJECT_PRESETS = Path("trackers")  # relative to the current folder
PRESET_RULE = ("a preset is a path ending in .yaml/.yml, or a name such as siamrpnpp/pysot-otb100 looked up "
               "first in ./trackers/<name>.yaml (where `search --export` writes), then among the built-in presets "
               "(`sotbench list presets`)")
_PART = r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*"
_NAME = re.compile(rf"{_PART}(/{_PART})*")


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


def local_preset_path(name: str) -> Path:
    """Where the preset called ``name`` lives in the current project (what ``find_preset`` tries first)."""
    return PROJECT_PRESETS / f"{name}.yaml"


def preset_name(*parts: str) -> str:
    """A valid preset name made of ``parts`` (e.g. a tracker and a sweep name), unsafe characters replaced."""
    return "/".join(re.sub(r"[^A-Za-z0-9_.+-]+", "-", p).lstrip(".-") or "preset" for p in parts)


def find_preset(ref: str) -> Path | None:
    """The preset file ``ref`` names under ``PRESET_RULE``; None when a valid name names no preset
    (``module:attr`` never names one)."""
    if ref.endswith((".yaml", ".yml")):
        path = Path(ref).expanduser()
        if not path.is_file():
            raise PresetError(f"{ref}: preset file not found")
        return path
    if ":" in ref:
        return None
    if not _NAME.fullmatch(ref):
        raise PresetError(f"{ref!r} is not a preset name: expected a .yaml path or a name such as "
                          "siamrpnpp/pysot-otb100 (letters, digits, '.', '_', '+', '-'; parts separated by '/')")
    local = local_preset_path(ref)
    if local.is_file():
        return local
    return builtin_presets().get(ref)


def shadow_note(ref: str, path: Path) -> str | None:
    """What to tell the user when ``ref`` found a project preset that hides a different built-in one."""
    builtin = builtin_presets().get(ref)
    if builtin is None or path != local_preset_path(ref) or builtin.resolve() == path.resolve():
        return None
    if builtin.read_bytes() == path.read_bytes():
        return None
    return f"preset {ref!r} is {path} (it shadows the built-in preset {builtin})"


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
    _check_weights(data.get("weights"), path)
    preset = Preset(data, params=params)
    preset.setdefault("name", path.stem)
    preset.path = str(path)
    return preset


def _check_weights(weights: Any, path: Path) -> None:
    if weights is None:
        return
    if not isinstance(weights, dict):
        raise PresetError(f"{path}: 'weights' must be a mapping ({{zoo: NAME}} or {{file: PATH, sha256: HEX}})")
    unknown = sorted(set(weights) - set(WEIGHTS_KEYS), key=str)
    if unknown:
        raise PresetError(f"{path}: unknown keys under weights: {', '.join(map(str, unknown))}; "
                          f"allowed: {', '.join(WEIGHTS_KEYS)}")
    if "zoo" in weights and not isinstance(weights["zoo"], str):
        raise PresetError(f"{path}: weights.zoo must be a checkpoint name, got {weights['zoo']!r}")
    if "file" in weights and not isinstance(weights["file"], str):
        raise PresetError(f"{path}: weights.file must be a path, got {weights['file']!r}")
    sha = weights.get("sha256")
    if sha is not None and not (isinstance(sha, str) and len(sha) >= 8 and re.fullmatch(r"[0-9a-fA-F]+", sha)):
        raise PresetError(f"{path}: weights.sha256 must be the file's sha256 in hex (at least its first 8 "
                          f"characters, quoted in YAML), got {sha!r}")
    if sha is not None and "file" not in weights:
        raise PresetError(f"{path}: weights.sha256 is the checksum of weights.file, which is missing")


def preset_summary(preset: dict[str, Any]) -> str:
    """One line: tracker and parameters."""
    params = ", ".join(f"{k}={v}" for k, v in preset.get("params", {}).items())
    return f"{preset['tracker']} ({params})" if params else preset["tracker"]
