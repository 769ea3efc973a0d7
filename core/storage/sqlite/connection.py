"""Transactions on the store's connection, and SQLite errors said as core.errors."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UnavailableError

if TYPE_CHECKING:
    from core.storage.sqlite.store import SqliteStore

__all__ = ["SubStore"]


class SubStore:
    """A sub-store of one SqliteStore (events, alerts, ...)."""

    def __init__(self, db: SqliteStore) -> None:
        self._db = db


class Transaction:
    """A write transaction, or a read under the store's lock. A write inside another write
    of the same thread joins it (``SqliteStore.transaction``): one COMMIT for all."""

    def __init__(self, store: SqliteStore, write: bool) -> None:
        self._store, self._write = store, write
        self._began = False

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        try:
            if self._write and not self._store._con.in_transaction:
                self._store._con.execute("BEGIN IMMEDIATE")
                self._began = True
        except BaseException:
            self._store._lock.release()
            raise
        return self._store._con

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        con = self._store._con
        try:
            if not self._began:
                return
            if exc_type is None:
                try:
                    con.execute("COMMIT")
                except sqlite3.Error as failed:
                    _rollback(con)
                    translated = _full_disk_error(self._store.path, failed)
                    if translated is None:
                        raise
                    raise translated from failed
                return
            # SQLite may have rolled back already (a full disk does): a second ROLLBACK
            # would fail and hide the cause.
            _rollback(con)
            if isinstance(exc, sqlite3.Error):
                translated = _full_disk_error(self._store.path, exc)
                if translated is not None:
                    raise translated from exc
        finally:
            self._store._lock.release()


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        with contextlib.suppress(sqlite3.Error):  # the error being handled says why
            con.execute("ROLLBACK")


def _disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
        "disk is full" in str(exc)
    )


def _full_disk_error(path: Path, exc: sqlite3.Error) -> UnavailableError | None:
    """A full disk, said so a person can act on it (with the free space); else None."""
    if not _disk_full(exc):
        return None
    try:
        free = f"{shutil.disk_usage(path.parent).free:,} bytes free"
    except OSError:
        free = "free space unknown"
    return UnavailableError(
        f"the store's disk is full: {path} could not be written ({free}); free space on that "
        "file system, then retry. nothing was lost: the write was rolled back whole and can "
        "be repeated (ingesting the same records again stores each event once)",
        location="store",
    )
