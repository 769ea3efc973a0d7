"""Statutory clocks: pure functions from an incident's facts to its deadlines.

The rules are data citing the regulation (regulations.md §3). T0 is awareness (知悉).
When the level changes mid-incident, damage control is computed from T0 with the highest
level assessed so far (the stricter clock), as regulations.md recommends.

A correction of T0 never relaxes a clock whose due time had already passed when the
correction was made (``held_awareness``); the corrected figure is kept beside it.
"""

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from core.clock import TAIPEI, UTC, later

__all__ = [
    "AwarenessChange",
    "DeadlineKind",
    "Deadline",
    "DeadlineStatus",
    "TITLES",
    "add_calendar_month",
    "compute_deadlines",
    "held_awareness",
    "triage_due",
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
    # Set when a correction of T0 could not move this clock (held_awareness): what the
    # corrected awareness alone would give, and why it was corrected.
    corrected_due_at: datetime | None = None
    corrected_status: DeadlineStatus | None = None
    correction_reasons: tuple[str, ...] = ()

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


@dataclass(frozen=True, slots=True)
class AwarenessChange:
    """One recorded change of T0 (知悉時間): when it was made, from what, to what, why."""

    at: datetime
    old: datetime
    new: datetime
    reason: str = ""


def held_awareness(
    aware_at: datetime, changes: Sequence[AwarenessChange], span: timedelta
) -> tuple[datetime, tuple[str, ...]]:
    """T0 for a clock due ``span`` after awareness, and the reasons of the changes held.

    Why: the deadlines of 2026 Art. 6 para. 1 (notify 1 h after 知悉) and of 2021 Art. 6
    para. 1 (damage control 36/72 h) ran from the awareness on record; once such a deadline
    has passed, the agency was late or on time *then*. A later correction may show it was
    aware earlier (the clock becomes stricter) but cannot move awareness later and so turn
    an overdue or missed clock into a met one (regulations.md §3: keep the history). A
    change made before the due time moves the clock freely."""
    if not changes:
        return aware_at, ()
    ordered = sorted(changes, key=lambda c: c.at)
    base, held, reasons = ordered[0].old, False, []
    for change in ordered:
        held = held or change.at > later(base, span)
        if not held:
            base = change.new
        elif change.new != base:
            base = min(base, change.new)
            reasons.append(change.reason)
    return base, tuple(reasons)


def triage_due(
    suspected_at: datetime | None, severity: str | None, targets: Mapping[str, int]
) -> datetime | None:
    """The internal triage target of a suspected case: confirm or dismiss it within the
    minutes configured for its severity (settings.triage_target_minutes). Not a statutory
    clock: the law's clocks start only at awareness, when a person confirms."""
    if suspected_at is None or severity is None or severity not in targets:
        return None
    return later(suspected_at, timedelta(minutes=targets[severity]))


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
    awareness_changes: Sequence[AwarenessChange] = (),
) -> list[Deadline]:
    """All statutory clocks of one incident, with their status at ``now``.

    ``awareness_changes`` are the corrections of ``aware_at`` (the current value) in any
    order; clocks they may not move are computed from the held awareness."""
    major = (level or 0) >= 3
    strict = (highest_level or level or 0) >= 3
    containment_span = timedelta(hours=36) if strict else timedelta(hours=72)
    notify_t0, notify_held = held_awareness(aware_at, awareness_changes, timedelta(hours=1))
    containment_t0, containment_held = held_awareness(aware_at, awareness_changes, containment_span)
    review_due = (
        later(notified_at, timedelta(hours=2) if major else timedelta(hours=8))
        if notified_at and level
        else None
    )
    containment_due = later(containment_t0, containment_span) if level else None
    report_due = report_extended_to or (add_calendar_month(contained_at) if contained_at else None)
    rows = [
        (
            DeadlineKind.NOTIFY,
            later(notify_t0, timedelta(hours=1)),
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
    # What the corrected awareness alone would give, for the clocks held at their old T0.
    corrected = {
        DeadlineKind.NOTIFY: (later(aware_at, timedelta(hours=1)), notify_held),
        DeadlineKind.CONTAINMENT: (
            later(aware_at, containment_span) if level else None,
            containment_held,
        ),
    }
    deadlines = []
    for kind, due, done, basis in rows:
        deadline = Deadline(kind, *TITLES[kind], due, done, basis, _status(due, done, now))
        if kind in corrected and due != corrected[kind][0]:
            corrected_due, reasons = corrected[kind]
            deadline = replace(
                deadline,
                corrected_due_at=corrected_due,
                corrected_status=_status(corrected_due, done, now),
                correction_reasons=reasons,
            )
        deadlines.append(deadline)
    return deadlines
