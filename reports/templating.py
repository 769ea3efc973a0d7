"""The one Jinja2 environment, for the pages (``api/templates``) and the reports
(``reports/templates``): autoescaped, strict about undefined names, with the ROC-date and
Taipei-time filters and the text-field limits."""

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core import limits
from core.clock import roc_date, taipei_datetime
from core.i18n import Lang, labels, localized
from core.i18n.messages import term

__all__ = ["FOLDERS", "PAGE_TEMPLATES", "REPORT_TEMPLATES", "environment", "render_in"]

_ROOT = Path(__file__).resolve().parent.parent
REPORT_TEMPLATES = _ROOT / "reports" / "templates"
# The pages' folder is only named here (a path, not an import): reports never import api.
PAGE_TEMPLATES = _ROOT / "api" / "templates"
FOLDERS = (REPORT_TEMPLATES, PAGE_TEMPLATES)  # one namespace: no name may be in both


def _roc(value: datetime | None, with_time: bool = True) -> str:
    return roc_date(value, with_time=with_time) if value else ""


def _taipei(value: datetime | None) -> str:
    return taipei_datetime(value) if value else ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(FOLDERS),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["roc"] = _roc
    env.filters["taipei"] = _taipei
    env.globals["limits"] = limits  # text fields' maxlength, from the API's table
    env.globals["localized"] = localized  # a name or a (zh, en) pair in the page's language
    env.globals["term"] = term  # a code (state, severity, audit action) as the catalogue says it
    return env


def render_in(lang: Lang, template: str, **context: object) -> str:
    """A template in one language: its labels as ``t`` and the language as ``lang``."""
    return environment().get_template(template).render(t=labels(lang), lang=lang, **context)
