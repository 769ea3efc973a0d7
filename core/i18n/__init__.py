"""The two languages: the label catalogue of pages, forms and reports (a package per
language: zh/, the default, and en/, each split by concept) and ``localized()`` for records
named in both."""

from typing import Literal, Protocol

from core.i18n.en import EN
from core.i18n.zh import ZH

__all__ = ["LABELS", "Lang", "Named", "labels", "localized"]

Lang = Literal["zh", "en"]

LABELS: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}


def labels(lang: Lang) -> dict[str, str]:
    return LABELS[lang]


class Named(Protocol):
    """A record named in both languages (an agency, a partner city)."""

    @property
    def name_zh(self) -> str: ...

    @property
    def name_en(self) -> str: ...


def localized(pair: Named | tuple[str, str], lang: Lang) -> str:
    """The name in ``lang``: ``pair`` is a (Chinese, English) tuple or a ``Named`` record."""
    zh, en = pair if isinstance(pair, tuple) else (pair.name_zh, pair.name_en)
    return zh if lang == "zh" else en
