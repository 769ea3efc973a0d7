"""`citysoc trends` on a real SQLite store: the same figures as the API (JSON or tables),
times without an offset read as Taipei time, and a refused period naming the option."""

import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from api.cli import app
from core.alerts import Alert, MatchedEvent, Severity
from core.errors import InputError
from core.settings import Settings
from core.storage import open_store

runner = CliRunner()


def seeded(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 't.db'}"
    at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 07:30 Taipei on 2 March
    with open_store(Settings(store=url)) as store:
        store.alerts.add(
            [
                Alert(
                    id=f"a{n}",
                    rule_id="r1",
                    rule_title="新增管理者帳號",
                    severity=Severity.HIGH,
                    organization_id="district-xitun",
                    host_name="XT-PC1",
                    event=MatchedEvent(event_id=f"e{n}", timestamp=at),
                    created_at=at,
                    group_key="g",
                )
                for n in range(3)
            ]
        )
    return url


def test_json_and_tables(tmp_path):
    store = seeded(tmp_path)
    asked = ["--since", "2026-03-02T00:00", "--until", "2026-03-02T12:00", "--store", store]
    done = runner.invoke(app, ["trends", "--by", "rule", "--format", "json", *asked])
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    assert body["bucket"] == "hour" and len(body["buckets"]) == 12  # Taipei 00:00-12:00
    assert body["alerts"] == [{"key": "r1", "total": 3, "counts": [0] * 7 + [3] + [0] * 4}]
    assert body["top_hosts"] == [{"key": "XT-PC1", "count": 3}]
    shown = runner.invoke(app, ["trends", *asked])
    assert shown.exit_code == 0, shown.output
    assert "district-xitun" in shown.output and "新增管理者帳號" in shown.output


def test_a_refused_period_names_the_option(tmp_path):
    store = seeded(tmp_path)
    refused = runner.invoke(
        app, ["trends", "--since", "2026-03-02", "--until", "2026-03-01", "--store", store]
    )
    assert refused.exit_code != 0 and isinstance(refused.exception, InputError)
    assert refused.exception.location == "since"
    bad = runner.invoke(app, ["trends", "--since", "yesterday", "--store", store])
    assert bad.exit_code == 2 and "--since" in bad.output
