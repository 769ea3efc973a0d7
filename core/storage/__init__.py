"""Storage: ``open_store(settings)`` is the only place that chooses an engine."""

from core.settings import Settings
from core.storage.base import Store
from core.storage.sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "open_store"]


def open_store(settings: Settings) -> Store:
    """Open the store named by ``settings.store``. Raises UnavailableError naming it."""
    if settings.engine == "sqlite":
        return SqliteStore(settings.sqlite_path)
    from core.storage.elastic import ElasticStore  # the client is imported only when used

    password = settings.store_password.get_secret_value() if settings.store_password else None
    return ElasticStore(
        settings.store,
        prefix=settings.store_index_prefix,
        username=settings.store_username,
        password=password,
        ca_certs=settings.store_ca_certs,
        spool_dir=settings.state_dir / "spool" / settings.store_index_prefix,
    )
