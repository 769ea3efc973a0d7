"""`citysoc serve`: syslog listeners, the API, and a detection loop in one process."""

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.context import CitySoc
from api.observability import configure_logging, detection_lag
from api.pages.first_run import SETUP_PATH
from collectors.syslog import SyslogServer, TcpLimits
from collectors.syslog_tls import syslog_tls_config
from core.access import SYSTEM
from core.audit_anchors import ANCHOR_TICK_SECONDS, Anchor
from core.clock import taipei_datetime
from core.errors import CitySocError
from core.first_run import FirstRunCode, accounts_exist
from core.private_files import private_dir, tighten, write_private
from core.settings import Settings
from core.source_health import raise_silent
from core.storage import Spooling, spooling
from core.supervisor import Supervised
from incidents.messages.channels import channels_from
from incidents.messages.run import run_messages
from incidents.scanning import due_targets, run_scan
from incidents.sharing.pull import due_partners, pull_partner

__all__ = [
    "AuditAnchorLoop",
    "MessageLoop",
    "api_token",
    "scan_scheduler",
    "serve",
    "uvicorn_config",
    "welcome",
]

log = logging.getLogger("citysoc.server")


def api_token(state_dir: Path) -> tuple[str, Path]:
    """The operator's API token, created once and kept in a file only its owner can read
    (0600 in a 0700 folder; one left open to others is tightened)."""
    path = state_dir / "api-token"
    private_dir(state_dir)
    if path.exists():
        tighten(path)
        return path.read_text(encoding="utf-8").strip(), path
    token = secrets.token_urlsafe(32)
    write_private(path, (token + "\n").encode())
    return token, path


class SocWorker(Supervised):
    """A supervised worker of `serve` over one CitySoc. Subclasses give its name, timer and
    back-off as class attributes and do one pass in ``work`` (and say how much waits in
    ``backlog`` where they can); tests pass a faster timer and back-off."""

    worker_name: ClassVar[str]
    every: ClassVar[float]
    backoff_range: ClassVar[tuple[float, float]] = (1.0, 60.0)

    def __init__(
        self,
        soc: CitySoc,
        interval: float | None = None,
        backoff: tuple[float, float] | None = None,
    ) -> None:
        self.soc = soc
        super().__init__(
            self.worker_name,
            self.work,
            health=soc.health,
            interval=self.every if interval is None else interval,
            backoff=backoff or self.backoff_range,
            backlog=self.backlog,
            clock=soc.clock,
        )

    def work(self) -> object:
        raise NotImplementedError

    def backlog(self) -> int | None:
        """Work still waiting; None where the worker cannot tell."""
        return None


class ScanScheduler(SocWorker):
    """Runs each scan target when its interval has passed and its window is open."""

    worker_name, every = "scans", 60.0

    def work(self) -> None:
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
            except CitySocError as exc:  # recorded where it can be; the other targets go on
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


def scan_scheduler(soc: CitySoc) -> tuple[ScanScheduler | None, str]:
    """The scheduled-scan thread, only when the operator opted in twice (the schedule setting
    and at least one target marked enabled), with a line saying why or why not."""
    if not soc.settings.scan_schedule:
        return None, "scheduled scans: off (CITYSOC_SCAN_SCHEDULE is false)"
    enabled = [t.name for t in soc.scope.enabled]
    if not enabled:
        return None, (
            f"scheduled scans: off (no target is enabled in {soc.scope.source}; "
            "CITYSOC_SCAN_TARGETS_FILE names the targets file)"
        )
    return ScanScheduler(soc), f"scheduled scans: on for {', '.join(enabled)}"


