"""`citysoc demo`: the whole life on the store `citysoc serve` uses, with its own accounts,
and never over an operator's data without --reset. In-process, on real SQLite files."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli.demo_story import BEATS, STORY_SPAN
from api.context import CitySoc, local_operator
from collectors.records import RawRecord
from core import accounts
from core.access import Role
from core.clock import SystemClock
from core.settings import Settings
from incidents import service
from incidents.models import IncidentState
from tests.conftest import _free_port
from tests.factories import make_user
from tests.live_server import post

runner = CliRunner()
JSON = {"Content-Type": "application/json"}
DEFAULT = "sqlite:///var/citysoc.db"  # the settings' default, relative to the working folder


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CITYSOC_STORE", raising=False)
    return tmp_path


def demo(*args: str):
    return runner.invoke(app, ["demo", *args])


def passwords(output: str) -> dict[str, str]:
    """The demo accounts' table: username → the password printed once."""
    rows = re.findall(r"│ ([a-z-]+)\s+│ [a-z]+\s+│ [a-z-]+\s+│ (\S{20}) │", output)
    return dict(rows)


def test_the_story_ends_before_now_and_every_beat_in_order():
    offsets = list(BEATS.values())
    assert offsets == sorted(offsets)
    assert offsets[-1] < STORY_SPAN - timedelta(hours=1)


def test_demo_runs_the_whole_life_into_the_store_serve_uses(here):
    result = demo()
    assert result.exit_code == 0, result.output
    assert Settings().store == DEFAULT
    with CitySoc(Settings()) as soc:  # the store `citysoc serve` opens by default
        states = [i.state for i in _all(soc)]
        assert states.count(IncidentState.CLOSED) == 1
        assert states.count(IncidentState.FALSE_POSITIVE) == 1
        logins = passwords(result.output)
        assert set(logins) == {"xitun-contact", "demo-analyst", "demo-lead", "demo-auditor"}
        for username, password in logins.items():  # each printed password signs in
            user = accounts.authenticate(
                store=soc.store, username=username, password=password, clock=SystemClock()
            )
            assert user.username == username
    assert (
        "1 incidents: 5 clocks met, 0 missed, 0 overdue; 1 suspected cases dismissed"
        in result.output
    )
    for line in result.output.splitlines():  # every command it suggests names the store
        if re.search(r"citysoc (serve|incidents|alerts|deadletter|audit|report) ", line):
            assert f"--store {DEFAULT}" in line, line
    assert "deadletter list --store sqlite:///var/citysoc.db" in result.output


def test_demo_passwords_are_new_each_time(here):
    first = passwords(demo().output)
    again = demo()
    assert again.exit_code == 0, again.output
    assert "(empty, or the earlier demo's)" in again.output
    second = passwords(again.output)
    assert first and second and all(first[u] != second[u] for u in first)


def test_demo_follows_citysoc_store(here, monkeypatch):
    monkeypatch.setenv("CITYSOC_STORE", f"sqlite:///{here / 'elsewhere' / 'soc.db'}")
    result = demo()
    assert result.exit_code == 0, result.output
    assert (here / "elsewhere" / "soc.db").exists()
    assert not (here / "var" / "citysoc.db").exists()
    assert f"--store sqlite:///{here / 'elsewhere' / 'soc.db'}" in result.output


def test_demo_loads_into_the_empty_store_a_first_serve_leaves(here):
    CitySoc(Settings()).close()  # what `citysoc serve` creates on its first start
    result = demo()
    assert result.exit_code == 0, result.output
    assert "(empty, or the earlier demo's)" in result.output


