"""Verified, resumable downloads and safe archive extraction.

``fetch`` downloads (http and https only) to ``<dest>.part`` and resumes it with an HTTP
``Range`` request after an interruption; the finished file is checked (its size against what
the server announced or the caller expects, sha256 prefix and/or md5) and only then renamed to
``dest``.  ``extract`` unpacks zip and tar archives after checking every member: absolute
paths, ``..`` components, links and device files are refused before anything is written; an
archive that cannot be read to its end (truncated, or a member whose data is corrupt) raises
``CorruptArchiveError``, so a download without a published checksum is still caught.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import os
import shutil
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

__all__ = ["DownloadError", "UnsafeArchiveError", "CorruptArchiveError", "fetch", "extract", "file_hash"]

CHUNK = 1 << 20
USER_AGENT = "sotbench-download"


class DownloadError(RuntimeError):
    """A download failed (network, HTTP status, checksum) or an archive cannot be unpacked."""


class UnsafeArchiveError(DownloadError):
    """An archive member would land outside the target folder (or is a link or a device)."""


class CorruptArchiveError(DownloadError):
    """An archive cannot be read to its end: truncated, or a member's data does not match its CRC."""


URL_SCHEMES = ("https", "http")
# what reading a damaged archive raises (zip: bad CRC, bad headers; gzip/bz2/xz: early end)
_CORRUPT = (zipfile.BadZipFile, tarfile.TarError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, EOFError, ValueError)


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, sha256_prefix: str | None, md5: str | None, size: int | None = None) -> None:
    if size is not None and path.stat().st_size != size:
        actual = path.stat().st_size
        path.unlink()
        raise DownloadError(f"{path.name}: {actual} bytes, expected {size} (truncated download?); "
                            "the file was removed, run again to download it anew")
    for algorithm, expected in (("sha256", sha256_prefix), ("md5", md5)):
        if not expected:
            continue
        actual = file_hash(path, algorithm)
        if not actual.startswith(expected.lower()):
            path.unlink()
            raise DownloadError(f"{path.name}: {algorithm} mismatch (expected {expected}, got {actual}); "
                                "the file was removed, run again to download it anew")


def _open(url: str, offset: int, timeout: float):
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)


def _total(response, offset: int) -> int | None:
    if response.status == 206:
        span = response.headers.get("Content-Range", "")  # "bytes 100-999/1000"
        size = span.rpartition("/")[2]
        return int(size) if size.isdigit() else None
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _stream(response, part: Path, offset: int, progress: bool, label: str) -> None:
    from tqdm import tqdm

    resumed = response.status == 206
    total = _total(response, offset)
    mode = "ab" if resumed else "wb"
    start = offset if resumed else 0
    with open(part, mode) as fh, tqdm(total=total, initial=start, unit="B", unit_scale=True, desc=label,
                                       disable=not progress, file=sys.stderr, leave=False) as bar:
        while True:
            block = response.read(CHUNK)
            if not block:
                break
            fh.write(block)
            bar.update(len(block))
    if total is not None and part.stat().st_size != total:
        raise DownloadError(f"{label}: connection closed after {part.stat().st_size} of {total} bytes "
                            f"(kept {part}; run again to resume)")


def _check_url(url: str) -> None:
    """Only web URLs: a ``file:`` or ``ftp:`` URL in a downloaded description must not be followed."""
    if urlparse(url).scheme.lower() not in URL_SCHEMES:
        raise DownloadError(f"{url}: not an http(s) URL; refusing to fetch it")


