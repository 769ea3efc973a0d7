"""pySigma's Lucene backend, aimed at CitySOC's Elasticsearch event mapping.

Address-like fields are keywords (so Sigma's wildcards work on them) with an ``ip``
sub-field (``<field>.ip``, see core.storage.elasticsearch.mappings.EVENT_TEMPLATE); CIDR
conditions query that sub-field, as SQLite matches them by address prefix.
"""

from typing import ClassVar

from sigma.backends.elasticsearch.elasticsearch_lucene import LuceneBackend

__all__ = ["CitySocLuceneBackend"]


class CitySocLuceneBackend(LuceneBackend):
    name: ClassVar[str] = "CitySOC Lucene backend"
    cidr_expression: ClassVar[str] = "{field}.ip:{network}\\/{prefixlen}"
