"""The demo's sample agency logs: benign noise and a few attacks from several agencies
(Winlogbeat JSON, syslog, a PAN-OS CSV) plus a few malformed lines, written by
`write_demo_inputs` for `citysoc demo` and for the collectors' fuzz tests."""

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from core.clock import TAIPEI, UTC

__all__ = ["ATTACKER_RDP", "ATTACKER_SSH", "DemoFiles", "write_demo_inputs"]

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
