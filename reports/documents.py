"""The statutory documents of one incident, as HTML or PDF, in zh-TW (default) or English.

* notification (通報), and each re-notification on a level change (續行通報) as its own
  document: ``notice`` picks which (regulations.md §2.1)
* recovery: damage control or recovery completed (損害控制或復原完成)
* investigation: the investigation, handling and improvement report (Enforcement Rules Art. 8)
* review: the superior agency's level review (Art. 7)

A field the law requires that is still empty is listed in ``missing`` and shown as missing.
A document names the level one way (第X級 in Chinese) and gives only the reasons of the level
in force when it was filed: after a raise, the old level's reasons are history, not reasons.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.agencies import AgencyRegistry
from core.errors import InputError
from core.i18n import Lang, labels, localized
from incidents.checklists import instantiate
from incidents.deadlines import Deadline
from incidents.drills import Drill
from incidents.levels import assess_level
from incidents.models import (
    ChecklistTask,
    Contact,
    Incident,
    InvestigationReport,
    LevelChange,
    Notification,
)
from incidents.service import deadlines
from reports.render import render, to_pdf

__all__ = [
    "Document",
    "DocumentKind",
    "build_document",
    "default_event_name",
    "file_name",
    "level_label",
    "level_reasons",
    "missing_items",
    "render_html",
    "render_pdf",
    "spell_levels",
]

LEVEL_ZH = {1: "第一級", 2: "第二級", 3: "第三級", 4: "第四級"}
_NUMERAL_ZH = {"1": "一", "2": "二", "3": "三", "4": "四"}
_LEVEL_DIGITS = re.compile(r"第([1-4](?:[、,，][1-4])*)級")
_LATIN = re.compile(r"[A-Za-z]")
# Reasons the services write for a level change nobody typed; a document says them in its
# language (incidents.notification writes these exact words).
_SYSTEM_REASONS = {"initial assessment": "reason_initial", "changed in review": "reason_review"}


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
    # The notification this document is (notification kind only; None before filing) and
    # its number, 1 for the first (初次通報), 2 and on for each 續行通報.
    notice: Notification | None = None
    notice_number: int | None = None
    event_name: str = ""
    level_reasons: tuple[str, ...] = ()

    @property
    def filer(self) -> Contact | None:
        """通報人: who filed this notification (or the latest one)."""
        return self.notice.filer if self.notice else None

    def person(self, by: str) -> str:
        """A person's name for an account label (``by`` of a level change): the name on a
        notice they filed, else the label as recorded."""
        named = (n.filer.name for n in self.incident.notifications if n.by == by and n.filer)
        return next(named, by)


def level_label(level: int | None, lang: Lang) -> str:
    """The one way a document writes a level: 第三級 in Chinese, Level 3 in English."""
    if level is None:
        return "-"
    return LEVEL_ZH.get(level, str(level)) if lang == "zh" else f"Level {level}"


def spell_levels(text: str, lang: Lang = "zh") -> str:
    """Levels written with digits inside a text (第2級, 第1、2級) spelled as the document
    writes them (第二級, 第一、二級), so one document never spells a level two ways."""
    if lang != "zh":
        return text
    return _LEVEL_DIGITS.sub(
        lambda m: "第" + "".join(_NUMERAL_ZH.get(c, c) for c in m.group(1)) + "級", text
    )


def reason_text(change: LevelChange, lang: Lang) -> str:
    """A level change's reason as the document shows it (the services' fixed wording in
    the document's language; a person's reason as written)."""
    key = _SYSTEM_REASONS.get(change.reason)
    return labels(lang)[key] if key else change.reason


def level_reasons(
    incident: Incident, lang: Lang, notice: Notification | None = None
) -> tuple[str, ...]:
    """Why the incident has its level now, or the level a ``notice`` notified: the criteria
    of the assessment behind it that reach that level, or the reviewer's reason when the
    superior set it. Lower criteria and earlier levels' reasons are left out."""
    changes = [
        c
        for c in incident.level_history
        # the change a notice notified: up to its time and at its level (a review in the
        # same second as the filing is a later change, not this notice's)
        if notice is None or (c.at <= notice.at and c.to_level == notice.level)
    ]
    if not changes:  # filed before the history was kept: the reasons on record, this level
        level, found = incident.level, tuple(incident.level_reasons)
    elif changes[-1].answers is None:
        last = changes[-1]
        said = labels(lang)["reason_set_in_review"].format(reason=reason_text(last, lang))
        return (f"{level_label(last.to_level, lang)}：{said}",)
    else:
        level, found = changes[-1].to_level, assess_level(changes[-1].answers).reasons
    prefix = f"第{level}級："
    return tuple(
        f"{level_label(level, lang)}：{r.removeprefix(prefix)}"
        for r in found
        if r.startswith(prefix)
    )


