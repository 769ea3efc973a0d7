"""From an incident to a STIX 2.1 bundle in our outgoing TAXII collection.

The analyst chooses the IoCs and writes the summary; de-identification removes what may
not leave the city and says what it removed; the analyst confirms the preview of exactly
what will leave (incidents.sharing.preview); the bundle is built with ``stix2`` and must
pass ``stix2-validator`` before anything is stored; TLP:RED never leaves.
"""

import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import stix2
from stix2validator import ValidationOptions, validate_parsed_json

from core import audit
from core.access import Actor
from core.agencies import AgencyRegistry
from core.clock import Clock
from core.errors import ConflictError, InputError
from core.storage.base import SharedObject, Store
from incidents.models import IoC
from incidents.sharing.deidentify import RedactionKind, Withheld
from incidents.sharing.observables import to_pattern
from incidents.sharing.partners import CollectionPurpose, PartnerRegistry
from incidents.sharing.preview import preview_share
from incidents.sharing.timestamps import parse_stix_time, stix_time
from incidents.sharing.tlp import Tlp, marking_definition, marking_id, tlp_of

__all__ = ["Publication", "publish", "store_objects", "validate_bundle", "validate_parsed"]

# Only the MUST checks: in non-strict mode the SHOULD checks (best practices) produce warnings
# nobody reads, at a sixth of the validator's time.
_VALIDATION = ValidationOptions(version="2.1", strict=False, disabled=["all"])


@dataclass
class Publication:
    bundle: dict[str, Any]
    collection_id: str
    shared: list[IoC]
    withheld: list[Withheld] = field(default_factory=list)
    redactions: dict[RedactionKind, int] = field(default_factory=dict)
    summary: str = ""


def validate_bundle(text: str) -> list[str]:
    """The validator's errors for a serialized bundle (empty when valid)."""
    return validate_parsed(json.loads(text))


def validate_parsed(bundle: dict[str, Any]) -> list[str]:
    """The validator's errors for a parsed bundle (empty when valid)."""
    results = validate_parsed_json(bundle, _VALIDATION)  # one result for the bundle, or a list
    found = results if isinstance(results, list) else [results]
    errors = [str(e) for r in found if not r.is_valid for e in (r.errors or [])]
    if any(not r.is_valid for r in found) and not errors:
        errors.append("the validator rejected the bundle")
    return errors


def store_objects(
    store: Store, collection_id: str, objects: Sequence[dict[str, Any]], clock: Clock
) -> int:
    """Add objects to a collection, each stamped with its own strictly increasing date_added
    (a microsecond apart), so a client paging with added_after and stopping anywhere in an
    envelope resumes exactly where it stopped."""
    added = clock.now()
    last = store.sharing.last_added(collection_id)
    if last is not None and stix_time(added) <= last:  # a clock that stands still or steps back
        added = parse_stix_time(last) + timedelta(microseconds=1)
    known = _marking_levels(store, collection_id, objects)
    return store.sharing.add_objects(
        [
            SharedObject(
                collection_id=collection_id,
                id=str(o["id"]),
                type=str(o["type"]),
                version=_version(o),
                date_added=stix_time(added + timedelta(microseconds=n)),
                tlp=(tlp.value if (tlp := tlp_of(o, known)) else None),
                document=json.dumps(o, ensure_ascii=False, sort_keys=True),
            )
            for n, o in enumerate(objects)
        ]
    )


def _marking_levels(
    store: Store, collection_id: str, objects: Sequence[dict[str, Any]]
) -> dict[str, Tlp]:
    """The TLP level of each marking definition the objects may refer to by id: those in the
    same envelope, and those stored in the collection before (a partner's own definitions)."""
    defined = [o for o in objects if o.get("type") == "marking-definition"]
    stored = store.sharing.objects(
        collection_id, types=["marking-definition"], versions=("all",), limit=10_000
    )
    defined += [json.loads(s.document) for s in stored]
    return {str(d["id"]): level for d in defined if (level := tlp_of(d)) is not None}


def _version(obj: dict[str, Any]) -> str:
    stamp = obj.get("modified") or obj.get("created") or "1970-01-01T00:00:00Z"
    return stix_time(parse_stix_time(str(stamp), location=f"{obj.get('id')}.modified"))


