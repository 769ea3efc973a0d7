"""Compliance reporting for auditors: per agency and city-wide, for any period.

For each incident whose awareness falls in the period: every statutory clock met, missed
(with the delay) or still open; time to detect and to recover; plus the audit-trail check.
Suspected cases have no awareness and no clock: those dismissed in the period (escalated
then) are only counted.
The report is a pydantic model, so its JSON export has a schema (``report_schema()``).
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel

from core import audit
from core.access import Action, Actor, require, require_visible
from core.agencies import AgencyRegistry
from core.audit_anchors import AnchorLog
from core.clock import TAIPEI
from core.errors import NotFoundError
from core.i18n import Lang, labels, localized
from core.storage.base import Store
from detections.rule_settings import RuleSettings
from incidents import drills, repository, service
from incidents.deadlines import TITLES, DeadlineKind, DeadlineStatus
from incidents.drills import DrillObligation, drill_obligations
from incidents.models import Incident, IncidentState
from reports.charts import bar_chart, stacked_bars
from reports.render import encode_page, render, to_pdf
from reports.tables import csv_bytes, xlsx_bytes

__all__ = [
    "AnchorRecord",
    "ClockRow",
    "ComplianceReport",
    "build_compliance",
    "charts",
    "compliance_csv",
    "compliance_html",
    "compliance_pdf",
    "compliance_xlsx",
    "EXPORT_FORMATS",
    "export",
    "report_schema",
]

_PAGE = 1000


class ClockRow(BaseModel):
    incident_id: str
    organization_id: str
    level: int | None
    clock: DeadlineKind
    due_at: datetime | None
    done_at: datetime | None
    status: DeadlineStatus
    delay_seconds: int | None  # how late it was done, or how far past due it is now
    # When awareness was corrected after this clock was due, the clock keeps the original
    # figure above (incidents.deadlines.held_awareness); the corrected one is shown beside.
    corrected_due_at: datetime | None = None
    corrected_status: DeadlineStatus | None = None
    correction_reasons: list[str] = []


class AgencySummary(BaseModel):
    organization_id: str
    name: str
    incidents: int
    # Suspected cases escalated in the period and dismissed without being confirmed: never
    # incidents, so never a clock (late or not); only their number is reported.
    dismissed_suspected: int = 0
    by_level: dict[str, int]
    met: int
    missed: int
    overdue: int


class AnchorRecord(BaseModel):
    """The latest signed anchor of the audit chain (core.audit_anchors), printed so that a
    kept copy of the report can later show whether the trail was cut back or rewritten."""

    number: int
    at: datetime
    entries: int
    head_seq: int
    head_hash: str
    mac: str


class ComplianceReport(BaseModel):
    period_from: date
    period_to: date
    agency: str | None  # None: city-wide
    generated_at: datetime
    incidents: int
    # Suspected cases escalated in the period and dismissed without being confirmed: never
    # incidents, so never a clock (late or not); only their number is reported.
    dismissed_suspected: int = 0
    by_level: dict[str, int]  # "1".."4", and "unassessed"
    by_category: dict[str, int]  # IncidentCategory values, and "unclassified"
    clocks: dict[DeadlineKind, dict[DeadlineStatus, int]]
    rows: list[ClockRow]
    open_overdue: list[ClockRow]
    corrected: list[ClockRow] = []  # clocks held at the original awareness (see ClockRow)
    agencies: list[AgencySummary]
    # Awareness minus the moment detection could start (``_detect_start``), and containment
    # minus awareness; with the number of incidents each mean covers.
    mean_hours_to_detect: float | None
    mean_hours_to_recover: float | None
    incidents_timed_to_detect: int = 0
    incidents_timed_to_recover: int = 0
    audit_ok: bool
    audit_entries: int
    audit_first_bad: int | None
    audit_reason: str | None
    audit_problems: list[str] = []
    audit_anchor: AnchorRecord | None = None
    audit_unanchored: int = 0  # entries written after that anchor
    drills: list[DrillObligation]
    # Rule exceptions in force when the report was made, per agency code ("*": those bound
    # to no agency, which apply to every agency); see detections.rule_settings.
    rule_exceptions: dict[str, int] = {}

    def clock_summary(self) -> str:
        """One line for the command line: the clocks by outcome, the dismissed cases."""
        status = Counter(row.status for row in self.rows)
        return (
            f"{status[DeadlineStatus.MET]} clocks met, {status[DeadlineStatus.MISSED]} missed, "
            f"{status[DeadlineStatus.OVERDUE]} overdue; "
            f"{self.dismissed_suspected} suspected cases dismissed"
        )


def _within(at: datetime, low: datetime, high: datetime | None) -> bool:
    return low <= at and (high is None or at < high)


def report_schema() -> dict[str, object]:
    """JSON Schema of the JSON export."""
    return ComplianceReport.model_json_schema()


def _bounds(start: date, end: date) -> tuple[datetime, datetime | None]:
    """The period in Taipei days: [start 00:00, end+1 00:00) Taipei time; a period that
    ends on the calendar's last day has no upper bound (there is no next day)."""
    low = datetime.combine(start, time(0), tzinfo=TAIPEI)
    if end == date.max:
        return low, None
    return low, datetime.combine(end + timedelta(days=1), time(0), tzinfo=TAIPEI)


