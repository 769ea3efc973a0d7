"""`citysoc demo`: the whole path on data it makes itself, no ../shared needed.

Several agencies send benign noise and a few attacks (Winlogbeat JSON, syslog, PAN-OS CSV,
plus a few malformed lines); CitySOC ingests, detects, opens suspected cases; one is
confirmed, a district office files the notification, and the form is rendered to HTML. The
input files are written by `write_demo_inputs` (also used by the collectors' fuzz tests);
the `demo` command at the end (a top-level command: `api/cli/__init__.py` registers it)
runs the other commands' steps over them.
"""

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from api.cli.alerts import alerts_groups
from api.cli.common import console, err, open_soc
from api.cli.incidents import incidents_list
from api.cli.ingest import ingest_files, print_ingest, run_detections
from api.context import local_operator
from api.terminal import safe
from core.access import Actor, Role
from core.clock import TAIPEI, UTC
from incidents import awareness, notification, service
from incidents.levels import Availability, Impact, InfoClass, LevelAnswers, SystemClass
from reports.documents import DocumentKind, build_document, render_html

__all__ = ["DemoFiles", "demo", "write_demo_inputs"]

# Documentation address ranges (RFC 5737) stand in for attackers outside the city.
ATTACKER_RDP = "203.0.113.45"
ATTACKER_SSH = "198.51.100.7"


@dataclass(frozen=True, slots=True)
class DemoFiles:
    windows: Path
    syslog: Path
    firewall: Path

    def all(self) -> list[Path]:
        return [self.windows, self.syslog, self.firewall]


def _winlog(
    at: datetime,
    host: str,
    channel: str,
    event_id: int,
    data: dict[str, object],
    provider: str = "Microsoft-Windows-Security-Auditing",
) -> str:
    return json.dumps(
        {
            "@timestamp": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "host": {"name": host},
            "winlog": {
                "channel": channel,
                "event_id": str(event_id),
                "provider_name": provider,
                "computer_name": host,
                "record_id": random.randint(1, 10**7),  # noqa: S311
                "event_data": data,
            },
            "message": f"event {event_id}",
        },
        ensure_ascii=False,
    )


def _sysmon_process(at: datetime, host: str, image: str, cmd: str, parent: str) -> str:
    return _winlog(
        at,
        host,
        "Microsoft-Windows-Sysmon/Operational",
        1,
        {
            "Image": image,
            "CommandLine": cmd,
            "ParentImage": parent,
            "User": f"{host}\\svc",
            "IntegrityLevel": "High",
        },
        provider="Microsoft-Windows-Sysmon",
    )


