"""The notification form (資通安全事件通報單) from a stored incident.

Fields follow regulations.md §2.1. A field the law requires that is still empty is listed
in ``missing`` and shown as missing on the form, never silently blank.
"""

from dataclasses import dataclass
from datetime import datetime

from core.agencies import AgencyRegistry
from incidents.deadlines import Deadline
from incidents.models import Incident
from incidents.service import deadlines
from reports.render import render

__all__ = ["NotificationForm", "build_notification", "render_notification_html"]

LEVEL_ZH = {1: "第一級", 2: "第二級", 3: "第三級", 4: "第四級"}


@dataclass(frozen=True, slots=True)
class NotificationForm:
    incident: Incident
    agency_zh: str
    agency_en: str
    superior_zh: str
    level_zh: str | None
    deadlines: list[Deadline]
    missing: list[str]
    generated_at: datetime


def build_notification(
    incident: Incident, *, registry: AgencyRegistry, now: datetime
) -> NotificationForm:
    agency = registry.get(incident.organization_id)
    missing = []
    if not incident.description.strip():
        missing.append("狀況之描述")
    if incident.level is None:
        missing.append("等級之評估")
    if not incident.response_measures.strip():
        missing.append("因應事件所採取之措施")
    if incident.outside_support_needed is None:
        missing.append("外部支援需求評估")
    return NotificationForm(
        incident=incident,
        agency_zh=agency.name_zh,
        agency_en=agency.name_en,
        superior_zh=registry.superior.name_zh,
        level_zh=LEVEL_ZH.get(incident.level or 0),
        deadlines=deadlines(incident, now=now),
        missing=missing,
        generated_at=now,
    )


def render_notification_html(form: NotificationForm) -> str:
    return render("notification.html.j2", {"form": form, "i": form.incident})
