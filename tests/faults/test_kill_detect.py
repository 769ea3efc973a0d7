"""kill -9 of `citysoc detect` at injected points (issue 19): after a re-run, the store holds
exactly what an uninterrupted run leaves — each alert once, each group's incident once with
its alerts and opening entry — and the audit trail and the SQLite file are sound."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.faults import CRASH_ENV

pytestmark = pytest.mark.faults

# Points in detection (alerts stored, checkpoints not yet moved) and in triage (inside the
# opening transaction, and after one incident of several was opened).
POINTS = ("detect.after-alerts", "triage.in-opening", "triage.after-opening")
HOSTS = [f"D-XITUN-PC{n:02}" for n in range(4)] + [f"D-BEITUN-PC{n:02}" for n in range(4)]


def _events(path: Path) -> None:
    """High-severity city-rule matches on several hosts of two agencies (so triage opens
    several incidents), plus medium ones and ordinary noise."""
    rows = []
    for n, host in enumerate(HOSTS):
        at = f"2026-03-02T0{n % 4}:1{n}:00Z"
        for event_id, data in (
            ("1102", {"SubjectUserName": f"eve{n}"}),  # security log cleared: high
            ("4720", {"TargetUserName": f"new{n}"}),  # account created: medium
            ("4624", {"LogonType": 3, "TargetUserName": "staff"}),  # no rule
        ):
            rows.append(
                {
                    "@timestamp": at,
                    "host": {"name": host},
                    "winlog": {"channel": "Security", "event_id": event_id, "event_data": data},
                }
            )
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def _cli(db: Path, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args, "--store", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("detect-faults")
    _events(folder / "security.jsonl")
    db = folder / "fresh" / "c.db"
    db.parent.mkdir()
    done = _cli(db, "ingest", str(folder / "security.jsonl"), "--no-detect")
    assert done.returncode == 0, done.stderr
    return db


def _copy(db: Path, to: Path) -> Path:
    to.mkdir()
    for name in ("c.db", "c.db-wal", "c.db-shm"):
        if (db.parent / name).exists():
            shutil.copy2(db.parent / name, to / name)
    return to / "c.db"


def _outcome(db: Path) -> dict[str, object]:
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        alerts = sorted(
            (json.loads(d)["id"], json.loads(d)["status"], json.loads(d).get("incident_id"))
            for (d,) in con.execute("SELECT doc FROM alerts")
        )
        incidents = sorted(
            (json.loads(d)["id"], tuple(sorted(json.loads(d)["alert_ids"])))
            for (d,) in con.execute("SELECT doc FROM incidents")
        )
        opened = sorted(
            s for (s,) in con.execute("SELECT subject FROM audit WHERE action = 'incident.open'")
        )
    return {"alerts": alerts, "incidents": incidents, "opening entries": opened}


@pytest.fixture(scope="module")
def uninterrupted(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    db = _copy(ingested, tmp_path_factory.mktemp("whole") / "run")
    done = _cli(db, "detect")
    assert done.returncode == 0, done.stderr
    outcome = _outcome(db)
    assert len(outcome["incidents"]) >= 2, outcome  # several openings: a crash between them
    return outcome


@pytest.mark.parametrize("point", POINTS)
def test_a_detect_killed_at_a_crash_point_is_completed_by_the_next_run(
    point: str, ingested: Path, uninterrupted: dict[str, object], tmp_path: Path
) -> None:
    db = _copy(ingested, tmp_path / "run")
    killed = _cli(db, "detect", crash_at=point)
    assert killed.returncode == -signal.SIGKILL, (point, killed.stdout, killed.stderr)

    again = _cli(db, "detect")
    assert again.returncode == 0, again.stderr
    assert _outcome(db) == uninterrupted
    verified = _cli(db, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
