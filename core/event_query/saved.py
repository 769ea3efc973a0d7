"""Saved searches: a name, a query and a time span, personal or shared with every
colleague. Saving and deleting are audited; only the owner (or an administrator) deletes
or replaces one, and a search another person may not see is "not found"."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from core import audit
from core.access import Action, Actor, allowed, not_found, require_right
from core.errors import ForbiddenError, InputError
from core.event_query.parser import parse
from core.storage import Store

__all__ = ["MAX_NAME", "SavedSearch", "delete", "get", "listing", "save"]

MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: str
    name: str
    query: str
    owner: str
    shared: bool
    created_at: str  # ISO UTC
    span_hours: int | None = None  # the time range as "the last N hours", if one was saved


def _load(document: str) -> SavedSearch:
    return SavedSearch(**json.loads(document))


def _viewer(actor: Actor) -> None:
    require_right(actor, Action.VIEW, "saved searches need the right to view records", "search")


def save(
    store: Store,
    actor: Actor,
    *,
    name: str,
    query: str,
    shared: bool,
    now: datetime,
    span_hours: int | None = None,
) -> SavedSearch:
    """A new saved search (the query must parse); audited as ``search.save``."""
    _viewer(actor)
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InputError(
            f"give the search a name of 1 to {MAX_NAME} characters",
            location="name",
            key="search_saved_name",
            params={"limit": MAX_NAME},
        )
    parse(query)
    if span_hours is not None and not 1 <= span_hours <= 24 * 366:
        raise InputError(
            "the span is 1 hour to a year", location="span_hours", key="search_saved_span"
        )
    found = SavedSearch(
        id=f"s-{secrets.token_hex(6)}",
        name=name,
        query=query,
        owner=actor.name,
        shared=shared,
        created_at=now.isoformat(),
        span_hours=span_hours,
    )
    store.saved_searches.put(found.id, actor.name, shared, json.dumps(asdict(found)))
    audit.record(
        store,
        actor=actor,
        action="search.save",
        subject=found.id,
        at=now,
        detail={"name": name, "query": query, "shared": shared},
    )
    return found


def listing(store: Store, actor: Actor) -> list[SavedSearch]:
    """The actor's own searches and every shared one, by name."""
    _viewer(actor)
    return sorted(
        (_load(d) for d in store.saved_searches.visible(actor.name)),
        key=lambda s: (s.name.casefold(), s.id),
    )


def get(store: Store, actor: Actor, search_id: str) -> SavedSearch:
    _viewer(actor)
    found = store.saved_searches.get(search_id)
    if found is None or (found[0] != actor.name and not found[2]):
        raise not_found("saved search")
    return _load(found[1])


def delete(store: Store, actor: Actor, search_id: str, *, now: datetime) -> None:
    """The owner's or an administrator's to delete; audited as ``search.delete``."""
    found = get(store, actor, search_id)
    if found.owner != actor.name and Action.MANAGE_ACCOUNTS not in allowed(actor):
        raise ForbiddenError(
            f"only {found.owner} (or an administrator) may delete this shared search",
            location="search",
            key="search_saved_not_yours",
            params={"owner": found.owner},
        )
    store.saved_searches.delete(search_id)
    audit.record(
        store,
        actor=actor,
        action="search.delete",
        subject=search_id,
        at=now,
        detail={"name": found.name, "query": found.query},
    )
