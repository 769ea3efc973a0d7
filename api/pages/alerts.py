"""The alert queue (filters, severity chart, paging, exports) and its bulk triage form:
assign to oneself or a colleague, mark false positive, escalate; a queue filtered on one
agency acts on that agency's alerts only (incidents.queue.within_agency)."""

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Soc
from api.filters import Offset, alert_query
from api.pages.deps import FormSession, Session
from api.pages.form_times import local_input
from api.pages.rendering import agency_name, labels_for, page, said, validated
from api.schemas import AlertsAssignmentUpdate, AlertsEscalationCreate, AlertsFalsePositiveUpdate
from api.sessions import lang_of
from core.access import Action, allowed
from core.alerts import AlertQuery, AlertStatus, Severity
from core.errors import CitySocError, InputError
from incidents import queue, triage
from reports.charts import bar_chart

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 50  # alerts per page of the queue
FILTER_KEYS = ("agency", "status", "severity", "rule", "host", "assignee", "since", "until")
# The bulk actions and the catalogue key of what each reports when done.
TRIAGE_DONE = {
    "assign_me": "done_assign_me",
    "assign_to": "queue_done_assign_to",
    "unassign": "done_unassign",
    "suppress": "done_suppress",
    "escalate": "done_escalate",
}
_INCIDENT_ID = re.compile(r"INC-\d{8}-[0-9A-F]{6}")


@router.get("/alerts")
def alert_queue_page(
    request: Request,
    soc: Soc,
    session: Session,
    query: Annotated[AlertQuery, Depends(alert_query)],
    offset: Offset = 0,
    done: str = "",
    n: Annotated[int, Query(ge=0, le=triage.MAX_SELECTION)] = 0,
    left_out: Annotated[int, Query(ge=0, le=triage.MAX_SELECTION)] = 0,
    incident: str = "",
    error: str = "",
) -> Response:
    who = session.who
    limit = QUEUE_PAGE
    total, items = triage.alert_queue(soc.store, actor=who, query=query, limit=limit, offset=offset)
    counts = triage.severity_counts(soc.store, actor=who, query=query)
    filters = {k: v for k, v in request.query_params.items() if k in FILTER_KEYS and v}
    may_triage = Action.TRIAGE in allowed(who)
    return page(
        request,
        "alerts.html.j2",
        who=who,
        csrf=session.csrf,
        q=query,
        since=local_input(query.since),
        until=local_input(query.until),
        items=items,
        total=total,
        offset=offset,
        limit=limit,
        base="/alerts" + (f"?{urlencode(filters)}" if filters else ""),
        exports={
            "csv": "/api/v1/alerts/export.csv" + (f"?{urlencode(filters)}" if filters else ""),
            "xlsx": "/api/v1/exports/alerts?" + urlencode({**filters, "format": "xlsx"}),
        },
        agencies=list(soc.registry),
        agency_name=lambda org: agency_name(soc, org, lang_of(request)),
        statuses=list(AlertStatus),
        severities=list(Severity),
        severity_chart=bar_chart(
            [(labels_for(request)[f"sev_{s.value}"], counts[s]) for s in Severity]
        ),
        may_triage=may_triage,
        colleagues=queue.colleagues(soc.store, actor=who) if may_triage else [],
        done_key=TRIAGE_DONE.get(done, ""),
        n=n,
        left_out=left_out,
        incident_id=incident if _INCIDENT_ID.fullmatch(incident) else "",
        error=error[:500],
    )


@router.post("/alerts/triage")
def triage_selected(
    request: Request,
    soc: Soc,
    session: FormSession,
    action: Annotated[str, Form()],
    alert_ids: Annotated[list[str] | None, Form()] = None,
    agency: Annotated[str, Form(max_length=300)] = "",
    assignee: Annotated[str, Form(max_length=300)] = "",
    reason: Annotated[str, Form()] = "",
    incident_id: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/alerts",
) -> Response:
    who = session.who
    back = back if back.startswith("/alerts") and "//" not in back else "/alerts"
    sep = "&" if "?" in back else "?"
    try:
        # The queue's agency filter bounds what "select all" ticked (see incidents.queue).
        narrowed = queue.within_agency(
            soc.store, actor=who, alert_ids=alert_ids or [], agency=agency.strip() or None
        )
        ids = narrowed.alert_ids
        outcome: dict[str, str | int] = {"done": action, "n": len(ids)}
        if narrowed.left_out:
            outcome["left_out"] = narrowed.left_out
        if action in ("assign_me", "assign_to", "unassign"):
            to = {"assign_me": who.name, "assign_to": assignee.strip() or None}.get(action)
            if action == "assign_to" and to is None:
                raise InputError(
                    "choose the colleague to assign the alerts to",
                    location="assignee",
                    key="queue_choose_colleague",
                )
            assigned = validated(AlertsAssignmentUpdate, alert_ids=ids, assignee=to)
            outcome["n"] = triage.assign_alerts(
                store=soc.store,
                actor=who,
                alert_ids=assigned.alert_ids,
                assignee=assigned.assignee,
                clock=soc.clock,
            )
        elif action == "suppress":
            suppressed = validated(AlertsFalsePositiveUpdate, alert_ids=ids, reason=reason)
            outcome["n"] = triage.suppress_alerts(
                store=soc.store,
                actor=who,
                alert_ids=suppressed.alert_ids,
                reason=suppressed.reason,
                clock=soc.clock,
            )
        elif action == "escalate":
            chosen = validated(
                AlertsEscalationCreate, alert_ids=ids, incident_id=incident_id.strip() or None
            )
            escalated = triage.escalate_alerts(
                store=soc.store,
                actor=who,
                alert_ids=chosen.alert_ids,
                registry=soc.registry,
                incident_id=chosen.incident_id,
                clock=soc.clock,
            )
            outcome["incident"] = escalated.id
        else:
            raise InputError(f"unknown action {action!r}", location="action")
    except CitySocError as exc:
        if exc.code in ("not_found", "forbidden"):
            raise  # another agency's alert, or a role that may not triage
        refused = urlencode({"error": said(request, exc)})
        return RedirectResponse(f"{back}{sep}{refused}", status_code=303)
    return RedirectResponse(f"{back}{sep}{urlencode(outcome)}", status_code=303)
