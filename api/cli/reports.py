"""`citysoc report`: statutory documents, their gaps, compliance and drill reports, and
the alert queue and incident list as spreadsheets."""

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc, page_format, write_file
from api.context import local_operator
from api.terminal import safe
from core.alerts import AlertQuery, AlertStatus, Severity
from core.errors import InputError
from core.i18n import Lang
from core.time_range import check_day
from incidents import service
from reports import listings
from reports.documents import DocumentKind, build_document, missing_items, render_html
from reports.render import encode_page

__all__ = ["report_app"]

report_app = typer.Typer(help="Statutory documents and compliance reports.", no_args_is_help=True)


@report_app.command("document")
def report_document(
    kind: Annotated[DocumentKind, typer.Argument(help="which statutory document")],
    incident_id: str,
    out: Annotated[Path, typer.Option(help="file to write (.html or .pdf)")],
    lang: Annotated[str, typer.Option(help="zh (Traditional Chinese) or en")] = "zh",
    notice: Annotated[
        int | None,
        typer.Option(min=1, help="which notice of the notification: 1 = 初次通報; default latest"),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Render one incident's notification, recovery notice, investigation report or review."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("lang must be zh or en")
    with open_soc(store) as soc:
        found = service.get_incident(
            store=soc.store, actor=local_operator(), incident_id=incident_id
        )
        doc = build_document(
            kind,
            found,
            registry=soc.registry,
            now=soc.clock.now(),
            lang="zh" if lang == "zh" else "en",
            notice=notice,
        )
        write_file(out, encode_page(render_html(doc), page_format(out)))
        console.print(
            f"wrote {out}"
            + (f" [red](missing: {safe(', '.join(doc.missing))})[/]" if doc.missing else "")
        )


@report_app.command("check")
def report_check(incident_id: str, store: StoreOpt = None) -> None:
    """List what each statutory document of an incident still lacks; exit 1 if anything."""
    with open_soc(store) as soc:
        found = service.get_incident(
            store=soc.store, actor=local_operator(), incident_id=incident_id
        )
        gaps = {k: missing_items(found, k) for k in DocumentKind}
        for kind, items in gaps.items():
            mark = (
                "[green]complete[/]" if not items else "[red]missing:[/] " + safe("、".join(items))
            )
            console.print(f"{kind.value}: {mark}")
        if any(gaps.values()):
            raise typer.Exit(1)


@report_app.command("compliance")
def report_compliance(
    start: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (Taipei)")],
    end: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD (Taipei)")],
    out: Annotated[Path, typer.Option(help="file to write: .html .pdf .csv .xlsx or .json")],
    agency: Annotated[str | None, typer.Option(help="one agency; default city-wide")] = None,
    lang: Annotated[str, typer.Option(help="zh or en: headers, names and labels")] = "zh",
    store: StoreOpt = None,
) -> None:
    """Statutory clocks met or missed, overdue items, time to detect and recover, audit check."""
    from datetime import date

    from reports import compliance

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        check_day(first, "--from")
        check_day(last, "--to")
    except ValueError as exc:
        raise typer.BadParameter(f"dates must be YYYY-MM-DD: {exc}") from exc
    except InputError as exc:
        raise typer.BadParameter(exc.message) from None
    if last < first:
        raise typer.BadParameter("--to is before --from")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in compliance.EXPORT_FORMATS:
        raise typer.BadParameter("--out must end in .html, .pdf, .csv, .xlsx or .json")
    language = _language(lang)
    with open_soc(store) as soc:
        report = compliance.build_compliance(
            store=soc.store,
            anchors=soc.anchors,
            actor=local_operator(),
            registry=soc.registry,
            start=first,
            end=last,
            now=soc.clock.now(),
            agency=agency,
        )
        write_file(out, compliance.export(report, fmt, registry=soc.registry, lang=language))
    console.print(
        f"wrote {out}: {report.incidents} incidents ({report.clock_summary()}), "
        f"{len(report.open_overdue)} open "
        f"overdue items, audit trail {'intact' if report.audit_ok else 'BROKEN'}"
        + (f" (anchor #{report.audit_anchor.number})" if report.audit_anchor else "")
    )


def _language(lang: str) -> Lang:
    if lang not in ("zh", "en"):
        raise typer.BadParameter("--lang must be zh or en")
    return "en" if lang == "en" else "zh"


def _sheet_format(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in listings.LISTING_FORMATS:
        raise typer.BadParameter("--out must end in .csv or .xlsx")
    return fmt


SheetLang = Annotated[str, typer.Option(help="zh or en: headers, names and labels")]


@report_app.command("alerts")
def report_alerts(
    out: Annotated[Path, typer.Option(help="file to write: .csv or .xlsx")],
    agency: Annotated[str | None, typer.Option(help="agency code")] = None,
    status: Annotated[
        AlertStatus | None, typer.Option(help="new, false_positive, escalated")
    ] = None,
    severity: Annotated[Severity | None, typer.Option(help="informational ... critical")] = None,
    lang: SheetLang = "zh",
    store: StoreOpt = None,
) -> None:
    """The alert queue as a spreadsheet, newest first, times in Taipei."""
    fmt, language = _sheet_format(out), _language(lang)
    query = AlertQuery(organization_id=agency, status=status, severity=severity, newest_first=True)
    with open_soc(store) as soc:
        data = listings.export_alerts(
            soc.store,
            actor=local_operator(),
            query=query,
            registry=soc.registry,
            lang=language,
            fmt=fmt,
        )
        write_file(out, data)
    console.print(f"wrote {out}")


@report_app.command("incidents")
def report_incidents(
    out: Annotated[Path, typer.Option(help="file to write: .csv or .xlsx")],
    lang: SheetLang = "zh",
    store: StoreOpt = None,
) -> None:
    """Every incident and suspected case as a spreadsheet, with the next statutory clock."""
    fmt, language = _sheet_format(out), _language(lang)
    with open_soc(store) as soc:
        data = listings.export_incidents(
            soc.store,
            actor=local_operator(),
            registry=soc.registry,
            lang=language,
            fmt=fmt,
            now=soc.clock.now(),
        )
        write_file(out, data)
    console.print(f"wrote {out}")


@report_app.command("drill")
def report_drill(
    drill_id: str,
    out: Annotated[Path, typer.Option(help=".html or .pdf")],
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    store: StoreOpt = None,
) -> None:
    """The drill implementation and result report (執行情形及成果報告)."""
    from incidents.drills import get_drill
    from reports.documents import render_drill_html

    language: Lang = "en" if lang == "en" else "zh"
    with open_soc(store) as soc:
        drill = get_drill(store=soc.store, actor=local_operator(), drill_id=drill_id)
        html = render_drill_html(drill, registry=soc.registry, now=soc.clock.now(), lang=language)
        write_file(out, encode_page(html, page_format(out)))
        console.print(f"wrote {out}")
