"""Partners' indicators, kept with source, TLP and validity, for sweeping against events.

A new indicator is swept over the last ``retro_hunt_days`` of stored events (the
retro-hunt) and over every event that arrives while it is valid; an expired or revoked
indicator stops matching.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from core import audit
from core.access import Actor
from core.errors import InputError
from core.storage.base import Store
from detections.compile import CompiledRule
from detections.indicators import PARTNER_SEVERITY, indicator_rule
from incidents.models import IoC
from incidents.sharing.observables import from_pattern
from incidents.sharing.partners import PartnerRegistry
from incidents.sharing.timestamps import parse_stix_time, stix_time
from incidents.sharing.tlp import Tlp, tlp_of

__all__ = [
    "ImportReport",
    "WatchedIndicator",
    "import_objects",
    "list_indicators",
    "read_indicator",
    "watch_rule",
]


class WatchedIndicator(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # the STIX indicator id
    version: str  # its ``modified``, fixed-width
    name: str
    pattern: str
    iocs: tuple[IoC, ...]
    partner: str
    tlp: Tlp | None
    valid_from: datetime
    valid_until: datetime | None
    revoked: bool = False
    imported_at: datetime
    sweep_from: datetime  # events before this are not swept (the retro-hunt window)
    not_swept: str | None = None  # why this pattern cannot be swept, when it cannot
    confidence: int | None = None  # the partner's stated confidence, 0-100 (STIX), if any

    def active(self, now: datetime) -> bool:
        return (
            self.not_swept is None
            and not self.revoked
            and self.valid_from <= now
            and (self.valid_until is None or now < self.valid_until)
        )


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    other_objects: int = 0  # identities, reports, sightings...: kept in the collection only
    not_swept: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    refused: list[tuple[str, str]] = field(default_factory=list)  # another partner's ids

    @property
    def refused_ids(self) -> set[str]:
        return {i for i, _ in self.refused}


def read_indicator(
    obj: Mapping[str, object], *, partner: str, now: datetime, retro_hunt: timedelta
) -> WatchedIndicator:
    """The watchlist entry for one STIX indicator. Raises InputError when it cannot be read."""
    oid = str(obj.get("id", ""))
    pattern = obj.get("pattern")
    if not isinstance(pattern, str):
        raise InputError(f"{oid}: an indicator needs a pattern", location=oid)
    not_swept: str | None = None
    iocs: list[IoC] = []
    if obj.get("pattern_type", "stix") != "stix":
        not_swept = f"pattern_type {obj.get('pattern_type')!r} is not swept (only stix)"
    else:
        found, not_swept = from_pattern(pattern)
        iocs = found
    valid_until = obj.get("valid_until")
    confidence = obj.get("confidence")
    modified = str(obj.get("modified") or obj.get("created") or "")
    return WatchedIndicator(
        id=oid,
        version=stix_time(parse_stix_time(modified, location=f"{oid}.modified")),
        name=str(obj.get("name") or pattern[:120]),
        pattern=pattern,
        iocs=tuple(iocs),
        partner=partner,
        tlp=tlp_of(obj),
        valid_from=parse_stix_time(str(obj.get("valid_from", "")), location=f"{oid}.valid_from"),
        valid_until=(
            parse_stix_time(str(valid_until), location=f"{oid}.valid_until")
            if valid_until
            else None
        ),
        revoked=bool(obj.get("revoked", False)),
        imported_at=now,
        sweep_from=now - retro_hunt,
        not_swept=not_swept,
        confidence=confidence if isinstance(confidence, int) and 0 <= confidence <= 100 else None,
    )


def import_objects(
    store: Store,
    objects: Sequence[Mapping[str, object]],
    *,
    actor: Actor,
    partner: str,
    now: datetime,
    retro_hunt: timedelta,
) -> ImportReport:
    """Put the indicators among ``objects`` on the watchlist; newer versions replace older.

    An indicator belongs to the partner that sent it first: another partner's object with
    the same id (a new version, a revocation) changes nothing and is reported in
    ``refused`` with the reason. Callers validate the objects first (see
    incidents.sharing.taxii); an unreadable indicator raises InputError before anything is
    stored.
    """
    report = ImportReport()
    current = {w.id: w for w in list_indicators(store, partner=partner)}
    rows: list[tuple[str, str, str]] = []
    changed: dict[str, WatchedIndicator | None] = {}  # id -> the version it replaces
    for obj in objects:
        if obj.get("type") != "indicator":
            report.other_objects += 1
            continue
        watched = read_indicator(obj, partner=partner, now=now, retro_hunt=retro_hunt)
        before = current.get(watched.id)
        if before is not None and before.version >= watched.version:
            report.unchanged += 1
            continue
        if before is not None:
            # A new version keeps the original sweep window: it is the same indicator.
            watched = watched.model_copy(update={"sweep_from": before.sweep_from})
        changed.setdefault(watched.id, before)
        current[watched.id] = watched
        rows.append((watched.id, partner, watched.model_dump_json()))
    if not rows:
        return report
    refused = set(store.sharing.put_indicators(rows))
    for indicator_id, before in changed.items():
        if indicator_id in refused:
            report.refused.append(
                (
                    indicator_id,
                    f"{indicator_id} belongs to another partner: an object with its id from "
                    f"{partner} cannot change, revoke or replace it",
                )
            )
            continue
        if before is None:
            report.new += 1
        else:
            report.updated += 1
        reason = current[indicator_id].not_swept
        if reason:
            report.not_swept.append((indicator_id, reason))
    audit.record(
        store,
        actor=actor,
        action="intel.import",
        subject=partner,
        at=now,
        detail={
            "new": report.new,
            "updated": report.updated,
            "not_swept": len(report.not_swept),
            "refused": [i for i, _ in report.refused][:20],
        },
    )
    return report


def list_indicators(store: Store, *, partner: str | None = None) -> list[WatchedIndicator]:
    return [
        WatchedIndicator.model_validate_json(doc)
        for doc in store.sharing.indicators(partner=partner)
    ]


def watch_rule(
    watched: WatchedIndicator, *, partners: PartnerRegistry, store: Store
) -> CompiledRule:
    """The detection rule that sweeps events for one watched indicator: its title names the
    partner and its stated confidence for the analyst, its tags carry the partner, the
    indicator, its TLP and confidence (alerts keep them), and its severity is the partner's
    ``max_alert_severity`` (medium unless the registry says otherwise). Raises RuleError."""
    partner = partners.partners.get(watched.partner)
    source = partner.name_zh if partner else watched.partner
    stated = watched.confidence
    confidence = "not stated" if stated is None else str(stated)
    return indicator_rule(
        indicator_id=watched.id,
        version=watched.version,
        title=f"夥伴情資 Partner indicator ({source}; 信心 confidence {confidence}): "
        f"{watched.name}",
        iocs=[(i.type.value, i.value) for i in watched.iocs],
        tags=(
            f"citysoc.partner.{watched.partner}",
            f"citysoc.indicator.{watched.id}",
            *((f"tlp.{watched.tlp.value}",) if watched.tlp else ()),
            *((f"citysoc.confidence.{stated}",) if stated is not None else ()),
        ),
        sweep_from=watched.sweep_from,
        store=store,
        severity=partner.max_alert_severity if partner else PARTNER_SEVERITY,
    )
