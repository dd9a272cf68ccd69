"""``download_dataset``: fetch and unpack a benchmark's public archives into its root.

Archives go to ``<root>/.downloads/``; each unpacked one leaves a ``<file>.done`` marker there,
so an interrupted download resumes (HTTP Range) and finished archives are not fetched again
even after they were deleted.  Every item's file name must be one path component and its
``extract_to`` a relative folder inside the root (items may come from a downloaded
description).  An archive that turns out truncated or corrupt when unpacked is removed, so
the next run fetches it anew instead of failing on the same file again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sotbench.datasets.base import Dataset, DownloadItem
from sotbench.download import CorruptArchiveError, DownloadError, extract, fetch
from sotbench.safepath import UnsafeNameError, check_name, check_relative, inside

__all__ = ["DownloadPlanError", "download_items", "download_dataset", "DownloadReport", "item_name"]


class DownloadPlanError(DownloadError):
    """The dataset has no public download (registration needed, or get it by hand)."""


@dataclass
class DownloadReport:
    """What ``download_dataset`` did."""

    root: Path
    fetched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def item_name(item: DownloadItem) -> str:
    """The file name an item is saved under."""
    return item.filename or Path(urlparse(item.url).path).name or "download"


def download_items(cls: type[Dataset], root: Path) -> list[DownloadItem]:
    """The files to fetch: the spec's list, or what the adapter's ``download_items`` computes."""
    planner = getattr(cls, "download_items", None)
    if callable(planner):
        return list(planner(root))
    if cls.spec.downloads:
        return list(cls.spec.downloads)
    how = cls.spec.how_to_get or "see its homepage"
    need = "needs registration" if cls.spec.needs_registration else "has no direct download"
    home = f" ({cls.spec.homepage})" if cls.spec.homepage else ""
    raise DownloadPlanError(f"{cls.spec.title} {need}: {how}{home}")


def _target(root: Path, item: DownloadItem) -> Path:
    """Where ``item`` goes (its archive unpacked, or the file itself), checked to stay inside ``root``."""
    try:
        name = check_name(item_name(item), "download file name")
        if item.extract_to is None:
            return inside(root, root / name, "download target")
        return inside(root, root / check_relative(item.extract_to, "extract_to folder"), "download target")
    except UnsafeNameError as exc:
        raise DownloadError(f"{item.url}: {exc}; nothing fetched") from None


def _unpack(path: Path, target: Path, keep: bool) -> None:
    """Extract an archive; a truncated or corrupt one is removed (the next run fetches it again)."""
    try:
        extract(path, target)
    except CorruptArchiveError as exc:
        path.unlink(missing_ok=True)
        raise CorruptArchiveError(f"{exc}; removed the archive, run again to download it anew") from None
    if not keep:
        path.unlink()


def _select(items: list[DownloadItem], only: list[str] | None) -> list[DownloadItem]:
    if not only:
        return items
    stems = {item_name(i).split(".")[0].lower(): i for i in items}
    unknown = [o for o in only if o.lower() not in stems]
    if unknown:
        raise DownloadPlanError(f"unknown item {unknown[0]!r}, known: {', '.join(sorted(stems))}")
    return [stems[o.lower()] for o in only]


def download_dataset(cls: type[Dataset], root: Path, only: list[str] | None = None,
                     keep_archives: bool = False, progress: bool = True,
                     log: Callable[[str], None] = print) -> DownloadReport:
    """Fetch (resumably, verified) and unpack every archive of ``cls`` into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    store = root / ".downloads"
    report = DownloadReport(root=root)
    items = _select(download_items(cls, root), only)
    targets = [_target(root, item) for item in items]  # every item checked before anything is fetched
    for k, (item, target) in enumerate(zip(items, targets), 1):
        name = item_name(item)
        done = store / f"{name}.done"
        if done.is_file():
            report.skipped.append(name)
            continue
        log(f"[{k}/{len(items)}] {item.url}")
        path = fetch(item.url, store / name, item.sha256, md5=item.md5, size=item.size, progress=progress)
        if item.extract_to is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
        else:
            _unpack(path, target, keep_archives)
        done.write_text(item.url + "\n")
        report.fetched.append(name)
    after = getattr(cls, "after_download", None)
    if callable(after):
        after(root)
    return report
