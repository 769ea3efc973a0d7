"""Documents to download: an incident's statutory forms, a drill's report, the
compliance report (with its JSON schema), and the alert queue and incident list as
spreadsheets."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import ActorDep, LangDep, Soc
from api.filters import Day, alert_query
from core import limits
from core.alerts import AlertQuery
from core.clock import TAIPEI
from core.errors import InputError
from incidents import drills, service
from reports import compliance, listings
from reports.documents import (
    DocumentKind,
    build_document,
    file_name,
    render_drill_html,
    render_html,
)
from reports.render import MEDIA_TYPES, encode_page

__all__ = ["router"]

router = APIRouter()


def _file(data: bytes, fmt: str, disposition: str | None = None) -> Response:
    headers = {"Content-Disposition": disposition} if disposition else None
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/api/v1/incidents/{incident_id}/documents/{kind}", response_model=None)
def document(
    incident_id: str,
    kind: DocumentKind,
    who: ActorDep,
    soc: Soc,
    format: Literal["html", "pdf"] = "html",  # noqa: A002 - the query parameter's name
    lang: Literal["zh", "en"] = "zh",
    notice: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    found = service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
    doc = build_document(
        kind, found, registry=soc.registry, now=soc.clock.now(), lang=lang, notice=notice
    )
    disposition = f'inline; filename="{file_name(doc, format)}"'
    return _file(
        encode_page(render_html(doc), format), format, disposition if format == "pdf" else None
    )


@router.get("/api/v1/drills/{drill_id}/report", response_model=None)
def drill_report(
    drill_id: str,
    who: ActorDep,
    soc: Soc,
    format: Literal["html", "pdf"] = "html",  # noqa: A002
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    drill = drills.get_drill(store=soc.store, actor=who, drill_id=drill_id)
    html = render_drill_html(drill, registry=soc.registry, now=soc.clock.now(), lang=lang)
    return _file(encode_page(html, format), format)


@router.get("/api/v1/reports/compliance", response_model=None)
def compliance_report(
    who: ActorDep,
    soc: Soc,
    start: Annotated[Day, Query(alias="from")],
    end: Annotated[Day, Query(alias="to")],
    lang: LangDep,
    agency: Annotated[str | None, Query(max_length=limits.IDENT)] = None,
    format: Literal["json", "html", "pdf", "csv", "xlsx"] = "json",  # noqa: A002
) -> Response:
    """Headers, names and labels in ``lang`` (else the page language); JSON is for
    machines: codes, and ISO 8601 times with their offset."""
    if end < start:
        raise InputError("'to' is before 'from'", location="query.to")
    report = compliance.build_compliance(
        store=soc.store,
        anchors=soc.anchors,
        actor=who,
        registry=soc.registry,
        start=start,
        end=end,
        now=soc.clock.now(),
        agency=agency,
    )
    data = compliance.export(report, format, registry=soc.registry, lang=lang)
    attachment = f'attachment; filename="compliance-{start}-{end}.{format}"'
    return _file(data, format, attachment if format in ("pdf", "csv", "xlsx") else None)


@router.get("/api/v1/reports/compliance/schema")
def compliance_schema() -> dict[str, object]:
    return compliance.report_schema()


Sheet = Literal["csv", "xlsx"]


def _sheet(data: bytes, name: str, fmt: str, soc: Soc) -> Response:
    day = soc.clock.now().astimezone(TAIPEI).date()
    return _file(data, fmt, f'attachment; filename="{name}-{day}.{fmt}"')


@router.get("/api/v1/exports/alerts", response_model=None)
def alerts_export(
    who: ActorDep,
    soc: Soc,
    lang: LangDep,
    query: Annotated[AlertQuery, Depends(alert_query)],
    format: Sheet = "xlsx",  # noqa: A002
) -> Response:
    """The alert queue's alerts for the same filters, newest first, as a spreadsheet."""
    data = listings.export_alerts(
        soc.store, actor=who, query=query, registry=soc.registry, lang=lang, fmt=format
    )
    return _sheet(data, "alerts", format, soc)


@router.get("/api/v1/exports/incidents", response_model=None)
def incidents_export(
    who: ActorDep,
    soc: Soc,
    lang: LangDep,
    format: Sheet = "xlsx",  # noqa: A002
) -> Response:
    """The incidents and suspected cases the caller may see, with the next clock."""
    data = listings.export_incidents(
        soc.store, actor=who, registry=soc.registry, lang=lang, fmt=format, now=soc.clock.now()
    )
    return _sheet(data, "incidents", format, soc)
