"""The audit chain's signed anchors: when they are written (serve, each CLI command, each
verification and compliance report), that the anchor file itself cannot be edited, cut or
reordered unnoticed, and that the CLI, the API, the /audit page and the compliance report
show the comparison."""

import json
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.server import AuditAnchorLoop
from core import audit
from core.access import Actor, Role
from core.audit_anchors import AnchorLog
from core.settings import Settings
from tests.factories import PASSWORD, logged_in, make_user

AUDITOR = Actor("audrey", Role.AUDITOR)  # verification counts every agency: audit readers

ACTOR = Actor("amy", Role.ANALYST)
TOKEN = "operator-token-anchors"


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def write(soc, n: int) -> None:
    for i in range(n):
        audit.record(
            soc.store, actor=ACTOR, action="test.step", subject=f"S{i}", at=soc.clock.now()
        )


def lines(soc) -> list[dict]:
    return [json.loads(x) for x in soc.anchors.anchor_file.read_text().splitlines()]


def test_anchors_are_signed_chained_and_kept_beside_the_store(soc):
    name = "citysoc.db" if soc.store.engine == "sqlite" else soc.settings.store_index_prefix
    assert soc.anchors.anchor_file == soc.settings.data_dir / f"{name}.audit-anchors.jsonl"
    assert soc.anchors.key_file == soc.settings.data_dir / "audit.key"
    assert (
        soc.verify_audit(actor=AUDITOR).latest_anchor is None
    )  # an empty chain: nothing to anchor
    assert not soc.anchors.anchor_file.exists() or lines(soc) == []
    write(soc, 3)
    first = soc.verify_audit(actor=AUDITOR).latest_anchor
    assert (first.number, first.entries, first.head_seq, first.reason) == (1, 3, 3, "verify")
    assert soc.anchor_audit("test") is None  # the chain did not grow: no new anchor
    write(soc, 2)
    second = soc.anchor_audit("test")
    assert (second.number, second.entries, second.prev_mac) == (2, 5, first.mac)
    assert [a["number"] for a in lines(soc)] == [1, 2]
    assert soc.verify_audit(actor=AUDITOR).anchors == 2


def test_an_edited_anchor_line_is_detected(soc):
    write(soc, 3)
    soc.anchor_audit("test")
    write(soc, 2)
    soc.anchor_audit("test")
    path = soc.anchors.anchor_file
    edited = lines(soc)
    edited[1]["entries"] = 3  # hide two entries from the record
    path.write_text("".join(json.dumps(a) + "\n" for a in edited))
    result = soc.verify_audit(actor=AUDITOR)
    assert not result.ok and "anchor #2" in result.reason and "signature" in result.reason


def test_an_anchor_removed_from_the_file_is_detected(soc):
    for _ in range(3):
        write(soc, 1)
        soc.anchor_audit("test")
    path = soc.anchors.anchor_file
    kept = path.read_text().splitlines()
    path.write_text(kept[0] + "\n" + kept[2] + "\n")
    result = soc.verify_audit(actor=AUDITOR)
    assert not result.ok and "anchor #2 was removed from the anchor file" in result.reason


def test_anchors_cannot_be_checked_without_their_key(soc):
    write(soc, 2)
    soc.anchor_audit("test")
    soc.anchors.key_file.unlink()
    result = soc.verify_audit(actor=AUDITOR)
    assert not result.ok and "audit key file" in result.reason and "restore" in result.reason
    assert soc.anchor_audit("test") is None  # and no new key silently replaces it
    assert not soc.anchors.key_file.exists()


def test_a_damaged_key_is_refused_with_its_name(soc):
    from core.errors import ConfigError

    write(soc, 1)
    soc.anchor_audit("test")
    soc.anchors.key_file.write_text("not a key\n")
    with pytest.raises(ConfigError, match="64 hex digits"):
        soc.verify_audit(actor=AUDITOR)


def test_serve_anchors_every_n_entries_and_every_m_minutes(soc):
    soc.settings = Settings(
        store=soc.settings.store,
        store_index_prefix=soc.settings.store_index_prefix,
        state_dir=soc.settings.state_dir,
        audit_anchor_every_entries=3,
        audit_anchor_every_minutes=5,
    )
    loop = AuditAnchorLoop(soc)
    assert loop.tick() is None  # nothing written yet
    write(soc, 1)
    assert loop.tick().number == 1  # the first entry is anchored at once
    write(soc, 2)
    assert loop.tick() is None  # 2 new entries, 0 minutes: not yet
    write(soc, 1)
    assert loop.tick().entries == 4  # 3 new entries
    write(soc, 1)
    soc.clock.advance(timedelta(minutes=4))
    assert loop.tick() is None
    soc.clock.advance(timedelta(minutes=1))
    assert loop.tick().entries == 5  # 5 minutes since the last anchor, and something new
    soc.clock.advance(timedelta(minutes=60))
    assert loop.tick() is None  # time alone anchors nothing


