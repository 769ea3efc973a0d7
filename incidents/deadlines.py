"""Statutory clocks: pure functions from an incident's facts to its deadlines.

The rules are data citing the regulation (regulations.md §3). T0 is awareness (知悉).
When the level changes mid-incident, damage control is computed from T0 with the highest
level assessed so far (the stricter clock), as regulations.md recommends.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.clock import TAIPEI, UTC, later

__all__ = [
    "DeadlineKind",
    "Deadline",
    "DeadlineStatus",
    "TITLES",
    "add_calendar_month",
    "compute_deadlines",
]


class DeadlineKind(StrEnum):
    NOTIFY = "notify"
    REVIEW = "review"
    FORWARD = "forward"
    CONTAINMENT = "containment"
    REPORT = "report"


class DeadlineStatus(StrEnum):
    PENDING = "pending"  # not due yet, not done
    OVERDUE = "overdue"  # past due, not done
    MET = "met"
    MISSED = "missed"  # done, but late
    WAITING = "waiting"  # its start event has not happened yet


# Each clock's name (zh, en), for pages, documents and charts.
TITLES: dict[DeadlineKind, tuple[str, str]] = {
    DeadlineKind.NOTIFY: ("機關通報", "Agency notification"),
    DeadlineKind.REVIEW: ("上級機關審核", "Superior's level review"),
    DeadlineKind.FORWARD: ("審核結果送主管機關", "Review result forwarded"),
    DeadlineKind.CONTAINMENT: ("完成損害控制或復原", "Damage control or recovery complete"),
    DeadlineKind.REPORT: ("送交調查、處理及改善報告", "Investigation report submitted"),
}


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    title_zh: str
    title_en: str
    due_at: datetime | None
    done_at: datetime | None
    basis: str
    status: DeadlineStatus

    def delay(self) -> timedelta | None:
        """How late it was (done) or is (open), if late."""
        if self.due_at is None:
            return None
        if self.status is DeadlineStatus.MISSED and self.done_at is not None:
            return self.done_at - self.due_at
        return None


def add_calendar_month(at: datetime) -> datetime:
    """One calendar month later in Taipei time; the 31st becomes the month's last day.

    At the calendar's edges (a stored time in year 1 or 9999 that has no Taipei wall time,
    or whose month has no successor) it saturates instead of overflowing."""
    try:
        local = at.astimezone(TAIPEI)
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        day = min(local.day, calendar.monthrange(year, month)[1])
        return local.replace(year=year, month=month, day=day).astimezone(UTC)
    except (OverflowError, ValueError):
        return later(at, timedelta(days=31))


def _status(due: datetime | None, done: datetime | None, now: datetime) -> DeadlineStatus:
    if due is None:
        return DeadlineStatus.WAITING
    if done is not None:
        return DeadlineStatus.MET if done <= due else DeadlineStatus.MISSED
    return DeadlineStatus.OVERDUE if now > due else DeadlineStatus.PENDING


def compute_deadlines(
    *,
    aware_at: datetime,
    level: int | None,
    highest_level: int | None,
    notified_at: datetime | None,
    reviewed_at: datetime | None,
    forwarded_at: datetime | None,
    contained_at: datetime | None,
    report_submitted_at: datetime | None,
    report_extended_to: datetime | None,
    now: datetime,
) -> list[Deadline]:
    """All statutory clocks of one incident, with their status at ``now``."""
    major = (level or 0) >= 3
    strict = (highest_level or level or 0) >= 3
    review_due = (
        later(notified_at, timedelta(hours=2) if major else timedelta(hours=8))
        if notified_at and level
        else None
    )
    containment_due = (
        later(aware_at, timedelta(hours=36) if strict else timedelta(hours=72)) if level else None
    )
    report_due = report_extended_to or (add_calendar_month(contained_at) if contained_at else None)
    rows = [
        (
            DeadlineKind.NOTIFY,
            later(aware_at, timedelta(hours=1)),
            notified_at,
            "辦法第6條第1項：知悉後1小時內通報",
        ),
        (
            DeadlineKind.REVIEW,
            review_due,
            reviewed_at,
            "辦法第7條第1項：第1、2級8小時內，第3、4級2小時內完成審核",
        ),
        (
            DeadlineKind.FORWARD,
            later(reviewed_at, timedelta(hours=1)) if reviewed_at else None,
            forwarded_at,
            "辦法第7條第2項：審核後1小時內通報主管機關",
        ),
        (
            DeadlineKind.CONTAINMENT,
            containment_due,
            contained_at,
            "110年辦法第6條第1項：第1、2級72小時內，第3、4級36小時內",
        ),
        (
            DeadlineKind.REPORT,
            report_due,
            report_submitted_at,
            "110年辦法第6條第2項：完成損害控制或復原後1個月內",
        ),
    ]
    return [
        Deadline(kind, *TITLES[kind], due, done, basis, _status(due, done, now))
        for kind, due, done, basis in rows
    ]
