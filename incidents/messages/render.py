"""Subject and body of a message from its kind's template in the recipient's language.

Templates are plain text (``templates/<name>.<lang>.txt.j2``): the first line is the
subject, the rest the body. Undefined names fail loudly (StrictUndefined), so a template
and its caller cannot drift apart silently. No autoescaping: the text goes into an e-mail
body and a JSON string, never into HTML.
"""

from collections.abc import Mapping
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from core.i18n import Lang
from core.messages import MessageKind

__all__ = ["render", "template_name"]

_CLOCKS = {
    MessageKind.CLOCK_50,
    MessageKind.CLOCK_80,
    MessageKind.CLOCK_DUE,
    MessageKind.CLOCK_OVERDUE,
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("incidents.messages", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - plain text for e-mail and JSON, never HTML
        keep_trailing_newline=True,
    )


def template_name(kind: MessageKind, language: Lang) -> str:
    """The four clock stages share one template (the stage is a variable)."""
    return f"{'clock' if kind in _CLOCKS else kind.value}.{language}.txt.j2"


def render(kind: MessageKind, language: Lang, context: Mapping[str, object]) -> tuple[str, str]:
    """(subject, body)."""
    text = _environment().get_template(template_name(kind, language)).render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"
