"""The scan inventory over the API (issue 16 item 7): assets per agency, the latest scans
and the changes between them (incidents.asset_views decides who sees which agency). No
route starts a scan: `citysoc scan` and the opt-in schedule do (README, "Asset inventory")."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, Soc
from incidents.asset_views import inventory

__all__ = ["AgencyFilter", "router"]

router = APIRouter()
AgencyFilter = Annotated[str | None, Query(max_length=200, description="agency code")]


@router.get("/api/v1/assets")
def assets(who: ActorDep, soc: Soc, agency: AgencyFilter = None) -> dict[str, object]:
    view = inventory(store=soc.store, actor=who, agency=agency or None)
    return {
        "per_agency": [asdict(a) for a in view.per_agency],
        "assets": [asdict(a) for a in view.assets],
        "scans": [asdict(s) for s in view.scans],
        "changes": [asdict(c) for c in view.changes],
        "scanning": {
            "targets_file": soc.scope.source,
            "enabled_targets": [t.name for t in soc.scope.enabled],
            "schedule": soc.settings.scan_schedule,
        },
    }
