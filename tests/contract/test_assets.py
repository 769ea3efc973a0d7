"""AssetStore on both engines: a scan stored with the assets it saw and their changes; the
inventory by address, by host name and by agency; the change log and the scan log."""

from datetime import UTC, datetime, timedelta

from core.assets import Asset, AssetChange, ChangeKind, OpenPort, ScanRecord, ScanStatus
from core.storage import Store

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SSH = OpenPort(22, "tcp", "ssh", "OpenSSH", "9.2")
HTTP = OpenPort(80, "tcp", "http")


def scan(target: str = "10.20.3.0/24", at: datetime = T0, **extra: object) -> ScanRecord:
    values: dict[str, object] = {
        "id": None,
        "target": target,
        "organization_id": "district-xitun",
        "started_at": at,
        "finished_at": at + timedelta(minutes=2),
        "status": ScanStatus.OK,
        "hosts_scanned": 256,
        "hosts_up": 2,
        "open_ports": 3,
        "command": "nmap -sT 10.20.3.0/24",
    }
    return ScanRecord(**(values | extra))  # type: ignore[arg-type]


def asset(address: str, at: datetime = T0, **extra: object) -> Asset:
    values: dict[str, object] = {
        "address": address,
        "organization_id": "district-xitun",
        "hostname": None,
        "first_seen": at,
        "last_seen": at,
        "up": True,
        "core_system": False,
        "critical_infrastructure": False,
        "ports": (),
    }
    return Asset(**(values | extra))  # type: ignore[arg-type]


def change(address: str, kind: ChangeKind, at: datetime = T0) -> AssetChange:
    return AssetChange(at, address, "district-xitun", kind, f"{kind.value} on {address}")


def test_a_scan_stores_its_assets_and_changes_and_reads_them_back(store: Store):
    fs01 = asset("10.20.3.7", hostname="D-XITUN-FS01", ports=(SSH, HTTP), core_system=True)
    pc07 = asset("10.20.3.8", hostname="D-XITUN-PC07", critical_infrastructure=True)
    scan_id = store.assets.record_scan(
        scan(), [fs01, pc07], [change("10.20.3.7", ChangeKind.NEW_HOST)]
    )
    assert store.assets.find("10.20.3.7") == fs01
    assert store.assets.find("10.20.3.8") == pc07
    assert store.assets.find("10.20.3.9") is None
    assert store.assets.changes() == [
        AssetChange(
            T0, "10.20.3.7", "district-xitun", ChangeKind.NEW_HOST, "new_host on 10.20.3.7", scan_id
        )
    ]
    assert store.assets.scans() == [scan(id=scan_id)]


def test_a_later_scan_keeps_first_seen_and_a_known_host_name(store: Store):
    store.assets.record_scan(scan(), [asset("10.20.3.7", hostname="D-XITUN-FS01")], [])
    later = T0 + timedelta(days=1)
    seen_again = asset("10.20.3.7", later, hostname=None, up=False, ports=(HTTP,))
    store.assets.record_scan(scan(at=later), [seen_again], [])
    found = store.assets.find("10.20.3.7")
    assert found == asset(
        "10.20.3.7", later, first_seen=T0, hostname="D-XITUN-FS01", up=False, ports=(HTTP,)
    )
    renamed = asset("10.20.3.7", later, hostname="D-XITUN-FS02")
    store.assets.record_scan(scan(at=later), [renamed], [])
    assert store.assets.find("10.20.3.7") == asset(
        "10.20.3.7", later, first_seen=T0, hostname="D-XITUN-FS02"
    )


def test_find_by_host_ignores_case_and_prefers_the_latest_sighting(store: Store):
    old = asset("10.20.3.7", hostname="FS01")
    new = asset("10.20.9.7", T0 + timedelta(hours=1), hostname="fs01")
    store.assets.record_scan(scan(), [old, new], [])
    assert store.assets.find_by_host("Fs01") == new
    assert store.assets.find_by_host("FS02") is None


def test_the_inventory_lists_by_agency_then_address(store: Store):
    police = asset("10.30.0.5", organization_id="police")
    xitun = [asset("10.20.3.8"), asset("10.20.3.10")]
    store.assets.record_scan(scan(), [*xitun, police], [])
    assert [a.address for a in store.assets.list()] == ["10.20.3.10", "10.20.3.8", "10.30.0.5"]
    assert store.assets.list(organization_id="police") == [police]
    assert [a.address for a in store.assets.list(organization_id="district-xitun")] == [
        "10.20.3.10",
        "10.20.3.8",
    ]
    assert store.assets.list(organization_id="fire") == []


def test_changes_and_scans_come_newest_first(store: Store):
    kinds = list(ChangeKind)
    ids = []
    for n, kind in enumerate(kinds):
        at = T0 + timedelta(hours=n)
        ids.append(store.assets.record_scan(scan(at=at), [], [change(f"10.20.3.{n}", kind, at)]))
    assert len(set(ids)) == len(kinds)
    newest = store.assets.changes()
    assert [c.kind for c in newest] == list(reversed(kinds))
    assert [c.scan_id for c in newest] == list(reversed(ids))
    assert [c.kind for c in store.assets.changes(limit=2, offset=1)] == [kinds[-2], kinds[-3]]
    assert [s.id for s in store.assets.scans(limit=3)] == list(reversed(ids))[:3]


def test_last_scan_at_is_per_target_and_counts_failed_scans(store: Store):
    assert store.assets.last_scan_at("10.20.3.0/24") is None
    store.assets.record_scan(scan(at=T0), [], [])
    failed = scan(at=T0 + timedelta(days=1), status=ScanStatus.FAILED, error="nmap timed out")
    store.assets.record_scan(failed, [], [])
    store.assets.record_scan(scan("10.30.0.0/24", at=T0 + timedelta(days=2)), [], [])
    assert store.assets.last_scan_at("10.20.3.0/24") == T0 + timedelta(days=1)
    assert store.assets.last_scan_at("10.30.0.0/24") == T0 + timedelta(days=2)
    assert store.assets.scans(limit=2)[1].error == "nmap timed out"
