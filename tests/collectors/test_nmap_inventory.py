"""Real nmap against listeners this test opens on loopback; nothing else is ever scanned."""

import shutil
import socket
from datetime import UTC, datetime, time, timedelta

import pytest

from collectors.nmap_scan import NmapScanner
from collectors.scan_targets import ScanScope, ScanTarget, ScanWindow
from core.access import Actor, Role
from core.alerts import Severity
from core.assets import ChangeKind, ScanStatus
from core.clock import FixedClock
from core.errors import ForbiddenError, InputError, NotFoundError, UnavailableError
from detections.exposure import ExposurePolicy, ExposureRule
from incidents.scanning import due_targets, run_scan
from tests.conftest import require_binary

pytestmark = pytest.mark.nmap

ANALYST = Actor("amy", Role.ANALYST)


@pytest.fixture(autouse=True)
def nmap_installed():
    require_binary("nmap", "apt-get install nmap (scripts/setup does this)")


class Listeners:
    def __init__(self) -> None:
        self.sockets: dict[int, socket.socket] = {}

    def open(self) -> int:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        port = s.getsockname()[1]
        self.sockets[port] = s
        return port

    def close(self, port: int) -> None:
        self.sockets.pop(port).close()


@pytest.fixture
def listeners():
    opened = Listeners()
    yield opened
    for s in opened.sockets.values():
        s.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scope_for(ports: list[int], *, window: ScanWindow | None = None, core=True) -> ScanScope:
    target = ScanTarget(
        name="loopback",
        agency="district-xitun",
        enabled=True,
        networks=("127.0.0.1/32",),
        ports=",".join(str(p) for p in sorted(ports)),
        service_detection=False,
        core_systems=("127.0.0.1",) if core else (),
        **({"window": window} if window else {}),
    )
    return ScanScope([target])


def policy_for(
    port: int, *, severity: Severity = Severity.MEDIUM, cap: Severity = Severity.CRITICAL
) -> ExposurePolicy:
    """One rule for the port; ``cap`` is the policy's max_alert_severity (uncapped here so
    the raise for core systems shows; the shipped default, medium, has its own test)."""
    return ExposurePolicy(
        [
            ExposureRule(
                id="test-port",
                title="Test service open",
                severity=severity,
                ports=(port,),
                tags=("attack.initial-access", "attack.t1133"),
            )
        ],
        max_alert_severity=cap,
    )


def test_inventory_changes_between_two_scans(store, clock, listeners):
    first, second = listeners.open(), listeners.open()
    later = free_port()
    scope = scope_for([first, second, later])
    one = run_scan(
        store=store,
        actor=ANALYST,
        scope=scope,
        target_name="loopback",
        policy=policy_for(first),
        clock=clock,
    )
    assert one.record.status is ScanStatus.OK and one.record.hosts_up == 1
    [asset] = store.assets.list()
    assert asset.address == "127.0.0.1" and asset.core_system and asset.up
    assert {p.port for p in asset.ports} == {first, second}
    assert [c.kind for c in one.changes] == [ChangeKind.NEW_HOST]
    # the finding is an ordinary alert, raised one level because the host is a core system
    [alert] = store.alerts.list()
    assert alert.rule_id == "exposure:test-port" and alert.severity is Severity.HIGH
    assert alert.organization_id == "district-xitun"

    listeners.close(second)
    reopened = listeners.sockets  # keep `first` open, open the one that was free
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", later))
    s.listen(1)
    reopened[later] = s
    two = run_scan(
        store=store,
        actor=ANALYST,
        scope=scope,
        target_name="loopback",
        policy=policy_for(first),
        clock=clock,
    )
    kinds = sorted((c.kind.value, c.detail.split("/")[0]) for c in two.changes)
    assert kinds == [("port_closed", str(second)), ("port_opened", str(later))]
    assert two.alerts_new == 0  # the exposure persists: no new alert for it
    [asset] = store.assets.list()
    assert {p.port for p in asset.ports} == {first, later}
    assert store.events.count() == 4  # one `nmap` event per open port per scan
    assert [r.action for r in store.audit.rows()] == ["scan.run", "scan.run"]


@pytest.mark.parametrize("address", ["127.0.0.2", "8.8.8.8", "10.30.6.1", "localhost.evil"])
def test_out_of_scope_addresses_are_refused_before_anything_runs(store, clock, address):
    with pytest.raises(InputError, match="refusing to scan"):
        run_scan(
            store=store,
            actor=ANALYST,
            scope=scope_for([22]),
            target_name="loopback",
            policy=policy_for(22),
            clock=clock,
            only=[address],
        )
    assert store.assets.scans() == []


def test_unknown_target_is_named(store, clock):
    with pytest.raises(InputError, match="no scan target named 'internet'"):
        run_scan(
            store=store,
            actor=ANALYST,
            scope=scope_for([22]),
            target_name="internet",
            policy=policy_for(22),
            clock=clock,
        )


