"""Reports as bytes: a template rendered with the one environment (reports.templating), as
HTML or as a PDF."""

from reports.templating import REPORT_TEMPLATES, environment

__all__ = ["MEDIA_TYPES", "encode_page", "render", "to_pdf"]


def render(template: str, context: dict[str, object]) -> str:
    return environment().get_template(template).render(**context)


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

    pdf: bytes = HTML(string=html, base_url=str(REPORT_TEMPLATES)).write_pdf()
    return pdf