def write_demo_inputs(folder: Path, *, now: datetime, seed: int = 7) -> DemoFiles:
    """Write the demo's input files under ``folder``; deterministic for a seed and time."""
    random.seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = now - timedelta(hours=2)
    win: list[str] = []
    hosts = ["D-XITUN-PC01", "D-XITUN-PC02", "POLICE-PC07", "EDUCATION-PC12", "FINANCE-PC03"]
    for i in range(300):  # benign noise
        at = start + timedelta(seconds=20 * i)
        host = hosts[i % len(hosts)]
        if i % 3:
            win.append(
                _winlog(
                    at,
                    host,
                    "Security",
                    4624,
                    {
                        "TargetUserName": f"user{i % 17}",
                        "LogonType": 3,
                        "IpAddress": f"10.30.6.{10 + i % 40}",
                    },
                )
            )
        else:
            win.append(
                _sysmon_process(
                    at,
                    host,
                    "C:\\Windows\\System32\\notepad.exe",
                    "notepad.exe report.txt",
                    "C:\\Windows\\explorer.exe",
                )
            )
    t = start + timedelta(minutes=70)
    fs = "D-XITUN-FS01"
    win += [  # a district-office file server is taken over
        _sysmon_process(
            t,
            fs,
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
            "powershell.exe -nop -w hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0A",
            "C:\\Windows\\System32\\cmd.exe",
        ),
        _winlog(
            t + timedelta(minutes=2),
            fs,
            "Security",
            4720,
            {"TargetUserName": "backup$adm", "SubjectUserName": "svc"},
        ),
        _winlog(
            t + timedelta(minutes=3),
            fs,
            "Security",
            4732,
            {
                "MemberName": "backup$adm",
                "TargetUserName": "Administrators",
                "TargetSid": "S-1-5-32-544",
                "SubjectUserName": "svc",
            },
        ),
        _sysmon_process(
            t + timedelta(minutes=5),
            fs,
            "C:\\Windows\\System32\\vssadmin.exe",
            "vssadmin.exe delete shadows /all /quiet",
            "C:\\Windows\\System32\\cmd.exe",
        ),
        _winlog(
            t + timedelta(minutes=9),
            fs,
            "Security",
            1102,
            {"SubjectUserName": "backup$adm"},
            provider="Microsoft-Windows-Eventlog",
        ),
        # a police web server runs a command from its IIS worker: a web shell
        _sysmon_process(
            t + timedelta(minutes=20),
            "POLICE-WEB01",
            "C:\\Windows\\System32\\cmd.exe",
            "cmd.exe /c whoami",
            "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
        ),
        # someone logs on over RDP to a school PC from outside the city network
        _winlog(
            t + timedelta(minutes=30),
            "EDUCATION-PC12",
            "Security",
            4624,
            {"TargetUserName": "teacher", "LogonType": 10, "IpAddress": ATTACKER_RDP},
        ),
    ]
    windows = folder / "windows-winlogbeat.jsonl"
    windows.write_text("\n".join(win) + "\n{not json: a truncated line\n", encoding="utf-8")

    lines: list[str] = []
    for i in range(120):
        at = (start + timedelta(seconds=60 * i)).astimezone(TAIPEI)
        if i % 2:
            lines.append(
                f"<86>{at:%b} {at.day:2d} {at:%H:%M:%S} D-XITUN-WEB02 CRON[{2000 + i}]: "
                "pam_unix(cron:session): session opened for user root"
            )
        else:
            stamp = at.isoformat(timespec="milliseconds")
            lines.append(
                f"<38>1 {stamp} TRANSPORTATION-GW01 sshd 411 - - Accepted publickey for "
                f"ops from 10.20.7.{i % 50} port 50122 ssh2"
            )
    attack_at = (start + timedelta(minutes=90)).astimezone(TAIPEI)
    for n in range(12):
        at = attack_at + timedelta(seconds=5 * n)
        lines.append(
            f"<38>{at:%b} {at.day:2d} {at:%H:%M:%S} D-XITUN-WEB02 sshd[7{n:03d}]: Failed "
            f"password for invalid user admin from {ATTACKER_SSH} port 4{n:04d} ssh2"
        )
    at = attack_at + timedelta(minutes=2)
    lines.append(
        f"<38>{at:%b} {at.day:2d} {at:%H:%M:%S} D-XITUN-WEB02 sshd[7999]: Accepted "
        f"password for root from {ATTACKER_SSH} port 40999 ssh2"
    )
    lines.append("this line has no syslog header")
    syslog = folder / "agencies-syslog.log"
    syslog.write_text("\n".join(lines) + "\n", encoding="utf-8")

    rows: list[str] = []
    for i in range(80):
        at = (start + timedelta(seconds=90 * i)).astimezone(TAIPEI)
        rows.append(
            _panos(
                at,
                f"10.20.4.{20 + i % 30}",
                "142.250.66.68",
                50000 + i,
                443,
                "allow",
                "web-browsing",
            )
        )
    at = (start + timedelta(minutes=95)).astimezone(TAIPEI)
    rows.append(_panos(at, ATTACKER_RDP, "10.20.4.12", 51515, 3389, "allow", "ms-rdp"))
    rows.append("1,2026/13/45 99:99:99,broken")
    firewall = folder / "firewall-panos.csv"
    firewall.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return DemoFiles(windows=windows, syslog=syslog, firewall=firewall)


