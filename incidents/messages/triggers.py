"""What deserves a message, and to whom: found by a scan (``scan``, run by `serve` every
``message_scan_seconds``), mentions included (``message_mention``, for each comment of the
last ``MENTION_WINDOW`` that names someone).

Each trigger has a cause key, so it fires once per (incident, clock, stage) whatever the
number of scans or processes (see outbox.message_id):

* a statutory clock (incidents.deadlines) at 50 % and 80 % of its time, at its due time,
  and still open 10 % of its span after it ("overdue": the louder reminder), to the
  incident agency's reporters and the SOC (analysts, leads) who opted in to that stage.
  A scan that first sees a clock late (the server was down) sends only the latest stage;
* a notification waiting for the superior's review, to the leads who opted in;
* a new critical suspected case, to the on-duty analysts: those who opted in to it;
* an ``@username`` in a comment (incidents.casework), to that person if they opted in.

With a webhook configured, each trigger but a mention also sends one webhook message
(in Chinese), whoever opted in: the webhook is the team's channel, set by the operator.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.access import Role, require_visible
from core.accounts import User
from core.agencies import AgencyRegistry
from core.alerts import Severity
from core.clock import taipei_datetime
from core.errors import NotFoundError
from core.messages import Channel, MessageKind
from core.storage.base import Store
from incidents import service
from incidents.deadlines import TITLES, Deadline, DeadlineKind, DeadlineStatus
from incidents.messages.channels import Channels
from incidents.messages.outbox import enqueue
from incidents.models import Incident, IncidentState

__all__ = ["STAGES", "ScanReport", "clock_stage", "message_mention", "scan"]

log = logging.getLogger("citysoc.messages")
PAGE = 500
WEBHOOK = "webhook"
_ENDED = {IncidentState.CLOSED, IncidentState.FALSE_POSITIVE}
# Comments older than this are not scanned for mentions: the scan stays cheap, and a server
# down for longer than a week would otherwise wake people for stale remarks.
MENTION_WINDOW = timedelta(days=7)

# Stage -> fraction of the clock's span elapsed, and its name (zh, en).
STAGES: dict[MessageKind, tuple[float, str, str]] = {
    MessageKind.CLOCK_50: (0.5, "時限已過半", "Half the time has passed"),
    MessageKind.CLOCK_80: (0.8, "時限已過八成", "80 % of the time has passed"),
    MessageKind.CLOCK_DUE: (1.0, "時限已到", "Due now"),
    MessageKind.CLOCK_OVERDUE: (1.1, "已逾時限", "Overdue"),
}


def _clock_start(incident: Incident, kind: DeadlineKind) -> datetime | None:
    """When a clock started: awareness, or the step its rule counts from."""
    starts = {
        DeadlineKind.NOTIFY: incident.aware_at,
        DeadlineKind.CONTAINMENT: incident.aware_at,
        DeadlineKind.REVIEW: incident.notified_at,
        DeadlineKind.FORWARD: incident.reviewed_at,
        DeadlineKind.REPORT: incident.contained_at,
    }
    return starts[kind]


def clock_stage(start: datetime, due: datetime, now: datetime) -> MessageKind | None:
    """The latest stage an open clock has reached at ``now``, if any."""
    span = max(due - start, timedelta(seconds=1))
    elapsed = (now - start) / span
    reached = [kind for kind, (fraction, _, _) in STAGES.items() if elapsed >= fraction]
    return reached[-1] if reached else None


@dataclass(slots=True)
class ScanReport:
    queued: int = 0


class _Recipients:
    """The people who may receive messages: enabled accounts, read once per scan."""

    def __init__(self, store: Store) -> None:
        self.users = [
            u
            for u in (User.model_validate_json(d) for d in store.accounts.users())
            if not u.disabled
        ]

    def opted_in(self, kind: MessageKind, roles: Iterable[Role], agency: str | None) -> list[User]:
        """Who opted in to ``kind`` among ``roles`` (reporters: of ``agency`` only)."""
        wanted = set(roles)
        return [
            u
            for u in self.users
            if kind in u.message_kinds
            and u.role in wanted
            and (u.role is not Role.REPORTER or u.agency == agency)
        ]


class _Queue:
    """Puts one trigger's messages in the outbox: an e-mail per recipient with an address,
    and one webhook message when a webhook is configured."""

    def __init__(self, store: Store, channels: Channels, now: datetime, report: ScanReport):
        self.store, self.channels, self.now, self.report = store, channels, now, report

    def send(
        self,
        kind: MessageKind,
        cause: str,
        people: Sequence[User],
        context: dict[str, object],
        incident_id: str | None,
        *,
        webhook: bool = True,
    ) -> None:
        targets: list[tuple[str, Channel, str, str]] = [
            (u.username, Channel.EMAIL, u.email, u.language) for u in people if u.email
        ]
        if self.channels.webhook is not None and webhook:
            targets.append((WEBHOOK, Channel.WEBHOOK, self.channels.webhook.url, "zh"))
        for recipient, channel, address, language in targets:
            added = enqueue(
                self.store,
                kind=kind,
                cause=cause,
                recipient=recipient,
                channel=channel,
                address=address,
                language="en" if language == "en" else "zh",
                context=context,
                now=self.now,
                incident_id=incident_id,
            )
            self.report.queued += added


def _base(incident: Incident, registry: AgencyRegistry, base_url: str) -> dict[str, object]:
    agency = registry.get(incident.organization_id)
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "agency_zh": agency.name_zh,
        "agency_en": agency.name_en,
        "link": f"{base_url.rstrip('/')}/incidents/{incident.id}",
        "reviews_link": f"{base_url.rstrip('/')}/reviews",
    }


def _clock_messages(
    queue: _Queue, people: _Recipients, incident: Incident, clock: Deadline, base: dict[str, object]
) -> None:
    start = _clock_start(incident, clock.kind)
    open_ = clock.status in (DeadlineStatus.PENDING, DeadlineStatus.OVERDUE)
    if not open_ or clock.due_at is None or start is None:
        return
    stage = clock_stage(start, clock.due_at, queue.now)
    if stage is None:
        return
    _, stage_zh, stage_en = STAGES[stage]
    zh, en = TITLES[clock.kind]
    roles = (Role.REPORTER, Role.ANALYST, Role.LEAD)
    queue.send(
        stage,
        # the due time is part of the cause: a clock moved by a level change runs anew
        f"{incident.id}:{clock.kind.value}:{clock.due_at.isoformat()}",
        people.opted_in(stage, roles, incident.organization_id),
        {
            **base,
            "stage_zh": stage_zh,
            "stage_en": stage_en,
            "clock_zh": zh,
            "clock_en": en,
            "due": taipei_datetime(clock.due_at),
            "basis": clock.basis,
        },
        incident.id,
    )


def _review_waiting(
    queue: _Queue,
    people: _Recipients,
    incident: Incident,
    clocks: Sequence[Deadline],
    base: dict[str, object],
) -> None:
    for clock in clocks:
        waiting = clock.status in (DeadlineStatus.PENDING, DeadlineStatus.OVERDUE)
        if clock.kind is DeadlineKind.REVIEW and waiting and clock.due_at is not None:
            queue.send(
                MessageKind.REVIEW_WAITING,
                f"{incident.id}:review:{clock.due_at.isoformat()}",
                people.opted_in(MessageKind.REVIEW_WAITING, (Role.LEAD,), None),
                {**base, "level": incident.level, "due": taipei_datetime(clock.due_at)},
                incident.id,
            )


def scan(
    store: Store,
    *,
    registry: AgencyRegistry,
    channels: Channels,
    now: datetime,
    base_url: str,
    triage_targets: dict[str, int],
) -> ScanReport:
    """Queue the messages every open incident deserves now (idempotent: see the module)."""
    report = ScanReport()
    people = _Recipients(store)
    queue = _Queue(store, channels, now, report)
    offset = 0
    while page := store.incidents.list(limit=PAGE, offset=offset):
        offset += len(page)
        for doc, version in page:
            incident = Incident.model_validate_json(doc)
            incident.version = version
            _comment_mentions(store, registry, channels, incident, now, base_url)
            if incident.state in _ENDED:
                continue
            base = _base(incident, registry, base_url)
            if incident.state is IncidentState.SUSPECTED:
                if incident.severity is Severity.CRITICAL:
                    target = service.triage_target(incident, targets=triage_targets)
                    queue.send(
                        MessageKind.CRITICAL_SUSPECTED,
                        f"{incident.id}:suspected",
                        people.opted_in(MessageKind.CRITICAL_SUSPECTED, (Role.ANALYST,), None),
                        {
                            **base,
                            "suspected": taipei_datetime(incident.suspected_at or now),
                            "target": taipei_datetime(target) if target else "",
                        },
                        incident.id,
                    )
                continue
            clocks = service.deadlines(incident, now=now)
            for clock in clocks:
                _clock_messages(queue, people, incident, clock, base)
            _review_waiting(queue, people, incident, clocks, base)
    if report.queued:
        log.info("messages: %d queued", report.queued)
    return report


def _comment_mentions(
    store: Store,
    registry: AgencyRegistry,
    channels: Channels,
    incident: Incident,
    now: datetime,
    base_url: str,
) -> None:
    for comment in incident.comments:
        if comment.mentions and now - comment.at <= MENTION_WINDOW:
            message_mention(
                store,
                registry=registry,
                channels=channels,
                incident=incident,
                author=comment.by,
                mentioned=comment.mentions,
                # A comment is one person's words at one instant: its key, stable across scans.
                comment_id=f"{comment.at.isoformat()}:{comment.by}",
                excerpt=comment.text,
                now=now,
                base_url=base_url,
            )


def message_mention(
    store: Store,
    *,
    registry: AgencyRegistry,
    channels: Channels,
    incident: Incident,
    author: str,
    mentioned: Sequence[str],
    comment_id: str,
    excerpt: str,
    now: datetime,
    base_url: str,
) -> int:
    """Queue a MENTION message to each mentioned user who opted in
    and may see the incident (a reporter of another agency is skipped silently, as if the
    name were unknown). ``comment_id`` makes it once per comment and person. Returns how
    many messages were queued."""
    report = ScanReport()
    people = _Recipients(store)
    names = set(mentioned)
    chosen = []
    for user in people.opted_in(MessageKind.MENTION, tuple(Role), incident.organization_id):
        if user.username not in names or user.username == author:
            continue
        try:
            require_visible(user.actor(), incident.organization_id, "incident")
        except NotFoundError:
            continue
        chosen.append(user)
    queue = _Queue(store, channels, now, report)
    context = {**_base(incident, registry, base_url), "author": author, "excerpt": excerpt[:1000]}
    queue.send(
        MessageKind.MENTION,
        f"{incident.id}:comment:{comment_id}",
        chosen,
        context,
        incident.id,
        webhook=False,  # a mention is personal: not for the team's channel
    )
    return report.queued
