"""Pulling partners' collections with the OASIS ``taxii2-client``.

Each partner's position is the last ``X-TAXII-Date-Added-Last`` its server sent, kept in
the store, so a pull asks only for what was added since. Objects that cannot be read are
reported and audited, never silently skipped; the rest are imported.

A pull is bounded (``PullLimits``): connect and read timeouts, a size per page, and a number
of pages and objects per run. A pull that reaches a limit, or whose partner stops answering
after some pages, imports what it received, keeps the position of the last whole page and
says so ("stopped after N pages / M objects; will resume"); the next run goes on from there.
"""

import base64
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from taxii2client.common import _HTTPConnection
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection

from core import audit
from core.access import Action, Actor, require
from core.clock import Clock
from core.errors import ConfigError, InputError, UnavailableError
from core.storage.base import Store
from incidents.sharing.partners import PartnerRegistry
from incidents.sharing.timestamps import parse_stix_time, stix_time
from incidents.sharing.watchlist import import_objects, read_indicator

__all__ = ["PullLimits", "PullReport", "due_partners", "last_pull", "pull_partner"]

PER_REQUEST = 200


@dataclass(frozen=True, slots=True)
class PullLimits:
    """How much one pull of one partner may take (settings ``SHARE_PULL_*``)."""

    connect_timeout: float = 10.0  # seconds to open a connection
    read_timeout: float = 60.0  # seconds of silence while waiting for a page, and per page
    max_pages: int = 50
    max_objects: int = 10_000
    max_page_bytes: int = 10 * 1024 * 1024
    per_request: int = PER_REQUEST


class _PageError(requests.RequestException):
    """A page broke a limit while it was being read."""


class _BoundedAdapter(HTTPAdapter):
    """Every request with our timeouts; every body read within the page size and time."""

    def __init__(self, limits: PullLimits) -> None:
        super().__init__()
        self.limits = limits

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,  # noqa: ARG002 - the body is always read here, bounded
        timeout: object = None,  # noqa: ARG002 - ours apply
        verify: bool | str = True,
        cert: object = None,
        proxies: object = None,
    ) -> requests.Response:
        limits = self.limits
        response = super().send(
            request,
            stream=True,
            timeout=(limits.connect_timeout, limits.read_timeout),
            verify=verify,
            cert=cert,  # type: ignore[arg-type]
            proxies=proxies,  # type: ignore[arg-type]
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limits.max_page_bytes:
            response.close()
            raise _PageError(
                f"a page of {declared} bytes is over the limit of {limits.max_page_bytes} bytes"
            )
        deadline = time.monotonic() + limits.read_timeout  # a server that trickles bytes
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limits.max_page_bytes:
                response.close()
                raise _PageError(f"a page is over the limit of {limits.max_page_bytes} bytes")
            if time.monotonic() > deadline:
                response.close()
                raise _PageError(f"a page took over {limits.read_timeout:g} s to arrive")
            chunks.append(chunk)
        # Hand requests the body we read (its own .content would read the stream again).
        response._content = b"".join(chunks)
        return response


class _PartnerAuth(requests.auth.AuthBase):
    """Our credentials for one partner, and the date_added the latest page reports."""

    def __init__(self, username: str | None, token: str) -> None:
        if username:
            pair = base64.b64encode(f"{username}:{token}".encode()).decode()
            self._header = f"Basic {pair}"
        else:
            self._header = f"Bearer {token}"
        self.latest: str | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        request.register_hook("response", self._seen)
        return request

    def _seen(self, response: requests.Response, *_: object, **__: object) -> None:
        stamp = response.headers.get("X-TAXII-Date-Added-Last")
        if stamp and response.ok:
            try:
                self.latest = stix_time(parse_stix_time(stamp, location="X-TAXII-Date-Added-Last"))
            except InputError:  # the page is still read; the position just does not move
                self.latest = None


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
    pages: int = 0
    stopped: str | None = None  # why the pull ended before the partner had nothing more


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


def _fetch(
    url: str, auth: _PartnerAuth, verify: bool, limits: PullLimits, report: PullReport
) -> list[dict[str, Any]]:
    """Pages of the partner's collection from ``report.since`` until it has no more or a limit
    is reached; sets ``report.pages``, ``report.until`` (the position after the last whole
    page) and ``report.stopped``. Raises what the transport raised when no page arrived."""
    conn = _HTTPConnection(auth=auth, verify=verify, version="2.1")
    adapter = _BoundedAdapter(limits)
    conn.session.mount("http://", adapter)
    conn.session.mount("https://", adapter)
    objects: list[dict[str, Any]] = []
    report.until = report.since
    envelope: dict[str, Any] = {}
    try:
        with Collection(url, conn=conn) as collection:
            while report.pages == 0 or envelope.get("more"):
                if report.pages >= limits.max_pages or len(objects) >= limits.max_objects:
                    report.stopped = "the limits of one pull"
                    break
                filters: dict[str, Any] = {"added_after": report.until}
                if report.pages and envelope.get("next"):
                    filters = {"added_after": report.since, "next": envelope["next"]}
                limit = min(limits.per_request, limits.max_objects - len(objects))
                auth.latest = None
                envelope = collection.get_objects(limit=limit, **filters)
                report.pages += 1
                objects.extend(envelope.get("objects", []))
                report.until = max(filter(None, (report.until, auth.latest)), default=None)
    except (requests.RequestException, TAXIIServiceException, RecursionError, ValueError) as exc:
        if report.pages == 0:
            raise
        report.stopped = _reason(exc)
    if report.stopped:
        report.stopped = (
            f"stopped after {report.pages} pages / {len(objects)} objects ({report.stopped}); "
            f"will resume from {report.until or 'the start'}"
        )
    return objects


def _reason(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        return f"the partner's server did not answer in time ({exc})"
    if isinstance(exc, RecursionError):
        return "a page nested JSON too deeply to read"
    return str(exc) or type(exc).__name__


def pull_partner(
    *,
    store: Store,
    partners: PartnerRegistry,
    partner_id: str,
    actor: Actor,
    clock: Clock,
    limits: PullLimits = PullLimits(),  # noqa: B008 - frozen
) -> PullReport:
    """Fetch what the partner added since the last pull and import its indicators.

    Raises ConfigError (no pull source or token), UnavailableError (the partner's server
    gave no page at all: unreachable, silent past the read timeout, or refusing us).
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
    try:
        objects = _fetch(url, auth, source.verify_tls, limits, report)
    except (requests.RequestException, TAXIIServiceException, RecursionError, ValueError) as exc:
        raise UnavailableError(
            f"cannot pull from {partner.id} at {url}: {_reason(exc)}; check the URL, the token "
            f"in {source.token_env}, and that the partner's server is reachable",
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
    if report.until and report.until != report.since:
        store.checkpoints.cache_put(_position_key(partner.id), report.until)
    store.checkpoints.cache_put(f"taxii-pull-at:{partner.id}", stix_time(now))
    audit.record(
        store,
        actor=actor,
        action="intel.pull",
        subject=partner.id,
        at=now,
        detail={
            "received": report.received,
            "pages": report.pages,
            "new": report.new,
            "updated": report.updated,
            "rejected": report.rejected[:20],
            "until": report.until,
            "stopped": report.stopped,
        },
    )
    return report
