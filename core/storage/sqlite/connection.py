"""Transactions on the store's connection, and SQLite errors said as core.errors.

The store contract (core.storage.base): engine errors leave as core.errors. A database
that cannot be used now (locked by another process past the busy timeout, impossible to
open, an I/O error, read-only, a full disk) is UnavailableError (503 over HTTP), as an
unreachable Elasticsearch node is; anything else is a bug and stays loud. ``unavailable``
decides, in one place; every public method of a SubStore and every transaction apply it.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import UnavailableError
from core.storage.records import translate_public_methods

if TYPE_CHECKING:
    from core.storage.sqlite.store import SqliteStore

__all__ = ["SubStore", "Transaction", "unavailable"]


class SubStore:
    """A sub-store of one SqliteStore (events, alerts, ...). Every public method of a
    subclass translates engine errors (``unavailable``)."""

    def __init__(self, db: SqliteStore) -> None:
        self._db = db

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        translate_public_methods(cls, sqlite3.Error, _translate)


def _translate(part: SubStore, exc: Exception) -> UnavailableError | None:
    return unavailable(part._db.path, exc) if isinstance(exc, sqlite3.Error) else None


def _raise_if_unavailable(path: Path, exc: sqlite3.Error) -> None:
    translated = unavailable(path, exc)
    if translated is not None:
        raise translated from exc


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
                self._store._con.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout
                self._began = True
        except BaseException as exc:
            self._store._lock.release()
            if isinstance(exc, sqlite3.Error):
                _raise_if_unavailable(self._store.path, exc)
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
                    _raise_if_unavailable(self._store.path, failed)
                    raise
                return
            # SQLite may have rolled back already (a full disk does): a second ROLLBACK
            # would fail and hide the cause.
            _rollback(con)
            if isinstance(exc, sqlite3.Error):
                _raise_if_unavailable(self._store.path, exc)
        finally:
            self._store._lock.release()


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        with contextlib.suppress(sqlite3.Error):  # the error being handled says why
            con.execute("ROLLBACK")


# Primary result codes of a database that cannot be used now, whatever the statement.
_UNAVAILABLE = frozenset(
    {
        sqlite3.SQLITE_BUSY,  # another connection holds the lock past the busy timeout
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_CANTOPEN,  # the file or its folder is gone, or not accessible
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_FULL,
    }
)


def unavailable(path: Path, exc: sqlite3.Error) -> UnavailableError | None:
    """The error to raise for ``exc`` when it means the database cannot be used now (a
    person can act on it, then retry); None when it is not such an error (a bug)."""
    full = _full_disk_error(path, exc)
    if full is not None:
        return full
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in _UNAVAILABLE:  # extended codes keep the primary low
        return None
    return UnavailableError(
        f"the SQLite store at {path} cannot be used now ({exc}); another process may hold "
        "it locked (a long write or a backup), or the file, its folder or the disk may be "
        "unreadable. retry; if it persists, check that file and its folder",
        location="store",
    )


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
