"""Scanning is opt-in: a fresh CitySOC scans nothing, `serve` starts no scan scheduler, the
shipped targets are an example that is never loaded by default, and loading targets never
resolves a host name. Nothing here runs nmap; the one target these tests enable is loopback.
"""

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.context import CitySoc
from api.server import ScanScheduler, scan_scheduler
from collectors.scan_targets import ScanScope, ScanTarget
from core.access import Actor, Role
from core.errors import InputError
from core.settings import EXAMPLE_SCAN_TARGETS, Settings
from detections.exposure import ExposurePolicy
from incidents.scanning import due_targets, run_scan

# Name lookups as Python's audit hooks report them (docs: "Audit events table").
LOOKUPS = frozenset(
    {
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
        "socket.connect",
        "socket.sendto",
    }
)
_recording: list[list[tuple[str, tuple[object, ...]]]] = []
_hooked = threading.Lock()


def _hook(event: str, args: tuple[object, ...]) -> None:
    if _recording and event in LOOKUPS:
        _recording[-1].append((event, args))


@contextmanager
def network_calls() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Every name lookup or connection this process makes inside the block. Audit hooks
    cannot be removed, so one is installed for the session and records only while asked."""
    with _hooked:
        if not getattr(sys, "_citysoc_lookup_hook", False):
            sys.addaudithook(_hook)
            sys._citysoc_lookup_hook = True  # type: ignore[attr-defined]
    calls: list[tuple[str, tuple[object, ...]]] = []
    _recording.append(calls)
    try:
        yield calls
    finally:
        _recording.remove(calls)


def loopback_targets(tmp_path: Path, *, enabled: bool) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(
        "targets:\n  - {name: loopback, agency: district-xitun, "
        f"enabled: {str(enabled).lower()}, networks: [127.0.0.1/32], hosts: [localhost], "
        "ports: '22', service_detection: false}\n",
        encoding="utf-8",
    )
    return path


def test_default_settings_have_no_targets_and_no_schedule(tmp_path):
    settings = Settings(store=f"sqlite:///{tmp_path / 'c.db'}")
    assert settings.scan_targets_file is None and settings.scan_schedule is False
    with CitySoc(settings) as soc:
        assert soc.scope.targets == {} and soc.scope.enabled == []
        scheduler, state = scan_scheduler(soc)
    assert scheduler is None and "CITYSOC_SCAN_SCHEDULE is false" in state


def test_the_scheduler_needs_the_schedule_and_an_enabled_target(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    example = Settings(store=store, scan_schedule=True, scan_targets_file=EXAMPLE_SCAN_TARGETS)
    with CitySoc(example) as soc:
        scheduler, state = scan_scheduler(soc)
        assert scheduler is None and "no target is enabled" in state
        assert due_targets(soc.store, soc.scope, soc.clock) == []
    opted_in = Settings(
        store=store, scan_schedule=True, scan_targets_file=loopback_targets(tmp_path, enabled=True)
    )
    with CitySoc(opted_in) as soc:
        scheduler, state = scan_scheduler(soc)
        assert isinstance(scheduler, ScanScheduler) and "loopback" in state
        assert not scheduler.is_alive()  # built, not started: serve starts it


def test_loading_targets_resolves_no_host_name(tmp_path, registry):
    with network_calls() as calls:
        import socket

        socket.getaddrinfo("localhost", None)  # the recorder sees lookups (via /etc/hosts)
    assert calls and calls[0][0] == "socket.getaddrinfo"

    with network_calls() as calls:
        example = ScanScope.load(EXAMPLE_SCAN_TARGETS, registry)
        mine = ScanScope.load(loopback_targets(tmp_path, enabled=True), registry)
        police = example.get("police-dmz")
        in_scope = police.contains("POLICE-WEB01") and not police.contains("10.99.0.1")
        addresses = police.addresses()
        resolved = mine.resolve(mine.get("loopback"))
    assert calls == []
    assert in_scope and police.hosts == ("POLICE-WEB01",) and "POLICE-WEB01" in addresses
    assert resolved == ["127.0.0.1", "localhost"]  # names stay names until nmap scans them


def test_a_target_not_enabled_is_refused_before_nmap_runs(store, clock, registry, tmp_path):
    scope = ScanScope.load(loopback_targets(tmp_path, enabled=False), registry)

    def no_scanner():
        raise AssertionError("nmap must not be started for a target that is not enabled")

    with network_calls() as calls, pytest.raises(InputError, match="not enabled"):
        run_scan(
            store=store,
            actor=Actor("amy", Role.ANALYST),
            scope=scope,
            target_name="loopback",
            policy=ExposurePolicy([]),
            clock=clock,
            scanner=no_scanner,
            ignore_window=True,
        )
    assert calls == [] and store.assets.scans() == []


def test_a_target_defaults_to_not_enabled():
    target = ScanTarget(name="x1", agency="police", networks=("127.0.0.1/32",), ports="22")
    assert target.enabled is False


def test_the_scan_command_scans_nothing_by_default(tmp_path, monkeypatch):
    from api.cli import app

    monkeypatch.chdir(tmp_path)  # no .env from elsewhere
    monkeypatch.delenv("CITYSOC_SCAN_TARGETS_FILE", raising=False)
    with network_calls() as calls:
        result = CliRunner().invoke(app, ["scan", "--store", f"sqlite:///{tmp_path / 'c.db'}"])
    assert result.exit_code == 1 and "nothing to scan" in result.output
    assert calls == []
