"""Storage: ``open_store(settings)`` is the only place that chooses an engine."""

from core.settings import Settings
from core.storage.base import Store
from core.storage.sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "open_store"]


def open_store(settings: Settings) -> SqliteStore:
    """Open the store named by ``settings.store``. Raises UnavailableError with the path."""
    return SqliteStore(settings.sqlite_path)
