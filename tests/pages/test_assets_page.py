"""The assets page (/assets) and GET /api/v1/assets (issue 16 item 7): the inventory per
agency, the latest scans and the changes between them; a reporter sees their agency's only;
the page says whether scanning is on and starts none."""

from datetime import timedelta

import pytest

from api.app import create_app
from core.access import Actor, Role
from core.assets import Asset, AssetChange, ChangeKind, OpenPort, ScanRecord, ScanStatus
from core.errors import NotFoundError
from core.i18n import labels
from core.settings import Settings
from incidents.asset_views import inventory
from tests.factories import make_user
from tests.pages.test_pages import Browser
from tests.pages.test_zh_everywhere import english_words

ZH = labels("zh")


def record_scans(soc) -> None:
    """Two agencies' scans as `citysoc scan` records them: hosts, ports, changes, a failure."""
    now = soc.clock.now()
    for n, (target, org, address) in enumerate(
        (("xitun-servers", "district-xitun", "10.30.6.20"), ("police-web", "police", "10.20.14.5"))
    ):
        scan = ScanRecord(
            id=None,
            target=target,
            organization_id=org,
            started_at=now + timedelta(minutes=n),
            finished_at=now + timedelta(minutes=n, seconds=30),
            status=ScanStatus.OK,
            hosts_scanned=4,
            hosts_up=1,
            open_ports=2,
        )
        asset = Asset(
            address=address,
            organization_id=org,
            hostname=f"{org.upper()}-WEB01",
            first_seen=now,
            last_seen=now,
            up=True,
            core_system=org == "police",
            critical_infrastructure=False,
            ports=(OpenPort(443, "tcp", "https"), OpenPort(3389, "tcp", "ms-wbt-server")),
        )
        change = AssetChange(now, address, org, ChangeKind.PORT_OPENED, "3389/tcp ms-wbt-server")
        soc.store.assets.record_scan(scan, [asset], [change])
    failed = ScanRecord(
        id=None,
        target="police-web",
        organization_id="police",
        started_at=now + timedelta(hours=1),
        finished_at=now + timedelta(hours=1),
        status=ScanStatus.FAILED,
        hosts_scanned=0,
        hosts_up=0,
        open_ports=0,
        error="nmap timed out after 600 s",
    )
    soc.store.assets.record_scan(failed, [], [])


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    record_scans(soc)
    return create_app(soc, api_token="operator-token-assets")


def _zh(browser: Browser) -> Browser:
    browser.client.cookies.set("citysoc_lang", "zh")
    return browser


def test_the_soc_sees_every_agencys_inventory_scans_and_changes_in_chinese(app):
    page = _zh(Browser(app, "amy")).get("/assets")
    assert page.status_code == 200
    assert 'id="asset-10.30.6.20"' in page.text and 'id="asset-10.20.14.5"' in page.text
    assert "西屯區公所" in page.text and "警察局" in page.text
    assert "<svg" in page.text  # assets per agency
    assert ZH["ops_change_port_opened"] in page.text and ZH["ops_scan_failed"] in page.text
    assert "nmap timed out" in page.text
    assert ZH["ops_scan_off"] in page.text  # no targets file: nothing is scanned
    assert '<form method="post"' not in page.text.split("<main", 1)[1]  # no scan button
    assert not english_words(page.text)
    narrowed = Browser(app, "amy").get("/assets", agency="police")
    assert 'id="asset-10.30.6.20"' not in narrowed.text and "10.20.14.5" in narrowed.text


def test_a_reporter_sees_only_their_agencys_inventory(app):
    xitun = Browser(app, "xitun")
    page = xitun.get("/assets")
    assert "10.30.6.20" in page.text and "10.20.14.5" not in page.text
    assert "nmap timed out" not in page.text and "警察局" not in page.text
    assert xitun.get("/assets", agency="police").status_code == 404


def test_the_api_gives_the_same_view(app):
    client = Browser(app, "amy").client
    headers = {"Authorization": "Bearer operator-token-assets"}
    body = client.get("/api/v1/assets", headers=headers).json()
    assert [a["organization_id"] for a in body["per_agency"]] == ["district-xitun", "police"]
    assert body["per_agency"][1]["core"] == 1 and body["per_agency"][0]["open_ports"] == 2
    assert [s["status"] for s in body["scans"]] == ["failed", "ok", "ok"]
    assert body["scanning"] == {
        "targets_file": "no scan targets file",
        "enabled_targets": [],
        "schedule": False,
    }
    assert client.get("/api/v1/assets?agency=" + "x" * 201, headers=headers).status_code == 422


def test_the_service_narrows_a_reporter_whatever_is_asked(soc):
    record_scans(soc)
    xitun = Actor("xitun", Role.REPORTER, agency="district-xitun")
    view = inventory(store=soc.store, actor=xitun)
    assert {a.organization_id for a in view.assets} == {"district-xitun"}
    assert [a.organization_id for a in view.per_agency] == ["district-xitun"]
    assert {s.organization_id for s in view.scans} == {"district-xitun"}
    with pytest.raises(NotFoundError):
        inventory(store=soc.store, actor=xitun, agency="police")


def test_an_empty_inventory_says_so(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    page = _zh(Browser(create_app(soc, api_token="x"), "amy")).get("/assets")
    for key in ("ops_assets_empty", "ops_scans_empty", "ops_changes_empty"):
        assert ZH[key] in page.text