def default_event_name(incident: Incident, agency_zh: str, lang: Lang = "zh") -> str:
    """事件名稱: the reporter's, else a Chinese title on record, else one made from the
    agency and the event type (a rule's English title is no name for a Chinese form)."""
    if incident.event_name:
        return incident.event_name
    if lang != "zh" or not _LATIN.search(incident.title):
        return incident.title
    t = labels("zh")
    kind = t[f"category_{incident.category.value}"] if incident.category else t["event_generic"]
    return f"{agency_zh}{kind}事件"


def _notice(
    incident: Incident, kind: "DocumentKind", number: int | None
) -> tuple[int | None, Notification | None]:
    if number is None:
        count = len(incident.notifications)
        return (count, incident.notifications[-1]) if count else (None, None)
    if kind is not DocumentKind.NOTIFICATION:
        raise InputError("only the notification has numbered notices", location="notice")
    if not 1 <= number <= len(incident.notifications):
        raise InputError(
            f"notice {number} does not exist: the incident has "
            f"{len(incident.notifications)} notification(s)",
            location="notice",
            key="notice_missing",
            params={"number": number, "count": len(incident.notifications)},
        )
    return number, incident.notifications[number - 1]


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
    notice: int | None = None,
) -> Document:
    """One document; for the notification, ``notice`` (1 = 初次通報) picks which notice
    it is, default the latest. A notice that does not exist is an InputError."""
    agency = registry.get(incident.organization_id)
    number, chosen = _notice(incident, kind, notice)
    # A notice states the level it notified, with that level's reasons then.
    notified = chosen is not None and kind is DocumentKind.NOTIFICATION
    level = chosen.level if chosen is not None and notified else incident.level
    return Document(
        kind=kind,
        incident=incident,
        lang=lang,
        agency_name=localized(agency, lang),
        superior_name=localized(registry.superior, lang),
        level_name=level_label(level, lang) if level else None,
        deadlines=deadlines(incident, now=now),
        missing=missing_items(incident, kind, lang),
        generated_at=now,
        notice=chosen,
        notice_number=number,
        event_name=default_event_name(incident, agency.name_zh, lang),
        level_reasons=level_reasons(incident, lang, chosen if notified else None),
        tasks=instantiate(incident),
    )


def render_html(document: Document) -> str:
    lang = document.lang
    return render(
        f"{document.kind.value}.html.j2",
        {
            "doc": document,
            "i": document.incident,
            "t": labels(lang),
            "lv": lambda level: level_label(level, lang),
            "spell": lambda text: spell_levels(text, lang),
            "reason": lambda change: reason_text(change, lang),
        },
    )


def render_pdf(document: Document) -> bytes:
    return to_pdf(render_html(document))


def file_name(document: Document, fmt: str) -> str:
    """notification-INC-…-2.pdf: the kind, the incident and, for a notice, its number."""
    number = f"-{document.notice_number}" if document.kind is DocumentKind.NOTIFICATION else ""
    return f"{document.kind.value}-{document.incident.id}{number if document.notice else ''}.{fmt}"


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