def test_demo_refuses_an_operators_store_without_reset(here):
    with CitySoc(Settings()) as soc:
        make_user(soc, "amy", Role.ANALYST)
        # more than accounts: a log line came in (a store of accounts alone is loaded beside)
        ingestor = soc.ingestor()
        ingestor.submit(RawRecord("t", b"{not json", soc.clock.now()), "jsonl")
        ingestor.flush()
    refused = demo()
    assert refused.exit_code == 2
    assert "did not write" in refused.output and "--reset" in refused.output
    with CitySoc(Settings()) as soc:
        assert accounts.find_user(soc.store, "amy") is not None  # untouched
        assert _all(soc) == []
    replaced = demo("--reset")
    assert replaced.exit_code == 0, replaced.output
    with CitySoc(Settings()) as soc:
        assert accounts.find_user(soc.store, "amy") is None
        assert len(_all(soc)) > 2
        assert soc.verify_audit(actor=local_operator()).ok  # the old store's anchors went with it


def test_demo_loads_beside_the_accounts_of_a_first_run(here):
    with CitySoc(Settings()) as soc:  # /setup's administrator and the people they made
        make_user(soc, "root", Role.ADMIN)
        make_user(soc, "xitun-lin", Role.REPORTER, agency="district-xitun")
    result = demo()
    assert result.exit_code == 0, result.output
    assert "loading the demo beside them" in result.output
    with CitySoc(Settings()) as soc:
        assert accounts.find_user(soc.store, "root") is not None
        assert accounts.find_user(soc.store, "demo-lead") is not None
        assert len(_all(soc)) > 2
        assert soc.verify_audit(actor=local_operator()).ok
    assert not (here / "var" / "citysoc.db.demo").exists()  # never wiped by a later demo
    again = demo()
    assert again.exit_code == 2 and "--reset" in again.output
    with CitySoc(Settings()) as soc:
        assert accounts.find_user(soc.store, "root") is not None


def test_demo_beside_accounts_refuses_when_its_usernames_are_taken(here):
    with CitySoc(Settings()) as soc:
        make_user(soc, "demo-lead", Role.LEAD)
    refused = demo()
    assert refused.exit_code == 2 and "demo-lead" in refused.output
    with CitySoc(Settings()) as soc:
        assert _all(soc) == []


def test_demo_refuses_its_own_store_once_someone_worked_in_it(here):
    assert demo().exit_code == 0
    with CitySoc(Settings()) as soc:
        make_user(soc, "amy", Role.ANALYST)  # audited: someone used the demo's store
    refused = demo()
    assert refused.exit_code == 2
    assert "1 audited changes were made in it since" in refused.output
    with CitySoc(Settings()) as soc:
        assert accounts.find_user(soc.store, "amy") is not None


def test_demo_refuses_a_store_that_is_not_sqlite(here):
    result = demo("--store", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "--store sqlite:///" in result.output


def _all(soc: CitySoc):
    return service.list_incidents(store=soc.store, actor=local_operator(), limit=1000)


def test_demo_serve_starts_the_server_on_the_demo_store(here):
    """`citysoc demo --serve` in its own process: the server answers on loopback and a demo
    account signs in with the password the demo printed and sees the closed incident."""
    port = _free_port()
    env = {
        **os.environ,
        "CITYSOC_API_PORT": str(port),
        "CITYSOC_SYSLOG_TCP_PORT": str(_free_port()),
        "CITYSOC_SYSLOG_UDP_PORT": str(_free_port()),
        "CITYSOC_SCAN_SCHEDULE": "false",
        "CITYSOC_SHARE_PULL_SCHEDULE": "false",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
    }
    log = here / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "demo", "--serve"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            assert time.monotonic() < deadline, "the server did not start within 120 s"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        password = passwords(log.read_text(encoding="utf-8"))["xitun-contact"]
        body = json.dumps({"username": "xitun-contact", "password": password}).encode()
        status, _, answer = post(port, "/api/v1/auth/login", body, JSON)
        assert status == 200
        cookie = (answer.getheader("set-cookie") or "").split(";")[0]
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        con.request("GET", "/api/v1/incidents", headers={"Cookie": cookie})
        listed = json.loads(con.getresponse().read())["items"]
        con.close()
        assert [i["incident"]["state"] for i in listed].count("closed") == 1
    finally:
        process.terminate()
        process.wait(timeout=30)
