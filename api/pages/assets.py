"""The assets page (/assets, issue 16 item 7): the scan inventory per agency with a chart,
the assets (paged), the latest scans and the changes between them, and whether scanning is
switched on. The page starts no scan: scanning stays opt-in (README, "Asset inventory")."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Offset
from api.pages.deps import Session
from api.pages.rendering import agency_name, page
from api.routes.assets import AgencyFilter
from api.sessions import lang_of
from incidents.asset_views import inventory
from reports.charts import bar_chart

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
ASSETS_PAGE = 50


@router.get("/assets")
def assets_page(
    request: Request, soc: Soc, session: Session, agency: AgencyFilter = None, offset: Offset = 0
) -> Response:
    who = session.who
    view = inventory(store=soc.store, actor=who, agency=agency or None)
    lang = lang_of(request)
    name = {a.organization_id: agency_name(soc, a.organization_id, lang) for a in view.per_agency}
    return page(
        request,
        "assets.html.j2",
        who=who,
        csrf=session.csrf,
        view=view,
        rows=view.assets[offset : offset + ASSETS_PAGE],
        total=len(view.assets),
        offset=offset,
        limit=ASSETS_PAGE,
        base="/assets" + (f"?{urlencode({'agency': agency})}" if agency else ""),
        agency=agency or "",
        agencies=[a for a in soc.registry if who.sees(a.code)],
        agency_name=lambda code: name.get(code) or agency_name(soc, code, lang),
        chart=bar_chart([(name[a.organization_id], a.assets) for a in view.per_agency]),
        enabled_targets=[t.name for t in soc.scope.enabled],
        schedule=soc.settings.scan_schedule,
    )
