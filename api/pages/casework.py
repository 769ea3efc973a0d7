"""The incident page's case-work forms: the owner, watching (oneself; a lead names others)
and the checklist's tasks (one form per task, a checkbox). Shaped like the forms in
api.pages.incident_forms (303 back to the page, or the page with the message, 422); the
section is drawn by api/templates/_casework.html.j2 from ``incidents.casework.case_view``.
Comments with @mentions are the progress form."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import Soc
from api.pages.deps import FormSession
from api.pages.incident_forms import section_post
from api.pages.rendering import validated
from api.schemas import AssigneeUpdate, WatcherUpdate
from incidents import casework

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_ONE = "/incidents/{incident_id}"


@router.post(f"{_ONE}/assign")
def assign(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    assignee: Annotated[str, Form()] = "",
) -> Response:
    return section_post(
        request,
        soc,
        session,
        incident_id,
        "casework",
        {"assignee": assignee},
        lambda who: casework.assign(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            assignee=validated(AssigneeUpdate, assignee=assignee).assignee,
            clock=soc.clock,
        ),
    )


@router.post(f"{_ONE}/watch")
def watch(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    username: Annotated[str, Form()] = "",
    stop: Annotated[str, Form()] = "",
) -> Response:
    """Watch (or, with ``stop``, stop watching): oneself, or ``username`` for a lead."""
    step = casework.unwatch if stop else casework.watch
    return section_post(
        request,
        soc,
        session,
        incident_id,
        "casework",
        {"username": username},
        lambda who: step(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            username=validated(WatcherUpdate, username=username.strip() or None).username,
            clock=soc.clock,
        ),
    )


@router.post(f"{_ONE}/tasks/{{task_id}}")
def task(
    incident_id: str,
    task_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    done: Annotated[str, Form()] = "",
) -> Response:
    """The task's checkbox: ticked is done, unticked is open again."""
    return section_post(
        request,
        soc,
        session,
        incident_id,
        "tasks",
        {},
        lambda who: casework.set_task(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            task_id=task_id,
            done=bool(done),
            clock=soc.clock,
        ),
    )
