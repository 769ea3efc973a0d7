"""SqliteStore: the connections, the schema, transactions and closing."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from core.errors import UnavailableError
from core.private_files import create_private, private_dir, tighten
from core.storage.sqlite.accounts import SqliteAccounts
from core.storage.sqlite.alerts import SqliteAlerts
from core.storage.sqlite.assets import SqliteAssets
from core.storage.sqlite.audit import SqliteAudit
from core.storage.sqlite.checkpoints import SqliteCheckpoints
from core.storage.sqlite.connection import Transaction
from core.storage.sqlite.dead_letters import SqliteDeadLetters
from core.storage.sqlite.drills import SqliteDrills
from core.storage.sqlite.event_search import SqliteEventSearch
from core.storage.sqlite.events import SqliteEvents
from core.storage.sqlite.incidents import SqliteIncidents
from core.storage.sqlite.messages import SqliteMessages
from core.storage.sqlite.regexp import regexp as _regexp
from core.storage.sqlite.rule_settings import SqliteRuleSettings
from core.storage.sqlite.saved_searches import SqliteSavedSearches
from core.storage.sqlite.schema import create_schema
from core.storage.sqlite.sharing import SqliteSharing
from core.storage.sqlite.sources import SqliteSources
from core.storage.sqlite.trends import SqliteTrends

__all__ = ["SqliteStore"]


class SqliteStore:
    """One SQLite file. Safe to share between threads (calls are serialized)."""

    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # 0600 before SQLite creates it 0644: the WAL and SHM copy the database's mode.
            private_dir(path.parent)
            create_private(path)
            for companion in ("-wal", "-shm", "-journal"):
                tighten(Path(f"{path}{companion}"))
            self._con = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._con.row_factory = sqlite3.Row
            self._con.create_function("REGEXP", 2, _regexp, deterministic=True)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute("PRAGMA foreign_keys=ON")
            create_schema(self._con)
        except (OSError, sqlite3.Error) as exc:
            raise UnavailableError(
                f"cannot open the SQLite store at {path}: {exc}; check the path and permissions",
                location="store",
            ) from exc
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self.scan_workers = max(1, min(4, os.cpu_count() or 1))
        self.pool = ThreadPoolExecutor(self.scan_workers, thread_name_prefix="citysoc-scan")
        self.events = SqliteEvents(self)
        self.dead_letters = SqliteDeadLetters(self)
        self.alerts = SqliteAlerts(self)
        self.incidents = SqliteIncidents(self)
        self.audit = SqliteAudit(self)
        self.checkpoints = SqliteCheckpoints(self)
        self.assets = SqliteAssets(self)
        self.drills = SqliteDrills(self)
        self.event_search = SqliteEventSearch(self)
        self.saved_searches = SqliteSavedSearches(self)
        self.accounts = SqliteAccounts(self)
        self.sharing = SqliteSharing(self)
        self.messages = SqliteMessages(self)
        self.trends = SqliteTrends(self)
        self.rule_settings = SqliteRuleSettings(self)
        self.sources = SqliteSources(self)

    def reader(self) -> sqlite3.Connection:
        """This thread's own read connection (for detection scans in the worker pool)."""
        con: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            con.create_function("REGEXP", 2, _regexp, deterministic=True)
            self._local.reader = con
            with self._lock:
                self._readers.append(con)
        return con

    def write(self) -> Transaction:
        return Transaction(self, write=True)

    def read(self) -> Transaction:
        return Transaction(self, write=False)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write of this thread inside the block commits together, or none does."""
        with self.write():
            yield

    def one(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row:
        with self.read() as con:
            row: sqlite3.Row = con.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self.read() as con:
            return con.execute(sql, params).fetchall()

    def execute_raw(self, sql: str, params: Sequence[object] = ()) -> None:
        """For maintenance and tests that must bypass the interface (e.g. tamper tests)."""
        with self._lock:
            self._con.execute(sql, params)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._con.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
