"""Ingest tokens: bearer tokens with which a log shipper (Fluent Bit, Vector, Logstash)
sends events to ``POST /api/v1/ingest`` for ONE agency of the registry.

They are kept like people's API tokens, in the accounts sub-store as SHA-256 digests
(core.accounts), owned by ``ingest:<agency code>`` instead of a username: so they can never
act as a person, and a person's token can never ingest. Only administrators issue, list and
revoke them; issuing and revoking are audited; the token itself is shown once.
"""

import secrets
from dataclasses import dataclass

from core import audit
from core.access import Action, Actor, not_found, require_right
from core.accounts import INGEST_OWNER_PREFIX, ApiToken, token_digest
from core.agencies import UNASSIGNED, AgencyRegistry
from core.clock import Clock
from core.errors import InputError, UnauthenticatedError
from core.storage.base import Store

__all__ = [
    "IngestToken",
    "ingest_token_for",
    "issue_ingest_token",
    "list_ingest_tokens",
    "revoke_ingest_token",
]

_PLAIN_PREFIX = "csin_"  # tells an ingest token from a person's (csoc_) at a glance
_ID_PREFIX = "ing_"
_MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class IngestToken:
    """An ingest token as shown (its hash stays in the store)."""

    stored: ApiToken

    @property
    def id(self) -> str:
        return self.stored.id

    @property
    def agency(self) -> str:
        return self.stored.username.removeprefix(INGEST_OWNER_PREFIX)

    @property
    def revoked(self) -> bool:
        return self.stored.revoked_at is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "agency": self.agency,
            "name": self.stored.name,
            "created_at": self.stored.created_at.isoformat(),
            "revoked_at": self.stored.revoked_at.isoformat() if self.stored.revoked_at else None,
        }


def _manage(actor: Actor) -> None:
    require_right(
        actor, Action.MANAGE_ACCOUNTS, "only administrators manage ingest tokens", "ingest-token"
    )


def issue_ingest_token(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    agency: str,
    name: str,
    clock: Clock,
) -> tuple[str, IngestToken]:
    """A new token for ``agency`` (a registry code), shown once. Audited.
    Raises ForbiddenError, NotFoundError (no such agency), InputError."""
    _manage(actor)
    if agency == UNASSIGNED.code:
        raise InputError(
            "an ingest token names the agency its events belong to; choose one of the registry",
            location="agency",
            key="ingest_token_agency",
        )
    registry.get(agency)
    name = name.strip()
    if not name or len(name) > _MAX_NAME:
        raise InputError(
            f"name the token after the shipper that will use it (1-{_MAX_NAME} characters)",
            location="name",
            key="ingest_token_name",
            params={"max": _MAX_NAME},
        )
    now = clock.now()
    plain = f"{_PLAIN_PREFIX}{secrets.token_urlsafe(32)}"
    stored = ApiToken(
        id=f"{_ID_PREFIX}{secrets.token_hex(6)}",
        username=f"{INGEST_OWNER_PREFIX}{agency}",
        name=name,
        token_hash=token_digest(plain),
        created_at=now,
    )
    store.accounts.put_token(
        stored.id, stored.username, stored.token_hash, stored.model_dump_json()
    )
    audit.record(
        store,
        actor=actor,
        action="ingest_token.issue",
        subject=stored.id,
        at=now,
        detail={"agency": agency, "name": name},
    )
    return plain, IngestToken(stored)


def list_ingest_tokens(
    *, store: Store, actor: Actor, agency: str | None = None
) -> list[IngestToken]:
    """Every ingest token (of one agency when given), revoked ones too, in id order."""
    _manage(actor)
    found = [IngestToken(ApiToken.model_validate_json(d)) for d in store.accounts.tokens()]
    return [
        t
        for t in found
        if t.stored.username.startswith(INGEST_OWNER_PREFIX) and agency in (None, t.agency)
    ]


def revoke_ingest_token(*, store: Store, actor: Actor, token_id: str, clock: Clock) -> IngestToken:
    """Stop a token at its next use (revoking twice keeps the first time). Audited.
    Raises ForbiddenError, NotFoundError."""
    _manage(actor)
    doc = store.accounts.token(token_id)
    stored = ApiToken.model_validate_json(doc) if doc else None
    if stored is None or not stored.username.startswith(INGEST_OWNER_PREFIX):
        raise not_found("ingest token")
    now = clock.now()
    stored.revoked_at = stored.revoked_at or now
    store.accounts.put_token(
        stored.id, stored.username, stored.token_hash, stored.model_dump_json()
    )
    audit.record(store, actor=actor, action="ingest_token.revoke", subject=stored.id, at=now)
    return IngestToken(stored)


def ingest_token_for(*, store: Store, plain: str) -> IngestToken | None:
    """The live ingest token ``plain`` is, or None when it is no ingest token at all (it may
    be a person's). Raises UnauthenticatedError for a revoked one."""
    doc = store.accounts.token_by_hash(token_digest(plain))
    stored = ApiToken.model_validate_json(doc) if doc else None
    if stored is None or not stored.username.startswith(INGEST_OWNER_PREFIX):
        return None
    if stored.revoked_at is not None:
        raise UnauthenticatedError(
            "this ingest token was revoked; ask the city SOC for a new one",
            location="header.authorization",
            key="ingest_token_revoked",
        )
    return IngestToken(stored)
