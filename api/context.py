"""The composition root: one place that wires settings to store, registry, rules and clock."""

import getpass
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Self

from collectors.ingest import Ingestor
from collectors.scan_targets import ScanScope
from core import audit
from core.access import SYSTEM, Actor, Role
from core.agencies import AgencyRegistry
from core.alerts import Severity
from core.audit_anchors import Anchor, AnchorLog, AnchorMismatchError
from core.clock import Clock, SystemClock
from core.errors import RuleError
from core.health import HealthRegistry
from core.private_files import tighten_tree
from core.settings import Settings
from core.storage import Store, open_store
from detections.compile import CompiledRule, CompileReport, compile_rule_dirs
from detections.exposure import ExposurePolicy
from detections.grouping import AlertGrouping
from detections.indicators import RULE_PREFIX
from detections.rule_catalogue import RulePack
from detections.rule_runs import record_run
from detections.rule_settings import RuleSettings
from detections.rule_uploads import uploaded_rules
from detections.runner import DetectionReport, run_detections
from incidents import evidence
from incidents.models import EvidenceFile, Incident
from incidents.sharing.outgoing import Publication, publish
from incidents.sharing.partners import PartnerRegistry
from incidents.sharing.preview import SharePreview, ShareRequest, preview_share
from incidents.sharing.pull import PullLimits
from incidents.sharing.watchlist import list_indicators, watch_rule
from incidents.triage import TriageReport, auto_triage

__all__ = ["CitySoc", "ProcessReport", "local_operator"]

log = logging.getLogger("citysoc.audit")


