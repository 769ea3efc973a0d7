"""The TAXII 2.1 server's rules, independent of HTTP: who may read or write which
collection, paging and filters, and what a POSTed envelope must be before anything of it
is stored (all or nothing). ``api.taxii`` puts these on the wire.
"""

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core import audit
from core.access import Actor
from core.clock import Clock
from core.errors import ForbiddenError, InputError, NotFoundError
from core.storage.base import SharedObject, Store
from incidents.sharing.observables import check_pattern
from incidents.sharing.outgoing import store_objects, validate_parsed
from incidents.sharing.partners import Collection, CollectionPurpose, PartnerRegistry, Permission
from incidents.sharing.timestamps import parse_query_time, stix_time
from incidents.sharing.tlp import Tlp, tlp_of
from incidents.sharing.watchlist import import_objects, read_indicator

__all__ = [
    "MEDIA_STIX",
    "MEDIA_TAXII",
    "ObjectPage",
    "TaxiiRequestError",
    "add_objects",
    "check_access",
    "collection_info",
    "get_objects",
    "get_status",
    "visible_collections",
]

MEDIA_TAXII = "application/taxii+json;version=2.1"
MEDIA_STIX = "application/stix+json;version=2.1"
MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_DEPTH = 64  # nesting levels of a POSTed envelope; the deepest STIX 2.1 objects need ~10


class TaxiiRequestError(InputError):
    """A request TAXII answers with a specific status (400, 406, 413, 415, 422)."""

    def __init__(self, status: int, message: str, *, location: str | None = None) -> None:
        super().__init__(message, location=location)
        self.status = status


@dataclass(frozen=True, slots=True)
class ObjectPage:
    objects: list[SharedObject]
    more: bool
    next: str | None

    @property
    def first_added(self) -> str | None:
        return min((o.date_added for o in self.objects), default=None)

    @property
    def last_added(self) -> str | None:
        return max((o.date_added for o in self.objects), default=None)


def check_access(
    partners: PartnerRegistry, actor: Actor, key: str, *, write: bool = False
) -> Collection:
    """403 when the caller's grant (if any) lacks what the request needs; 404 only for a
    collection that does not exist. Collection ids are no secret among partners."""
    collection = partners.collection(key)
    permission = partners.permission(actor, collection)
    if permission is None:
        raise ForbiddenError(f"no access to collection {collection.alias}", location="collection")
    if write and not permission.can_write:
        raise ForbiddenError(
            f"no write permission on collection {collection.alias}", location="collection"
        )
    if not write and not permission.can_read:
        raise ForbiddenError(
            f"no read permission on collection {collection.alias}", location="collection"
        )
    return collection


def _info(collection: Collection, permission: Permission) -> dict[str, Any]:
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "alias": collection.alias,
        "can_read": permission.can_read,
        "can_write": permission.can_write,
        "media_types": [MEDIA_STIX],
    }


def visible_collections(partners: PartnerRegistry, actor: Actor) -> list[dict[str, Any]]:
    out = []
    for collection in partners.collections:
        permission = partners.permission(actor, collection)
        if permission is not None:
            out.append(_info(collection, permission))
    return out


def collection_info(partners: PartnerRegistry, actor: Actor, key: str) -> dict[str, Any]:
    collection = partners.collection(key)
    permission = partners.permission(actor, collection)
    if permission is None:
        raise ForbiddenError(f"no access to collection {collection.alias}", location="collection")
    return _info(collection, permission)


def _ceiling(partners: PartnerRegistry, actor: Actor) -> Tlp:
    """TLP:RED is never served; a partner gets no more than its arrangement allows."""
    partner = partners.partner_of(actor)
    ceiling = partner.max_tlp if partner else Tlp.AMBER_STRICT
    return ceiling if ceiling is not Tlp.RED else Tlp.AMBER_STRICT


def _served_tlps(ceiling: Tlp) -> list[str]:
    return [t.value for t in Tlp if t.rank <= ceiling.rank]


def _servable(row: SharedObject, ceiling: Tlp) -> bool:
    """The stored level, checked again against the document itself: rows stored before
    markings anywhere in an object counted must not slip through."""
    level = tlp_of(json.loads(row.document))
    return level is None or level.rank <= ceiling.rank


def get_objects(
    *,
    store: Store,
    partners: PartnerRegistry,
    actor: Actor,
    collection_key: str,
    added_after: str | None = None,
    ids: Sequence[str] = (),
    types: Sequence[str] = (),
    versions: Sequence[str] = ("last",),
    limit: int | None = None,
    next_cursor: str | None = None,
) -> ObjectPage:
    collection = check_access(partners, actor, collection_key)
    after_seq = 0
    if next_cursor:
        if not next_cursor.isdigit():
            raise TaxiiRequestError(400, f"next {next_cursor!r} is not one this server gave")
        after_seq = int(next_cursor)
    since = None
    if added_after:
        since = stix_time(parse_query_time(added_after, location="added_after"))
    versions = [
        v
        if v in ("first", "last", "all")
        else stix_time(parse_query_time(v, location="match[version]"))
        for v in versions
    ]
    size = min(max(1, limit or DEFAULT_PAGE), MAX_PAGE)
    ceiling = _ceiling(partners, actor)
    rows = store.sharing.objects(
        collection.id,
        added_after=since,
        ids=ids,
        types=types,
        versions=versions or ("last",),
        tlps=_served_tlps(ceiling),
        after_seq=after_seq,
        limit=size + 1,
    )
    more = len(rows) > size
    rows = rows[:size]
    cursor = str(rows[-1].seq) if more and rows else None  # paging runs over the rows read
    return ObjectPage([r for r in rows if _servable(r, ceiling)], more, cursor)


