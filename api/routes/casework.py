"""Case work on an incident: its owner, watchers, checklist tasks and one timeline. Comments
(with @mentions) are the response-progress route, ``POST /api/v1/incidents/{id}/progress``.
Every check is the service's (incidents.casework, incidents.timeline)."""

from fastapi import APIRouter

from api.deps import ActorDep, Soc
from api.presenters import incident_read
from api.schemas import AssigneeUpdate, IncidentRead, TasksRead, TimelineRead, WatcherUpdate
from incidents import casework, service, timeline

__all__ = ["router"]

router = APIRouter()
_ONE = "/api/v1/incidents/{incident_id}"


@router.post(f"{_ONE}/assignee", response_model=IncidentRead)
def assign(incident_id: str, body: AssigneeUpdate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Make an account that may see the incident its owner (null: nobody); they watch it."""
    return incident_read(
        soc,
        casework.assign(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            assignee=body.assignee,
            clock=soc.clock,
        ),
    )


@router.post(f"{_ONE}/watch", response_model=IncidentRead)
def watch(incident_id: str, body: WatcherUpdate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Follow the case (yourself; a lead may name someone who may see it)."""
    return incident_read(
        soc,
        casework.watch(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            username=body.username,
            clock=soc.clock,
        ),
    )


@router.post(f"{_ONE}/unwatch", response_model=IncidentRead)
def unwatch(incident_id: str, body: WatcherUpdate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Stop following the case (yourself; a lead may remove someone)."""
    return incident_read(
        soc,
        casework.unwatch(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            username=body.username,
            clock=soc.clock,
        ),
    )


@router.get(f"{_ONE}/tasks", response_model=TasksRead)
def tasks(incident_id: str, who: ActorDep, soc: Soc) -> TasksRead:
    """The checklist of the incident's category, each task open or done (who, when)."""
    incident = service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
    return TasksRead(
        incident_id=incident.id, category=incident.category, items=casework.tasks_of(incident)
    )


def _set_task(incident_id: str, task_id: str, done: bool, who: ActorDep, soc: Soc) -> TasksRead:
    incident = casework.set_task(
        store=soc.store,
        actor=who,
        incident_id=incident_id,
        task_id=task_id,
        done=done,
        clock=soc.clock,
    )
    return TasksRead(incident_id=incident.id, category=incident.category, items=incident.tasks)


@router.post(f"{_ONE}/tasks/{{task_id}}/done", response_model=TasksRead)
def task_done(incident_id: str, task_id: str, who: ActorDep, soc: Soc) -> TasksRead:
    """Tick a task off (recorded with who and when)."""
    return _set_task(incident_id, task_id, True, who, soc)


@router.post(f"{_ONE}/tasks/{{task_id}}/undo", response_model=TasksRead)
def task_undo(incident_id: str, task_id: str, who: ActorDep, soc: Soc) -> TasksRead:
    """Reopen a task."""
    return _set_task(incident_id, task_id, False, who, soc)


@router.get(f"{_ONE}/timeline", response_model=TimelineRead)
def incident_timeline(incident_id: str, who: ActorDep, soc: Soc) -> TimelineRead:
    """Alerts, comments, steps, corrections, evidence, case work and shares, oldest first."""
    return TimelineRead(
        incident_id=incident_id,
        items=timeline.timeline(store=soc.store, actor=who, incident_id=incident_id),
    )