# The first alerts of an incident were escalated first, from its earliest-received events;
# reading more of a large incident's alerts would cost a look-up each and change nothing.
_DETECT_ALERTS = 100


def _detect_start(store: Store, incident: Incident) -> datetime | None:
    """When detection could start: the incident's first event as CitySOC received it
    (``Event.received_at``), not the time written in the log, which for old logs imported
    today lies years back; never before the incident occurred. Events stored before the
    receive time was kept count from their alert's creation (no earlier than receipt).
    Without alerts (an incident opened by hand): when it occurred, if known."""
    received: list[datetime] = []
    for alert_id in incident.alert_ids[:_DETECT_ALERTS]:
        try:
            alert = store.alerts.get(alert_id)
        except NotFoundError:
            continue
        try:
            at = store.events.get(alert.event.event_id).received_at
        except NotFoundError:
            at = None
        received.append(at or alert.created_at)
    if not received:
        return incident.occurred_at
    first = min(received)
    return first if incident.occurred_at is None else max(first, incident.occurred_at)


def build_compliance(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    start: date,
    end: date,
    now: datetime,
    agency: str | None = None,
    anchors: AnchorLog | None = None,
) -> ComplianceReport:
    """Raises ForbiddenError / NotFoundError when the actor may not see the scope.

    With ``anchors`` the audit check compares the chain with its signed anchors, anchors
    its head and prints the latest anchor; without, it checks the chain alone."""
    if agency is not None:
        # Visibility before existence: another agency and a made-up code answer alike.
        require_visible(actor, agency, "agency")
        registry.get(agency)
        require(actor, Action.EXPORT, agency, "agency")
    elif actor.scope.agency is not None:
        agency = actor.scope.agency  # a reporter's report covers their own agency only
        require(actor, Action.EXPORT, agency, "agency")
    else:
        require(actor, Action.EXPORT, "*", "agency")
    low, high = _bounds(start, end)
    incidents: list[Incident] = []
    dismissed_suspected = 0
    offset = 0
    while page := repository.list_visible(
        store, actor=actor, limit=_PAGE, offset=offset, agencies=[agency] if agency else None
    ):
        for i in page:
            if agency is not None and i.organization_id != agency:
                continue
            if i.merged_into is not None:  # a duplicate: its submissions count in its survivor
                continue
            if i.aware_at is not None and _within(i.aware_at, low, high):
                incidents.append(i)
            elif (
                i.aware_at is None
                and i.state is IncidentState.FALSE_POSITIVE
                and i.suspected_at is not None
                and _within(i.suspected_at, low, high)
            ):
                dismissed_suspected += 1
        offset += _PAGE
    by_level: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    clocks: dict[DeadlineKind, Counter[DeadlineStatus]] = defaultdict(Counter)
    rows: list[ClockRow] = []
    detect: list[float] = []
    recover: list[float] = []
    per_agency: dict[str, list[ClockRow]] = defaultdict(list)
    per_agency_levels: dict[str, Counter[str]] = defaultdict(Counter)
    for incident in incidents:
        level_key = str(incident.level) if incident.level else "unassessed"
        by_level[level_key] += 1
        by_category[incident.category.value if incident.category else "unclassified"] += 1
        per_agency_levels[incident.organization_id][level_key] += 1
        aware = incident.aware_at
        started = _detect_start(store, incident)
        if aware is not None and started is not None:  # (all kept above are confirmed)
            detect.append(max((aware - started).total_seconds(), 0) / 3600)
        if aware is not None and incident.contained_at:
            recover.append((incident.contained_at - aware).total_seconds() / 3600)
        for d in service.deadlines(incident, now=now):
            if d.status is DeadlineStatus.WAITING:
                continue
            delay = None
            if d.status is DeadlineStatus.MISSED and d.done_at and d.due_at:
                delay = int((d.done_at - d.due_at).total_seconds())
            elif d.status is DeadlineStatus.OVERDUE and d.due_at:
                delay = int((now - d.due_at).total_seconds())
            row = ClockRow(
                incident_id=incident.id,
                organization_id=incident.organization_id,
                level=incident.level,
                clock=d.kind,
                due_at=d.due_at,
                done_at=d.done_at,
                status=d.status,
                delay_seconds=delay,
                corrected_due_at=d.corrected_due_at,
                corrected_status=d.corrected_status,
                correction_reasons=list(d.correction_reasons),
            )
            rows.append(row)
            clocks[d.kind][d.status] += 1
            per_agency[incident.organization_id].append(row)
    # Each report is also an occasion to anchor the chain: the anchor it prints covers it.
    verification = audit.verify(store, anchors, now=now, reason="compliance")
    latest = verification.latest_anchor
    scope = [agency] if agency else [a.code for a in registry]
    obligations = drill_obligations(
        drills.list_drills(store=store, actor=actor, agency=agency),
        registry=registry,
        agencies=scope,
        start=start,
        end=end,
        now=now,
    )
    agencies = [
        AgencySummary(
            organization_id=code,
            name=registry.get(code).name_zh,
            incidents=sum(per_agency_levels[code].values()),
            by_level=dict(per_agency_levels[code]),
            met=sum(r.status is DeadlineStatus.MET for r in per_agency[code]),
            missed=sum(r.status is DeadlineStatus.MISSED for r in per_agency[code]),
            overdue=sum(r.status is DeadlineStatus.OVERDUE for r in per_agency[code]),
        )
        for code in sorted(per_agency_levels)
    ]
    return ComplianceReport(
        period_from=start,
        period_to=end,
        agency=agency,
        generated_at=now,
        incidents=len(incidents),
        dismissed_suspected=dismissed_suspected,
        by_level=dict(by_level),
        by_category=dict(by_category),
        clocks={k: dict(v) for k, v in clocks.items()},
        rows=rows,
        open_overdue=[r for r in rows if r.status is DeadlineStatus.OVERDUE],
        corrected=[r for r in rows if r.corrected_status is not None],
        agencies=agencies,
        mean_hours_to_detect=sum(detect) / len(detect) if detect else None,
        mean_hours_to_recover=sum(recover) / len(recover) if recover else None,
        incidents_timed_to_detect=len(detect),
        incidents_timed_to_recover=len(recover),
        audit_ok=verification.ok,
        audit_entries=verification.entries,
        audit_first_bad=verification.first_bad_seq,
        audit_reason=verification.reason,
        audit_problems=list(verification.problems),
        audit_anchor=None
        if latest is None
        else AnchorRecord(
            number=latest.number,
            at=latest.at,
            entries=latest.entries,
            head_seq=latest.head_seq,
            head_hash=latest.head_hash,
            mac=latest.mac,
        ),
        audit_unanchored=verification.unanchored,
        drills=obligations,
        rule_exceptions={
            code or "*": n
            for code, n in sorted(
                RuleSettings.load(store, now).counts_by_agency().items(),
                key=lambda item: item[0] or "",
            )
            if agency is None or code in (agency, None)
        },
    )


