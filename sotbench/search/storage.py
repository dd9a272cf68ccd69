"""Where a study lives: a journal file (default, one machine), PostgreSQL/MySQL (many machines,
with Optuna's heartbeat), SQLite (one process) or Redis (journal).  All are Optuna's standard
storages, so ``optuna-dashboard URL`` reads them as they are."""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

__all__ = ["StorageInfo", "StorageError", "parse_storage", "open_storage", "mask_url", "repair_journal", "journal_lock",
           "check_journal"]

RDB_SCHEMES = ("postgresql", "postgres", "mysql", "sqlite", "mariadb")
# SQLAlchemy loads the engine plugins a URL's ?plugin= names: code chosen by the URL, refused
CODE_QUERY_KEYS = ("plugin",)


class StorageError(RuntimeError):
    """The study's storage cannot be used (unreachable server, unwritable file)."""


@dataclass(frozen=True)
class StorageInfo:
    """A parsed storage location: ``kind`` is journal, rdb or redis."""

    kind: str
    url: str           # what Optuna is given (a path for journals; a URL with its driver named)
    path: Path | None = None
    given: str = ""    # as the user wrote it

    @property
    def display(self) -> str:
        """The location as given, with any password hidden."""
        return mask_url(self.given or self.url)

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
    if scheme:
        _check_query(text)
    if scheme in RDB_SCHEMES:
        return StorageInfo("rdb", _with_driver(text), given=text)
    if scheme == "redis":
        return StorageInfo("redis", text)
    if scheme:
        raise StorageError(f"unknown storage URL scheme {scheme!r} in {mask_url(text)}; use postgresql://, "
                           "mysql://, sqlite:///, redis:// or a journal file path")
    path = Path(text[len("journal:"):] if text.startswith("journal:") else text)
    return StorageInfo("journal", str(path), path)


def _check_query(url: str) -> None:
    for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.lower() in CODE_QUERY_KEYS:
            raise StorageError(f"storage {mask_url(url)}: query parameter {key!r} (SQLAlchemy engine plugins, "
                               "i.e. code named by the URL) is not accepted")


def journal_lock(path: Path):
    """The journal's write lock: an OS file lock (``flock`` on ``<journal>.flock``), which the
    kernel releases when its holder dies, so a worker killed while writing never stalls the
    others (Optuna's default symlink lock waits 30 s for that).  Windows: Optuna's default."""
    from optuna.storages.journal import JournalFileSymlinkLock
    from optuna.storages.journal._file import BaseJournalFileLock

    try:
        import fcntl
    except ImportError:
        return JournalFileSymlinkLock(str(path))

    class FlockLock(BaseJournalFileLock):
        def __init__(self) -> None:
            self._fd: int | None = None

        def acquire(self) -> bool:
            fd = os.open(f"{path}.flock", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd = fd
            return True

        def release(self) -> None:
            if self._fd is not None:
                fd, self._fd = self._fd, None
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    return FlockLock()


def _with_driver(url: str) -> str:
    """``postgres(ql)://`` without a driver -> the installed one (psycopg2, else psycopg 3):
    SQLAlchemy's own default differs between versions and may not be installed."""
    import importlib.util

    scheme, rest = url.split("://", 1)
    if scheme not in ("postgres", "postgresql"):
        return url
    for module, driver in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{driver}://{rest}"
    return f"postgresql://{rest}"


def repair_journal(path: Path) -> bool:
    """Cut a half-written last line (a process killed while appending) so the journal replays;
    returns whether anything was cut."""
    from optuna.storages.journal._file import get_lock_file

    if not path.is_file() or path.stat().st_size == 0:
        return False
    with get_lock_file(journal_lock(path)):
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


def check_journal(path: Path) -> None:
    """Every complete line of the journal must be an Optuna journal entry; else a one-line
    ``StorageError`` with the line (Optuna would stop on it with a JSON traceback)."""
    import json

    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.endswith(b"\n"):
                return  # the last line of a write in progress (repair_journal cuts a dead writer's)
            try:
                entry = json.loads(line)
                ok = isinstance(entry, dict) and "op_code" in entry
                why = "not an Optuna journal entry"
            except ValueError as exc:
                ok, why = False, f"not JSON: {getattr(exc, 'msg', exc)}"
            if not ok:
                raise StorageError(f"{path}:{number}: corrupt study journal entry ({why}); the study cannot be "
                                   "read past it: restore the file from a backup, or move it away (or use another "
                                   "--out) to start a new study")


def _check_rdb(url: str, timeout: int, shown: str) -> None:
    """Connect once, so an unreachable server is reported before any work."""
    import sqlalchemy

    connect_args = {"connect_timeout": timeout} if url.startswith(("postgres", "mysql", "mariadb")) else {}
    try:
        engine = sqlalchemy.create_engine(url, connect_args=connect_args)
        with engine.connect():
            pass
        engine.dispose()
    except ImportError as exc:
        raise StorageError(f"cannot use storage {shown}: missing driver ({exc}); "
                           "for PostgreSQL: pip install psycopg2-binary") from None
    except Exception as exc:  # sqlalchemy wraps every driver error differently
        first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        raise StorageError(f"cannot reach storage {shown}: {first[0] if first else type(exc).__name__}") from None


def open_storage(info: StorageInfo, *, heartbeat_interval: int = 60, grace_period: int = 180,
                 max_retry: int = 3, connect_timeout: int = 10):
    """The Optuna storage object for ``info`` (checked to be reachable/writable)."""
    import optuna

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
        check_journal(info.path)
        backend = optuna.storages.journal.JournalFileBackend(str(info.path), lock_obj=journal_lock(info.path))
        return optuna.storages.JournalStorage(backend)
    if info.kind == "redis":
        try:
            backend = optuna.storages.journal.JournalRedisBackend(info.url)
            return optuna.storages.JournalStorage(backend)
        except Exception as exc:
            raise StorageError(f"cannot reach storage {info.display}: {exc}") from None
    _check_rdb(info.url, connect_timeout, info.display)
    connect_args = {"connect_timeout": connect_timeout} if not info.url.startswith("sqlite") else {"timeout": 60}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return _rdb(info.url, connect_args, heartbeat_interval, grace_period, max_retry)


def _rdb(url: str, connect_args: dict, heartbeat_interval: int, grace_period: int, max_retry: int,
         attempts: int = 5):
    """Optuna's RDB storage.  Processes starting together on an empty database race to create
    Optuna's tables (one wins, the others hit a duplicate type or table): they try again, and
    then find the tables made."""
    import random
    import time

    import optuna
    import sqlalchemy.exc

    from sotbench.search.liveness import retry_callback

    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(
                url,
                engine_kwargs={"pool_pre_ping": True, "connect_args": connect_args},
                heartbeat_interval=heartbeat_interval,
                grace_period=grace_period,
                heartbeat_stale_trial_callback=retry_callback(max_retry),
            )
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 + random.random())