def local_operator() -> Actor:
    """Whoever runs the CLI on the SOC host acts as an administrator under their own name."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "operator"
    return Actor(f"cli:{name}", Role.ADMIN)


@dataclass(frozen=True, slots=True)
class ProcessReport:
    detection: DetectionReport
    triage: TriageReport


class CitySoc:
    """A running CitySOC: settings, store, agency registry, compiled rules, clock."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.registry = AgencyRegistry.load(settings.agencies_file)
        self.store: Store = open_store(settings)
        tighten_tree(settings.evidence_path)  # left open to others by an older version
        self.anchors = AnchorLog(
            key_file=settings.audit_key_path, anchor_file=settings.audit_anchor_path
        )
        self._anchor_refused: str | None = None
        self._rules: CompileReport | None = None
        self._pack: RulePack | None = None
        self.scope = ScanScope.load(settings.scan_targets_file, self.registry)
        self.policy = ExposurePolicy.load(settings.exposure_policy_file)
        self.partners = PartnerRegistry.load(settings.partners_file)
        self._process_lock = threading.Lock()
        # Background workers (syslog, ...) register here; readiness reads it.
        self.health = HealthRegistry()
        # Indicator rules by (id, version, sweep start): the detection loop asks every few
        # seconds, and only a new or changed indicator needs the compile cache or pySigma.
        self._indicator_rules: dict[tuple[str, str, datetime], CompiledRule] = {}

    @property
    def pull_limits(self) -> PullLimits:
        """What one pull of one partner may take (read on each use: settings may change)."""
        s = self.settings
        return PullLimits(
            connect_timeout=s.share_pull_connect_timeout,
            read_timeout=s.share_pull_read_timeout,
            max_pages=s.share_pull_max_pages,
            max_objects=s.share_pull_max_objects,
            max_page_bytes=s.taxii_max_content_length,
        )

    def ingestor(self) -> Ingestor:
        return Ingestor(
            self.store,
            self.registry,
            batch_size=self.settings.ingest_batch_size,
            max_record_bytes=self.settings.max_record_bytes,
            clock=self.clock,
            event_time_min=self.settings.event_time_min,
            event_time_max_ahead=timedelta(hours=self.settings.event_time_max_ahead_hours),
        )

    def rules(self, progress: Callable[[int], None] | None = None) -> CompileReport:
        if self._rules is None:
            self._rules = compile_rule_dirs(
                self.settings.rule_dirs, store=self.store, progress=progress
            )
        return self._rules

    def rule_pack(self) -> RulePack:
        """The packs' rules as the catalogue shows them (read once, like ``rules``)."""
        if self._pack is None:
            self._pack = RulePack.load(self.settings.rule_dirs, self.rules())
        return self._pack

    def watchlist_rules(self) -> tuple[list[CompiledRule], dict[str, str]]:
        """Partners' indicators valid now, as rules (expired or revoked ones stop matching),
        and the indicators that could not be compiled, with the reason."""
        now = self.clock.now()
        rules: list[CompiledRule] = []
        failed: dict[str, str] = {}
        for watched in list_indicators(self.store):
            if not watched.active(now):
                continue
            known = self._indicator_rules.get((watched.id, watched.version, watched.sweep_from))
            if known is not None:
                rules.append(known)
                continue
            try:
                rule = watch_rule(watched, partners=self.partners, store=self.store)
            except RuleError as exc:
                failed[f"{RULE_PREFIX}{watched.id}"] = exc.message
                continue
            self._indicator_rules[(watched.id, watched.version, watched.sweep_from)] = rule
            rules.append(rule)
        return rules, failed

    def process(
        self,
        *,
        min_severity: Severity = Severity.HIGH,
        progress: Callable[[int], None] | None = None,
    ) -> ProcessReport:
        """Run detections over new events, then group new alerts into suspected cases."""
        with self._process_lock:
            indicator_rules, unusable = self.watchlist_rules()
            # Switches and exceptions people set (detections.rule_settings), read per run.
            tuning = RuleSettings.load(self.store, self.clock.now())
            rules = [*self.rules().compiled, *uploaded_rules(self.store), *indicator_rules]
            detection = run_detections(
                self.store,
                rules,
                clock=self.clock,
                grouping=AlertGrouping.from_settings(self.settings),
                progress=progress,
                disabled=tuning.disabled_ids(rules),
                suppress=tuning.suppresses,
            )
            record_run(self.store, detection, self.clock.now())
            detection.failed.update(unusable)
            triage = auto_triage(
                store=self.store,
                actor=SYSTEM,
                registry=self.registry,
                clock=self.clock,
                min_severity=min_severity,
            )
        return ProcessReport(detection, triage)

    def preview_share(self, actor: Actor, request: ShareRequest) -> SharePreview:
        """Exactly what sharing ``request`` would send, with this SOC's registries."""
        return preview_share(
            store=self.store,
            actor=actor,
            registry=self.registry,
            partners=self.partners,
            incident_id=request.incident_id,
            iocs=request.iocs,
            summary=request.summary,
            tlp=request.tlp,
            include_incident_iocs=request.include_incident_iocs,
        )

    def publish_share(self, actor: Actor, request: ShareRequest, *, confirm: str) -> Publication:
        """Publish the preview of ``request`` whose digest the person confirmed."""
        return publish(
            store=self.store,
            actor=actor,
            registry=self.registry,
            partners=self.partners,
            incident_id=request.incident_id,
            iocs=request.iocs,
            summary=request.summary,
            tlp=request.tlp,
            include_incident_iocs=request.include_incident_iocs,
            confirm=confirm,
            clock=self.clock,
        )

    def attach_evidence(
        self, actor: Actor, incident_id: str, *, filename: str, data: bytes, note: str
    ) -> Incident:
        """Evidence with this SOC's evidence folder and size limit (incidents.evidence)."""
        return evidence.add_evidence(
            store=self.store,
            actor=actor,
            incident_id=incident_id,
            filename=filename,
            data=data,
            note=note,
            root=self.settings.evidence_path,
            max_bytes=self.settings.max_evidence_bytes,
            clock=self.clock,
        )

    def evidence_file(
        self, actor: Actor, incident_id: str, digest: str
    ) -> tuple[EvidenceFile, Path]:
        """An evidence file's record and stored path, for someone who may see the incident
        (the caller answers with api.uploads.evidence_response)."""
        return evidence.open_evidence(
            store=self.store,
            actor=actor,
            incident_id=incident_id,
            digest=digest,
            root=self.settings.evidence_path,
        )

    def verify_audit(self, *, actor: Actor, reason: str = "verify") -> audit.AuditVerification:
        """The audit chain checked against its anchors (and anchored, if it holds); a person
        must be an audit reader (the counts cover every agency)."""
        return audit.verify_for(
            self.store, actor=actor, anchors=self.anchors, now=self.clock.now(), reason=reason
        )

    def anchor_audit(self, reason: str) -> Anchor | None:
        """Anchor the audit chain's head if it grew; a chain that no longer extends the
        latest anchor is logged (verification reports it) and left unanchored."""
        try:
            return self.anchors.anchor(self.store, reason=reason, now=self.clock.now())
        except AnchorMismatchError as exc:
            if exc.message != self._anchor_refused:  # serve asks every few seconds: say it once
                log.error("audit chain not anchored: %s", exc.message)
            self._anchor_refused = exc.message
            return None

    def close(self) -> None:
        """Anchor what this process wrote to the audit trail (each CLI command), then close."""
        try:
            self.anchor_audit("close")
        except Exception as exc:  # noqa: BLE001 - best effort: the store may be gone already
            # (closed, unreachable) or the anchor file unwritable; the next occasion anchors.
            log.error("audit chain not anchored on close: %s: %s", type(exc).__name__, exc)
        finally:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
