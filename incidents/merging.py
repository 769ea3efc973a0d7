"""Merging a duplicate case into the one that survives (issue 16 item 5).

The survivor keeps everything either case holds: the earliest awareness (知悉) and
occurrence, every notification and level change, the milestones the duplicate reached and
the survivor had not (review, forward, recovery, the investigation report), evidence,
comments, IoCs, corrections, reopenings, watchers and all alerts (which now point at it).
The duplicate ends closed, ``merged_into`` the survivor, which lists it in ``merged_from``
(its timeline shows the duplicate's history too). Both changes are audited, each on its own
case, through ``service.change`` with the right to edit incidents.

Refused: merging a case into itself, across agencies (a case is one agency's), into an
ended case, or without a reason. On SQLite the two changes and the alerts commit together;
on Elasticsearch the survivor is written first and a repeated merge completes what an
interruption left (nothing is added twice)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from core.access import Actor, require
from core.alerts import AlertStatus
from core.clock import Clock
from core.errors import InputError
from core.limits import REASON
from core.storage.base import Store
from incidents import evidence, service, workflow
from incidents.models import CorrectedField, Correction, Incident, IncidentState
from incidents.service import merge_iocs
from incidents.workflow import Step

__all__ = ["merge"]

Item = TypeVar("Item")


def _refuse(message: str, key: str, location: str = "into", **params: object) -> InputError:
    return InputError(message, location=location, key=key, params=params)


def _union(
    mine: Sequence[Item], theirs: Sequence[Item], at: Callable[[Item], object]
) -> list[Item]:
    """Both lists without repeats, in time order (``at``)."""
    seen: list[Item] = []
    for item in [*mine, *theirs]:
        if item not in seen:
            seen.append(item)
    return sorted(seen, key=at)  # type: ignore[arg-type]


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


def _check(source: Incident, target: Incident, reason: str) -> None:
    if source.id == target.id:
        raise _refuse("a case cannot be merged into itself", "merge_itself")
    if source.organization_id != target.organization_id:
        raise _refuse(
            f"{source.id} and {target.id} belong to different agencies; a case is one "
            "agency's, so only the same agency's duplicates can be merged",
            "merge_other_agency",
        )
    if target.state in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE):
        raise _refuse(
            f"{target.id} has ended ({target.state.value}); reopen it first, or merge into "
            "a case still being worked",
            "merge_into_ended",
            state=target.state.value,
        )
    if not reason.strip():
        raise _refuse("say why the cases are duplicates", "merge_reason", location="reason")
    if len(reason) > REASON:
        raise _refuse(
            f"the reason is {len(reason):,} characters; at most {REASON:,}",
            "merge_reason_long",
            location="reason",
            limit=REASON,
        )


def _absorb(
    target: Incident, source: Incident, actor: Actor, now: datetime, reason: str
) -> dict[str, object]:
    """Everything of ``source`` into ``target`` (in place); the audit detail."""
    why = f"merged from {source.id}: {reason}"
    aware = _earliest(target.aware_at, source.aware_at)
    if aware != target.aware_at and aware is not None:
        target.corrections.append(
            Correction(
                at=now,
                by=actor.name,
                field=CorrectedField.AWARE_AT,
                old=target.aware_at,
                new=aware,
                reason=why,
            )
        )
        if target.aware_at is None:  # a suspected case takes the duplicate's confirmation
            target.confirmed_at, target.confirmed_by = source.confirmed_at, source.confirmed_by
        target.awareness_reason = source.awareness_reason or why
    old_aware, target.aware_at = target.aware_at, aware
    target.occurred_at = _earliest(target.occurred_at, source.occurred_at)
    target.suspected_at = _earliest(target.suspected_at, source.suspected_at)
    target.notifications = _union(target.notifications, source.notifications, lambda n: n.at)
    target.level_history = _union(target.level_history, source.level_history, lambda c: c.at)
    if target.level is None:
        target.level, target.level_answers = source.level, source.level_answers
        target.level_reasons, target.category = source.level_reasons, source.category
    # A milestone the duplicate reached and the survivor did not is the survivor's now.
    if target.reviewed_at is None and source.reviewed_at is not None:
        target.reviewed_at, target.review_note = source.reviewed_at, source.review_note
    if target.forwarded_at is None and source.forwarded_at is not None:
        target.forwarded_at = source.forwarded_at
        target.forwarded_to, target.forward_reference = (
            source.forwarded_to,
            source.forward_reference,
        )
    target.contained_at = target.contained_at or source.contained_at
    if target.report_submitted_at is None and source.report_submitted_at is not None:
        target.report_submitted_at = source.report_submitted_at
        target.investigation = source.investigation
    target.evidence.extend(
        e for e in source.evidence if e.sha256 not in {x.sha256 for x in target.evidence}
    )
    target.comments = _union(target.comments, source.comments, lambda c: c.at)
    target.corrections = _union(target.corrections, source.corrections, lambda c: c.at)
    target.reopenings = _union(target.reopenings, source.reopenings, lambda r: r.at)
    merge_iocs(target, source.iocs)
    for many in ("affected_assets", "watchers", "alert_ids", "alert_group_keys"):
        mine: list[str] = getattr(target, many)
        mine.extend(x for x in getattr(source, many) if x not in mine)
    target.alert_count = len(target.alert_ids) or target.alert_count + source.alert_count
    target.merged_from.append(source.id)
    return {
        "merged_from": source.id,
        "reason": reason,
        "aware_at": {"from": old_aware, "to": aware},
        "alerts": len(source.alert_ids),
    }


def merge(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    into: str,
    reason: str,
    clock: Clock,
    evidence_root: Path,
) -> Incident:
    """Merge ``incident_id`` (the duplicate) into ``into`` (the survivor); the survivor."""
    # Access and the right first: who may not merge learns only that, not why it would fail.
    right = workflow.right_for(Step.EDIT)
    source = service.get_incident(store=store, actor=actor, incident_id=incident_id)
    require(actor, right, source.organization_id, "incident")
    target = service.get_incident(store=store, actor=actor, incident_id=into)
    require(actor, right, target.organization_id, "incident")
    _check(source, target, reason)

    def absorb(t: Incident, now: datetime) -> Mapping[str, object]:
        if source.id in t.merged_from:  # a repeated merge: complete the rest only
            return {"merged_from": source.id}
        return _absorb(t, source, actor, now, reason)

    def end(s: Incident, now: datetime) -> Mapping[str, object]:
        s.state, s.closed_at = IncidentState.CLOSED, now
        s.close_reason, s.merged_into = f"merged into {target.id}: {reason}", target.id
        return {"merged_into": target.id, "reason": reason}

    # The files first: a survivor never lists evidence it cannot serve.
    evidence.copy_files(evidence_root, source.id, target.id, [e.sha256 for e in source.evidence])
    with store.transaction():
        survivor = service.change(
            store=store,
            actor=actor,
            incident_id=target.id,
            step=Step.EDIT,
            mutate=absorb,
            clock=clock,
            audit_action="incident.merge_in",
        )
        service.change(
            store=store,
            actor=actor,
            incident_id=source.id,
            step=Step.EDIT,
            mutate=end,
            clock=clock,
            audit_action="incident.merge",
        )
        if source.alert_ids:
            store.alerts.update_status(
                source.alert_ids,
                status=AlertStatus.ESCALATED,
                reason=f"merged into {target.id}",
                incident_id=target.id,
            )
    return survivor
