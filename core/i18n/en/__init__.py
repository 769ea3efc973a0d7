"""The label catalogue in English. Every key here is in core/i18n/zh/ too, with the same
{placeholders} (tests/test_i18n.py).

One module per concept (pages, terms, errors, casework, people, documents, exports); a key
stands in one of them only (``merged`` refuses a key given twice)."""

from core.i18n.catalogue import merged
from core.i18n.en.casework import EN_CASEWORK
from core.i18n.en.documents import EN_DOCUMENTS
from core.i18n.en.errors import EN_ERRORS
from core.i18n.en.exports import EN_EXPORTS
from core.i18n.en.ingest import EN_INGEST
from core.i18n.en.operations import EN_OPERATIONS
from core.i18n.en.pages import EN_PAGES
from core.i18n.en.people import EN_PEOPLE
from core.i18n.en.queue import EN_QUEUE
from core.i18n.en.rules import EN_RULES
from core.i18n.en.search import EN_SEARCH
from core.i18n.en.sources import EN_SOURCES
from core.i18n.en.terms import EN_TERMS
from core.i18n.en.trends import EN_TRENDS

__all__ = ["EN"]

EN: dict[str, str] = merged(
    EN_CASEWORK,
    EN_DOCUMENTS,
    EN_ERRORS,
    EN_EXPORTS,
    EN_INGEST,
    EN_OPERATIONS,
    EN_PAGES,
    EN_PEOPLE,
    EN_QUEUE,
    EN_RULES,
    EN_SOURCES,
    EN_SEARCH,
    EN_TERMS,
    EN_TRENDS,
)
