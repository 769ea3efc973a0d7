"""Every workflow step from the command line on a real SQLite store, as the local operator:
notify, change-level, review, forward, contained, progress, report, close; dismiss; and
refusals print the service's message and exit 2."""

import re

import yaml
from typer.testing import CliRunner

from api.cli import app
from incidents.deadlines import DeadlineKind, DeadlineStatus
from incidents.models import IncidentState

runner = CliRunner()
REPORT = {
    "scope_and_damage": "一台伺服器",
    "containment_process": "隔離",
    "investigation_process": "鑑識",
    "root_cause": "弱密碼",
    "preventive_measures": "多因子驗證",
    "schedule_and_tracking": "每月追蹤",
}


def opened(store: str) -> str:
    result = runner.invoke(
        app,
        [
            "incidents",
            "open",
            "--agency",
            "district-xitun",
            "--title",
            "檔案伺服器遭入侵",
            "--aware-at",
            "2000-01-01T09:00:00+08:00",
            "--store",
            store,
        ],
    )
    assert result.exit_code == 0, result.output
    found = re.search(r"INC-\d{8}-[0-9A-F]{6}", result.output)
    assert found
    return found.group(0)


def step(store: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["incidents", *args, "--store", store])
    assert result.exit_code == code, f"{args}: {result.output}"
    return " ".join(result.output.split())  # Rich wraps long lines


def yaml_file(path, data) -> str:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_an_incident_from_notification_to_closure(tmp_path):
    store = f"sqlite:///{tmp_path / 'w.db'}"
    incident = opened(store)
    level2 = yaml_file(
        tmp_path / "l2.yaml", {"system_class": "core_non_ci"} | {"availability": "within_mtd"}
    )
    level3 = yaml_file(
        tmp_path / "l3.yaml", {"system_class": "core_non_ci"} | {"availability": "beyond_mtd"}
    )
    notified = step(
        store, "notify", incident, "--answers", level2, "--description", "d", "--measures", "m"
    )
    assert "state notified, level 2" in notified
    assert "level 3" in step(store, "change-level", incident, "--answers", level3, "--reason", "r")
    assert "state reviewed" in step(store, "review", incident)
    forwarded = step(store, "forward", incident, "--to", "資通安全署", "--reference", "NCERT-1")
    assert "NCERT-1" in forwarded
    assert "progress recorded" in step(store, "progress", incident, "--text", "已隔離")
    step(store, "contained", incident)
    refused = step(store, "close", incident, code=2)
    assert "investigation report" in refused
    step(store, "report", incident, "--file", yaml_file(tmp_path / "r.yaml", REPORT))
    assert "state closed" in step(store, "close", incident, "--reason", "改善措施已排程")

    from api.context import CitySoc, local_operator
    from core.settings import Settings
    from incidents import service

    with CitySoc(Settings(store=store)) as soc:  # type: ignore[call-arg]
        i = service.get_incident(store=soc.store, actor=local_operator(), incident_id=incident)
        clocks = {d.kind: d for d in service.deadlines(i, now=soc.clock.now())}
    assert i.state is IncidentState.CLOSED and i.forwarded_to == "資通安全署"
    assert clocks[DeadlineKind.FORWARD].status is DeadlineStatus.MET


def test_refusals_exit_2_with_the_services_message(tmp_path):
    store = f"sqlite:///{tmp_path / 'r.db'}"
    incident = opened(store)
    assert "file the notification first" in step(store, "contained", incident, code=2)
    assert "false positive" in step(store, "dismiss", incident, "--reason", " ", code=2)
    bad = yaml_file(tmp_path / "bad.yaml", {"system_class": "mainframe"})
    step(
        store, "notify", incident, "--answers", bad, "--description", "d", "--measures", "m", code=2
    )
    assert "dismissed" in step(store, "dismiss", incident, "--reason", "弱掃誤報")
    assert "already closed" in step(store, "progress", incident, "--text", "x", code=2)
    assert "no such incident" in step(store, "review", "INC-20000101-000000", code=2)


def test_notify_takes_event_type_name_and_iocs(tmp_path):
    from api.cli.common import open_soc
    from api.context import local_operator
    from incidents import service

    store = f"sqlite:///{tmp_path / 'n.db'}"
    incident = opened(store)
    answers = yaml_file(
        tmp_path / "a.yaml", {"system_class": "non_core"} | {"availability": "within_mtd"}
    )
    common = ("notify", incident, "--answers", answers, "--description", "d", "--measures", "m")
    refused = step(store, *common, "--ioc", "ipv4 203.0.113.45", "--ioc", "md5 xyz", code=2)
    assert "IoC line 2" in refused and "--ioc" not in refused.split("refused:")[0]
    step(
        store,
        *common,
        "--category",
        "denial_of_service",
        "--event-name",
        "官網遭阻斷服務攻擊",
        "--ioc",
        "ipv4 203.0.113.45",
        "--ioc",
        "evil.example",
    )
    with open_soc(store) as soc:
        i = service.get_incident(store=soc.store, actor=local_operator(), incident_id=incident)
    assert i.category is not None and i.category.value == "denial_of_service"
    assert i.event_name == "官網遭阻斷服務攻擊"
    assert [x.value for x in i.iocs] == ["203.0.113.45", "evil.example"]


def test_a_suspected_case_is_confirmed_from_the_command_line(tmp_path):
    from api.cli.common import open_soc
    from core.access import SYSTEM
    from incidents import service

    store = f"sqlite:///{tmp_path / 's.db'}"
    with open_soc(store) as soc:
        case = service.open_incident(
            store=soc.store,
            actor=SYSTEM,
            organization_id="district-xitun",
            title="suspected",
            aware_at=None,  # as triage opens it
            clock=soc.clock,
        )
    assert case.state is IncidentState.SUSPECTED
    refused = step(store, "confirm", case.id, "--aware-at", "2099-01-01T00:00:00+08:00", code=2)
    assert "aware_at" in refused and "future" in refused
    done = step(store, "confirm", case.id)
    assert "confirmed" in done and "state open" in done
    assert "already confirmed" in step(store, "confirm", case.id, code=2)


def test_a_dismissed_incident_is_reopened_from_the_command_line(tmp_path):
    store = f"sqlite:///{tmp_path / 'o.db'}"
    incident = opened(store)
    assert "not closed or dismissed" in step(store, "reopen", incident, "--reason", "r", code=2)
    step(store, "dismiss", incident, "--reason", "弱掃誤報")
    assert "say why" in step(store, "reopen", incident, "--reason", " ", code=2)
    reopened = step(store, "reopen", incident, "--reason", "同一主機再次告警")
    assert "reopened; state open" in reopened
    assert "progress recorded" in step(store, "progress", incident, "--text", "再次調查")
