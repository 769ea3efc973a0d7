"""Users, API tokens and sessions as documents."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Callable

from core.errors import ConflictError
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteAccounts"]


class SqliteAccounts(SubStore):
    """Users, API tokens and sessions as documents (see core.accounts); secrets are hashes."""

    def put_user(self, username: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO users (username, doc) VALUES (?, ?) ON CONFLICT(username) "
                "DO UPDATE SET doc = excluded.doc",
                (username, document),
            )

    def add_user(self, username: str, document: str) -> None:
        with self._db.write() as con:
            try:
                con.execute("INSERT INTO users (username, doc) VALUES (?, ?)", (username, document))
            except sqlite3.IntegrityError as exc:
                raise ConflictError(
                    f"user {username!r} already exists", location="username"
                ) from exc

    def get_user(self, username: str) -> str | None:
        row = self._db.one("SELECT doc FROM users WHERE username = ?", (username,))
        return str(row[0]) if row else None

    def update_user(self, username: str, change: Callable[[str], str]) -> str | None:
        # One IMMEDIATE transaction holds the write lock from the read to the write, so
        # neither another thread nor another process (the CLI) can interleave.
        with self._db.write() as con:
            row = con.execute("SELECT doc FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                return None
            updated = change(str(row[0]))
            con.execute("UPDATE users SET doc = ? WHERE username = ?", (updated, username))
            return updated

    def users(self) -> builtins.list[str]:
        return [str(r[0]) for r in self._db.all("SELECT doc FROM users ORDER BY username")]

    def put_token(self, token_id: str, username: str, token_hash: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO api_tokens (id, username, hash, doc) VALUES (?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (token_id, username, token_hash, document),
            )

    def token_by_hash(self, token_hash: str) -> str | None:
        row = self._db.one("SELECT doc FROM api_tokens WHERE hash = ?", (token_hash,))
        return str(row[0]) if row else None

    def token(self, token_id: str) -> str | None:
        row = self._db.one("SELECT doc FROM api_tokens WHERE id = ?", (token_id,))
        return str(row[0]) if row else None

    def tokens(self, username: str | None = None) -> builtins.list[str]:
        if username is None:
            return [str(r[0]) for r in self._db.all("SELECT doc FROM api_tokens ORDER BY id")]
        return [
            str(r[0])
            for r in self._db.all(
                "SELECT doc FROM api_tokens WHERE username = ? ORDER BY id", (username,)
            )
        ]

    def put_session(self, session_hash: str, username: str, expires_at: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO sessions (hash, username, expires_at, doc) VALUES (?,?,?,?)",
                (session_hash, username, expires_at, document),
            )

    def session(self, session_hash: str) -> str | None:
        row = self._db.one("SELECT doc FROM sessions WHERE hash = ?", (session_hash,))
        return str(row[0]) if row else None

    def delete_session(self, session_hash: str) -> None:
        with self._db.write() as con:
            con.execute("DELETE FROM sessions WHERE hash = ?", (session_hash,))
