"""The audit trail: read it, export it as CSV with its hashes, verify the chain."""

import itertools
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from api.deps import ActorDep, LangDep, Soc
from api.filters import Offset
from core import audit

__all__ = ["router"]

router = APIRouter()


@router.get("/api/v1/audit")
def audit_trail(
    who: ActorDep,
    soc: Soc,
    subject: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> dict[str, object]:
    """The audit trail, newest first (``subject``: one incident, alert or account)."""
    total, rows = audit.trail(soc.store, actor=who, subject=subject, limit=limit, offset=offset)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "seq": r.seq,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "subject": r.subject,
                "detail": r.detail,
                "hash": r.hash,
            }
            for r in rows
        ],
    }


@router.get("/api/v1/audit/export", response_model=None)
def audit_export(
    who: ActorDep,
    soc: Soc,
    lang: LangDep,
    subject: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The whole trail (or one subject's) as CSV with the hashes, for offline checks;
    headers in ``lang`` (else the page language), times in Taipei beside the hashed UTC."""
    rows = audit.export_csv(soc.store, actor=who, subject=subject, lang=lang)
    first = next(rows)  # access is checked before the response starts
    return StreamingResponse(
        itertools.chain([first], rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
    )


@router.get("/api/v1/audit/verify")
def audit_verify(who: ActorDep, soc: Soc) -> dict[str, object]:
    """The chain checked link by link and against every signed anchor (then anchored)."""
    result = soc.verify_audit(actor=who)
    latest = result.latest_anchor
    return {
        "ok": result.ok,
        "entries": result.entries,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
        "problems": list(result.problems),
        "anchors": {
            "checked": result.anchors,
            "unanchored_entries": result.unanchored,
            "latest": None
            if latest is None
            else {
                "number": latest.number,
                "at": latest.at,
                "entries": latest.entries,
                "head_seq": latest.head_seq,
                "head_hash": latest.head_hash,
                "mac": latest.mac,
            },
        },
    }
