"""Evidence files of an incident: list, upload (multipart, checked before it is read) and
download (always an attachment, never rendered)."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import ActorDep, Soc
from api.presenters import incident_read
from api.schemas import IncidentRead
from api.uploads import EVIDENCE_FORM_OPENAPI, evidence_response, read_evidence_form
from incidents import evidence, service
from incidents.models import EvidenceFile

__all__ = ["router"]

router = APIRouter()


@router.get("/api/v1/incidents/{incident_id}/evidence", response_model=list[EvidenceFile])
def evidence_list(incident_id: str, who: ActorDep, soc: Soc) -> list[EvidenceFile]:
    return service.get_incident(store=soc.store, actor=who, incident_id=incident_id).evidence


@router.post(
    "/api/v1/incidents/{incident_id}/evidence",
    response_model=IncidentRead,
    status_code=201,
    openapi_extra=EVIDENCE_FORM_OPENAPI,
)
async def evidence_upload(
    incident_id: str, request: Request, who: ActorDep, soc: Soc
) -> IncidentRead:
    """Attach an evidence file (multipart ``file``, optional ``note``; accepted types and
    size in the error if refused). Stored outside the web root; served only to those who
    see the incident."""
    # Access before the body: nothing of the upload is read for a caller who may not
    # add evidence (the route declares no body parameters so FastAPI reads none).
    await run_in_threadpool(
        evidence.check_may_add, store=soc.store, actor=who, incident_id=incident_id
    )
    upload = await read_evidence_form(request, soc.settings.max_evidence_bytes)
    upload.raise_problem()
    updated = await run_in_threadpool(
        soc.attach_evidence,
        who,
        incident_id,
        filename=upload.filename,
        data=upload.data,
        note=upload.note,
    )
    return incident_read(soc, updated)


@router.get("/api/v1/incidents/{incident_id}/evidence/{sha256}", response_model=None)
def evidence_download(incident_id: str, sha256: str, who: ActorDep, soc: Soc) -> Response:
    return evidence_response(*soc.evidence_file(who, incident_id, sha256))
