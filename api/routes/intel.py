"""Threat intelligence with partners: share an incident's IoCs (preview, then publish), the
partners' overview, their indicators on our watchlist, and pulling a partner now."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import ActorDep, Soc
from api.filters import Offset
from api.schemas import RemovedRead, ShareCreate, SharePreviewRead, ShareRead, WithheldRead
from core import limits
from core.alerts import AlertQuery
from incidents.sharing import intel
from incidents.sharing.deidentify import Withheld
from incidents.sharing.observables import classify
from incidents.sharing.preview import ShareRequest
from incidents.sharing.pull import pull_partner
from incidents.sharing.watchlist import list_indicators

__all__ = ["router"]

router = APIRouter()


@router.post(
    "/api/v1/incidents/{incident_id}/share",
    response_model=ShareRead | SharePreviewRead,
    status_code=201,
    responses={200: {"model": SharePreviewRead, "description": "the preview (no confirm)"}},
)
def share(
    incident_id: str, body: ShareCreate, who: ActorDep, response: Response, soc: Soc
) -> ShareRead | SharePreviewRead:
    """Share chosen IoCs and a summary with partners (de-identified, TLP-marked), in two
    steps: without ``confirm`` the answer (200) is the preview of exactly what would leave;
    the same request with ``confirm`` set to the preview's digest publishes it (201), or
    is refused (409) when what would leave has changed since: preview again."""
    asked = ShareRequest(
        incident_id=incident_id,
        iocs=[classify(i.value, i.type) for i in body.iocs],
        summary=body.summary,
        tlp=body.tlp,
        include_incident_iocs=body.include_incident_iocs,
    )
    if body.confirm is None:
        preview = soc.preview_share(who, asked)
        response.status_code = 200
        return SharePreviewRead(
            digest=preview.digest,
            tlp=preview.tlp,
            collection_id=preview.collection_id,
            summary=preview.summary,
            shared=preview.shared,
            withheld=[_withheld_read(w) for w in preview.withheld],
            redactions=preview.redactions,
            removed=[RemovedRead(kind=r.kind, text=r.text) for r in preview.removed],
        )
    published = soc.publish_share(who, asked, confirm=body.confirm)
    return ShareRead(
        bundle_id=published.bundle["id"],
        collection_id=published.collection_id,
        objects=len(published.bundle["objects"]),
        shared=published.shared,
        withheld=[_withheld_read(w) for w in published.withheld],
        redactions=published.redactions,
        summary=published.summary,
    )


def _withheld_read(w: Withheld) -> WithheldRead:
    return WithheldRead(ioc=w.ioc, reason=w.reason, kinds=list(w.kinds), detail=w.detail)


@router.get("/api/v1/intel")
def intel_overview(who: ActorDep, soc: Soc) -> dict[str, object]:
    rows, indicators = intel.overview(
        store=soc.store, partners=soc.partners, actor=who, now=soc.clock.now()
    )
    return {
        "partners": [
            {
                "id": r.partner.id,
                "name_zh": r.partner.name_zh,
                "name_en": r.partner.name_en,
                "grants": r.partner.grants,
                "max_tlp": r.partner.max_tlp.value,
                "pulls": r.partner.pull is not None,
                "last_pull": r.last_pull,
                "indicators": r.indicators,
                "active": r.active,
                "not_swept": r.not_swept,
                "hits": r.hits,
            }
            for r in rows
        ],
        "indicators": len(indicators),
        "hits": soc.store.alerts.count(AlertQuery(rule_prefix=intel.INDICATOR_RULES)),
    }


@router.get("/api/v1/intel/indicators")
def intel_indicators(
    who: ActorDep,
    soc: Soc,
    partner: Annotated[str | None, Query(max_length=limits.IDENT)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> dict[str, object]:
    intel.require_intel_reader(who)
    found = list_indicators(soc.store, partner=partner)
    return {
        "total": len(found),
        "limit": limit,
        "offset": offset,
        "items": [w.model_dump(mode="json") for w in found[offset : offset + limit]],
    }


@router.post("/api/v1/intel/partners/{partner_id}/pull")
def intel_pull(partner_id: str, who: ActorDep, soc: Soc) -> dict[str, object]:
    report = pull_partner(
        store=soc.store,
        partners=soc.partners,
        partner_id=partner_id,
        actor=who,
        clock=soc.clock,
        limits=soc.pull_limits,
    )
    return {
        "partner": report.partner,
        "received": report.received,
        "new": report.new,
        "updated": report.updated,
        "rejected": [{"id": i, "reason": r} for i, r in report.rejected],
        "not_swept": [{"id": i, "reason": r} for i, r in report.not_swept],
        "since": report.since,
        "until": report.until,
        "pages": report.pages,
        "stopped": report.stopped,
    }
