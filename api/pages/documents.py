"""The incident page's statutory documents: each notification (初次通報 and every 續行通報),
the recovery notice, the investigation report and the review record, with what each still
lacks (the ``report check``), and their downloads as HTML or PDF in the page's language.
Access is the incident's: another agency's reporter gets "not found"."""

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.context import CitySoc
from api.deps import Soc
from api.pages.deps import Session
from api.sessions import lang_of
from core.i18n import Lang, labels
from incidents import service
from incidents.models import Incident, IncidentCategory, IoCType
from reports.documents import (
    DocumentKind,
    build_document,
    default_event_name,
    file_name,
    missing_items,
    render_html,
)
from reports.render import MEDIA_TYPES, encode_page

__all__ = ["DocumentPanel", "DocumentRow", "document_panel", "router"]

router = APIRouter(include_in_schema=False)
DOCUMENT = "/incidents/{incident_id}/documents/{kind}"


@dataclass(frozen=True, slots=True)
class DocumentRow:
    name: str  # in the page's language
    href: str  # the HTML; ``pdf_href`` the same document as a PDF download
    pdf_href: str
    missing: list[str]  # what `citysoc report check` says is still empty


@dataclass(frozen=True, slots=True)
class DocumentPanel:
    """What _documents.html.j2 lists, and the notify form's defaults it shares."""

    rows: list[DocumentRow]
    event_name: str  # the notify form's 事件名稱, Chinese unless someone wrote otherwise
    categories: list[IncidentCategory]
    ioc_types: list[IoCType]  # the codes a reporter types on an IoC line (api/ioc_lines.py)


def _row(
    incident: Incident, kind: DocumentKind, name: str, lang: Lang, notice: int | None
) -> DocumentRow:
    href = DOCUMENT.format(incident_id=incident.id, kind=kind.value)
    query = f"&notice={notice}" if notice else ""
    return DocumentRow(
        name=name,
        href=f"{href}?format=html{query}",
        pdf_href=f"{href}?format=pdf{query}",
        missing=missing_items(incident, kind, lang),
    )


def document_panel(soc: CitySoc, incident: Incident, lang: Lang) -> DocumentPanel:
    """The incident's documents in workflow order; one notification row per notice filed
    (one, still a draft, before the first)."""
    t = labels(lang)
    notices = [
        _row(
            incident,
            DocumentKind.NOTIFICATION,
            f"{t['notification']}（{t[n.kind.value]}，{t['notice_number'].format(n=number)}）",
            lang,
            number,
        )
        for number, n in enumerate(incident.notifications, start=1)
    ] or [_row(incident, DocumentKind.NOTIFICATION, t["notification"], lang, None)]
    others = [
        _row(incident, kind, t[kind.value], lang, None)
        for kind in (DocumentKind.RECOVERY, DocumentKind.INVESTIGATION, DocumentKind.REVIEW)
    ]
    agency = soc.registry.get(incident.organization_id)
    return DocumentPanel(
        rows=notices + others,
        event_name=default_event_name(incident, agency.name_zh, lang),
        categories=list(IncidentCategory),
        ioc_types=list(IoCType),
    )


@router.get(DOCUMENT)
def document(
    incident_id: str,
    kind: DocumentKind,
    request: Request,
    soc: Soc,
    session: Session,
    format: Literal["html", "pdf"] = "html",  # noqa: A002 - the query parameter's name
    notice: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """One document in the page's language: HTML to read, a PDF to file (a download)."""
    found = service.get_incident(store=soc.store, actor=session.who, incident_id=incident_id)
    doc = build_document(
        kind,
        found,
        registry=soc.registry,
        now=soc.clock.now(),
        lang=lang_of(request),
        notice=notice,
    )
    headers = {"Content-Disposition": f'attachment; filename="{file_name(doc, format)}"'}
    return Response(
        encode_page(render_html(doc), format),
        media_type=MEDIA_TYPES[format],
        headers=headers if format == "pdf" else None,
    )