def charts(report: ComplianceReport, lang: Lang) -> dict[str, str]:
    t = labels(lang)
    levels = [
        (f"{'第' + k + '級' if lang == 'zh' else 'Level ' + k}", report.by_level.get(k, 0))
        for k in ("1", "2", "3", "4")
    ]
    if report.by_level.get("unassessed"):
        levels.append((t["not_assessed"], report.by_level["unassessed"]))
    order = [
        DeadlineStatus.MET,
        DeadlineStatus.MISSED,
        DeadlineStatus.OVERDUE,
        DeadlineStatus.PENDING,
    ]
    clock_rows = [
        (localized(TITLES[k], lang), [report.clocks.get(k, {}).get(s, 0) for s in order])
        for k in DeadlineKind
    ]
    categories = [(t[f"category_{k}"], v) for k, v in sorted(report.by_category.items())]
    return {
        "levels": bar_chart(levels),
        "categories": bar_chart(categories),
        "clocks": stacked_bars(clock_rows, [t[s.value] for s in order], width=640, label_width=230),
    }


def compliance_html(
    report: ComplianceReport, *, registry: AgencyRegistry, lang: Lang = "zh"
) -> str:
    scope = registry.get(report.agency).name_zh if report.agency else labels(lang)["city_wide"]
    return render(
        "compliance.html.j2",
        {
            "r": report,
            "t": labels(lang),
            "lang": lang,
            "scope": scope,
            "charts": charts(report, lang),
            "clock_names": {k.value: localized(pair, lang) for k, pair in TITLES.items()},
            "agency_names": {a.code: localized(a, lang) for a in registry},
        },
    )


