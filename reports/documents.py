"""The statutory documents of one incident, as HTML or PDF, in zh-TW (default) or English.

* notification (通報), with every re-notification on a level change (regulations.md §2.1)
* recovery: damage control or recovery completed (損害控制或復原完成)
* investigation: the investigation, handling and improvement report (Enforcement Rules Art. 8)
* review: the superior agency's level review (Art. 7)

A field the law requires that is still empty is listed in ``missing`` and shown as missing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.agencies import AgencyRegistry
from core.i18n import Lang, labels, localized
from incidents.checklists import instantiate
from incidents.deadlines import Deadline
from incidents.drills import Drill
from incidents.models import ChecklistTask, Incident, InvestigationReport
from incidents.service import deadlines
from reports.render import render, to_pdf

__all__ = [
    "Document",
    "DocumentKind",
    "build_document",
    "missing_items",
    "render_html",
    "render_pdf",
]

LEVEL_ZH = {1: "第一級", 2: "第二級", 3: "第三級", 4: "第四級"}


class DocumentKind(StrEnum):
    NOTIFICATION = "notification"
    RECOVERY = "recovery"
    INVESTIGATION = "investigation"
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class Document:
    kind: DocumentKind
    incident: Incident
    lang: Lang
    agency_name: str
    superior_name: str
    level_name: str | None
    deadlines: list[Deadline]
    missing: list[str]
    generated_at: datetime
    # The case's checklist (incidents/checklists/): listed in the investigation report.
    tasks: list[ChecklistTask] = field(default_factory=list)


def missing_items(incident: Incident, kind: DocumentKind, lang: Lang = "zh") -> list[str]:
    """The statutory items of ``kind`` still empty on the incident (labels in ``lang``)."""
    t = labels(lang)
    missing = []
    if kind is DocumentKind.NOTIFICATION:
        checks = [
            ("description", not incident.description.strip()),
            ("level", incident.level is None),
            ("measures", not incident.response_measures.strip()),
            ("support", incident.outside_support_needed is None),
        ]
        missing = [t[key] for key, empty in checks if empty]
    elif kind is DocumentKind.RECOVERY:
        if incident.contained_at is None:
            missing.append(t["contained_at"])
    elif kind is DocumentKind.INVESTIGATION:
        if incident.contained_at is None:
            missing.append(t["contained_at"])
        report = incident.investigation or InvestigationReport()
        missing.extend(t[name] for name in report.missing())
    elif kind is DocumentKind.REVIEW and incident.reviewed_at is None:
        missing.append(t["reviewed_at"])
    return missing


def build_document(
    kind: DocumentKind,
    incident: Incident,
    *,
    registry: AgencyRegistry,
    now: datetime,
    lang: Lang = "zh",
) -> Document:
    agency = registry.get(incident.organization_id)
    superior = registry.superior
    level = incident.level
    level_name = (LEVEL_ZH.get(level) if lang == "zh" else f"Level {level}") if level else None
    return Document(
        kind=kind,
        incident=incident,
        lang=lang,
        agency_name=localized(agency, lang),  # one language: no English name beside
        superior_name=localized(superior, lang),
        level_name=level_name,
        deadlines=deadlines(incident, now=now),
        missing=missing_items(incident, kind, lang),
        generated_at=now,
        tasks=instantiate(incident),
    )


def render_html(document: Document) -> str:
    return render(
        f"{document.kind.value}.html.j2",
        {"doc": document, "i": document.incident, "t": labels(document.lang)},
    )


def render_pdf(document: Document) -> bytes:
    return to_pdf(render_html(document))


@dataclass(frozen=True, slots=True)
class DrillDocument:
    lang: Lang
    agency_name: str
    generated_at: datetime


def render_drill_html(
    drill: Drill, *, registry: AgencyRegistry, now: datetime, lang: Lang = "zh"
) -> str:
    """The drill implementation and result report (執行情形及成果報告)."""
    agency = registry.get(drill.organization_id)
    doc = DrillDocument(lang=lang, generated_at=now, agency_name=localized(agency, lang))
    return render("drill.html.j2", {"doc": doc, "d": drill, "t": labels(lang)})