def fetch(url: str, dest: str | os.PathLike, sha256_prefix: str | None = None, *, md5: str | None = None,
          size: int | None = None, timeout: float = 60.0, progress: bool = False) -> Path:
    """Download ``url`` to ``dest`` (resuming a partial ``dest.part``), verify, return ``dest``.

    An existing ``dest`` that passes the checks is kept as it is.  ``sha256_prefix`` may be a
    full digest or its first characters (as in checkpoint file names); ``size`` is the expected
    size in bytes (else the server's Content-Length, when it sends one, is checked).
    """
    _check_url(url)
    dest = Path(dest)
    if dest.is_file():
        try:
            _verify(dest, sha256_prefix, md5, size)
            return dest
        except DownloadError:
            pass  # a stale or corrupt file: fetch it again
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    try:
        response = _open(url, offset, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # nothing left to fetch: the partial file is complete
            response = None
        else:
            raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        kept = f" (kept {part}; run again to resume)" if offset else ""
        raise DownloadError(f"cannot reach {url}: {reason} — offline?{kept}") from None
    if response is not None:
        try:
            with response:
                _stream(response, part, offset, progress, dest.name)
        except (OSError, urllib.error.URLError) as exc:
            raise DownloadError(f"{url}: download interrupted ({exc}); kept {part}, run again to resume") from None
    _verify(part, sha256_prefix, md5, size)
    os.replace(part, dest)
    return dest


def _safe_name(target: Path, name: str, archive: Path) -> Path:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(f"{archive}: member {name!r} would be written outside {target}; nothing extracted")
    out = (target / Path(*path.parts)).resolve() if path.parts else target.resolve()
    if out != target.resolve() and target.resolve() not in out.parents:
        raise UnsafeArchiveError(f"{archive}: member {name!r} resolves outside {target}; nothing extracted")
    return out


def _zip_members(zf: zipfile.ZipFile, target: Path, archive: Path) -> list[tuple[zipfile.ZipInfo, Path]]:
    members = []
    for info in zf.infolist():
        mode = info.external_attr >> 16
        if (mode & 0o170000) == 0o120000:
            raise UnsafeArchiveError(f"{archive}: member {info.filename!r} is a symbolic link; nothing extracted")
        members.append((info, _safe_name(target, info.filename, archive)))
    return members


def _tar_members(tf: tarfile.TarFile, target: Path, archive: Path) -> list[tuple[tarfile.TarInfo, Path]]:
    members = []
    for info in tf.getmembers():
        if not (info.isfile() or info.isdir()):
            raise UnsafeArchiveError(f"{archive}: member {info.name!r} is a link or special file; nothing extracted")
        members.append((info, _safe_name(target, info.name, archive)))
    return members


def _copy_member(src, out: Path, archive: Path, name: str) -> None:
    """Write one member; a damaged one leaves no half-written file behind."""
    try:
        with src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    except _CORRUPT as exc:
        out.unlink(missing_ok=True)
        raise CorruptArchiveError(f"{archive}: member {name!r} is corrupt ({exc})") from None


def _extract_zip(archive: Path, target: Path) -> list[Path]:
    written = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info, out in _zip_members(zf, target, archive):
                if info.is_dir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                _copy_member(zf.open(info), out, archive, info.filename)
                written.append(out)
    except _CORRUPT as exc:
        raise CorruptArchiveError(f"{archive}: unreadable zip archive ({exc})") from None
    return written


def _extract_tar(archive: Path, target: Path) -> list[Path]:
    written = []
    try:
        with tarfile.open(archive) as tf:
            for info, out in _tar_members(tf, target, archive):  # reads the archive to its end first
                if info.isdir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                src = tf.extractfile(info)
                assert src is not None
                _copy_member(src, out, archive, info.name)
                written.append(out)
    except _CORRUPT as exc:
        raise CorruptArchiveError(f"{archive}: truncated or corrupt tar archive ({exc})") from None
    return written


def extract(archive: str | os.PathLike, target: str | os.PathLike) -> list[Path]:
    """Unpack a zip or tar(.gz/.bz2/.xz) archive into ``target``; returns the files written."""
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        return _extract_zip(archive, target)
    if tarfile.is_tarfile(archive):
        return _extract_tar(archive, target)
    # a zip without its central directory (cut off at the end) is no zip for is_zipfile
    raise CorruptArchiveError(f"{archive}: not a complete zip or tar archive (truncated download?)")
