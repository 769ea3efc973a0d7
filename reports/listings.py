"""The alert queue and the incident list as spreadsheets (CSV or XLSX through
reports.tables), for whoever may see them: the same filters and agency scope as the queue
and the board, headers and names in the reader's language, times in Taipei."""

from collections.abc import Iterator, Mapping
from datetime import datetime

from core.access import Actor
from core.agencies import AgencyRegistry
from core.alerts import Alert, AlertQuery
from core.errors import InputError
from core.i18n import Lang, labels, localized
from core.storage.base import Store
from incidents import service, triage
from incidents.deadlines import TITLES, DeadlineStatus
from incidents.models import Incident
from reports.tables import Cell, Table, csv_bytes, csv_chunks, xlsx_bytes

__all__ = [
    "LISTING_FORMATS",
    "MAX_ROWS",
    "alert_table",
    "export_alerts",
    "export_incidents",
    "stream_alerts_csv",
]

LISTING_FORMATS = ("csv", "xlsx")
# An export is read by a person; a larger one is a data dump (and an XLSX this big takes
# the server's memory for a while). Refused with the count, so the reader can narrow it.
MAX_ROWS = 100_000
_PAGE = 1000


def _name(registry: AgencyRegistry, code: str, lang: Lang) -> str:
    agency = registry.find(code)
    return code if agency is None else localized(agency, lang)


def _too_many(found: str) -> InputError:
    return InputError(
        f"{found} match; an export holds at most {MAX_ROWS:,}: narrow the filters "
        "(agency, status, severity, time)",
        location="query",
    )


_ALERT_COLUMNS = [
    "alert", "rule", "rule_id", "severity", "agency_code", "agency", "host",
    "event_at", "created_at", "alert_status", "assignee", "incident", "attack",
]  # fmt: skip


def _alert_row(a: Alert, registry: AgencyRegistry, lang: Lang, t: Mapping[str, str]) -> list[Cell]:
    return [
        a.id,
        a.rule_title,
        a.rule_id,
        t[f"sev_{a.severity.value}"],
        a.organization_id,
        _name(registry, a.organization_id, lang),
        a.host_name,
        a.event.timestamp,
        a.created_at,
        t[f"status_{a.status.value}"],
        a.assignee,
        a.incident_id,
        ", ".join(a.attack),
    ]


def alert_table(alerts: list[Alert], registry: AgencyRegistry, lang: Lang) -> Table:
    t = labels(lang)
    rows = [_alert_row(a, registry, lang, t) for a in alerts]
    return Table(t["export_sheet_alerts"], [t[f"export_col_{k}"] for k in _ALERT_COLUMNS], rows)


def _next_clock(incident: Incident, now: datetime, lang: Lang) -> tuple[str | None, Cell]:
    """The statutory clock still running that is due first (overdue ones included)."""
    running = [
        d
        for d in service.deadlines(incident, now=now)
        if d.status in (DeadlineStatus.PENDING, DeadlineStatus.OVERDUE) and d.due_at
    ]
    if not running:
        return None, None
    first = min(running, key=lambda d: d.due_at or now)
    return localized(TITLES[first.kind], lang), first.due_at


def incident_table(
    incidents: list[Incident], registry: AgencyRegistry, lang: Lang, now: datetime
) -> Table:
    t = labels(lang)
    keys = [
        "incident", "title", "agency_code", "agency", "level", "incident_state", "category",
        "occurred_at", "aware_at", "notified_at", "contained_at", "closed_at", "next_clock",
        "due",
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for i in incidents:
        clock, due = _next_clock(i, now, lang)
        rows.append(
            [
                i.id,
                i.title,
                i.organization_id,
                _name(registry, i.organization_id, lang),
                i.level,
                t[f"export_state_{i.state.value}"],
                t[f"category_{i.category.value}"] if i.category else None,
                i.occurred_at,
                i.aware_at,
                i.notified_at,
                i.contained_at,
                i.closed_at,
                clock,
                due,
            ]
        )
    return Table(t["export_sheet_incidents"], [t[f"export_col_{k}"] for k in keys], rows)


def _encode(table: Table, fmt: str) -> bytes:
    if fmt not in LISTING_FORMATS:
        raise InputError(f"format must be one of {', '.join(LISTING_FORMATS)}", location="format")
    return csv_bytes(table) if fmt == "csv" else xlsx_bytes([table])


def _alerts(store: Store, actor: Actor, query: AlertQuery) -> Iterator[Alert]:
    """The queue's alerts page by page. Access and the size are checked when this is
    called, not when the first alert is read: a stream that has begun cannot be refused."""
    total, page = triage.alert_queue(store, actor=actor, query=query, limit=_PAGE, offset=0)
    if total > MAX_ROWS:
        raise _too_many(f"{total:,} alerts")

    def pages(page: list[Alert]) -> Iterator[Alert]:
        offset = 0
        while page:
            yield from page
            offset += len(page)
            _, page = triage.alert_queue(
                store, actor=actor, query=query, limit=_PAGE, offset=offset
            )

    return pages(page)


def export_alerts(
    store: Store,
    *,
    actor: Actor,
    query: AlertQuery,
    registry: AgencyRegistry,
    lang: Lang,
    fmt: str,
) -> bytes:
    """The alerts the queue would show for ``query`` (newest first), as ``fmt``."""
    return _encode(alert_table(list(_alerts(store, actor, query)), registry, lang), fmt)


def stream_alerts_csv(
    store: Store, *, actor: Actor, query: AlertQuery, registry: AgencyRegistry, lang: Lang
) -> Iterator[bytes]:
    """The queue's alerts for ``query`` as CSV, in chunks read page by page (the same
    columns as ``export_alerts``). Raises InputError or NotFoundError before the first."""
    t = labels(lang)
    rows = (_alert_row(a, registry, lang, t) for a in _alerts(store, actor, query))
    return csv_chunks([t[f"export_col_{k}"] for k in _ALERT_COLUMNS], rows)


def export_incidents(
    store: Store,
    *,
    actor: Actor,
    registry: AgencyRegistry,
    lang: Lang,
    fmt: str,
    now: datetime,
) -> bytes:
    """The incidents (and suspected cases) the actor may see, newest first, as ``fmt``."""
    found: list[Incident] = []
    while page := service.list_incidents(store=store, actor=actor, limit=_PAGE, offset=len(found)):
        found += page
        if len(found) > MAX_ROWS:
            raise _too_many(f"more than {MAX_ROWS:,} incidents")
    return _encode(incident_table(found, registry, lang, now), fmt)
