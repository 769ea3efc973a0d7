"""What an error says to a person, in the page's language.

An error with a catalogue ``key`` (core.errors) is said by its ``err_<key>`` entry, its
parameters named in the catalogue too where they are codes (``state=open`` reads as the
``state_open`` label). An error without a key is said in English by its own message, and
in Chinese by what its ``code`` means, naming the field where the catalogue knows it: a
page never shows an English sentence or an internal code in Chinese.
"""

from datetime import datetime

from core.clock import roc_date, taipei_datetime
from core.errors import CitySocError
from core.i18n import Lang, labels

__all__ = ["describe", "field_label", "term"]


def term(kind: str, value: object, lang: Lang) -> str:
    """``value`` of a kind of code (state, severity, step, action, field, ...) as the
    catalogue names it, or the value itself when it has no entry; a list or tuple as its
    terms joined."""
    if isinstance(value, list | tuple):
        return ("、" if lang == "zh" else ", ").join(term(kind, v, lang) for v in value)
    if isinstance(value, datetime):
        return roc_date(value) if lang == "zh" else taipei_datetime(value)
    if kind == "field":  # a location: by its whole self, then by its last part
        return field_label(str(value), lang) or str(value)
    return labels(lang).get(f"{kind}_{value}", str(value))


def field_label(location: str | None, lang: Lang) -> str | None:
    """The form field a location names ("body.reason" -> 理由), if the catalogue has it:
    by the whole location first, where one name means two fields ("query.to", a day; "to",
    the forward's recipient), then by its last part."""
    if not location:
        return None
    # an item of a list is named by its list ("message_kinds.0" -> message_kinds)
    location = ".".join(part for part in location.split(".") if not part.isdigit())
    t = labels(lang)
    return t.get(f"field_{location}") or t.get(f"field_{location.rsplit('.', 1)[-1]}")


def describe(error: CitySocError, lang: Lang, *, generic: bool = True) -> str:
    """The error in ``lang``. ``generic=False``: "" rather than only what the error's code
    means (an error page already says that by its status)."""
    t = labels(lang)
    said = t.get(f"err_{error.key}") if error.key else None
    if said is not None:
        return said.format(**{k: term(k, v, lang) for k, v in error.params.items()})
    if lang == "en":
        return error.message
    what = t.get(f"err_code_{error.code}", t["error_title"])
    field = field_label(error.location, lang)
    if field:
        return t["err_in_field"].format(field=field, what=what)
    return what if generic else ""