def publish(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    partners: PartnerRegistry,
    incident_id: str,
    iocs: Sequence[IoC],
    summary: str,
    tlp: Tlp,
    confirm: str,
    clock: Clock,
    include_incident_iocs: bool = False,
) -> Publication:
    """Build, validate, store and audit the bundle of the preview the analyst confirmed:
    ``confirm`` is that preview's digest (see incidents.sharing.preview).

    Raises ForbiddenError, InputError, NotFoundError as ``preview_share`` does, and
    ConflictError when what would leave now differs from the confirmed preview."""
    preview = preview_share(
        store=store,
        actor=actor,
        registry=registry,
        partners=partners,
        incident_id=incident_id,
        iocs=iocs,
        summary=summary,
        tlp=tlp,
        include_incident_iocs=include_incident_iocs,
    )
    if not hmac.compare_digest(preview.digest, confirm.strip().lower()):
        raise ConflictError(
            "what would be shared is not what the confirmed preview showed (the input or the "
            "incident changed since): look at the new preview and confirm that one",
            location="confirm",
        )
    incident = preview.incident
    now = clock.now()
    ours = partners.identity
    marking = marking_id(tlp)
    common = {"created_by_ref": ours.id, "object_marking_refs": [marking], "allow_custom": False}
    identity = stix2.v21.Identity(
        id=ours.id,
        name=ours.name,
        description=ours.name_en,
        identity_class="organization",
        sectors=["government"],
        contact_information=ours.contact or None,
        created="2026-01-01T00:00:00.000Z",
        modified="2026-01-01T00:00:00.000Z",
    )
    indicators = [
        stix2.v21.Indicator(
            name=f"{ioc.type.value}: {ioc.value}",
            description=f"Seen in a level-{incident.level or '?'} incident ({ours.name_en})",
            pattern=to_pattern(ioc),
            pattern_type="stix",
            valid_from=now,
            valid_until=now + timedelta(days=partners.indicator_days),
            indicator_types=["malicious-activity"],
            created=now,
            modified=now,
            **common,
        )
        for ioc in preview.shared
    ]
    sightings = [
        stix2.v21.Sighting(
            sighting_of_ref=ind.id,
            where_sighted_refs=[ours.id],
            first_seen=incident.occurred_at or incident.aware_at,
            count=max(1, incident.alert_count),
            created=now,
            modified=now,
            **common,
        )
        for ind in indicators
    ]
    refs = [o.id for o in (*indicators, *sightings)] or [ours.id]
    category = incident.category.value if incident.category else "uncategorised"
    report = stix2.v21.Report(
        name=f"{ours.name_en}: incident summary ({category})",
        description=preview.summary or "(indicators only)",
        report_types=["threat-report"],
        published=now,
        object_refs=refs,
        labels=[f"level-{incident.level}"] if incident.level else None,
        created=now,
        modified=now,
        **common,
    )
    bundle = stix2.v21.Bundle(identity, *indicators, *sightings, report, allow_custom=True)
    document: dict[str, Any] = json.loads(bundle.serialize())
    document["objects"].insert(1, marking_definition(tlp))
    text = json.dumps(document, ensure_ascii=False)
    errors = validate_bundle(text)
    if errors:
        raise InputError(
            "the bundle failed STIX 2.1 validation: " + "; ".join(errors[:5]), location="bundle"
        )
    collection = partners.first(CollectionPurpose.OUTGOING)
    store_objects(store, collection.id, document["objects"], clock)
    audit.record(
        store,
        actor=actor,
        action="share.publish",
        subject=incident.id,
        at=now,
        detail={
            "bundle": document["id"],
            "collection": collection.alias,
            "tlp": tlp.value,
            "indicators": [i.id for i in indicators],
            "withheld": [
                f"{w.ioc.type.value}:{w.ioc.value} ({w.reason.value})" for w in preview.withheld
            ],
            "redactions": {k.value: n for k, n in preview.redactions.items()},
            "confirmed_preview": preview.digest,
        },
    )
    return Publication(
        bundle=document,
        collection_id=collection.id,
        shared=preview.shared,
        withheld=preview.withheld,
        redactions=preview.redactions,
        summary=preview.summary,
    )
