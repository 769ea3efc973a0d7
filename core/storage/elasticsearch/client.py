"""The connection to the node and the translation of its errors into core.errors."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, ConnectionError, Elasticsearch, OrjsonSerializer
from elasticsearch import TransportError as EsTransportError

from core.errors import UnavailableError
from core.storage.records import translate_public_methods

if TYPE_CHECKING:
    from core.storage.elasticsearch.store import ElasticStore


def connect(
    url: str,
    *,
    username: str | None,
    password: str | None,
    ca_certs: Path | None,
    timeout: float,
) -> tuple[Elasticsearch, str]:
    """A client for the node at ``url`` and its cluster's name, once the cluster answers.

    Raises UnavailableError naming what to check when it does not."""
    options: dict[str, Any] = {}
    if username and password is not None:
        options["basic_auth"] = (username, password)
    if ca_certs:
        options["ca_certs"] = str(ca_certs)
    # orjson (already a dependency) serializes bulk bodies several times faster than the
    # standard library, and ingest shares one core with parsing.
    es = Elasticsearch(
        url,
        request_timeout=timeout,
        retry_on_timeout=True,
        max_retries=2,
        serializer=OrjsonSerializer(),
        **options,
    )
    try:
        # (the integration-test distribution has no GET / handler: ask the cluster)
        health = es.cluster.health(wait_for_status="yellow", timeout="30s")
    except (ConnectionError, EsTransportError, ApiError) as exc:
        raise UnavailableError(
            f"cannot reach Elasticsearch at {url}: {exc}; check that the node is running, "
            "the URL and port, the credentials (CITYSOC_STORE_USERNAME / _PASSWORD) and, "
            "for https, the CA file (CITYSOC_STORE_CA_CERTS)",
            location="store",
        ) from exc
    return es, str(health["cluster_name"])


_BUSY = frozenset({429, 502, 503, 504})  # the node is overloaded or going away: try later


class Rejected(UnavailableError):
    """The node refused some events of a bulk write; ``transient`` when every refusal was
    "not now" (429, 5xx, a block) rather than a problem with the events."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message, location="store")
        self.transient = transient


def is_transient_status(status: object) -> bool:
    return isinstance(status, int) and (status == 429 or status >= 500)


def is_transient(exc: BaseException) -> bool:
    """Will the same write succeed later? Unreachable, timeouts, 429/5xx, blocks: yes."""
    if isinstance(exc, Rejected):
        return exc.transient
    if isinstance(exc, ApiError):
        return is_transient_status(exc.meta.status) or "cluster_block_exception" in str(exc)
    return isinstance(exc, (ConnectionError, EsTransportError, UnavailableError))


def why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def unavailable(url: str, exc: Exception) -> UnavailableError:
    return UnavailableError(
        f"Elasticsearch at {url} is unavailable ({type(exc).__name__}: {exc}); check that "
        "the node is running and reachable, then retry",
        location="store",
    )


def _translate(part: SubStore, exc: Exception) -> UnavailableError | None:
    """The store contract: engine errors leave as core.errors. Unreachable or overloaded
    (429/5xx) nodes become UnavailableError (503 over HTTP); anything else is a bug and stays
    loud (None: re-raised as it is)."""
    if isinstance(exc, ApiError) and exc.meta.status not in _BUSY:
        return None
    return unavailable(part._db.url, exc)


class SubStore:
    """A sub-store. Every public method of a subclass translates engine errors."""

    def __init__(self, db: ElasticStore) -> None:
        self._db = db
        self.es = db.es

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        translate_public_methods(cls, (ConnectionError, EsTransportError, ApiError), _translate)

    def _index(self, kind: str) -> str:
        return self._db.index(kind)

    def _all(
        self, kind: str, query: dict[str, Any], sort: list[Any], size: int | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Every matching document's source (search_after paging), in ``sort`` order."""
        return self._db.search_all(self._index(kind), query, sort, size)
