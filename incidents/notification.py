"""The notification and what follows it: filing (通報, with its level assessment), a level
change from new answers (續行通報), the superior's review (審核) and forwarding its result to
the competent authority."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from core.access import Actor
from core.accounts import find_user
from core.clock import Clock, ensure_aware
from core.errors import InputError
from core.storage.base import Store
from core.time_range import check_time
from incidents.awareness import move_time
from incidents.levels import LevelAnswers, assess_level
from incidents.models import (
    Contact,
    CorrectedField,
    Incident,
    IncidentCategory,
    IoC,
    LevelChange,
    Notification,
    NotificationKind,
)
from incidents.service import change, checked_iocs, merge_iocs
from incidents.workflow import Step

__all__ = [
    "change_level",
    "file_notification",
    "filer_contact",
    "record_forwarded",
    "review_level",
]


def file_notification(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    answers: LevelAnswers,
    description: str,
    response_measures: str,
    outside_support_needed: bool,
    clock: Clock,
    outside_support_detail: str = "",
    other_matters: str = "",
    aware_at: datetime | None = None,
    fallback_channel_reason: str | None = None,
    category: IncidentCategory | None = None,
    event_name: str = "",
    iocs: Sequence[IoC] = (),
) -> Incident:
    """File the statutory notification (通報): the level follows from ``answers``; the
    event name (事件名稱) and IoCs given are recorded with it, in the same change."""
    assessment = assess_level(answers)
    indicators = checked_iocs(iocs)
    filer = filer_contact(store, actor)
    if not description.strip():
        raise InputError(
            "describe the situation (狀況之描述)", location="description", key="describe_situation"
        )
    if not response_measures.strip():
        raise InputError(
            "state the measures taken (因應事件所採取之措施)",
            location="response_measures",
            key="state_measures",
        )

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        detail: dict[str, object] = {}
        if aware_at is not None:  # the notification is filed now: awareness is at most now
            detail = move_time(i, CorrectedField.AWARE_AT, aware_at, now, by=actor.label, reason="")
        i.description = description
        i.response_measures = response_measures
        i.outside_support_needed = outside_support_needed
        i.outside_support_detail = outside_support_detail
        i.other_matters = other_matters
        if category is not None:
            i.category = category
        if event_name.strip():
            i.event_name = event_name.strip()
        added = merge_iocs(i, indicators)
        i.level = assessment.level
        i.level_answers = answers
        i.level_reasons = list(assessment.reasons)
        i.level_history.append(
            LevelChange(
                at=now,
                by=actor.label,
                from_level=None,
                to_level=assessment.level,
                reason="initial assessment",
                answers=answers,
            )
        )
        i.notifications.append(
            Notification(
                kind=NotificationKind.INITIAL,
                at=now,
                by=actor.label,
                level=assessment.level,
                fallback_channel_reason=fallback_channel_reason,
                filer=filer,
            )
        )
        if added:
            detail["iocs"] = added
        return {**detail, "level": assessment.level, "reasons": list(assessment.reasons)}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.NOTIFY,
        mutate=mutate,
        clock=clock,
    )


def filer_contact(store: Store, actor: Actor) -> Contact:
    """The person filing, from their profile (read before the change: the document shows
    who filed and how to reach them as it was then). An account without a profile, such as
    the CLI's operator, is named by its id."""
    user = find_user(store, actor.name)
    if user is None:
        return Contact(username=actor.name, name=actor.name)
    return Contact(
        username=user.username,
        name=user.display_name or user.username,
        phone=user.phone,
        email=user.email,
    )


def _relevel(
    i: Incident,
    now: datetime,
    actor: Actor,
    answers: LevelAnswers | None,
    level: int,
    reason: str,
    filer: Contact,
) -> dict[str, object]:
    old = i.level
    i.level = level
    if answers is not None:
        i.level_answers = answers
        i.level_reasons = list(assess_level(answers).reasons)
    elif old != level:  # set by the reviewer, not from answers: say so, keep the history
        i.level_reasons = [f"第{level}級：{actor.label} 變更等級（{reason}）", *i.level_reasons]
    i.level_history.append(
        LevelChange(
            at=now, by=actor.label, from_level=old, to_level=level, reason=reason, answers=answers
        )
    )
    if old != level:  # Art. 6 para. 2: a level change is notified again (續行通報)
        i.notifications.append(
            Notification(
                kind=NotificationKind.LEVEL_CHANGE, at=now, by=actor.label, level=level, filer=filer
            )
        )
    return {"level": f"{old} -> {level}", "reason": reason}


def change_level(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    answers: LevelAnswers,
    reason: str,
    clock: Clock,
) -> Incident:
    """Re-assess the level from new answers; a different level re-notifies."""
    filer = filer_contact(store, actor)

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        # Checked here, after access and workflow: another agency's caller learns only
        # "not found", never that its answers or reason were wrong (which shows it exists).
        if not reason.strip():
            raise InputError("say why the level changes", location="reason", key="level_reason")
        return _relevel(i, now, actor, answers, assess_level(answers).level, reason, filer)

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.CHANGE_LEVEL,
        clock=clock,
        mutate=mutate,
    )


def review_level(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    clock: Clock,
    level: int | None = None,
    note: str = "",
) -> Incident:
    """The superior agency's review (審核, Art. 7): confirm, or set another level."""
    if level is not None and not 1 <= level <= 4:
        raise InputError(
            f"level must be 1-4, got {level}",
            location="level",
            key="level_range",
            params={"level": level},
        )
    filer = filer_contact(store, actor)

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        i.reviewed_at = now
        i.review_note = note
        detail: dict[str, object] = {"confirmed": level is None or level == i.level}
        if level is not None and level != i.level:
            detail.update(_relevel(i, now, actor, None, level, note or "changed in review", filer))
        return detail

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.REVIEW,
        mutate=mutate,
        clock=clock,
    )


def record_forwarded(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    to: str,
    reference: str,
    clock: Clock,
    at: datetime | None = None,
) -> Incident:
    """The review result was sent to the competent authority (Art. 7 para. 2): to whom,
    when (default now; never in the future nor before the review) and the platform's
    reference number or receipt, which proves the forward clock was met."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        # Checked here, after access and workflow: who may not forward learns only that.
        if not to.strip():
            raise InputError(
                "say who the review result was sent to", location="to", key="forward_to"
            )
        if not reference.strip():
            raise InputError(
                "give the platform's reference number or receipt of the forwarding",
                location="reference",
                key="forward_reference",
            )
        when = now if at is None else ensure_aware(check_time(at, "at"), "at")
        if when > now:
            raise InputError(
                f"{when.isoformat()} is in the future",
                location="at",
                key="in_future",
                params={"field": "at", "at": when},
            )
        if i.reviewed_at is not None and when < i.reviewed_at:
            raise InputError(
                f"{when.isoformat()} is before the review at {i.reviewed_at.isoformat()}; "
                "the result is forwarded after it",
                location="at",
                key="before_review",
                params={"at": when, "reviewed": i.reviewed_at},
            )
        i.forwarded_at = when
        i.forwarded_to = to.strip()
        i.forward_reference = reference.strip()
        return {"at": when.isoformat(), "to": i.forwarded_to, "reference": i.forward_reference}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.FORWARD,
        mutate=mutate,
        clock=clock,
    )
