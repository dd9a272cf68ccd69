"""What a result was made with: versions, git commit, host and device (for run manifests)."""

from __future__ import annotations

import datetime as _dt
import platform
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import sotbench

__all__ = ["now_iso", "git_state", "versions", "environment"]


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def git_state(path: str | Path | None = None) -> dict:
    """Commit and dirty flag of the sotbench checkout (empty when not a git checkout)."""
    where = Path(path) if path else Path(sotbench.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip() != ""
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {}


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict:
    """Versions of Python and of the libraries that change numbers."""
    out = {"python": sys.version.split()[0], "sotbench": sotbench.__version__}
    for dist in ("numpy", "opencv-contrib-python-headless", "opencv-python-headless", "opencv-python",
                 "simplejpeg", "torch", "optuna"):
        v = _version(dist)
        if v:
            out[dist] = v
    return out


def environment() -> dict:
    """Host, platform, versions and git state."""
    return {"host": socket.gethostname(), "platform": platform.platform(), "versions": versions(),
            "git": git_state()}