class SharePuller(SocWorker):
    """Pulls each partner that has a pull: section when its interval has passed."""

    worker_name, every = "share-pull", 60.0

    def work(self) -> None:
        for partner_id in due_partners(self.soc.store, self.soc.partners, self.soc.clock):
            try:
                report = pull_partner(
                    store=self.soc.store,
                    partners=self.soc.partners,
                    partner_id=partner_id,
                    actor=SYSTEM,
                    clock=self.soc.clock,
                    limits=self.soc.pull_limits,
                )
            except CitySocError as exc:  # a partner being down must not stop the others
                log.error("pull from %s failed: %s", partner_id, exc)
                continue
            log.info(
                "pulled %s: %d objects, %d new indicators, %d rejected%s",
                partner_id,
                report.received,
                report.new,
                len(report.rejected),
                f"; {report.stopped}" if report.stopped else "",
            )


class AuditAnchorLoop(SocWorker):
    """Anchors the audit chain every N new entries, or every M minutes when it grew
    (CITYSOC_AUDIT_ANCHOR_EVERY_ENTRIES / _MINUTES), looking every few seconds."""

    worker_name, every = "audit-anchors", ANCHOR_TICK_SECONDS

    def work(self) -> Anchor | None:
        return self.tick()

    def tick(self) -> Anchor | None:
        settings = self.soc.settings
        due = self.soc.anchors.due(
            self.soc.store,
            now=self.soc.clock.now(),
            every_entries=settings.audit_anchor_every_entries,
            every=timedelta(minutes=settings.audit_anchor_every_minutes),
        )
        return self.soc.anchor_audit("serve") if due else None


class DetectionLoop(SocWorker):
    """Runs detections and triage whenever new events arrive (at most every `interval` s);
    its backlog is the detection lag (events the slowest rule has not seen)."""

    worker_name, every = "detections", 5.0

    def backlog(self) -> int:
        return detection_lag(self.soc.store)

    def work(self) -> None:
        report = self.soc.process()
        if report.detection.alerts_new or report.triage.incidents_opened:
            log.info(
                "detections: %d new alerts, %d incidents opened",
                report.detection.alerts_new,
                report.triage.incidents_opened,
            )


class MessageLoop(SocWorker):
    """Messages to people (incidents.messages): queues what the clocks, reviews and
    suspected cases deserve, then sends what is due; its backlog is the messages waiting."""

    worker_name, every = "messages", 30.0

    def __init__(self, soc: CitySoc, interval: float | None = None) -> None:
        self.channels = channels_from(soc.settings)  # a bad setting stops `serve` at start
        super().__init__(soc, soc.settings.message_scan_seconds if interval is None else interval)

    def backlog(self) -> int:
        return self.soc.store.messages.count(status="pending")

    def work(self) -> None:
        run_messages(
            self.soc.store,
            registry=self.soc.registry,
            settings=self.soc.settings,
            clock=self.soc.clock,
            channels=self.channels,
        )


class SourceWatch(SocWorker):
    """Raises one alert per source silent past its threshold (core.source_health), every
    CITYSOC_SOURCE_CHECK_SECONDS; a silence already alerted is not raised again."""

    worker_name, every = "sources", 300.0

    def __init__(self, soc: CitySoc, interval: float | None = None) -> None:
        super().__init__(soc, soc.settings.source_check_seconds if interval is None else interval)

    def work(self) -> None:
        raised = raise_silent(self.soc.store, settings=self.soc.settings, clock=self.soc.clock)
        if raised:
            log.info("sources: %d newly silent", len(raised))


class SpoolDrainer(SocWorker):
    """Stores the events an outage left in the spool, oldest first, without waiting for a
    new write; its backlog is the events still waiting. While the node refuses them it
    is "restarting" (readiness names the reason) and tries again after a back-off."""

    worker_name, every, backoff_range = "spool-drain", 2.0, (0.5, 10.0)

    def __init__(
        self,
        soc: CitySoc,
        spool: Spooling,
        interval: float | None = None,
        backoff: tuple[float, float] | None = None,
    ) -> None:
        self.spool = spool
        super().__init__(soc, interval, backoff)

    def backlog(self) -> int:
        return self.spool.pending_events()

    def work(self) -> None:
        if stored := self.spool.drain_spool():
            log.info("spool drained: %d events stored", stored)


