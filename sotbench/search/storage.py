"""Where a study lives: a journal file (default, one machine), PostgreSQL/MySQL (many machines,
with Optuna's heartbeat), SQLite (one process) or Redis (journal).  All are Optuna's standard
storages, so ``optuna-dashboard URL`` reads them as they are."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StorageInfo", "StorageError", "parse_storage", "open_storage", "mask_url", "repair_journal"]

RDB_SCHEMES = ("postgresql", "postgres", "mysql", "sqlite", "mariadb")


class StorageError(RuntimeError):
    """The study's storage cannot be used (unreachable server, unwritable file)."""


@dataclass(frozen=True)
class StorageInfo:
    """A parsed storage location: ``kind`` is journal, rdb or redis."""

    kind: str
    url: str           # what Optuna and optuna-dashboard are given (a path for journals)
    path: Path | None = None

    @property
    def display(self) -> str:
        """The location with any password hidden."""
        return mask_url(self.url)

    @property
    def heartbeat(self) -> bool:
        """Whether Optuna's own heartbeat is available (RDB storages)."""
        return self.kind == "rdb"


def mask_url(url: str) -> str:
    """``postgresql://user:secret@host/db`` -> ``postgresql://user:***@host/db``."""
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)


def parse_storage(text: str | None, default_journal: Path) -> StorageInfo:
    """``None`` -> the default journal file; ``postgresql://…``, ``sqlite:///…``, ``redis://…``,
    ``journal:PATH`` or a plain path (a journal file)."""
    if not text:
        return StorageInfo("journal", str(default_journal), default_journal)
    scheme = text.split(":", 1)[0].split("+", 1)[0].lower() if "://" in text else ""
    if scheme in RDB_SCHEMES:
        return StorageInfo("rdb", text)
    if scheme == "redis":
        return StorageInfo("redis", text)
    if scheme:
        raise StorageError(f"unknown storage URL scheme {scheme!r} in {mask_url(text)}; use postgresql://, "
                           "mysql://, sqlite:///, redis:// or a journal file path")
    path = Path(text[len("journal:"):] if text.startswith("journal:") else text)
    return StorageInfo("journal", str(path), path)


def repair_journal(path: Path) -> bool:
    """Cut a half-written last line (a process killed while appending) so the journal replays;
    returns whether anything was cut."""
    from optuna.storages.journal import JournalFileSymlinkLock
    from optuna.storages.journal._file import get_lock_file

    if not path.is_file() or path.stat().st_size == 0:
        return False
    with get_lock_file(JournalFileSymlinkLock(str(path))):
        with open(path, "rb+") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 1))
            if f.read(1) == b"\n":
                return False
            f.seek(0)
            data = f.read()
            f.truncate(data.rfind(b"\n") + 1)
            return True


def _check_rdb(url: str, timeout: int) -> None:
    """Connect once, so an unreachable server is reported before any work."""
    import sqlalchemy

    connect_args = {"connect_timeout": timeout} if url.startswith(("postgres", "mysql", "mariadb")) else {}
    try:
        engine = sqlalchemy.create_engine(url, connect_args=connect_args)
        with engine.connect():
            pass
        engine.dispose()
    except ImportError as exc:
        raise StorageError(f"cannot use storage {mask_url(url)}: missing driver ({exc}); "
                           "for PostgreSQL: pip install psycopg2-binary") from None
    except Exception as exc:  # sqlalchemy wraps every driver error differently
        first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        raise StorageError(f"cannot reach storage {mask_url(url)}: {first[0] if first else type(exc).__name__}") from None


def open_storage(info: StorageInfo, *, heartbeat_interval: int = 60, grace_period: int = 180,
                 max_retry: int = 3, connect_timeout: int = 10):
    """The Optuna storage object for ``info`` (checked to be reachable/writable)."""
    import optuna
    from optuna.storages import RetryHeartbeatStaleTrialCallback

    if info.kind == "journal":
        assert info.path is not None
        try:
            info.path.parent.mkdir(parents=True, exist_ok=True)
            with open(info.path, "ab"):
                pass
        except OSError as exc:
            raise StorageError(f"cannot write the study journal {info.path}: {exc.strerror or exc}") from None
        if repair_journal(info.path):
            print(f"note: {info.path}: cut a half-written last entry (a worker was killed while writing)")
        return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(info.path)))
    if info.kind == "redis":
        try:
            backend = optuna.storages.journal.JournalRedisBackend(info.url)
            return optuna.storages.JournalStorage(backend)
        except Exception as exc:
            raise StorageError(f"cannot reach storage {info.display}: {exc}") from None
    _check_rdb(info.url, connect_timeout)
    connect_args = {"connect_timeout": connect_timeout} if not info.url.startswith("sqlite") else {"timeout": 60}
    return optuna.storages.RDBStorage(
        info.url,
        engine_kwargs={"pool_pre_ping": True, "connect_args": connect_args},
        heartbeat_interval=heartbeat_interval,
        grace_period=grace_period,
        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=max_retry),
    )