def test_scans_outside_the_window_are_refused_unless_forced(store, listeners):
    port = listeners.open()
    clock = FixedClock(datetime(2026, 3, 2, 4, 0, tzinfo=UTC))  # 12:00 Taipei
    night = ScanWindow(start=time(22, 0), end=time(6, 0))
    scope = scope_for([port], window=night)
    with pytest.raises(InputError, match="between 22:00 and 06:00"):
        run_scan(
            store=store,
            actor=ANALYST,
            scope=scope,
            target_name="loopback",
            policy=policy_for(port),
            clock=clock,
        )
    assert due_targets(store, scope, clock) == []
    forced = run_scan(
        store=store,
        actor=ANALYST,
        scope=scope,
        target_name="loopback",
        policy=policy_for(port),
        clock=clock,
        ignore_window=True,
    )
    assert forced.record.status is ScanStatus.OK
    clock.advance(timedelta(hours=35))  # 23:00 Taipei the next day, interval (24 h) passed
    assert [t.name for t in due_targets(store, scope, clock)] == ["loopback"]


def test_missing_nmap_is_a_recorded_failed_scan(store, clock):
    with pytest.raises(UnavailableError, match="nmap is not available"):
        NmapScanner(nmap_path="/nonexistent/nmap")
    summary = run_scan(
        store=store,
        actor=ANALYST,
        scope=scope_for([22]),
        target_name="loopback",
        policy=policy_for(22),
        clock=clock,
        scanner=lambda: NmapScanner(nmap_path="/nonexistent/nmap"),
    )
    assert summary.record.status is ScanStatus.FAILED
    assert "nmap is not available" in (summary.record.error or "")
    [recorded] = store.assets.scans()
    assert recorded.status is ScanStatus.FAILED and store.assets.list() == []


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (Actor("a", Role.AUDITOR), ForbiddenError),
        (Actor("p", Role.REPORTER, agency="police"), NotFoundError),
    ],
)
def test_roles_that_may_not_scan(store, clock, actor, error):
    with pytest.raises(error):
        run_scan(
            store=store,
            actor=actor,
            scope=scope_for([22]),
            target_name="loopback",
            policy=policy_for(22),
            clock=clock,
        )


def test_shipped_example_targets_and_policy_load(registry):
    from core.settings import DEFAULT_EXPOSURE_POLICY, EXAMPLE_SCAN_TARGETS

    scope = ScanScope.load(EXAMPLE_SCAN_TARGETS, registry)
    assert {"xitun-servers", "police-dmz"} <= set(scope.targets)
    assert len(scope.get("xitun-servers").addresses()) == 14
    assert scope.enabled == []  # an example: nothing in it is enabled
    policy = ExposurePolicy.load(DEFAULT_EXPOSURE_POLICY)
    assert {r.id for r in policy.rules} >= {"rdp-exposed", "smb-exposed", "eol-service"}
    assert policy.max_alert_severity is Severity.MEDIUM


def scan_once(store, clock, port: int, policy: ExposurePolicy):
    run_scan(
        store=store,
        actor=ANALYST,
        scope=scope_for([port]),
        target_name="loopback",
        policy=policy,
        clock=clock,
    )
    [finding] = store.alerts.list()
    return finding


def test_an_exposure_finding_is_a_lead_that_opens_no_incident(store, clock, listeners, registry):
    """An open port is a weakness to fix, not an incident: by default its alert is at most
    medium (a high rule, raised for the core system, is capped), auto-triage leaves it to a
    person whatever its threshold, and an analyst may still escalate it."""
    from core.access import SYSTEM
    from incidents import triage

    port = listeners.open()
    finding = scan_once(
        store, clock, port, ExposurePolicy(policy_for(port, severity=Severity.HIGH).rules)
    )
    assert finding.severity is Severity.MEDIUM
    assert not triage.may_escalate_by_itself(finding)
    report = triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity=Severity.LOW
    )
    assert report.incidents_opened == 0 and store.incidents.list() == []
    incident = triage.escalate_group(
        store=store, actor=ANALYST, group_key=finding.group_key, registry=registry, clock=clock
    )
    assert incident.alert_ids == [finding.id]


def test_a_policy_may_raise_the_cap_and_still_opens_no_incident(
    tmp_path, store, clock, listeners, registry
):
    from core.access import SYSTEM
    from incidents import triage

    port = listeners.open()
    path = tmp_path / "policy.yaml"
    path.write_text(
        "max_alert_severity: critical\n"
        f"rules:\n  - {{id: test-port, title: Test, severity: high, ports: [{port}]}}\n",
        encoding="utf-8",
    )
    finding = scan_once(store, clock, port, ExposurePolicy.load(path))
    assert finding.severity is Severity.CRITICAL  # high, raised for the core system
    report = triage.auto_triage(store=store, actor=SYSTEM, registry=registry, clock=clock)
    assert report.incidents_opened == 0 and store.incidents.list() == []


def test_a_target_too_large_is_rejected(tmp_path, registry):
    path = tmp_path / "t.yaml"
    path.write_text(
        "targets:\n  - {name: city, agency: police, networks: [10.0.0.0/8], ports: '22'}\n",
        encoding="utf-8",
    )
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="split it into targets"):
        ScanScope.load(path, registry)


