"""Index mappings and templates as data: the event template and one explicit mapping per
record kind."""

from __future__ import annotations

from typing import Any

KEYWORD_LIMIT = 8191  # characters; longer strings are kept in _source but not indexed
IP_FIELDS = ("source.ip", "destination.ip", "client.ip", "server.ip", "host.ip")
# from/size paging reaches this deep into record indices (their max_result_window; the
# default 10,000 is a page 200 of the alert queue); past it, search_after over sort values.
RESULT_WINDOW = 200_000

ADDRESS_FIELDS = r"(?i)^.*(ip|ipaddress|address|addr)$"  # names whose values may be addresses
_KEYWORD: dict[str, Any] = {
    "type": "keyword",
    "normalizer": "lowercase",
    "ignore_above": KEYWORD_LIMIT,
}
_IP: dict[str, Any] = {"type": "ip", "ignore_malformed": True}

EVENT_TEMPLATE: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
    "mappings": {
        "subobjects": False,
        "dynamic_templates": [
            {
                "addresses": {  # keyword for wildcards, plus an ip sub-field for CIDR rules
                    "match_mapping_type": "string",
                    "match_pattern": "regex",
                    "match": ADDRESS_FIELDS,
                    "mapping": {**_KEYWORD, "fields": {"ip": _IP}},
                }
            },
            {
                "strings": {
                    "match_mapping_type": "*",
                    "mapping": {
                        "type": "keyword",
                        "normalizer": "lowercase",
                        "ignore_above": KEYWORD_LIMIT,
                    },
                }
            },
        ],
        "properties": {
            "pos": {"type": "long"},
            "@timestamp": {"type": "date"},
            "event.ingested": {"type": "date"},  # core.events.INGESTED_FIELD
            "event.id": {"type": "keyword"},
            "event.dataset": {"type": "keyword"},
            "organization.id": {"type": "keyword"},
            **{f: {**_KEYWORD, "fields": {"ip": _IP}} for f in IP_FIELDS},
        },
    },
}


def _keyword(*names: str) -> dict[str, Any]:
    return {n: {"type": "keyword"} for n in names}


def _stored(name: str = "doc") -> dict[str, Any]:
    return {name: {"type": "keyword", "index": False, "doc_values": False}}


WINDOW = {"max_result_window": RESULT_WINDOW}

# Record kinds: index suffix -> explicit properties (dynamic mapping is off for these).
RECORDS: dict[str, dict[str, Any]] = {
    "meta": {"value": {"type": "long"}},
    "dead-letters": {
        "id": {"type": "long"},
        "received_at": {"type": "date"},
        **_keyword("source", "position"),
        **_stored("reason"),
        **_stored("raw"),
    },
    "alerts": {
        **_keyword("id", "rule_id", "severity", "org", "host", "group_key", "status"),
        **_keyword("incident_id", "rule_title", "assignee", "event_id"),
        "created_at": {"type": "date"},
        "event_at": {"type": "date"},
        **_stored(),
    },
    "incidents": {**_keyword("id", "org"), "version": {"type": "long"}, **_stored()},
    "audit": {
        "seq": {"type": "long"},
        "at": {"type": "keyword"},
        **_keyword("actor", "action", "subject", "prev_hash", "hash"),
        **_stored("detail"),
    },
    "checkpoints": {"key": {"type": "keyword"}, "value": {"type": "long"}},
    "cache": {"key": {"type": "keyword"}, **_stored("value")},
    "assets": {
        **_keyword("address", "organization_id"),
        "hostname": {"type": "keyword"},
        **_stored(),
    },
    "asset-changes": {"id": {"type": "long"}, **_keyword("organization_id"), **_stored()},
    "scans": {"id": {"type": "long"}, **_keyword("target", "organization_id"), **_stored()},
    "drills": {**_keyword("id", "org"), **_stored()},
    "users": {**_keyword("username"), **_stored()},
    "tokens": {**_keyword("id", "username", "hash"), **_stored()},
    "sessions": {**_keyword("hash", "username"), **_stored()},
    "taxii-objects": {
        "seq": {"type": "long"},
        **_keyword("collection", "id", "type", "version", "date_added", "tlp"),
        **_stored(),
    },
    "taxii-status": {**_stored()},
    "watchlist": {**_keyword("id", "partner"), **_stored()},
    "saved-searches": {**_keyword("id", "owner"), "shared": {"type": "boolean"}, **_stored()},
    "messages": {
        **_keyword("id", "status"),
        "created_at": {"type": "date"},
        "next_attempt_at": {"type": "date"},
        **_stored(),
    },
    "rule-settings": {**_keyword("kind", "key"), **_stored()},
    "rule-runs": {**_keyword("id"), "at": {"type": "date"}, **_stored()},
}
