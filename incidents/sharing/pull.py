"""Pulling partners' collections with the OASIS ``taxii2-client``.

Each partner's position is the last ``X-TAXII-Date-Added-Last`` its server sent, kept in
the store, so a pull asks only for what was added since. Objects that cannot be read are
reported and audited, never silently skipped; the rest are imported.
"""

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, as_pages

from core import audit
from core.access import Action, Actor, require
from core.clock import Clock
from core.errors import ConfigError, InputError, UnavailableError
from core.storage.base import Store
from incidents.sharing.partners import PartnerRegistry
from incidents.sharing.timestamps import parse_stix_time, stix_time
from incidents.sharing.watchlist import import_objects, read_indicator

__all__ = ["PullReport", "due_partners", "last_pull", "pull_partner"]

PER_REQUEST = 200


class _PartnerAuth(requests.auth.AuthBase):
    """Our credentials for one partner, and a note of the newest date_added it reports."""

    def __init__(self, username: str | None, token: str) -> None:
        if username:
            pair = base64.b64encode(f"{username}:{token}".encode()).decode()
            self._header = f"Basic {pair}"
        else:
            self._header = f"Bearer {token}"
        self.last_added: str | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        request.register_hook("response", self._seen)
        return request

    def _seen(self, response: requests.Response, *_: object, **__: object) -> None:
        stamp = response.headers.get("X-TAXII-Date-Added-Last")
        if stamp and response.ok:
            normalized = stix_time(parse_stix_time(stamp, location="X-TAXII-Date-Added-Last"))
            if self.last_added is None or normalized > self.last_added:
                self.last_added = normalized


@dataclass
class PullReport:
    partner: str
    received: int = 0
    new: int = 0
    updated: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (object id, reason)
    not_swept: list[tuple[str, str]] = field(default_factory=list)
    since: str | None = None
    until: str | None = None


def _position_key(partner_id: str) -> str:
    return f"taxii-pull:{partner_id}"


def last_pull(store: Store, partner_id: str) -> datetime | None:
    stamp = store.checkpoints.cache_get(f"taxii-pull-at:{partner_id}")
    return parse_stix_time(stamp) if stamp else None


def due_partners(store: Store, partners: PartnerRegistry, clock: Clock) -> list[str]:
    now = clock.now()
    due = []
    for partner in partners.partners.values():
        if partner.pull is None:
            continue
        last = last_pull(store, partner.id)
        if last is None or now - last >= timedelta(minutes=partner.pull.every_minutes):
            due.append(partner.id)
    return due


def pull_partner(
    *,
    store: Store,
    partners: PartnerRegistry,
    partner_id: str,
    actor: Actor,
    clock: Clock,
    per_request: int = PER_REQUEST,
) -> PullReport:
    """Fetch what the partner added since the last pull and import its indicators.

    Raises ConfigError (no pull source or token), UnavailableError (the partner's server).
    """
    require(actor, Action.SHARE, "*", "intelligence")
    partner = partners.partner(partner_id)
    if partner.pull is None:
        raise ConfigError(
            f"partner {partner.id} has no pull: section in {partners.path.name}",
            location="partner",
        )
    source = partner.pull
    url = str(source.collection_url)
    report = PullReport(
        partner=partner.id, since=store.checkpoints.cache_get(_position_key(partner.id))
    )
    auth = _PartnerAuth(source.username, source.token())
    objects: list[dict[str, Any]] = []
    try:
        with Collection(url, auth=auth, verify=source.verify_tls) as collection:
            for envelope in as_pages(
                collection.get_objects, per_request=per_request, added_after=report.since
            ):
                objects.extend(envelope.get("objects", []))
    except (requests.RequestException, TAXIIServiceException) as exc:
        raise UnavailableError(
            f"cannot pull from {partner.id} at {url}: {exc}; check the URL, the token in "
            f"{source.token_env}, and that the partner's server is reachable",
            location="partner",
        ) from exc
    now = clock.now()
    retro_hunt = timedelta(days=partners.retro_hunt_days)
    readable = []
    for obj in objects:
        if obj.get("type") == "indicator":
            try:
                read_indicator(obj, partner=partner.id, now=now, retro_hunt=retro_hunt)
            except InputError as exc:
                report.rejected.append((str(obj.get("id")), exc.message))
                continue
        readable.append(obj)
    imported = import_objects(
        store, readable, actor=actor, partner=partner.id, now=now, retro_hunt=retro_hunt
    )
    report.rejected.extend(imported.refused)
    report.received = len(objects)
    report.new, report.updated, report.not_swept = (
        imported.new,
        imported.updated,
        imported.not_swept,
    )
    report.until = auth.last_added or report.since
    if auth.last_added:
        store.checkpoints.cache_put(_position_key(partner.id), auth.last_added)
    store.checkpoints.cache_put(f"taxii-pull-at:{partner.id}", stix_time(now))
    audit.record(
        store,
        actor=actor,
        action="intel.pull",
        subject=partner.id,
        at=now,
        detail={
            "received": report.received,
            "new": report.new,
            "updated": report.updated,
            "rejected": report.rejected[:20],
            "until": report.until,
        },
    )
    return report
