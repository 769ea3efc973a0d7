"""What the intelligence page and `citysoc share partners` show: each partner's grants,
last sync, indicators on the watchlist, and the alerts they raised."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from core.access import Action, Actor, require_right
from core.alerts import Alert, AlertQuery
from core.storage.base import Store
from detections.indicators import RULE_PREFIX
from incidents.sharing.partners import Partner, PartnerRegistry
from incidents.sharing.pull import last_pull
from incidents.sharing.watchlist import WatchedIndicator, list_indicators

__all__ = [
    "INDICATOR_RULES",
    "PartnerStatus",
    "indicator_hits",
    "overview",
    "recent_hits",
    "require_intel_reader",
]


def require_intel_reader(actor: Actor) -> None:
    """Partners' intelligence is for the city SOC and auditors, not agency reporters."""
    require_right(
        actor,
        Action.READ_INTEL,
        "partners' intelligence is for the city SOC and auditors",
        "intelligence",
    )


@dataclass(frozen=True, slots=True)
class PartnerStatus:
    partner: Partner
    last_pull: datetime | None
    indicators: int
    active: int
    not_swept: int
    hits: int


INDICATOR_RULES = RULE_PREFIX  # the rule id prefix of alerts raised by partners' indicators
_HITS = AlertQuery(rule_prefix=INDICATOR_RULES)


def indicator_hits(store: Store, *, limit: int = 100, offset: int = 0) -> list[Alert]:
    return store.alerts.list(_HITS, limit=limit, offset=offset)


def recent_hits(store: Store, *, limit: int = 20) -> list[Alert]:
    """The newest alerts raised by partners' indicators, newest first."""
    total = store.alerts.count(_HITS)
    return indicator_hits(store, limit=limit, offset=max(0, total - limit))[::-1]


def _partner_of(alert: Alert) -> str | None:
    for tag in alert.tags:
        if tag.startswith("citysoc.partner."):
            return tag.removeprefix("citysoc.partner.")
    return None


def overview(
    *, store: Store, partners: PartnerRegistry, actor: Actor, now: datetime
) -> tuple[list[PartnerStatus], list[WatchedIndicator]]:
    require_intel_reader(actor)
    indicators = list_indicators(store)
    hits = Counter(_partner_of(a) for a in indicator_hits(store, limit=store.alerts.count(_HITS)))
    rows = []
    for partner in partners.partners.values():
        own = [w for w in indicators if w.partner == partner.id]
        rows.append(
            PartnerStatus(
                partner=partner,
                last_pull=last_pull(store, partner.id),
                indicators=len(own),
                active=sum(w.active(now) for w in own),
                not_swept=sum(w.not_swept is not None for w in own),
                hits=hits.get(partner.id, 0),
            )
        )
    return rows, indicators