def export(
    report: ComplianceReport, fmt: str, *, registry: AgencyRegistry, lang: Lang = "zh"
) -> bytes:
    """The report as the bytes of ``fmt`` (one of EXPORT_FORMATS)."""
    if fmt in ("html", "pdf"):
        return encode_page(compliance_html(report, registry=registry, lang=lang), fmt)
    if fmt == "csv":
        return compliance_csv(report, registry=registry, lang=lang)
    if fmt == "xlsx":
        return compliance_xlsx(report, registry=registry, lang=lang)
    if fmt == "json":
        return report.model_dump_json(indent=2).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


EXPORT_FORMATS = ("html", "pdf", "csv", "xlsx", "json")


def compliance_pdf(
    report: ComplianceReport, *, registry: AgencyRegistry, lang: Lang = "zh"
) -> bytes:
    return to_pdf(compliance_html(report, registry=registry, lang=lang))


def compliance_csv(
    report: ComplianceReport, *, registry: AgencyRegistry, lang: Lang = "zh"
) -> bytes:
    """One row per statutory clock, headers in ``lang``, times in Taipei (reports.tables)."""
    from reports.compliance_tables import clock_table  # (it imports this module's models)

    return csv_bytes(clock_table(report, registry, lang))


def compliance_xlsx(
    report: ComplianceReport, *, registry: AgencyRegistry, lang: Lang = "zh"
) -> bytes:
    """A workbook: the summary (with mean times to detect and recover), one row per clock,
    one per agency, one per drill obligation."""
    from reports.compliance_tables import tables

    return xlsx_bytes(tables(report, registry, lang))
