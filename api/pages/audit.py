"""The audit trail, page by page, with the hash chain's verification."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Offset, Text
from api.pages.deps import Session
from api.pages.rendering import page
from core import audit

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 100


@router.get("/audit")
def audit_page(
    request: Request,
    soc: Soc,
    session: Session,
    subject: Text = None,
    offset: Offset = 0,
) -> Response:
    who = session.who
    limit = AUDIT_PAGE
    total, rows = audit.trail(soc.store, actor=who, subject=subject, limit=limit, offset=offset)
    return page(
        request,
        "audit.html.j2",
        who=who,
        csrf=session.csrf,
        rows=rows,
        total=total,
        offset=offset,
        limit=limit,
        subject=subject or "",
        base="/audit" + (f"?{urlencode({'subject': subject})}" if subject else ""),
        verification=soc.verify_audit(actor=who),
    )
