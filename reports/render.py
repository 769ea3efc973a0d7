"""The one Jinja2 environment: autoescaped, with ROC-date and Taipei-time filters."""

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.clock import TAIPEI, roc_date

__all__ = ["environment", "render", "to_pdf"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _roc(value: datetime | None, with_time: bool = True) -> str:
    return roc_date(value, with_time=with_time) if value else ""


def _taipei(value: datetime | None) -> str:
    return value.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M") if value else ""


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


def to_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint; CJK text uses Debian's Noto CJK fonts (fonts-noto-cjk)."""
    from weasyprint import HTML  # imported here: it loads Pango, which the CLI rarely needs

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf
