"""The one Jinja2 environment: autoescaped, with ROC-date and Taipei-time filters."""

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.clock import roc_date, taipei_datetime

__all__ = ["MEDIA_TYPES", "encode_page", "environment", "render", "to_pdf"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _roc(value: datetime | None, with_time: bool = True) -> str:
    return roc_date(value, with_time=with_time) if value else ""


def _taipei(value: datetime | None) -> str:
    return taipei_datetime(value) if value else ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["roc"] = _roc
    env.filters["taipei"] = _taipei
    return env


def render(template: str, context: dict[str, object]) -> str:
    return environment().get_template(template).render(**context)


def _date_only(value: datetime | None) -> str:
    return roc_date(value, with_time=False) if value else ""


MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def encode_page(html: str, fmt: str) -> bytes:
    """A rendered page as the bytes of ``fmt``: the HTML itself, or a PDF of it."""
    return to_pdf(html) if fmt == "pdf" else html.encode("utf-8")


def to_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint; CJK text uses Debian's Noto CJK fonts (fonts-noto-cjk)."""
    from weasyprint import HTML  # imported here: it loads Pango, which the CLI rarely needs

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf
