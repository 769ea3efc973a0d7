"""Debian's rsyslog forwards over RELP (omrelp) to CitySOC; CitySOC is killed with -9 in the
middle of the stream and started again: no line rsyslog was told is stored goes missing
(issue 19, item 4). rsyslog runs with its own configuration, pid file and work folder."""

import re
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import _free_port, require_binary
from tests.faults.serve import Serve
from tests.rsyslog import start_rsyslog, stop_rsyslog

pytestmark = pytest.mark.faults

LINES = 5000
INSTALL = "apt-get install rsyslog rsyslog-relp (scripts/setup does)"


def _markers(db: Path) -> set[str]:
    with sqlite3.connect(db, timeout=30) as con:
        rows = con.execute("SELECT original FROM events").fetchall()
    return {m.group(0) for (text,) in rows if (m := re.search(r"relp-line-\d+", text))}


def _rsyslog(folder: Path, listen: int, relp: int) -> subprocess.Popen[bytes]:
    binary = require_binary("rsyslogd", INSTALL)
    if not Path("/usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so").exists() and not list(
        Path("/usr/lib").rglob("omrelp.so")
    ):
        require_binary("omrelp-module-missing", INSTALL)
    config = f"""
global(workDirectory="{{work}}")
module(load="imtcp")
module(load="omrelp")
input(type="imtcp" address="127.0.0.1" port="{listen}" ruleset="forward")
ruleset(name="forward") {{
  action(type="omrelp" target="127.0.0.1" port="{relp}"
         template="RSYSLOG_SyslogProtocol23Format"
         action.resumeRetryCount="-1" action.resumeInterval="1"
         queue.type="LinkedList" queue.size="100000")
}}
"""
    return start_rsyslog(binary, folder, config, listen)


def test_rsyslog_over_relp_loses_no_line_when_citysoc_is_killed_mid_stream(tmp_path):
    serve = Serve(tmp_path, relp=True)
    listen = _free_port()
    assert serve.relp is not None
    rsyslog = _rsyslog(tmp_path, listen, serve.relp)
    db = tmp_path / "c.db"
    try:
        serve.start()
        with socket.create_connection(("127.0.0.1", listen)) as sender:
            sender.sendall(
                b"".join(
                    f"<38>Mar  2 09:00:00 web02 app: relp-line-{n}\n".encode() for n in range(LINES)
                )
            )
        deadline = time.monotonic() + 60
        while len(_markers(db)) < LINES // 10:
            assert time.monotonic() < deadline, "CitySOC stored nothing from rsyslog in 60 s"
            time.sleep(0.05)
        serve.kill()
        assert len(_markers(db)) < LINES, "the stream ended before CitySOC could be killed"
        serve.start()
        deadline = time.monotonic() + 120
        while len(_markers(db)) < LINES:
            assert time.monotonic() < deadline, (
                f"{LINES - len(_markers(db))} lines missing after the restart"
            )
            time.sleep(0.2)
        assert _markers(db) == {f"relp-line-{n}" for n in range(LINES)}
    finally:
        serve.stop()
        stop_rsyslog(rsyslog)
