"""Compiled rules kept outside any store, so a new store, a restart, a second collector or a
second agency's process reuse what one of them compiled (pySigma costs ~10 ms a rule: 25 s
for SigmaHQ's Windows set).

The cache is one SQLite file (``CITYSOC_RULE_CACHE``; by default
``$XDG_CACHE_HOME/citysoc/compiled-rules.sqlite``; ``off`` disables it). A key holds the
engine, the rule file's text hash and a fingerprint of everything that shapes a compiled
condition: the versions of pySigma and its backends, and the source of CitySOC's pipeline,
backends and dialects. Changing any of them misses the cache; nothing is ever invalidated
by hand. A cache that cannot be opened or written is skipped with a warning: compiling
again is slower, never wrong.
"""

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["CompileCache", "compiler_fingerprint", "default_cache_path"]

log = logging.getLogger("citysoc.rules")

_DETECTIONS = Path(__file__).resolve().parent
# The code a compiled condition depends on, besides the packages below.
_SHAPING_SOURCES = (
    _DETECTIONS / "pipeline.py",
    _DETECTIONS / "dialects.py",
    _DETECTIONS / "sqlite_backend.py",
    _DETECTIONS / "lucene_backend.py",
    _DETECTIONS / "compile.py",
    _DETECTIONS.parent / "core" / "storage" / "sqlite" / "columns.py",
)
_SHAPING_PACKAGES = (
    "pySigma",
    "pySigma-backend-elasticsearch",
    "pySigma-backend-sqlite",
    "pySigma-pipeline-windows",
    "pySigma-pipeline-sysmon",
)
_CHUNK = 500  # keys per SELECT (SQLite's variable limit is far above)


@cache
def compiler_fingerprint() -> str:
    """A digest of what makes a compiled rule what it is (see the module's docstring)."""
    digest = hashlib.sha256()
    for package in _SHAPING_PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=absent;".encode())
    for source in _SHAPING_SOURCES:
        digest.update(source.read_bytes() if source.exists() else b"absent")
    return digest.hexdigest()[:16]


def default_cache_path() -> Path | None:
    """``CITYSOC_RULE_CACHE`` (``off``: none), else under the user's cache directory."""
    chosen = os.environ.get("CITYSOC_RULE_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "citysoc" / "compiled-rules.sqlite"


class CompileCache:
    """Compiled results by key, in one SQLite file shared by processes (WAL, busy wait)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._broken = path is None

    @classmethod
    def default(cls) -> "CompileCache":
        return cls(default_cache_path())

    @staticmethod
    def key(engine: str, text_hash: str) -> str:
        return f"{engine}:{compiler_fingerprint()}:{text_hash}"

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken or self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS compiled (key TEXT PRIMARY KEY, value TEXT)")
        except (OSError, sqlite3.Error) as exc:
            log.warning("compiled-rule cache %s unusable (%s): not used", self.path, exc)
            self._broken = True
            return None
        return db

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))
        db = self._connect()
        if db is None or not wanted:
            return {}
        found: dict[str, str] = {}
        try:
            with db:
                for start in range(0, len(wanted), _CHUNK):
                    part = wanted[start : start + _CHUNK]
                    marks = ",".join("?" * len(part))
                    rows = db.execute(
                        f"SELECT key, value FROM compiled WHERE key IN ({marks})",  # noqa: S608
                        part,
                    )
                    found.update(rows)
        except sqlite3.Error as exc:
            log.warning("compiled-rule cache %s unreadable (%s)", self.path, exc)
        finally:
            db.close()
        return found

    def put_many(self, items: Mapping[str, str]) -> None:
        db = self._connect()
        if db is None or not items:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO compiled (key, value) VALUES (?, ?)", items.items()
                )
        except sqlite3.Error as exc:
            log.warning("compiled-rule cache %s not written (%s)", self.path, exc)
        finally:
            db.close()
