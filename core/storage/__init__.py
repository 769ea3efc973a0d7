"""Storage: ``open_store(settings)`` is the only place that chooses an engine."""

import functools
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from core.settings import Settings
from core.storage.base import Store
from core.storage.sqlite import SqliteStore

__all__ = [
    "SqliteStore",
    "Spooling",
    "Store",
    "open_store",
    "pending_events",
    "reopener",
    "spooling",
]


@runtime_checkable
class Spooling(Protocol):
    """A store that accepts events into a disk spool while its engine cannot take them."""

    def pending_events(self) -> int: ...
    def drain_spool(self) -> int: ...


def spooling(store: Store) -> Spooling | None:
    """The store's spool side (Elasticsearch), or None (SQLite writes or fails at once)."""
    return store if isinstance(store, Spooling) else None


def pending_events(store: Store) -> int:
    """Events accepted but not yet stored (waiting in the spool)."""
    spool = spooling(store)
    return spool.pending_events() if spool is not None else 0


def open_store(settings: Settings) -> Store:
    """Open the store named by ``settings.store``. Raises UnavailableError naming it."""
    if settings.engine == "sqlite":
        return SqliteStore(settings.sqlite_path)
    from core.storage.elasticsearch import ElasticStore  # the client is imported only when used

    password = settings.store_password.get_secret_value() if settings.store_password else None
    return ElasticStore(
        settings.store,
        prefix=settings.store_index_prefix,
        username=settings.store_username,
        password=password,
        ca_certs=settings.store_ca_certs,
        spool_dir=settings.state_dir / "spool" / settings.store_index_prefix,
    )


def reopener(store: Store) -> Callable[[], Store] | None:
    """How another process opens this same store (a picklable callable), for parallel
    ingest; None where every write must go through this process (Elasticsearch reserves
    event positions under this process's lock, and spools per process)."""
    if isinstance(store, SqliteStore):
        return functools.partial(SqliteStore, store.path)
    return None