def _panos(at: datetime, src: str, dst: str, sport: int, dport: int, action: str, app: str) -> str:
    stamp = f"{at:%Y/%m/%d %H:%M:%S}"
    cols = [
        "1",
        stamp,
        "012801000001",
        "TRAFFIC",
        "end",
        "2560",
        stamp,
        src,
        dst,
        "",
        "",
        "allow-rule",
        "",
        "",
        app,
        "vsys1",
        "untrust" if src.startswith("203.") else "trust",
        "trust",
        "ethernet1/1",
        "ethernet1/2",
        "default",
        "",
        "123456",
        "1",
        str(sport),
        str(dport),
        "0",
        "0",
        "0x0",
        "tcp",
        action,
        "4096",
        "2048",
        "2048",
        "12",
    ]
    return ",".join(cols)


def demo(
    folder: Annotated[Path, typer.Option(help="where the demo writes its store and files")] = Path(
        "var/demo"
    ),
) -> None:
    """Generate sample agency logs and run the whole path: ingest → alerts → incidents →
    a notification form."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "citysoc.db"
    for stale in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    with open_soc(f"sqlite:///{db}") as soc:
        files = write_demo_inputs(folder / "input", now=soc.clock.now())
        console.rule("1. ingest agency logs")
        print_ingest(ingest_files(soc, files.all()))
        console.rule("2. detect and triage")
        run_detections(soc)
        alerts_groups(store=f"sqlite:///{db}")
        console.rule("3. a district office files its notification")
        incidents = service.list_incidents(store=soc.store, actor=local_operator())
        target = next((i for i in incidents if "D-XITUN-FS01" in i.affected_assets), None)
        if target is None:
            err.print("[red]no incident for the Xitun District Office; nothing to notify[/]")
            raise typer.Exit(1)
        reporter = Actor("xitun-contact", Role.REPORTER, agency="district-xitun")
        # Triage made a suspected case; the reporter confirms it (知悉): the clocks start.
        awareness.confirm(store=soc.store, actor=reporter, incident_id=target.id, clock=soc.clock)
        filed = notification.file_notification(
            store=soc.store,
            actor=reporter,
            incident_id=target.id,
            answers=LevelAnswers(
                info_class=InfoClass.CORE_NON_CI,
                tamper=Impact.MINOR,
                system_class=SystemClass.CORE_NON_CI,
                availability=Availability.WITHIN_MTD,
            ),
            description=(
                "檔案伺服器 D-XITUN-FS01 遭執行編碼 PowerShell、新增管理者帳號並清除安全性日誌。"
            ),
            response_measures="已隔離主機網路連線，停用可疑帳號 backup$adm，保全日誌與記憶體映像。",
            outside_support_needed=False,
            clock=soc.clock,
        )
        incidents_list(store=f"sqlite:///{db}")
        out = folder / f"notification-{filed.id}.html"
        form = build_document(
            DocumentKind.NOTIFICATION, filed, registry=soc.registry, now=soc.clock.now()
        )
        out.write_text(render_html(form), encoding="utf-8")
        result = soc.verify_audit(actor=local_operator())
        console.rule("where to look")
        console.print(
            f"notification form: [bold]{safe(out)}[/] (level {filed.level}: "
            f"{safe('; '.join(filed.level_reasons))})"
        )
        console.print(f"store: {db}  →  citysoc alerts list --store sqlite:///{db}")
        console.print(f"dead letters: citysoc deadletter list --store sqlite:///{db}")
        console.print(
            f"audit trail: {result.entries} entries, "
            f"{'intact' if result.ok else 'BROKEN'} (citysoc audit verify)"
        )
        console.print(f"generated at {datetime.now(UTC).isoformat(timespec='seconds')}")
