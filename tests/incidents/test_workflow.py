"""Which steps an actor may take on an incident now (workflow.available_steps): the role's
rights x agency isolation x the state's requirements, and the same answer as the service."""

from datetime import UTC, datetime, timedelta

import pytest

from core.access import SYSTEM, Actor, Role
from core.errors import ForbiddenError, NotFoundError, TransitionError
from incidents import repository, service, workflow
from incidents.models import Incident, IncidentState, Notification, NotificationKind
from incidents.workflow import Step

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ACTORS = {
    "reporter_own": Actor("xitun", Role.REPORTER, agency="district-xitun"),
    "reporter_other": Actor("police", Role.REPORTER, agency="police"),
    "analyst": Actor("amy", Role.ANALYST),
    "lead": Actor("lee", Role.LEAD),
    "auditor": Actor("audrey", Role.AUDITOR),
    "admin": Actor("root", Role.ADMIN),
    "system": SYSTEM,
    "partner": Actor("partner-miaoli-county", Role.PARTNER),
}
S = Step
# The steps each role has the right to take (core.access), on an incident it may see.
ROLE_STEPS: dict[str, frozenset[Step]] = {
    "reporter_own": frozenset(
        {S.NOTIFY, S.CHANGE_LEVEL, S.CONTAIN, S.REPORT, S.CLOSE, S.REOPEN, S.EDIT}
    ),
    "reporter_other": frozenset(),  # another agency's incident: nothing, as if it did not exist
    "analyst": frozenset(Step) - {S.REVIEW, S.FORWARD},
    "lead": frozenset(Step),
    "auditor": frozenset(),  # reads, never changes
    "admin": frozenset(Step),
    "system": frozenset({S.DISMISS, S.REOPEN}),  # triage's right only
    "partner": frozenset(),  # sees none of our agencies' records
}
# The steps each state allows to someone with every right.
STATE_STEPS: dict[str, frozenset[Step]] = {
    "open": frozenset({S.NOTIFY, S.DISMISS, S.EDIT}),
    "notified": frozenset({S.CHANGE_LEVEL, S.REVIEW, S.CONTAIN, S.EDIT}),
    "reviewed": frozenset({S.CHANGE_LEVEL, S.FORWARD, S.CONTAIN, S.EDIT}),
    "forwarded": frozenset({S.CHANGE_LEVEL, S.CONTAIN, S.EDIT}),
    "contained": frozenset({S.CHANGE_LEVEL, S.REPORT, S.EDIT}),
    "reported": frozenset({S.CHANGE_LEVEL, S.CLOSE, S.EDIT}),
    "closed": frozenset({S.REOPEN}),
    "closed_unforwarded": frozenset({S.FORWARD, S.REOPEN}),  # the superior may record it later
    "dismissed": frozenset({S.REOPEN}),
}
# Reopening takes the right of the ending it undoes: closing's (EDIT_INCIDENT) for a closed
# incident, dismissing's (TRIAGE) for a dismissed case; so these may not reopen there.
NO_REOPENING = {
    ("reporter_own", "dismissed"),
    ("system", "closed"),
    ("system", "closed_unforwarded"),
}


def incident_in(state: str, incident_id: str = "INC-1") -> Incident:
    i = Incident(
        id=incident_id,
        organization_id="district-xitun",
        title="檔案伺服器遭入侵",
        aware_at=AT,
        created_at=AT,
        created_by="xitun",
        updated_at=AT,
    )
    later = AT + timedelta(hours=1)
    if state == "dismissed":
        i.state, i.closed_at = IncidentState.FALSE_POSITIVE, later
        return i
    progress = list(STATE_STEPS)
    reached = progress.index(state)
    if reached >= progress.index("notified"):
        i.notifications = [Notification(kind=NotificationKind.INITIAL, at=later, by="x", level=2)]
        i.level = 2
    if reached >= progress.index("reviewed"):
        i.reviewed_at = later
    if reached >= progress.index("forwarded") and state != "closed_unforwarded":
        i.forwarded_at = later
    if reached >= progress.index("contained"):
        i.contained_at = later
    if reached >= progress.index("reported"):
        i.report_submitted_at = later
    i.state = workflow.derive_state(i)
    if reached >= progress.index("closed"):
        i.state, i.closed_at = IncidentState.CLOSED, later
    return i


@pytest.mark.parametrize("state", sorted(STATE_STEPS))
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_available_steps_are_the_roles_rights_in_the_incidents_state(who, state):
    expected = ROLE_STEPS[who] & STATE_STEPS[state]
    if (who, state) in NO_REOPENING:
        expected -= {S.REOPEN}
    assert workflow.available_steps(ACTORS[who], incident_in(state)) == expected


@pytest.mark.parametrize("who", sorted(ACTORS))
@pytest.mark.parametrize("state", ["closed", "dismissed"])
def test_an_ended_incident_allows_no_notification_and_no_change(who, state):
    steps = workflow.available_steps(ACTORS[who], incident_in(state))
    assert not steps & {S.NOTIFY, S.CHANGE_LEVEL, S.REVIEW, S.CONTAIN, S.REPORT, S.EDIT}


def test_a_notified_incident_offers_a_level_change_not_a_second_notification():
    steps = workflow.available_steps(ACTORS["reporter_own"], incident_in("notified"))
    assert S.NOTIFY not in steps and S.CHANGE_LEVEL in steps  # re-notify by a level change


@pytest.mark.parametrize("state", sorted(STATE_STEPS))
def test_the_service_takes_exactly_the_available_steps(store, clock, state):
    """available_steps answers what service.change would: every offered step goes through,
    every other is refused (not found, forbidden, or the workflow's reason)."""
    n = 0
    for who, actor in sorted(ACTORS.items()):
        offered = workflow.available_steps(actor, incident_in(state))
        for step in Step:
            n += 1
            incident = repository.insert(store, incident_in(state, f"INC-{n}"))
            try:
                service.change(
                    store=store,
                    actor=actor,
                    incident_id=incident.id,
                    step=step,
                    mutate=lambda _i, _now: {},
                    clock=clock,
                )
                taken = True
            except (NotFoundError, ForbiddenError, TransitionError):
                taken = False
            assert taken == (step in offered), (who, step.value)
