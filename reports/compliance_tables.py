"""The compliance report as tables for a spreadsheet (reports.tables): a summary with the
mean times to detect and to recover, one row per statutory clock, one per agency and one
per drill obligation. Headers, clock names, statuses and agency names are in the reader's
language; agency codes keep a column of their own for machines."""

from core.agencies import AgencyRegistry
from core.i18n import Lang, labels, localized
from incidents.deadlines import TITLES, DeadlineStatus
from reports.compliance import ClockRow, ComplianceReport
from reports.tables import Cell, Table

__all__ = ["agency_table", "clock_table", "drill_table", "summary_table", "tables"]


def _name(registry: AgencyRegistry, code: str, lang: Lang) -> str:
    """The agency's name; its code when the registry no longer lists it (a report of an
    agency removed since must still export)."""
    agency = registry.find(code)
    return code if agency is None else localized(agency, lang)


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _status(status: DeadlineStatus | None, t: dict[str, str]) -> str | None:
    return None if status is None else t[status.value]


def clock_table(report: ComplianceReport, registry: AgencyRegistry, lang: Lang) -> Table:
    t = labels(lang)

    def cells(row: ClockRow) -> list[Cell]:
        return [
            row.incident_id,
            row.organization_id,
            _name(registry, row.organization_id, lang),
            row.level,
            localized(TITLES[row.clock], lang),
            row.due_at,
            row.done_at,
            t[row.status.value],
            _hours(row.delay_seconds),
            row.corrected_due_at,
            _status(row.corrected_status, t),
            "; ".join(row.correction_reasons),
        ]

    keys = [
        "incident",
        "agency_code",
        "agency",
        "level",
        "clock",
        "due",
        "done",
        "status",
        "delay",
        "corrected_due",
        "corrected_status",
        "correction_reasons",
    ]
    return Table(
        title=t["export_sheet_clocks"],
        headers=[t[f"export_col_{k}"] for k in keys],
        rows=[cells(r) for r in report.rows],
        hours_columns=frozenset({keys.index("delay")}),
    )


def agency_table(report: ComplianceReport, registry: AgencyRegistry, lang: Lang) -> Table:
    t = labels(lang)
    keys = ["agency_code", "agency", "incidents", "met", "missed", "overdue"]
    return Table(
        title=t["export_sheet_agencies"],
        headers=[t[f"export_col_{k}"] for k in keys],
        rows=[
            [
                a.organization_id,
                _name(registry, a.organization_id, lang),
                a.incidents,
                a.met,
                a.missed,
                a.overdue,
            ]
            for a in report.agencies
        ],
    )


def drill_table(report: ComplianceReport, registry: AgencyRegistry, lang: Lang) -> Table:
    t = labels(lang)
    keys = [
        "agency_code",
        "agency",
        "drill_kind",
        "required",
        "held",
        "reports_met",
        "reports_missed",
        "reports_overdue",
        "obligation_met",
    ]
    return Table(
        title=t["export_sheet_drills"],
        headers=[t[f"export_col_{k}"] for k in keys],
        rows=[
            [
                d.organization_id,
                _name(registry, d.organization_id, lang),
                t[d.kind.value],
                d.required,
                d.held,
                d.reports_met,
                d.reports_missed,
                d.reports_overdue,
                t["export_yes"] if d.met else t["export_no"],
            ]
            for d in report.drills
        ],
    )


def summary_table(report: ComplianceReport, registry: AgencyRegistry, lang: Lang) -> Table:
    """Item / value pairs for the period; times are Taipei (the first row says so)."""
    t = labels(lang)
    scope = _name(registry, report.agency, lang) if report.agency else t["city_wide"]
    rows: list[list[Cell]] = [
        [t["export_times_note"], None],
        [t["export_period_from"], report.period_from],
        [t["export_period_to"], report.period_to],
        [t["export_scope"], scope],
        [t["export_generated_at"], report.generated_at],
        [t["export_incidents"], report.incidents],
        [t["export_dismissed_suspected"], report.dismissed_suspected],
    ]
    for level in ("1", "2", "3", "4"):
        rows.append([t["export_level_n"].format(n=level), report.by_level.get(level, 0)])
    if report.by_level.get("unassessed"):
        rows.append([t["export_unassessed"], report.by_level["unassessed"]])
    for category, count in sorted(report.by_category.items()):
        name = t.get(f"category_{category}", category)
        rows.append([t["export_category"].format(name=name), count])
    rows += [
        [t["export_mttd"], _round(report.mean_hours_to_detect)],
        [t["export_mttd_count"], report.incidents_timed_to_detect],
        [t["export_mttd_note"], None],
        [t["export_mttr"], _round(report.mean_hours_to_recover)],
        [t["export_mttr_count"], report.incidents_timed_to_recover],
        [t["export_open_overdue"], len(report.open_overdue)],
        [
            t["export_audit"],
            t["export_audit_intact"] if report.audit_ok else t["export_audit_broken"],
        ],
    ]
    rows += [[t["export_audit_problem"], problem] for problem in report.audit_problems]
    if report.audit_anchor:
        anchor = report.audit_anchor
        rows += [
            [t["export_anchor"], anchor.number],
            [t["export_anchor_at"], anchor.at],
            [t["export_anchor_entries"], anchor.entries],
            [t["export_anchor_head"], f"{anchor.head_seq} {anchor.head_hash}"],
            [t["export_anchor_mac"], anchor.mac],
            [t["export_unanchored"], report.audit_unanchored],
        ]
    met = sum(d.met for d in report.drills)
    rows.append([t["export_drills_met"], t["export_of"].format(met=met, total=len(report.drills))])
    return Table(
        title=t["export_sheet_summary"],
        headers=[t["export_item"], t["export_value"]],
        rows=rows,
        hours_columns=frozenset({1}),
    )


def _round(hours: float | None) -> float | None:
    return None if hours is None else round(hours, 2)


def tables(report: ComplianceReport, registry: AgencyRegistry, lang: Lang) -> list[Table]:
    """The workbook's sheets, summary first."""
    return [
        summary_table(report, registry, lang),
        clock_table(report, registry, lang),
        agency_table(report, registry, lang),
        drill_table(report, registry, lang),
    ]