def test_each_cli_command_that_writes_is_anchored_when_it_ends(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    opened = runner.invoke(
        cli,
        [
            "incidents",
            "open",
            "--agency",
            "district-xitun",
            "--title",
            "anchored",
            "--aware-at",
            "2026-03-02T09:00:00+08:00",
            "--store",
            store,
        ],
    )
    assert opened.exit_code == 0, opened.output
    anchor_file = tmp_path / "c.db.audit-anchors.jsonl"
    [anchor] = [json.loads(x) for x in anchor_file.read_text().splitlines()]
    assert (anchor["reason"], anchor["entries"]) == ("close", 1)
    listed = runner.invoke(cli, ["incidents", "list", "--store", store])
    assert listed.exit_code == 0 and len(anchor_file.read_text().splitlines()) == 1


def test_the_verify_command_shows_the_anchor_comparison(tmp_path):
    db = tmp_path / "c.db"
    store = f"sqlite:///{db}"
    runner = CliRunner()
    runner.invoke(
        cli,
        ["users", "create", "auditor1", "--role", "auditor", "--store", store],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    runner.invoke(cli, ["users", "token", "auditor1", "--name", "x", "--store", store])
    good = runner.invoke(cli, ["audit", "verify", "--store", store])
    assert good.exit_code == 0, good.output
    # each of the two commands anchored what it wrote when it ended
    assert "audit trail intact" in good.output and "latest anchor #2" in good.output
    with sqlite3.connect(db) as con:  # cut the newest entry off, as an attacker would
        con.execute("DROP TRIGGER audit_no_delete")
        con.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    bad = runner.invoke(cli, ["audit", "verify", "--store", store])
    assert bad.exit_code == 1
    assert "entry 2 was removed after anchor #2" in " ".join(bad.output.split())


def test_the_api_the_audit_page_and_the_compliance_report_show_the_anchors(soc):
    soc.settings = Settings(
        store=soc.settings.store,
        store_index_prefix=soc.settings.store_index_prefix,
        state_dir=soc.settings.state_dir,
        cookie_secure=False,
    )
    make_user(soc, "auditor", Role.AUDITOR)
    write(soc, 3)
    api = TestClient(create_app(soc, api_token=TOKEN))
    api.headers["Authorization"] = f"Bearer {TOKEN}"
    checked = api.get("/api/v1/audit/verify").json()
    assert checked["ok"] and checked["anchors"]["latest"]["number"] == 1
    latest = checked["anchors"]["latest"]
    report = api.get("/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31").json()
    assert report["audit_anchor"]["mac"] == latest["mac"]  # nothing new since: the same one
    html = api.get("/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&format=html").text
    assert latest["mac"] in html and latest["head_hash"] in html
    browser, _csrf = logged_in(api.app, "auditor")
    page = browser.get("/audit").text  # the login was audited: the page anchors it
    assert 'id="audit-anchor"' in page
    assert soc.store.audit.page(limit=1)[0].hash in page and "第 2 號" in page

    newest = soc.store.audit.page(limit=1)[0]
    if soc.store.engine == "sqlite":
        with sqlite3.connect(soc.settings.sqlite_path) as con:
            con.execute("DROP TRIGGER audit_no_delete")
            con.execute("DELETE FROM audit WHERE seq = ?", (newest.seq,))
    else:
        soc.store.es.delete(index=soc.store.index("audit"), id=str(newest.seq), refresh=True)
    broken = api.get("/api/v1/audit/verify").json()
    removed = f"entry {newest.seq} was removed after anchor #"
    assert not broken["ok"] and removed in broken["reason"]
    assert removed in browser.get("/audit").text
    dashboard = browser.get("/dashboard?from=2026-01-01&to=2026-12-31").text
    assert removed in dashboard
    again = api.get("/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31").json()
    assert not again["audit_ok"] and removed in again["audit_problems"][0]


def test_writers_in_many_threads_keep_one_anchor_chain(soc):
    def work(_):
        write(soc, 2)
        soc.anchor_audit("test")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(8)))
    result = soc.verify_audit(actor=AUDITOR)
    assert result.ok, result.problems
    assert result.latest_anchor.entries == 16


def test_two_processes_share_one_key_and_one_anchor_chain(tmp_path):
    """Two CLI processes at once: one key is made, the anchors stay one chain."""
    import subprocess
    import sys

    store = f"sqlite:///{tmp_path / 'c.db'}"
    code = (
        "from api.context import CitySoc; from core.settings import Settings; "
        "from core import audit; from core.access import SYSTEM; import sys\n"
        f"soc = CitySoc(Settings(store={store!r}))\n"
        "for i in range(20):\n"
        "    audit.record(soc.store, actor=SYSTEM, action='t', subject=sys.argv[1], "
        "at=soc.clock.now())\n"
        "    soc.anchor_audit('test')\n"
        "soc.close()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, name], env=env, cwd=tmp_path)
        for name in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    log = AnchorLog(
        key_file=tmp_path / "audit.key", anchor_file=tmp_path / "c.db.audit-anchors.jsonl"
    )
    reading = log.read()
    assert reading.problems == [] and reading.anchors[-1].entries == 40


def test_serve_says_once_that_it_will_not_anchor_a_tampered_chain(soc, caplog):
    import logging

    write(soc, 3)
    loop = AuditAnchorLoop(soc)
    assert loop.tick().number == 1
    if soc.store.engine == "sqlite":
        with sqlite3.connect(soc.settings.sqlite_path) as con:
            con.execute("DROP TRIGGER audit_no_update")
            con.execute("UPDATE audit SET hash = ? WHERE seq = 3", ("0" * 64,))
    else:
        index = soc.store.index("audit")
        row = soc.store.es.get(index=index, id="3")["_source"]
        soc.store.es.index(index=index, id="3", document={**row, "hash": "0" * 64}, refresh=True)
    write(soc, 1)
    caplog.set_level(logging.ERROR, logger="citysoc.audit")
    for _ in range(3):
        soc.clock.advance(timedelta(minutes=10))
        assert loop.tick() is None
    refused = [r for r in caplog.records if "not anchored" in r.getMessage()]
    assert len(refused) == 1 and "entry 3 no longer matches anchor #1" in refused[0].getMessage()
