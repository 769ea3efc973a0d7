"""What a share would send, shown to the analyst before anything leaves the city.

Sharing is two steps. ``preview_share`` de-identifies the chosen IoCs and the summary and
returns exactly what would leave (the sanitized summary, the indicators), what was withheld
or removed and why, and a digest of all of that. Publishing (``outgoing.publish``) takes the
digest of the preview the analyst saw and recomputes the preview: when anything differs — a
changed summary, a new host in the inventory, another IoC on the incident — it refuses and
the analyst looks at the new preview. Free text is where personal names hide; no pattern
finds them all, so a person confirms it.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.access import Action, Actor, require
from core.accounts import User
from core.agencies import AgencyRegistry
from core.errors import ForbiddenError, InputError
from core.storage.base import Store
from incidents import repository
from incidents.models import Incident, IoC
from incidents.sharing.deidentify import (
    RedactionKind,
    Removed,
    Withheld,
    WithheldReason,
    sanitize,
)
from incidents.sharing.observables import classify
from incidents.sharing.partners import CollectionPurpose, PartnerRegistry
from incidents.sharing.tlp import Tlp

__all__ = ["SharePreview", "ShareRequest", "preview_share"]


@dataclass(frozen=True)
class ShareRequest:
    """What a person asks to share from an incident (API body, page form or CLI options
    alike); previewing and publishing take the same request."""

    incident_id: str
    iocs: Sequence[IoC]
    summary: str
    tlp: Tlp
    include_incident_iocs: bool = False


@dataclass(frozen=True)
class SharePreview:
    incident: Incident
    tlp: Tlp
    collection_id: str
    summary: str  # the sanitized summary, exactly as it would leave
    shared: list[IoC]  # the indicators that would leave
    withheld: list[Withheld] = field(default_factory=list)
    redactions: dict[RedactionKind, int] = field(default_factory=dict)
    removed: list[Removed] = field(default_factory=list)  # shown to the analyst only

    @property
    def digest(self) -> str:
        """SHA-256 over everything the preview shows, in a fixed form."""
        shown = {
            "incident": self.incident.id,
            "tlp": self.tlp.value,
            "collection": self.collection_id,
            "summary": self.summary,
            "shared": [[i.type.value, i.value] for i in self.shared],
            "withheld": [
                [w.ioc.type.value, w.ioc.value, w.reason.value, *w.kinds] for w in self.withheld
            ],
            "removed": [[r.kind, r.text] for r in self.removed],
        }
        text = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _people(store: Store) -> list[str]:
    """Names of CitySOC's users (a display name that is not just the user name)."""
    users = (User.model_validate_json(doc) for doc in store.accounts.users())
    return [u.display_name for u in users if u.display_name.strip() not in ("", u.username)]


def preview_share(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    partners: PartnerRegistry,
    incident_id: str,
    iocs: Sequence[IoC],
    summary: str,
    tlp: Tlp,
    include_incident_iocs: bool = False,
) -> SharePreview:
    """What sharing would send. Changes nothing. Raises NotFoundError, ForbiddenError
    (the caller may not share, or TLP:RED), InputError (nothing would be left to share).

    ``include_incident_iocs`` adds the IoCs already recorded on the incident to ``iocs``."""
    incident = repository.get(store, incident_id, actor=actor)
    require(actor, Action.SHARE, incident.organization_id, "incident")
    unusable: list[Withheld] = []
    if include_incident_iocs:
        # Recorded IoCs were checked when added; records from before that check may not be.
        for recorded in incident.iocs:
            try:
                iocs = [*iocs, classify(recorded.value, recorded.type)]
            except InputError as exc:
                unusable.append(Withheld(recorded, WithheldReason.UNUSABLE, detail=exc.message))
    if tlp is Tlp.RED:
        raise ForbiddenError(
            "TLP:RED is for the named recipients only and never leaves the city; "
            "choose AMBER+STRICT or lower, or share it in person",
            location="tlp",
        )
    cleaned = sanitize(
        iocs,
        summary,
        tlp=tlp,
        registry=registry,
        internal_suffixes=partners.internal_domain_suffixes,
        known_hosts=[a.hostname for a in store.assets.list() if a.hostname],
        people=_people(store),
        allow_internal_details=partners.allow_internal_details,
    )
    cleaned.withheld.extend(unusable)
    if not cleaned.iocs and not cleaned.summary.strip():
        reasons = "; ".join(f"{w.ioc.value}: {w.reason.value}" for w in cleaned.withheld)
        raise InputError(
            "nothing left to share" + (f" (withheld: {reasons})" if reasons else ""),
            location="iocs",
            key="nothing_to_share",
        )
    return SharePreview(
        incident=incident,
        tlp=tlp,
        collection_id=partners.first(CollectionPurpose.OUTGOING).id,
        summary=cleaned.summary,
        shared=cleaned.iocs,
        withheld=cleaned.withheld,
        redactions=dict(cleaned.redactions),
        removed=cleaned.removed,
    )
