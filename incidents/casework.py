"""Case work on an incident or suspected case (issue 14 item 5): its owner (assignee), its
watchers, comments with @mentions (every response-progress note is a comment), and its
checklist's tasks ticked off or reopened. Each is a change through ``service.change()``:
access and agency isolation, the workflow (an ended case takes no more work), the version,
and one audit entry.

Who may be named (owner, watcher, @mention) is an account that may see the incident's
agency; anyone else is an InputError naming them, so a reporter cannot learn of, or pull
in, another agency's people. Nothing here sends a message: the message layer's scan
(incidents.messages.triggers) tells the people a comment mentions.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.access import Action, Actor, Role, allowed
from core.accounts import User, find_user
from core.clock import Clock
from core.errors import ForbiddenError, InputError, TransitionError
from core.storage.base import Store
from incidents import checklists, timeline, workflow
from incidents.models import ChecklistTask, Comment, Incident
from incidents.service import change
from incidents.timeline import TimelineEntry
from incidents.workflow import Step

__all__ = [
    "CaseView",
    "add_comment",
    "assign",
    "case_view",
    "mentions_in",
    "set_task",
    "tasks_of",
    "unwatch",
    "watch",
]

# "@name" not inside a word or an e-mail address; names as core.accounts allows them.
_MENTION = re.compile(r"(?<![\w.@])@([a-z0-9][a-z0-9._-]{1,62})(?![\w@])", re.IGNORECASE)
_NOT_PEOPLE = frozenset({Role.SYSTEM, Role.PARTNER})  # no person of ours to name


def mentions_in(text: str) -> list[str]:
    """The usernames ``@mentioned`` in ``text``, each once, in order (lower case, as
    accounts are named); a trailing full stop is punctuation, not part of the name."""
    found: list[str] = []
    for match in _MENTION.finditer(text):
        name = match.group(1).lower().rstrip(".")
        if name not in found:
            found.append(name)
    return found


def _person(store: Store, username: str, incident: Incident, field: str) -> User:
    """The account ``username`` if it may see the incident; else an InputError naming it."""
    user = find_user(store, username.strip().lower())
    if (
        user is None
        or user.disabled
        or user.role in _NOT_PEOPLE
        or not user.actor().sees(incident.organization_id)
    ):
        raise InputError(
            f"{username!r} is no account that may see incident {incident.id}; name a person "
            "of its agency or the city SOC",
            location=field,
            key="not_a_person",
            params={"incident": incident.id},
        )
    return user


def _may_manage_others(actor: Actor) -> bool:
    """Whether the actor may add or remove other people's watch: the superior's right
    (leads, administrators), as it decides who is kept informed of a case."""
    return Action.REVIEW_LEVEL in allowed(actor)


def assign(
    *, store: Store, actor: Actor, incident_id: str, assignee: str | None, clock: Clock
) -> Incident:
    """Make ``assignee`` the owner (None or blank: nobody); the owner also watches."""
    name = (assignee or "").strip().lower() or None

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:  # noqa: ARG001
        if name is not None:
            _person(store, name, i, "assignee")
            if name not in i.watchers:
                i.watchers.append(name)
        old, i.assignee = i.assignee, name
        return {"assignee": {"from": old, "to": name}}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        audit_action="incident.assign",
    )


def _watch(
    store: Store, actor: Actor, incident_id: str, username: str | None, clock: Clock, on: bool
) -> Incident:
    name = (username or actor.name).strip().lower()
    own = name == actor.name.lower()

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:  # noqa: ARG001
        # Inside the change, after access: another agency's caller learns only "not found".
        if not own and not _may_manage_others(actor):
            raise ForbiddenError(
                "you may only watch or unwatch for yourself; a lead adds or removes others",
                location="username",
                key="watch_others",
            )
        if on:
            if not own:  # the actor passed change()'s access check; others are checked here
                _person(store, name, i, "username")
            if name not in i.watchers:
                i.watchers.append(name)
        elif name in i.watchers:
            i.watchers.remove(name)
        return {"watcher": name, "watching": on}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        # Following a case one may see changes nothing of it: every reader may.
        action=Action.VIEW if own else None,
        mutate=mutate,
        clock=clock,
        audit_action="incident.watch" if on else "incident.unwatch",
    )


def watch(
    *, store: Store, actor: Actor, incident_id: str, clock: Clock, username: str | None = None
) -> Incident:
    """Follow the case (oneself; a lead may name someone who may see it)."""
    return _watch(store, actor, incident_id, username, clock, True)


def unwatch(
    *, store: Store, actor: Actor, incident_id: str, clock: Clock, username: str | None = None
) -> Incident:
    """Stop following the case (oneself; a lead may remove someone)."""
    return _watch(store, actor, incident_id, username, clock, False)


def add_comment(
    *, store: Store, actor: Actor, incident_id: str, text: str, clock: Clock
) -> Incident:
    """Add a comment (also a response-progress note, 應變處置進度). Every ``@username``
    must be an account that may see the incident; the people mentioned become watchers."""
    if not text.strip():
        raise InputError(
            "write what has been done since the last update", location="text", key="comment_empty"
        )
    mentioned = mentions_in(text)

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        for name in mentioned:
            _person(store, name, i, "text")
        i.comments.append(Comment(at=now, by=actor.name, text=text, mentions=mentioned))
        i.watchers.extend(n for n in mentioned if n not in i.watchers)
        return {"comment": text[:200], "mentions": mentioned}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        audit_action="incident.comment",
    )


def tasks_of(incident: Incident) -> list[ChecklistTask]:
    """The incident's checklist as it stands (also for an incident saved before checklists
    existed, or whose category changed since its last save)."""
    return checklists.instantiate(incident)


def set_task(
    *, store: Store, actor: Actor, incident_id: str, task_id: str, done: bool, clock: Clock
) -> Incident:
    """Tick a task off (who, when) or reopen it."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        tasks = checklists.instantiate(i)
        ids: Sequence[str] = [t.id for t in tasks]
        if task_id not in ids:
            raise InputError(
                f"incident {i.id} has no task {task_id!r}; its tasks are {', '.join(ids)}",
                location="task",
                key="no_task",
                params={"incident": i.id},
            )
        i.tasks = [
            t.model_copy(
                update={"done_at": now, "done_by": actor.name}
                if done
                else {"done_at": None, "done_by": None}
            )
            if t.id == task_id
            else t
            for t in tasks
        ]
        return {"task": task_id, "done": done}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        audit_action="incident.task_done" if done else "incident.task_undone",
    )


@dataclass(frozen=True, slots=True)
class CaseView:
    """What the incident page shows of the case work, and which of its forms this actor
    may use now (the workflow's answer, as for the steps)."""

    tasks: list[ChecklistTask]
    timeline: list[TimelineEntry]
    may_edit: bool  # assign, tick tasks (Step.EDIT now)
    may_watch: bool  # follow or stop following it oneself
    may_name_others: bool  # add or remove someone else's watch (leads)
    watching: bool


def _takes_work(incident: Incident) -> bool:
    """Whether the case is still open to work (closed and dismissed cases are not)."""
    try:
        workflow.check(incident, Step.EDIT)
    except TransitionError:
        return False
    return True


def case_view(store: Store, actor: Actor, incident: Incident) -> CaseView:
    """For an incident the actor has already been allowed to read."""
    open_to_work = _takes_work(incident)
    return CaseView(
        tasks=tasks_of(incident),
        timeline=timeline.build(store, incident),
        may_edit=Step.EDIT in workflow.available_steps(actor, incident),
        may_watch=open_to_work,
        may_name_others=open_to_work and _may_manage_others(actor),
        watching=actor.name.lower() in incident.watchers,
    )