def test_alerts_and_incidents_are_enriched_from_the_inventory(store, clock, listeners, registry):
    import json

    from collectors.ingest import Ingestor
    from collectors.records import RawRecord
    from core.access import SYSTEM
    from core.settings import DEFAULT_RULES
    from detections.compile import compile_rule_dirs
    from detections.runner import run_detections
    from incidents import service, triage
    from incidents.levels import SystemClass
    from tests.data.events import winlogbeat

    port = listeners.open()
    run_scan(
        store=store,
        actor=ANALYST,
        scope=scope_for([port]),
        target_name="loopback",
        policy=policy_for(port),
        clock=clock,
    )
    [exposure] = store.alerts.list()
    assert exposure.asset_criticality == "core"
    ingestor = Ingestor(store, registry, clock=clock)
    doc = winlogbeat("Security", 1102, {"SubjectUserName": "eve"}, host="127.0.0.1")
    ingestor.submit(RawRecord("t", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()
    rules = compile_rule_dirs([DEFAULT_RULES / "win_security_log_cleared.yml"]).compiled
    run_detections(store, rules, clock=clock)
    cleared = next(a for a in store.alerts.list() if a.rule_id != exposure.rule_id)
    assert cleared.asset_criticality == "core"
    incident = triage.escalate_group(
        store=store, actor=SYSTEM, group_key=cleared.group_key, registry=registry, clock=clock
    )
    assert "核心資通系統" in incident.description
    assert service.suggest_system_class(store=store, incident=incident) is SystemClass.CORE_NON_CI


def test_scan_and_assets_commands(tmp_path, listeners, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app

    port = listeners.open()
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n  - {name: loopback, agency: district-xitun, enabled: true, "
        "networks: [127.0.0.1/32], "
        f"ports: '{port}', service_detection: false}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CITYSOC_SCAN_TARGETS_FILE", str(targets))
    store = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["scan", "--store", store, "--ignore-window"])
    assert result.exit_code == 0, result.output
    assert "loopback" in result.output and "ok" in result.output
    listed = runner.invoke(app, ["assets", "list", "--store", store])
    assert f"{port}/tcp" in listed.output
    refused = runner.invoke(app, ["scan", "--store", store, "--address", "8.8.8.8"])
    assert "refusing to scan 8.8.8.8" in str(refused.exception)
    scans = runner.invoke(app, ["assets", "scans", "--store", store])
    assert scans.output.count("loopback") == 1


@pytest.fixture
def silent_host():
    """A host that never answers: the far end of a veth pair, left down, inside a network
    namespace this test creates (and removes). Only this test's own addresses are scanned."""
    import os
    import secrets
    import subprocess

    ip = shutil.which("ip")
    if os.geteuid() != 0 or ip is None:
        if os.environ.get("CITYSOC_REQUIRE_SERVICES") == "1":
            pytest.fail("CI runs as root with iproute2; network namespaces are required")
        pytest.skip("needs root and iproute2 to create a test network namespace")
    tag = secrets.token_hex(3)
    ns, near, far = f"csoc-{tag}", f"csa{tag}", f"csb{tag}"

    def run(*args: str) -> None:
        subprocess.run([ip, *args], check=True, capture_output=True)

    run("netns", "add", ns)
    try:
        run("link", "add", near, "type", "veth", "peer", "name", far)
        run("link", "set", far, "netns", ns)
        run("addr", "add", "10.254.77.1/30", "dev", near)
        run("link", "set", near, "up")
        run("netns", "exec", ns, "ip", "addr", "add", "10.254.77.2/30", "dev", far)
        yield "10.254.77.2"  # the far end stays down: nothing answers there
    finally:
        subprocess.run([ip, "link", "del", near], capture_output=True, check=False)
        subprocess.run([ip, "netns", "del", ns], capture_output=True, check=False)


def silent_scope(address: str, **extra) -> ScanScope:
    return ScanScope(
        [
            ScanTarget(
                name="silent",
                agency="district-xitun",
                enabled=True,
                networks=(f"{address}/32",),
                ports="22,80,443,3389",
                service_detection=False,
                **extra,
            )
        ]
    )


def test_an_unreachable_target_is_a_recorded_failed_scan(store, clock, silent_host):
    summary = run_scan(
        store=store,
        actor=ANALYST,
        scope=silent_scope(silent_host),
        target_name="silent",
        policy=policy_for(22),
        clock=clock,
    )
    assert summary.record.status is ScanStatus.FAILED
    assert "no host in the target answered" in (summary.record.error or "")
    assert store.assets.list() == [] and store.events.count() == 0
    [audited] = [r for r in store.audit.rows() if r.action == "scan.run"]
    assert '"status": "failed"' in audited.detail


def test_a_scan_that_runs_too_long_is_a_recorded_failed_scan(store, clock, silent_host):
    summary = run_scan(
        store=store,
        actor=ANALYST,
        scope=silent_scope(silent_host, assume_up=True),
        target_name="silent",
        policy=policy_for(22),
        clock=clock,
        scanner=lambda: NmapScanner(timeout_s=1, host_timeout_s=60),
    )
    assert summary.record.status is ScanStatus.FAILED
    assert "did not finish within 1s" in (summary.record.error or "")
