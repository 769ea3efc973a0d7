"""Awareness (知悉) and the recorded times: confirming a suspected case, which starts the
statutory clocks, and corrections of aware_at / occurred_at, appended with who, old -> new and
why, never silent (regulations.md §3 counts T0 from awareness)."""

from collections.abc import Mapping
from datetime import datetime

from core.access import Action, Actor
from core.clock import Clock, ensure_aware
from core.errors import InputError
from core.storage.base import Store
from core.time_range import check_time
from incidents.models import (
    CorrectedField,
    Correction,
    Incident,
)
from incidents.service import change
from incidents.workflow import Step

__all__ = ["CORRECTION_RIGHT", "confirm", "correct_time", "move_time"]

# Who may file the agency's notification may correct its times (correct_time; the page
# offers its form by this too).
CORRECTION_RIGHT = Action.FILE_NOTIFICATION


def move_time(
    i: Incident, field: CorrectedField, value: datetime, now: datetime, *, by: str, reason: str
) -> dict[str, object]:
    """Set a recorded time (知悉 starts the statutory clocks): never in the future, and
    awareness never after a notification already filed, or a late notification would turn
    into a timely one. A change is appended to ``i.corrections`` (deadlines.py keeps the
    clocks it may not relax); returns the audit detail with the old and new values."""
    name = field.value
    new = ensure_aware(check_time(value, name), name)
    if new > now:
        raise InputError(
            f"{name} {new.isoformat()} is in the future; a time on record cannot follow now",
            location=name,
            key="in_future",
            params={"field": name, "at": new},
        )
    notified = i.notified_at
    if field is CorrectedField.AWARE_AT and notified is not None and new > notified:
        raise InputError(
            f"aware_at {new.isoformat()} is after the notification filed at "
            f"{notified.isoformat()}; the agency was aware before it notified",
            location=name,
            key="aware_after_notified",
            params={"at": new, "notified": notified},
        )
    old: datetime | None = getattr(i, name)
    if old == new:
        return {}
    setattr(i, name, new)
    i.corrections.append(
        Correction(at=now, by=by, field=field, old=old, new=new, reason=reason.strip())
    )
    return {name: {"from": old.isoformat() if old else None, "to": new.isoformat()}}


def correct_time(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    field: CorrectedField,
    value: datetime,
    reason: str,
    clock: Clock,
) -> Incident:
    """Correct when the incident occurred or the agency became aware. Once notified, only
    with a reason (the clocks already ran from the old time). Appended to the incident's
    corrections and audited with the old and new values and the reason; who may file the
    agency's notification may correct it."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        if field is CorrectedField.AWARE_AT and i.aware_at is None:
            raise InputError(
                "a suspected case has no awareness to correct; confirm it",
                location="field",
                key="suspected_no_awareness",
            )
        if i.notifications and not reason.strip():
            raise InputError(
                f"say why {field.value} changes after the notification",
                location="reason",
                key="correction_reason",
                params={"field": field.value},
            )
        return {
            **move_time(i, field, value, now, by=actor.label, reason=reason),
            "reason": reason,
        }

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        action=CORRECTION_RIGHT,
        audit_action=f"incident.{field.value}",
    )


def confirm(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    clock: Clock,
    aware_at: datetime | None = None,
    reason: str = "",
) -> Incident:
    """A person confirms the suspected case as an incident (確認為資安事件). That records
    awareness (知悉), T0 of the statutory clocks: the confirmation time, or an earlier time
    with the reason (told by phone before the alerts were read, ...). Never in the future,
    never before the incident occurred (the first alert's event)."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        aware = (
            now if aware_at is None else ensure_aware(check_time(aware_at, "aware_at"), "aware_at")
        )
        if aware < now and not reason.strip():
            raise InputError(
                "say why the agency was aware before confirming",
                location="reason",
                key="aware_reason",
            )
        if i.occurred_at is not None and aware < i.occurred_at:
            raise InputError(
                f"aware_at {aware.isoformat()} is before the incident occurred "
                f"({i.occurred_at.isoformat()})",
                location="aware_at",
                key="aware_before_occurred",
                params={"at": aware, "occurred": i.occurred_at},
            )
        detail = move_time(i, CorrectedField.AWARE_AT, aware, now, by=actor.label, reason=reason)
        i.confirmed_at = now
        i.confirmed_by = actor.label
        i.awareness_reason = reason.strip() or None
        return {**detail, "reason": reason.strip()}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.CONFIRM,
        mutate=mutate,
        clock=clock,
    )
