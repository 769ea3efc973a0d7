"""The whole life of an incident, as `citysoc demo` tells it on a store it has just loaded.

Alert groups became suspected cases; the SOC analyst dismisses one (a teacher's remote
lesson) and the Xitun District Office's reporter confirms another (知悉: the statutory
clocks start), files the notification, and later records recovery, the investigation
report and closes it; between those the SOC lead, as the superior agency, reviews the
level and forwards the result to the competent authority. Each person is a demo account
(``demo_cast``) and every step goes through the same services as the API, pages and CLI.

The story spans almost two days, so it runs on a FixedClock that starts two days ago and is
advanced to each beat (``BEATS``): every statutory clock is met with a realistic margin,
and everything lies in the past when the server later shows it at the real time.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from api.cli.common import console
from api.context import CitySoc, local_operator
from api.terminal import safe
from core.access import Actor, Role
from core.accounts import create_user
from core.clock import TAIPEI, FixedClock, taipei_datetime
from core.errors import InputError
from incidents import awareness, casework, closing, notification, service
from incidents.levels import Availability, Impact, InfoClass, LevelAnswers, SystemClass
from incidents.models import Incident, IncidentCategory, InvestigationReport
from reports import compliance

__all__ = [
    "CAST_NAMES",
    "BEATS",
    "STORY_SPAN",
    "DemoAccount",
    "StoryResult",
    "demo_cast",
    "tell_story",
]

# The story starts this long before the real time and ends before it (BEATS' last offset).
STORY_SPAN = timedelta(days=2)

# When each beat happens, after triage opened the suspected cases. Chosen inside the
# statutory clocks (regulations.md §3): notify within 1 h of awareness, the review within
# 8 h of the notification (level 2), forward within 1 h of the review, recovery within
# 72 h of awareness, the report within a month of recovery.
BEATS: dict[str, timedelta] = {
    "dismiss": timedelta(minutes=12),
    "confirm": timedelta(minutes=20),
    "notify": timedelta(minutes=55),
    "review": timedelta(hours=2, minutes=30),
    "forward": timedelta(hours=3),
    "progress": timedelta(hours=6),
    "contain": timedelta(hours=22),
    "report": timedelta(hours=44),
    "close": timedelta(hours=44, minutes=20),
}

# The demo's accounts: who does what in the story (and who may look at it afterwards).
_CAST: tuple[tuple[str, Role, str | None, str], ...] = (
    ("xitun-contact", Role.REPORTER, "district-xitun", "西屯區公所資安聯絡人"),
    ("demo-analyst", Role.ANALYST, None, "SOC 分析師"),
    ("demo-lead", Role.LEAD, None, "SOC 主管（上級機關審核）"),
    ("demo-auditor", Role.AUDITOR, None, "稽核人員"),
)
CAST_NAMES = tuple(username for username, *_ in _CAST)

_REPORT = InvestigationReport(
    scope_and_damage="檔案伺服器 D-XITUN-FS01 一台；共用資料未外洩，服務中斷約 20 小時。",
    containment_process="隔離主機、停用帳號 backup$adm、自離線備份還原並更新密碼。",
    investigation_process="分析 Sysmon 與安全性日誌、比對防火牆紀錄，確認入侵途徑與時序。",
    root_cause="服務帳號 svc 使用弱密碼且具管理者權限，遭猜測後執行編碼 PowerShell。",
    preventive_measures="服務帳號改用長密碼並移除管理者權限，伺服器啟用多因素驗證。",
    schedule_and_tracking="一個月內完成全區公所服務帳號盤點，由資安聯絡人每週追蹤。",
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: Role
    agency: str | None
    password: str  # generated, printed once, never stored in clear


@dataclass(frozen=True, slots=True)
class StoryResult:
    closed: Incident
    dismissed: Incident
    report: compliance.ComplianceReport


def demo_cast(soc: CitySoc) -> list[DemoAccount]:
    """Create the story's accounts, each with a random password (there are no defaults)."""
    cast = []
    for username, role, agency, name in _CAST:
        password = secrets.token_urlsafe(15)  # 20 characters of 120 random bits
        create_user(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            username=username,
            password=password,
            role=role,
            agency=agency,
            display_name=name,
            clock=soc.clock,
        )
        cast.append(DemoAccount(username, role, agency, password))
    return cast


def _case(incidents: list[Incident], host: str, what: str) -> Incident:
    """The suspected case on ``host`` with the most alerts (then the lowest id)."""
    cases = [i for i in incidents if host in i.affected_assets and i.aware_at is None]
    if not cases:
        raise InputError(f"triage opened no suspected case on {host} to {what}", location=host)
    return min(cases, key=lambda i: (-i.alert_count, i.id))


