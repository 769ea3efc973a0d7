"""The Elasticsearch engine: the same storage interface on indices CitySOC creates itself.

Layout (``<p>`` is the index prefix, ``citysoc`` by default):

* ``<p>-events-000001``, ``-000002``, ... behind the write alias ``<p>-events`` (roll it over
  by age or size, then delete old indices, for retention), from the index template
  ``<p>-events``: flat dotted ECS names (``subobjects: false``), every string a ``keyword``
  with the built-in ``lowercase`` normalizer (Sigma matching is case-insensitive, as on
  SQLite), addresses as ``ip`` (CIDR queries), ``@timestamp`` a date, ``event.original``
  kept whole in ``_source``. The event id is the document id and documents are created,
  never overwritten, so re-reading a file adds nothing.
* one index per other record kind (alerts, incidents, audit, ...), documents keyed as the
  SQLite tables are.

Detections need a total order of arrival: each event gets a ``pos`` from a counter document
(reserved a batch at a time under a lock, so positions become visible in order). Incidents use
``if_seq_no``/``if_primary_term``; the audit chain appends with ``op_type=create`` on the next
sequence number, so two writers cannot both extend the same link. When the node cannot be
reached during ingest, event batches wait in a durable spool on disk (see ``spool``) and are
written, idempotently, when it returns.

The rooms: ``store`` (ElasticStore: client, index set-up, shared helpers, event writes),
``client`` (connection, error translation, the sub-store base), ``mappings`` (index mappings
as data), ``spool``, and one module per sub-store with the same name as on SQLite.
"""

from core.storage.elasticsearch.store import ElasticStore

__all__ = ["ElasticStore"]
