"""Accounts: users, API tokens and browser sessions as stored documents."""

from __future__ import annotations

import builtins
from collections.abc import Callable

from elasticsearch import ConflictError as EsConflict
from elasticsearch import NotFoundError

from core.errors import ConflictError, UnavailableError
from core.storage.elasticsearch.client import SubStore

UPDATE_ATTEMPTS = 100  # compare-and-set retries before a contended document is "busy"


class ElasticAccounts(SubStore):
    def put_user(self, username: str, document: str) -> None:
        self._db.put(self._index("users"), username, {"username": username, "doc": document})

    def add_user(self, username: str, document: str) -> None:
        try:
            self.es.create(
                index=self._index("users"),
                id=username,
                document={"username": username, "doc": document},
            )
        except EsConflict as exc:
            raise ConflictError(f"user {username!r} already exists", location="username") from exc

    def get_user(self, username: str) -> str | None:
        source = self._db.get(self._index("users"), username)
        return str(source["doc"]) if source else None

    def update_user(self, username: str, change: Callable[[str], str]) -> str | None:
        # Compare-and-set on the document's sequence number (the test distribution has no
        # scripting for an atomic update); a writer that lost the race reads again.
        index = self._index("users")
        for _attempt in range(UPDATE_ATTEMPTS):
            try:
                current = self.es.get(index=index, id=username)
            except NotFoundError:
                return None
            updated = change(str(current["_source"]["doc"]))
            try:
                self.es.index(
                    index=index,
                    id=username,
                    document={**current["_source"], "doc": updated},
                    if_seq_no=current["_seq_no"],
                    if_primary_term=current["_primary_term"],
                )
            except EsConflict:
                continue
            return updated
        raise UnavailableError(
            f"account {username!r} is being changed by too many requests at once; retry",
            location="store",
        )

    def users(self) -> builtins.list[str]:
        return [str(s["doc"]) for s in self._all("users", {"match_all": {}}, [{"username": "asc"}])]

    def put_token(self, token_id: str, username: str, token_hash: str, document: str) -> None:
        self._db.put(
            self._index("tokens"),
            token_id,
            {"id": token_id, "username": username, "hash": token_hash, "doc": document},
        )

    def token_by_hash(self, token_hash: str) -> str | None:
        hits = self._db.page(self._index("tokens"), {"term": {"hash": token_hash}}, [], 1, 0)
        return str(hits[0]["doc"]) if hits else None

    def token(self, token_id: str) -> str | None:
        source = self._db.get(self._index("tokens"), token_id)
        return str(source["doc"]) if source else None

    def tokens(self, username: str | None = None) -> builtins.list[str]:
        query = {"term": {"username": username}} if username else {"match_all": {}}
        return [str(s["doc"]) for s in self._all("tokens", query, [{"id": "asc"}])]

    def put_session(
        self,
        session_hash: str,
        username: str,
        expires_at: str,  # noqa: ARG002 - kept inside the document
        document: str,
    ) -> None:
        self._db.put(
            self._index("sessions"),
            session_hash,
            {"hash": session_hash, "username": username, "doc": document},
        )

    def session(self, session_hash: str) -> str | None:
        source = self._db.get(self._index("sessions"), session_hash)
        return str(source["doc"]) if source else None

    def delete_session(self, session_hash: str) -> None:
        self.es.options(ignore_status=404).delete(index=self._index("sessions"), id=session_hash)