def tell_story(soc: CitySoc, clock: FixedClock, cast: list[DemoAccount]) -> StoryResult:
    """Take one suspected case through its whole life and dismiss another, advancing
    ``clock`` (the soc's) to each beat; print each step; return the period's compliance."""
    actors = {a.username: Actor(a.username, a.role, agency=a.agency) for a in cast}
    reporter, analyst, lead = actors["xitun-contact"], actors["demo-analyst"], actors["demo-lead"]
    start = clock.now()
    suspected = service.list_incidents(store=soc.store, actor=local_operator(), limit=1000)
    life = _case(suspected, "D-XITUN-FS01", "confirm")
    school = _case(suspected, "EDUCATION-PC12", "dismiss")
    store = soc.store

    def beat(name: str, who: Actor, says: str, step: Callable[[], Incident]) -> Incident:
        clock.advance(start + BEATS[name] - clock.now())
        incident = step()
        console.print(
            f"{taipei_datetime(clock.now())}  {who.name:<14} {says}: "
            f"{safe(incident.id)} → {incident.state.value}",
            highlight=False,
        )
        return incident

    dismissed = beat(
        "dismiss",
        analyst,
        "dismisses a suspected case",
        lambda: closing.dismiss(
            store=store,
            clock=clock,
            actor=analyst,
            incident_id=school.id,
            reason="教師經核准之遠端教學連線（學校 VPN 出口位址），非資安事件",
        ),
    )
    beat(
        "confirm",
        reporter,
        "confirms an incident (知悉; the clocks start)",
        lambda: awareness.confirm(store=store, clock=clock, actor=reporter, incident_id=life.id),
    )
    beat(
        "notify",
        reporter,
        "files the notification (通報)",
        lambda: notification.file_notification(
            store=store,
            clock=clock,
            actor=reporter,
            incident_id=life.id,
            answers=LevelAnswers(
                info_class=InfoClass.CORE_NON_CI,
                tamper=Impact.MINOR,
                system_class=SystemClass.CORE_NON_CI,
                availability=Availability.WITHIN_MTD,
            ),
            description=(
                "檔案伺服器 D-XITUN-FS01 遭執行編碼 PowerShell、新增管理者帳號並清除安全性日誌。"
            ),
            response_measures="已隔離主機網路連線，停用可疑帳號 backup$adm，保全日誌與記憶體映像。",
            outside_support_needed=False,
            category=IncidentCategory.INTRUSION,
            event_name="西屯區公所檔案伺服器遭入侵事件",
        ),
    )
    beat(
        "review",
        lead,
        "reviews the level as the superior (審核)",
        lambda: notification.review_level(
            store=store, clock=clock, actor=lead, incident_id=life.id, note="等級判定無誤"
        ),
    )
    beat(
        "forward",
        lead,
        "forwards the review to the competent authority",
        lambda: notification.record_forwarded(
            store=store,
            clock=clock,
            actor=lead,
            incident_id=life.id,
            to="數位發展部資通安全署",
            reference=f"DEMO-{start.astimezone(TAIPEI):%Y%m%d}-001",
        ),
    )
    beat(
        "progress",
        reporter,
        "records progress (應變處置進度)",
        lambda: casework.add_comment(
            store=store,
            clock=clock,
            actor=reporter,
            incident_id=life.id,
            text="已自離線備份還原共用資料夾",
        ),
    )
    beat(
        "contain",
        reporter,
        "marks recovery complete (復原)",
        lambda: closing.mark_contained(
            store=store, clock=clock, actor=reporter, incident_id=life.id, note="服務恢復正常"
        ),
    )
    beat(
        "report",
        reporter,
        "submits the investigation report",
        lambda: closing.submit_report(
            store=store, clock=clock, actor=reporter, incident_id=life.id, report=_REPORT
        ),
    )
    closed = beat(
        "close",
        reporter,
        "closes the incident",
        lambda: closing.close_incident(
            store=store,
            clock=clock,
            actor=reporter,
            incident_id=life.id,
            reason="改善措施已排定追蹤",
        ),
    )
    report = compliance.build_compliance(
        store=soc.store,
        anchors=soc.anchors,
        actor=local_operator(),
        registry=soc.registry,
        start=start.astimezone(TAIPEI).date(),
        end=clock.now().astimezone(TAIPEI).date(),
        now=clock.now(),
    )
    return StoryResult(closed=closed, dismissed=dismissed, report=report)
