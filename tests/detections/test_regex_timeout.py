"""A rule's regular expression cannot hang detection: on SQLite each REGEXP evaluation is
bounded (core.storage.sqlite.regexp); a rule whose regex runs out of time on a value is reported
failed with the reason and the other rules go on. (Elasticsearch's Lucene regexps are
automata and do not backtrack, so this is SQLite's concern.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.settings import DEFAULT_RULES
from detections.compile import compile_rule_dirs
from tests.data.events import winlogbeat

BACKTRACKING = """\
title: Backtracking user name
id: 11111111-2222-4333-8444-555555555555
status: test
logsource:
  product: windows
  service: security
detection:
  sel:
    EventID: 4720
    TargetUserName|re: '(a+)+$'
  condition: sel
level: medium
"""
CLEARED = (DEFAULT_RULES / "win_security_log_cleared.yml").read_text(encoding="utf-8")
DEADLINE = 300  # seconds: a bound on a hung run, far above any honest one


def _ingest(store, registry, clock, *docs) -> None:
    ingestor = Ingestor(store, registry, clock=clock)
    for doc in docs:
        ingestor.submit(RawRecord("test", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()


def _detect(settings, rules: Path) -> subprocess.CompletedProcess[str]:
    """`citysoc detect` in its own process, so a hung run is killed at the deadline (a hung
    thread could not be) and fails the test instead of hanging it."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", "detect", "--rules", str(rules)]
            + ["--store", settings.store],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            check=False,
            env={**os.environ, "COLUMNS": "1000"},  # one message per line
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"detection still running after {DEADLINE} s")


def test_a_runaway_regex_fails_its_rule_and_the_others_go_on(
    settings, store, registry, clock, tmp_path: Path
):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "backtracking.yml").write_text(BACKTRACKING, encoding="utf-8")
    (rules / "cleared.yml").write_text(CLEARED, encoding="utf-8")
    assert len(compile_rule_dirs([rules]).compiled) == 2

    # an ordinary value: the regex rule works
    _ingest(store, registry, clock, winlogbeat("Security", 4720, {"TargetUserName": "aaaa"}))
    first = _detect(settings, rules)
    assert first.returncode == 0 and "failed" not in first.stderr, first.stderr
    assert [a.rule_title for a in store.alerts.list()] == ["Backtracking user name"]

    # a value on which (a+)+$ backtracks without end, beside an event another rule matches
    hostile = winlogbeat("Security", 4720, {"TargetUserName": "a" * 1000 + "!"})
    cleared = winlogbeat("Security", 1102, {"SubjectUserName": "eve"})
    _ingest(store, registry, clock, hostile, cleared)
    second = _detect(settings, rules)
    assert second.returncode == 0, second.stderr
    said = " ".join(second.stderr.split())
    assert "rule 11111111-2222-4333-8444-555555555555 failed and was skipped" in said
    assert "backtracking.yml" in said and "'(a+)+$' ran longer than" in said
    titles = sorted(a.rule_title for a in store.alerts.list())
    assert titles == ["Backtracking user name", "Windows Security Event Log Cleared"]
