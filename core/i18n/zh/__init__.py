"""The label catalogue in Traditional Chinese (zh-TW), the default language. Every key
here is in core/i18n/en/ too, with the same {placeholders} (tests/test_i18n.py).

One module per concept (pages, terms, errors, casework, people, documents, exports); a key
stands in one of them only (``merged`` refuses a key given twice)."""

from core.i18n.catalogue import merged
from core.i18n.zh.casework import ZH_CASEWORK
from core.i18n.zh.documents import ZH_DOCUMENTS
from core.i18n.zh.errors import ZH_ERRORS
from core.i18n.zh.exports import ZH_EXPORTS
from core.i18n.zh.ingest import ZH_INGEST
from core.i18n.zh.operations import ZH_OPERATIONS
from core.i18n.zh.pages import ZH_PAGES
from core.i18n.zh.people import ZH_PEOPLE
from core.i18n.zh.queue import ZH_QUEUE
from core.i18n.zh.rules import ZH_RULES
from core.i18n.zh.search import ZH_SEARCH
from core.i18n.zh.sources import ZH_SOURCES
from core.i18n.zh.terms import ZH_TERMS
from core.i18n.zh.trends import ZH_TRENDS

__all__ = ["ZH"]

ZH: dict[str, str] = merged(
    ZH_CASEWORK,
    ZH_DOCUMENTS,
    ZH_ERRORS,
    ZH_EXPORTS,
    ZH_INGEST,
    ZH_OPERATIONS,
    ZH_PAGES,
    ZH_PEOPLE,
    ZH_QUEUE,
    ZH_RULES,
    ZH_SOURCES,
    ZH_SEARCH,
    ZH_TERMS,
    ZH_TRENDS,
)
