"""The incident page's form that merges this case (a duplicate) into another
(``incidents.merging``; the form is ``_merge.html.j2``)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import Soc
from api.pages.deps import FormSession
from api.pages.incident_forms import section_post
from api.pages.rendering import validated
from api.routes.merging import MergeCreate
from core.access import Actor
from incidents import merging

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.post("/incidents/{incident_id}/merge")
def merge(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    into: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    form = {"into": into, "reason": reason}

    def act(who: Actor) -> object:
        asked = validated(MergeCreate, into=into.strip(), reason=reason)
        return merging.merge(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            into=asked.into,
            reason=asked.reason,
            clock=soc.clock,
            evidence_root=soc.settings.evidence_path,
        )

    return section_post(request, soc, session, incident_id, "merge", form, act)