def uvicorn_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    """How `serve` runs uvicorn. Forwarded headers (X-Forwarded-For, -Proto) are believed
    only from ``CITYSOC_TRUSTED_PROXIES``: uvicorn's default trusts them from 127.0.0.1, so
    any local client could name itself anyone and slip past the per-client login limit."""
    proxies = settings.trusted_proxies
    return uvicorn.Config(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_level="info",
        log_config=None,  # use our handlers (text or JSON) for uvicorn too
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or [],  # never FORWARDED_ALLOW_IPS from the environment
    )


def welcome(settings: Settings, token_path: Path, first_run: FirstRunCode | None) -> list[str]:
    """The banner's last lines: where the pages, API and docs are, the operator's token, and
    how the first account comes to be (the one-time code is printed here and nowhere else)."""
    everywhere = settings.api_host in ("0.0.0.0", "::", "")  # noqa: S104
    host = "127.0.0.1" if everywhere else settings.api_host
    web = f"http://{host}:{settings.api_port}"
    lines = [
        f"web pages: {web}/   JSON API: {web}/api/v1/health   API docs: {web}/api/docs",
        f"operator API token (Authorization: Bearer): {token_path}",
    ]
    if everywhere:  # 127.0.0.1 works only here; CitySOC looks up no name to guess the address
        lines.insert(
            1,
            f"listening on every address ({settings.api_host or '::'}): from another machine "
            f"open http://<this machine's address>:{settings.api_port}/ "
            "(sign-in needs HTTPS there, or CITYSOC_COOKIE_SECURE=false)",
        )
    if first_run is None:
        return [*lines, "accounts: created by an administrator: .venv/bin/citysoc users create"]
    return [
        *lines,
        f"no account exists yet: open {web}{SETUP_PATH} to create the first administrator",
        f"one-time code: {first_run.shown()} (works once, until "
        f"{taipei_datetime(first_run.expires_at)} Taipei time; a restart prints a new one)",
        "or on this host: .venv/bin/citysoc users create NAME --role admin",
    ]


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
        tls_port=settings.syslog_tls_port,
        tls=syslog_tls_config(settings),
    )
    # An empty store gets a one-time code for the first-run page, shown only on the console.
    first_run = None
    if announce is not None and not accounts_exist(soc.store):
        first_run = FirstRunCode.issue(soc.clock)
    app = create_app(soc, api_token=token, first_run=first_run)
    scans, scans_state = scan_scheduler(soc)
    log.info("%s", scans_state)
    pulls = SharePuller(soc)
    anchors = AuditAnchorLoop(soc)
    messages = MessageLoop(soc)
    sources = SourceWatch(soc)
    spool = spooling(soc.store)
    drainer = SpoolDrainer(soc, spool) if spool is not None else None
    with syslog:
        loop.start()
        anchors.start()
        messages.start()
        sources.start()
        if drainer is not None:
            drainer.start()
        if scans is not None:
            scans.start()
        if settings.share_pull_schedule:
            pulls.start()
        if announce:
            more = f", relp {syslog.relp_address}" if syslog.relp_address else ""
            more += f", tls {syslog.tls_address}" if syslog.tls_address else ""
            announce(f"syslog: udp {syslog.udp_address}, tcp {syslog.tcp_address}{more}")
            announce(scans_state)
            announce(
                f"audit anchors: every {settings.audit_anchor_every_entries} entries or "
                f"{settings.audit_anchor_every_minutes} min, in {soc.anchors.anchor_file}"
            )
            for line in welcome(settings, token_path, first_run):
                announce(line)
        try:
            uvicorn.Server(uvicorn_config(app, settings)).run()
        finally:
            for worker in (loop, anchors, messages, sources, scans, pulls, drainer):
                if worker is not None:
                    worker.close()
