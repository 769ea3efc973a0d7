"""How a page answers: a template of the one environment (reports.templating) in the
visitor's language, and the small lookups several pages share."""

from typing import TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from api.context import CitySoc
from api.errors import input_error
from api.presenters import event_href
from api.sessions import lang_of
from core.access import Actor, allowed
from core.errors import CitySocError
from core.i18n import Lang, labels, localized
from core.i18n.messages import describe
from reports.templating import render_in

__all__ = ["agency_name", "labels_for", "page", "said", "validated"]

Form_ = TypeVar("Form_", bound=BaseModel)


def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    """A page in the visitor's language; with a signed-in ``who``, the layout also gets
    ``rights`` (core.access) to decide which links to show."""
    context.setdefault("event_href", event_href)  # where an alert's event is shown
    who = context.get("who")
    if isinstance(who, Actor):
        context["rights"] = allowed(who)
    html = render_in(lang_of(request), template, **context)
    return HTMLResponse(html, status_code=status)


def labels_for(request: Request) -> dict[str, str]:
    return labels(lang_of(request))


def said(request: Request, error: CitySocError) -> str:
    """A refused form's message in the visitor's language (the API keeps the English)."""
    return describe(error, lang_of(request))


def validated(model: type[Form_], **fields: object) -> Form_:
    """A form checked with the API's model for the same action (core.limits), so the page
    refuses exactly as the API does. Raises InputError with the API's message."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise input_error(exc) from None


def agency_name(soc: CitySoc, code: str, lang: Lang) -> str:
    found = soc.registry.find(code)
    if found is None:
        return code
    return localized(found, lang)
