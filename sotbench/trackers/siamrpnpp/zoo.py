"""The SiamRPN++ model zoo: released checkpoints, where they live, how to fetch them.

The table is package data (``zoo.yaml``).  Files are looked for in ``$SOTBENCH_WEIGHTS``,
then ``./weights``; ``download_weights(name)`` fetches a zoo entry that has a direct URL
(verified against the sha256 prefix in its name, resumable) into the first of those.
pysot's checkpoints are on Google Drive only: their entries say where to get the file and
under which name to place it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "WEIGHTS_ENV",
    "ZooEntry",
    "ZooError",
    "describe_zoo",
    "download_weights",
    "find_local",
    "weights_dirs",
    "zoo",
    "zoo_entry",
    "zoo_names",
]

WEIGHTS_ENV = "SOTBENCH_WEIGHTS"


class ZooError(LookupError):
    """Unknown zoo name, or a zoo file that cannot be found or fetched."""


@dataclass(frozen=True)
class ZooEntry:
    """One released checkpoint."""

    name: str
    url: str | None
    sha256_prefix: str | None
    flavour: str
    layout: str
    benchmarks: tuple[str, ...]
    filename: str
    also_accepted: tuple[str, ...] = ()
    requires: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    description: str = ""

    @property
    def where(self) -> str:
        """Where to get the file: its URL, or the instructions for manual download."""
        return self.url or f"{self.source}; save it as {self.filename}"


@lru_cache(maxsize=1)
def zoo() -> dict[str, ZooEntry]:
    """All zoo entries by name (read once from the package data)."""
    text = resources.files("sotbench.trackers.siamrpnpp").joinpath("zoo.yaml").read_text()
    table = {}
    for name, d in yaml.safe_load(text).items():
        url = d.get("url")
        filename = d.get("filename") or (url.rsplit("/", 1)[-1] if url else f"{name}.pth")
        table[name] = ZooEntry(name=name, url=url, sha256_prefix=d.get("sha256_prefix"),
                               flavour=d["flavour"], layout=d["layout"],
                               benchmarks=tuple(d.get("benchmarks", ())), filename=filename,
                               also_accepted=tuple(d.get("also_accepted", ())),
                               requires=dict(d.get("requires") or {}), source=d.get("source", ""),
                               description=d.get("description", ""))
    return table


def zoo_names() -> list[str]:
    """Names of the zoo entries."""
    return list(zoo())


def zoo_entry(name: str) -> ZooEntry:
    """The entry called ``name``; unknown names raise listing the known ones."""
    try:
        return zoo()[name]
    except KeyError:
        raise ZooError(f"unknown SiamRPN++ checkpoint {name!r}, known: {', '.join(zoo_names())}") from None


def weights_dirs() -> list[Path]:
    """Folders searched for checkpoints: ``$SOTBENCH_WEIGHTS`` (if set), then ``./weights``."""
    dirs = [Path(os.environ[WEIGHTS_ENV])] if os.environ.get(WEIGHTS_ENV) else []
    return dirs + [Path("weights")]


def find_local(entry: ZooEntry) -> Path | None:
    """The local file of a zoo entry, or None."""
    names = (entry.filename, *entry.also_accepted, f"{entry.name}.pth")
    for folder in weights_dirs():
        for n in names:
            if (folder / n).is_file():
                return folder / n
    return None


def download_weights(name: str, dest_dir: str | os.PathLike | None = None, progress: bool = True) -> Path:
    """Fetch zoo entry ``name`` (verified, resumable) into ``dest_dir`` (default: the first
    weights folder); an existing verified file is kept."""
    entry = zoo_entry(name)
    if entry.url is None:
        target = (Path(dest_dir) if dest_dir is not None else weights_dirs()[0]) / entry.filename
        raise ZooError(f"{name} has no direct download: {entry.source}; save it as {target}")
    from sotbench.download import DownloadError, fetch

    dest = Path(dest_dir) if dest_dir is not None else weights_dirs()[0]
    try:
        return fetch(entry.url, dest / entry.filename, entry.sha256_prefix, progress=progress)
    except DownloadError as exc:
        raise ZooError(f"{name}: {exc}") from None


def describe_zoo() -> str:
    """One line per entry: name, flavour, benchmarks and where to get it."""
    lines = []
    for e in zoo().values():
        lines.append(f"  {e.name:26s} {e.flavour:10s} {','.join(e.benchmarks):22s} {e.where}")
    return "\n".join(lines)
