"""Partners' indicators as detection rules, so the one runner sweeps them like any rule.

Each indicator becomes a Sigma rule over the ECS fields where its kind of value appears,
compiled by the same backend and pipeline as every other rule; its checkpoint starts at
zero, so the first run is the retro-hunt (bounded by ``sweep_from``) and later runs see
only new events. Alerts carry the partner and the indicator id in their tags, and their
rule id starts with ``RULE_PREFIX``.

A partner's hit is ``PARTNER_SEVERITY`` (medium) unless the partner registry sets the
partner's ``max_alert_severity``: another city's indicator (often a widely used address)
is a lead, not proof of an incident in our agency. Whatever its severity, auto-triage
never escalates such a group by itself (incidents.triage.may_escalate_by_itself); an
analyst escalates what matters.
"""

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from core.alerts import Severity
from core.storage.base import Store
from detections.compile import CompiledRule, compile_rule_dict
from detections.dialects import dialect_for
from detections.pipeline import PIPELINE_VERSION

__all__ = ["FIELDS_BY_KIND", "PARTNER_SEVERITY", "RULE_PREFIX", "indicator_rule"]

PARTNER_SEVERITY = Severity.MEDIUM  # the default; a partner's entry may set another
RULE_PREFIX = "ioc:"  # of every partner-indicator rule id (and so of its alerts)

_IP_FIELDS = [
    "source.ip",
    "destination.ip",
    "client.ip",
    "server.ip",
    "host.ip",
    "winlog.event_data.SourceIp",
    "winlog.event_data.DestinationIp",
    "winlog.event_data.IpAddress",
]
# Where each kind of value shows up in our normalized events.
FIELDS_BY_KIND: dict[str, list[str]] = {
    "ipv4": _IP_FIELDS,
    "ipv6": _IP_FIELDS,
    "filename": ["file.name", "process.name"],
    "domain": [
        "dns.question.name",
        "url.domain",
        "destination.domain",
        "winlog.event_data.QueryName",
        "winlog.event_data.DestinationHostname",
    ],
    "url": ["url.original", "url.full"],
    "sha256": ["file.hash.sha256", "process.hash.sha256"],
    "sha1": ["file.hash.sha1", "process.hash.sha1"],
    "md5": ["file.hash.md5", "process.hash.md5"],
    "email": ["email.from.address", "email.to.address", "user.email", "source.user.email"],
}
# Kinds distinctive enough to also look for anywhere in the original record (syslog lines,
# proxy logs); bare IP addresses are not (10.1.1.1 is inside 10.1.1.10).
_KEYWORD_KINDS = {"domain", "url", "sha256", "sha1", "md5", "email"}
_SYSMON_HASH = {"sha256": "SHA256", "sha1": "SHA1", "md5": "MD5"}


def _escape(value: str) -> str:
    """Sigma treats * ? and \\ as special; an IoC is always literal."""
    return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _rule_dict(
    indicator_id: str,
    title: str,
    iocs: Sequence[tuple[str, str]],
    tags: Sequence[str],
    severity: Severity,
) -> dict[str, object]:
    detection: dict[str, object] = {}
    keywords: list[str] = []
    for n, (kind, value) in enumerate(iocs):
        literal = _escape(value)
        for m, field in enumerate(FIELDS_BY_KIND[kind]):
            detection[f"sel_{n}_{m}"] = {field: literal}
        if kind in _SYSMON_HASH:
            detection[f"sel_{n}_hashes"] = {
                "winlog.event_data.Hashes|contains": f"{_SYSMON_HASH[kind]}={literal}"
            }
        if kind in _KEYWORD_KINDS:
            keywords.append(literal)
    condition = "1 of sel_*"
    if keywords:
        detection["keywords"] = keywords
        condition += " or keywords"
    detection["condition"] = condition
    return {
        "title": title,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, indicator_id)),
        "status": "experimental",
        "logsource": {"category": "citysoc-indicator"},
        "detection": detection,
        "level": severity.value,
        "tags": list(tags),
    }


def indicator_rule(
    *,
    indicator_id: str,
    version: str,
    title: str,
    iocs: Sequence[tuple[str, str]],
    tags: Sequence[str],
    sweep_from: datetime,
    store: Store | None = None,
    severity: Severity = PARTNER_SEVERITY,
) -> CompiledRule:
    """The compiled rule for one indicator version; cached in the store (the condition
    only: the severity is not part of it). Raises RuleError."""
    engine = store.engine if store is not None else "sqlite"
    dialect = dialect_for(engine)
    key = hashlib.sha256(f"{indicator_id}\x00{version}\x00{sweep_from}".encode()).hexdigest()
    cache_key = f"compiled:ioc:{engine}:{PIPELINE_VERSION}:{key}"
    cached = store.checkpoints.cache_get(cache_key) if store is not None else None
    if cached is not None:
        condition = cached
    else:
        rule = _rule_dict(indicator_id, title, iocs, tags, severity)
        compiled = compile_rule_dict(rule, indicator_id, engine=engine)
        condition = dialect.both(compiled.condition, dialect.since(sweep_from))
        if store is not None:
            store.checkpoints.cache_put(cache_key, condition)
    return CompiledRule(
        rule_id=f"{RULE_PREFIX}{indicator_id}",
        title=title,
        severity=severity,
        tags=tuple(tags),
        author=None,
        references=(),
        source=f"watchlist:{indicator_id}",
        condition=condition,
        prefilter=None,
    )
