"""What a person may see of the scan inventory (issue 16 item 7): assets per agency, the
latest scans and what changed between them. A reporter sees their agency's only (another
agency's inventory is as if it did not exist); the city SOC's roles see every agency.
Nothing here scans: scanning is opt-in (incidents/scanning.py, collectors/scan_targets.py)."""

from collections import Counter
from dataclasses import dataclass

from core.access import Action, Actor, require, require_visible
from core.assets import Asset, AssetChange, ScanRecord
from core.storage.base import Store

__all__ = ["AgencyInventory", "InventoryView", "inventory"]

SCANS_SHOWN = 20
CHANGES_SHOWN = 100
# The store pages changes and scans without an agency filter: a reporter's view reads this
# many of the newest and keeps their agency's.
_READ_FOR_ONE_AGENCY = 2000


@dataclass(frozen=True, slots=True)
class AgencyInventory:
    organization_id: str
    assets: int
    up: int
    open_ports: int
    core: int
    critical_infrastructure: int


@dataclass(frozen=True, slots=True)
class InventoryView:
    assets: list[Asset]  # of the agency asked for (or every agency in scope)
    per_agency: list[AgencyInventory]  # every agency in scope, by code
    scans: list[ScanRecord]
    changes: list[AssetChange]


def inventory(*, store: Store, actor: Actor, agency: str | None = None) -> InventoryView:
    """The inventory ``actor`` may see, narrowed to ``agency`` when given (a reporter's is
    always their own)."""
    scope = actor.scope
    if agency is not None:
        require(actor, Action.VIEW, agency, "asset inventory")
    elif not scope.citywide:
        agency = scope.agency
        if agency is None:
            require_visible(actor, "*", "asset inventory")
    everything = store.assets.list(organization_id=None if scope.citywide else agency)
    assets = [a for a in everything if agency is None or a.organization_id == agency]
    many = SCANS_SHOWN if scope.citywide else _READ_FOR_ONE_AGENCY
    scans = [s for s in store.assets.scans(limit=many) if actor.sees(s.organization_id)]
    many = CHANGES_SHOWN if scope.citywide else _READ_FOR_ONE_AGENCY
    changes = [c for c in store.assets.changes(limit=many) if actor.sees(c.organization_id)]
    if agency is not None:
        scans = [s for s in scans if s.organization_id == agency]
        changes = [c for c in changes if c.organization_id == agency]
    return InventoryView(
        assets=assets,
        per_agency=_per_agency(everything),
        scans=scans[:SCANS_SHOWN],
        changes=changes[:CHANGES_SHOWN],
    )


def _per_agency(assets: list[Asset]) -> list[AgencyInventory]:
    counts: Counter[str] = Counter(a.organization_id for a in assets)
    return [
        AgencyInventory(
            organization_id=code,
            assets=counts[code],
            up=sum(1 for a in assets if a.organization_id == code and a.up),
            open_ports=sum(len(a.ports) for a in assets if a.organization_id == code),
            core=sum(1 for a in assets if a.organization_id == code and a.core_system),
            critical_infrastructure=sum(
                1 for a in assets if a.organization_id == code and a.critical_infrastructure
            ),
        )
        for code in sorted(counts)
    ]