def _fail(status: int, message: str, location: str = "body") -> TaxiiRequestError:
    return TaxiiRequestError(status, message, location=location)


def _deeper_than(value: object, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (walked without recursion,
    so the check itself cannot overflow the stack)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in item)
    return False


def _check_envelope(body: bytes, max_bytes: int, max_objects: int) -> list[dict[str, Any]]:
    if len(body) > max_bytes:
        raise _fail(413, f"the request is {len(body)} bytes; this API root takes {max_bytes}")
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(400, f"the body is not valid JSON: {exc}") from exc
    except RecursionError:
        parsed = None  # nested deeper than the parser goes: refused just below
    if parsed is None or _deeper_than(parsed, MAX_DEPTH):
        raise _fail(
            400, f"the body nests JSON deeper than {MAX_DEPTH} levels; STIX objects never need to"
        )
    if not isinstance(parsed, dict) or not isinstance(parsed.get("objects"), list):
        raise _fail(400, 'expected a TAXII envelope: {"objects": [...]}')
    objects: list[dict[str, Any]] = parsed["objects"]
    if not objects:
        raise _fail(422, "the envelope has no objects")
    if len(objects) > max_objects:  # validation costs milliseconds per object: bound a request
        raise _fail(
            413,
            f"the envelope has {len(objects)} objects; this API root takes at most {max_objects} "
            "per request: send them in several requests",
        )
    for n, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise _fail(422, f"objects[{n}] is not a STIX object with an id", f"objects[{n}]")
        if obj.get("spec_version") != "2.1":
            raise _fail(
                422,
                f"{obj['id']} has spec_version {obj.get('spec_version')!r}; "
                "this server accepts STIX 2.1 only",
                f"objects[{n}].spec_version",
            )
    return objects


def _check_objects(
    objects: Sequence[Mapping[str, Any]], *, retro_hunt: timedelta, clock: Clock
) -> None:
    # Patterns first: the validator reports a broken pattern less plainly (or not at all).
    for n, obj in enumerate(objects):
        pattern = obj.get("pattern")
        if obj.get("type") == "indicator" and isinstance(pattern, str) and pattern.strip():
            if obj.get("pattern_type", "stix") != "stix":
                continue
            try:
                check_pattern(pattern)
            except InputError as exc:
                raise _fail(422, f"{obj['id']}: {exc.message}", f"objects[{n}].pattern") from exc
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
    errors = validate_parsed(bundle)
    if errors:
        raise _fail(422, "STIX 2.1 validation failed: " + "; ".join(errors[:5]))
    for n, obj in enumerate(objects):
        if obj.get("type") == "indicator":
            try:
                read_indicator(obj, partner="-", now=clock.now(), retro_hunt=retro_hunt)
            except InputError as exc:
                raise _fail(422, exc.message, f"objects[{n}]") from exc


def add_objects(
    *,
    store: Store,
    partners: PartnerRegistry,
    actor: Actor,
    collection_key: str,
    body: bytes,
    max_bytes: int,
    clock: Clock,
    max_objects: int = 500,
) -> dict[str, Any]:
    """Validate the whole envelope, then store all of it, or nothing. Returns the status.

    One exception: in the inbox, an indicator whose id another partner already holds is
    refused on its own (a failure in the status, with the reason), and the rest is stored.
    """
    collection = check_access(partners, actor, collection_key, write=True)
    objects = _check_envelope(body, max_bytes, max_objects)
    retro_hunt = timedelta(days=partners.retro_hunt_days)
    _check_objects(objects, retro_hunt=retro_hunt, clock=clock)
    now = clock.now()
    partner = partners.partner_of(actor)
    source = partner.id if partner else actor.name
    refused: dict[str, str] = {}
    if collection.purpose is CollectionPurpose.INBOX:
        # The watchlist decides ownership (atomically) before the collection takes anything,
        # so a refused object is in neither; a retried request finds the rest unchanged.
        imported = import_objects(
            store, objects, actor=actor, partner=source, now=now, retro_hunt=retro_hunt
        )
        refused = dict(imported.refused)
    failed = [o for o in objects if o.get("type") == "indicator" and o["id"] in refused]
    accepted = [o for o in objects if not (o.get("type") == "indicator" and o["id"] in refused)]
    store_objects(store, collection.id, accepted, clock)
    status_id = str(uuid.uuid4())
    status: dict[str, Any] = {
        "id": status_id,
        "status": "complete",
        "request_timestamp": stix_time(now),
        "total_count": len(objects),
        "success_count": len(accepted),
        "successes": [{"id": o["id"], "version": _stated_version(o)} for o in accepted],
        "failure_count": len(failed),
        "failures": [
            {"id": o["id"], "version": _stated_version(o), "message": refused[o["id"]]}
            for o in failed
        ],
        "pending_count": 0,
        "pendings": [],
    }
    store.sharing.put_status(status_id, json.dumps({"owner": actor.name, "status": status}))
    audit.record(
        store,
        actor=actor,
        action="taxii.add",
        subject=collection.alias,
        at=now,
        detail={
            "status": status_id,
            "objects": len(objects),
            "refused": sorted(refused)[:20],
            "source": source,
        },
    )
    return status


def _stated_version(obj: Mapping[str, Any]) -> str:
    return str(obj.get("modified") or obj.get("created") or "")


def get_status(*, store: Store, actor: Actor, status_id: str) -> dict[str, Any]:
    """Only the caller who made the request sees its status."""
    document = store.sharing.status(status_id)
    if document is None:
        raise NotFoundError(f"no status {status_id}", location="status")
    stored = json.loads(document)
    if stored["owner"] != actor.name:
        raise NotFoundError(f"no status {status_id}", location="status")
    result: dict[str, Any] = stored["status"]
    return result
