import json
from pathlib import Path

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.settings import DEFAULT_RULES
from detections.compile import compile_rule_dirs
from detections.compile_cache import CompileCache
from detections.runner import run_detections
from tests.data.events import winlogbeat

GOOD = (DEFAULT_RULES / "win_user_account_created.yml").read_text(encoding="utf-8")


@pytest.fixture
def engine(both_engines: str) -> str:
    """Everything here must hold on SQLite and on Elasticsearch alike."""
    return both_engines


def _ingest(store, registry, clock, *docs) -> None:
    ingestor = Ingestor(store, registry, clock=clock)
    for doc in docs:
        ingestor.submit(RawRecord("test", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()


def test_a_broken_rule_is_reported_with_its_file_and_the_rest_load(tmp_path: Path):
    (tmp_path / "good.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "no_condition.yml").write_text(
        "title: Broken\nlogsource: {product: windows}\ndetection:\n  sel: {EventID: 1}\n",
        encoding="utf-8",
    )
    (tmp_path / "bad_yaml.yml").write_text("title: [unclosed\n", encoding="utf-8")
    (tmp_path / "unknown_ref.yml").write_text(
        "title: Dangling\nlogsource: {product: windows}\n"
        "detection:\n  sel: {EventID: 1}\n  condition: sel and other\n",
        encoding="utf-8",
    )
    report = compile_rule_dirs([tmp_path])
    assert [r.title for r in report.compiled] == ["Local or Domain User Account Created"]
    problems = {i.path.name: i.reason for i in report.issues}
    assert set(problems) == {"no_condition.yml", "bad_yaml.yml", "unknown_ref.yml"}
    assert "condition" in problems["no_condition.yml"].lower()
    assert "other" in problems["unknown_ref.yml"]


def test_compiled_rules_are_cached_per_file_text(tmp_path: Path, store):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yml").write_text(GOOD, encoding="utf-8")
    cache = CompileCache(tmp_path / "cache.sqlite")
    first = compile_rule_dirs([tmp_path / "rules"], store=store, cache=cache)
    second = compile_rule_dirs([tmp_path / "rules"], store=store, cache=cache)
    assert (first.from_cache, second.from_cache) == (0, 1)
    assert first.compiled == second.compiled
    changed = GOOD.replace("level: medium", "level: high")
    (tmp_path / "rules" / "r.yml").write_text(changed, encoding="utf-8")
    third = compile_rule_dirs([tmp_path / "rules"], store=store, cache=cache)
    assert third.from_cache == 0 and third.compiled[0].severity == "high"


def test_detection_is_incremental_and_idempotent(store, registry, clock):
    rules = compile_rule_dirs([DEFAULT_RULES], store=store).compiled
    _ingest(store, registry, clock, winlogbeat("Security", 4720, {"TargetUserName": "a"}))
    first = run_detections(store, rules, clock=clock)
    again = run_detections(store, rules, clock=clock)
    _ingest(store, registry, clock, winlogbeat("Security", 4720, {"TargetUserName": "b"}))
    later = run_detections(store, rules, clock=clock)
    assert (first.alerts_new, again.alerts_new, again.scans, later.alerts_new) == (1, 0, 0, 1)
    assert store.alerts.count() == 2


def test_keyword_rules_search_the_original_record(store, registry, clock):
    ingestor = Ingestor(store, registry, clock=clock)
    line = b"<38>Mar  2 09:00:01 web sshd[1]: Failed password for invalid user x from 1.2.3.4"
    ingestor.submit(RawRecord("test", line, clock.now()), "syslog")
    ingestor.flush()
    rules = compile_rule_dirs([DEFAULT_RULES / "linux_ssh_invalid_user.yml"], store=store).compiled
    assert ("original LIKE" if store.engine == "sqlite" else "*Failed") in rules[0].condition
    assert run_detections(store, rules, clock=clock).alerts_new == 1


def test_a_rule_the_engine_rejects_is_reported_and_the_others_still_run(store, registry, clock):
    from dataclasses import replace

    rules = compile_rule_dirs(
        [DEFAULT_RULES / "win_user_account_created.yml"], store=store
    ).compiled
    bad, says = {
        "sqlite": ("no_such_function(original)", "no such function"),
        "elasticsearch": ("winlog.channel:(Security", "parse"),
    }[store.engine]
    broken = replace(rules[0], rule_id="broken", condition=bad)
    _ingest(store, registry, clock, winlogbeat("Security", 4720, {"TargetUserName": "a"}))
    report = run_detections(store, [broken, *rules], clock=clock)
    assert report.alerts_new == 1
    assert says in report.failed["broken"].lower()
    # Elasticsearch names the refused condition itself: no re-run of the whole chunk
    assert report.scans == (1 if store.engine == "elasticsearch" else 3)


@pytest.mark.parametrize("event_id", ["4720", 4720])
def test_numbers_match_whether_sent_as_text_or_number(store, registry, clock, event_id):
    doc = winlogbeat("Security", 4720, {"TargetUserName": "a"})
    doc["winlog"]["event_id"] = event_id
    _ingest(store, registry, clock, doc)
    rules = compile_rule_dirs(
        [DEFAULT_RULES / "win_user_account_created.yml"], store=store
    ).compiled
    assert run_detections(store, rules, clock=clock).alerts_new == 1
