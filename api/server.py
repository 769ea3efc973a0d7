"""`citysoc serve`: syslog listeners, the API, and a detection loop in one process."""

import logging
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import uvicorn

from api.app import create_app
from api.context import CitySoc
from api.observability import configure_logging
from collectors.syslog import SyslogServer, TcpLimits
from core.access import SYSTEM
from core.errors import CitySocError
from incidents.scanning import due_targets, run_scan
from incidents.sharing.pull import due_partners, pull_partner

__all__ = ["api_token", "serve"]

log = logging.getLogger("citysoc.server")


def api_token(state_dir: Path) -> tuple[str, Path]:
    """The operator's API token, created once and kept in a file only its owner can read."""
    path = state_dir / "api-token"
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), path
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(token + "\n", encoding="utf-8")
    return token, path


class ScanScheduler(threading.Thread):
    """Runs each scan target when its interval has passed and its window is open."""

    def __init__(self, soc: CitySoc, interval: float = 60.0) -> None:
        super().__init__(name="scans", daemon=True)
        self.soc, self.interval = soc, interval
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            for target in due_targets(self.soc.store, self.soc.scope, self.soc.clock):
                try:
                    summary = run_scan(
                        store=self.soc.store,
                        actor=SYSTEM,
                        scope=self.soc.scope,
                        target_name=target.name,
                        policy=self.soc.policy,
                        clock=self.soc.clock,
                    )
                except CitySocError as exc:  # recorded where it can be; keep the loop alive
                    log.error("scheduled scan of %s refused: %s", target.name, exc)
                    continue
                log.info(
                    "scan %s: %s, %d hosts up, %d changes, %d findings",
                    target.name,
                    summary.record.status.value,
                    summary.record.hosts_up,
                    len(summary.changes),
                    summary.findings,
                )


class SharePuller(threading.Thread):
    """Pulls each partner that has a pull: section when its interval has passed."""

    def __init__(self, soc: CitySoc, interval: float = 60.0) -> None:
        super().__init__(name="share-pull", daemon=True)
        self.soc, self.interval = soc, interval
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            for partner_id in due_partners(self.soc.store, self.soc.partners, self.soc.clock):
                try:
                    report = pull_partner(
                        store=self.soc.store,
                        partners=self.soc.partners,
                        partner_id=partner_id,
                        actor=SYSTEM,
                        clock=self.soc.clock,
                    )
                except CitySocError as exc:  # a partner being down must not stop the others
                    log.error("pull from %s failed: %s", partner_id, exc)
                    continue
                log.info(
                    "pulled %s: %d objects, %d new indicators, %d rejected",
                    partner_id,
                    report.received,
                    report.new,
                    len(report.rejected),
                )


class DetectionLoop(threading.Thread):
    """Runs detections and triage whenever new events arrive (at most every `interval` s)."""

    def __init__(self, soc: CitySoc, interval: float = 5.0) -> None:
        super().__init__(name="detections", daemon=True)
        self.soc, self.interval = soc, interval
        self.wake = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            if self.stop.is_set():
                return
            report = self.soc.process()
            if report.detection.alerts_new or report.triage.incidents_opened:
                log.info(
                    "detections: %d new alerts, %d incidents opened",
                    report.detection.alerts_new,
                    report.triage.incidents_opened,
                )


def serve(soc: CitySoc, *, announce: Callable[[str], None] | None = None) -> None:
    settings = soc.settings
    configure_logging(settings.log_format)
    token, token_path = api_token(settings.data_dir)
    loop = DetectionLoop(soc)
    syslog = SyslogServer(
        soc.ingestor(),
        host=settings.syslog_host,
        udp_port=settings.syslog_udp_port,
        tcp_port=settings.syslog_tcp_port,
        on_stored=loop.wake.set,
        limits=TcpLimits(
            max_frame_bytes=settings.max_record_bytes,
            max_connections=settings.syslog_max_connections,
            max_connections_per_source=settings.syslog_max_connections_per_source,
            idle_seconds=settings.syslog_idle_seconds,
        ),
        health=soc.health,
        journal_dir=settings.data_dir / "syslog-journal",
        journal_max_bytes=settings.syslog_journal_max_bytes,
        relp_port=settings.syslog_relp_port,
    )
    app = create_app(soc, api_token=token)
    scans = ScanScheduler(soc)
    pulls = SharePuller(soc)
    with syslog:
        loop.start()
        if settings.scan_schedule:
            scans.start()
        if settings.share_pull_schedule:
            pulls.start()
        if announce:
            relp = f", relp {syslog.relp_address}" if syslog.relp_address else ""
            announce(f"syslog: udp {syslog.udp_address}, tcp {syslog.tcp_address}{relp}")
            announce(
                f"API: http://{settings.api_host}:{settings.api_port}/api/v1/health "
                f"(docs at /api/docs); API token in {token_path}"
            )
        try:
            uvicorn.run(
                app,
                host=settings.api_host,
                port=settings.api_port,
                log_level="info",
                log_config=None,
            )  # use our handlers (text or JSON) for uvicorn too
        finally:
            loop.stop.set()
            scans.stop.set()
            pulls.stop.set()
            loop.wake.set()
            loop.join(timeout=10)
