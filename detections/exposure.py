"""Exposure findings: open ports and services the city's policy says should not be there.

The policy is data (``exposure_policy.yaml``, or CITYSOC_EXPOSURE_POLICY_FILE); findings are
ordinary alerts (rule id ``RULE_PREFIX`` + the policy rule's id) in the analysts' queue.

A finding's severity is capped at the policy's ``max_alert_severity`` (medium by default):
an open port is a weakness to fix, not evidence that an incident happened. Whatever its
severity, auto-triage never escalates a finding by itself
(incidents.triage.may_escalate_by_itself); an analyst escalates what matters.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.alerts import Alert, MatchedEvent, Severity
from core.assets import Asset, OpenPort, criticality
from core.config_files import load_yaml_model
from core.events import Event
from detections.runner import group_key_for

__all__ = [
    "DEFAULT_POLICY",
    "FINDING_SEVERITY",
    "RULE_PREFIX",
    "ExposurePolicy",
    "ExposureRule",
    "Finding",
    "finding_alert",
]

DEFAULT_POLICY = Path(__file__).resolve().parent / "exposure_policy.yaml"
FINDING_SEVERITY = Severity.MEDIUM  # the default cap; the policy file may set another
RULE_PREFIX = "exposure:"  # of every finding's rule id
_ORDER = list(Severity)
_DAY = timedelta(days=1)  # one candidate incident per rule, host and day of scanning


class ExposureRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    severity: Severity
    ports: tuple[int, ...] = ()
    product: str | None = None
    version: str | None = None
    tags: tuple[str, ...] = ()

    @field_validator("product", "version")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    def matches(self, port: OpenPort) -> bool:
        if self.ports and port.port not in self.ports:
            return False
        if self.product and not re.search(self.product, port.product, re.IGNORECASE):
            return False
        if self.version and not re.search(self.version, port.version, re.IGNORECASE):
            return False
        return bool(self.ports or self.product or self.version)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: ExposureRule
    asset: Asset
    port: OpenPort
    severity: Severity


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_alert_severity: Severity = FINDING_SEVERITY
    rules: list[ExposureRule]


class ExposurePolicy:
    def __init__(
        self, rules: list[ExposureRule], *, max_alert_severity: Severity = FINDING_SEVERITY
    ) -> None:
        self.rules = rules
        self.max_alert_severity = max_alert_severity

    @classmethod
    def load(cls, path: Path = DEFAULT_POLICY) -> "ExposurePolicy":
        """Raises ConfigError naming the file and the rule at fault."""
        parsed = load_yaml_model(path, _PolicyFile, "exposure policy")
        return cls(parsed.rules, max_alert_severity=parsed.max_alert_severity)

    def findings(self, asset: Asset, port: OpenPort) -> list[Finding]:
        """The rule's severity, raised for core systems and critical infrastructure, then
        capped at ``max_alert_severity``."""
        bump = 2 if asset.critical_infrastructure else 1 if asset.core_system else 0
        cap = _ORDER.index(self.max_alert_severity)
        out = []
        for rule in self.rules:
            if rule.matches(port):
                severity = _ORDER[min(_ORDER.index(rule.severity) + bump, cap)]
                out.append(Finding(rule, asset, port, severity))
        return out


def finding_alert(finding: Finding, event: Event, *, now: datetime) -> Alert:
    rule_id = f"{RULE_PREFIX}{finding.rule.id}"
    asset = finding.asset
    where = "核心系統" if asset.core_system else "一般主機"
    if asset.critical_infrastructure:
        where = "關鍵基礎設施核心系統"
    host = asset.hostname or asset.address
    return Alert(
        id=hashlib.sha256(f"{rule_id}\x00{event.event_id}".encode()).hexdigest()[:32],
        rule_id=rule_id,
        rule_title=f"{finding.rule.title}: {finding.port.label}",
        severity=finding.severity,
        tags=finding.rule.tags,
        author="CitySOC exposure policy",
        rule_source=str(DEFAULT_POLICY.name),
        organization_id=asset.organization_id,
        host_name=host,
        event=MatchedEvent(
            event_id=event.event_id,
            timestamp=event.timestamp,
            message=f"{host} ({asset.address}, {where}) {finding.port.label}",
        ),
        created_at=now,
        group_key=group_key_for(rule_id, asset.organization_id, host, now, window=_DAY),
        asset_criticality=criticality(asset),
        attack=tuple(
            t.split(".", 1)[1].upper()
            for t in finding.rule.tags
            if t.lower().startswith("attack.t")
        ),
    )
