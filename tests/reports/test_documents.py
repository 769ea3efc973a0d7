"""Every statutory document rendered from real incidents; PDFs read back with pdftotext."""

import subprocess
from datetime import timedelta

import pytest

from core.access import Actor, Role
from core.clock import roc_date, taipei_datetime
from incidents import closing, notification, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import InvestigationReport
from reports.documents import DocumentKind, build_document, missing_items, render_html, render_pdf
from tests.conftest import REPO, require_binary
from tests.factories import XITUN, open_incident

pytestmark = pytest.mark.reports

LEAD = Actor("lee", Role.LEAD)
SCRIPT = "<script>alert(1)</script>"
ARTIFACTS = REPO / "test-artifacts"
REPORT = InvestigationReport(
    scope_and_damage=f"檔案伺服器一台 {SCRIPT}",
    containment_process="隔離並重建",
    investigation_process="鑑識映像分析",
    root_cause="管理者帳號使用弱密碼",
    preventive_measures="導入多因子驗證",
    schedule_and_tracking="115年6月前完成，每月追蹤",
)


@pytest.fixture
def finished(store, clock):
    """An incident taken through the whole workflow, with a level raised in review."""
    incident = open_incident(
        store,
        clock,
        actor=XITUN,
        title=f"檔案伺服器遭入侵 {SCRIPT}",
        occurred_at=clock.now() - timedelta(hours=3),
    )
    clock.advance(timedelta(minutes=30))
    notification.file_notification(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        clock=clock,
        answers=LevelAnswers(
            system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD
        ),
        description=f"勒索軟體加密共用資料夾 {SCRIPT}",
        response_measures="隔離主機",
        outside_support_needed=False,
        other_matters=SCRIPT,
    )
    clock.advance(timedelta(hours=1))
    notification.review_level(
        store=store,
        actor=LEAD,
        incident_id=incident.id,
        level=3,
        note=f"核心系統停頓逾時 {SCRIPT}",
        clock=clock,
    )
    clock.advance(timedelta(hours=20))
    closing.mark_contained(store=store, actor=XITUN, incident_id=incident.id, clock=clock)
    clock.advance(timedelta(days=10))
    closing.submit_report(
        store=store, actor=XITUN, incident_id=incident.id, report=REPORT, clock=clock
    )
    return service.get_incident(store=store, actor=XITUN, incident_id=incident.id)


HEADINGS = {
    DocumentKind.NOTIFICATION: [
        "資通安全事件通報單",
        "等級之評估",
        "初次通報",
        "等級變更續行通報",
        "第三級：上級機關審核改定等級（核心系統停頓逾時",
    ],
    DocumentKind.RECOVERY: ["損害控制或復原完成通報", "完成損害控制或復原時間"],
    DocumentKind.INVESTIGATION: ["調查、處理及改善報告", "事件根因分析", "管理者帳號使用弱密碼"],
    DocumentKind.REVIEW: ["等級審核紀錄", "審核後等級", "第三級", "核心系統停頓逾時"],
}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_in_html_is_complete_and_escaped(finished, registry, clock, kind):
    doc = build_document(kind, finished, registry=registry, now=clock.now())
    assert doc.missing == []
    html = render_html(doc)
    compact = "".join(html.split())
    for heading in HEADINGS[kind]:
        assert heading in compact
    assert "西屯區公所" in html and "民國115年03月02日" in html
    assert SCRIPT not in html


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_as_pdf_has_its_chinese_text(finished, registry, clock, kind, tmp_path):
    require_binary("pdftotext", "apt-get install poppler-utils (scripts/setup does this)")
    pdf = tmp_path / f"{kind.value}.pdf"
    pdf.write_bytes(render_pdf(build_document(kind, finished, registry=registry, now=clock.now())))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(text.split())
    for heading in HEADINGS[kind]:
        assert heading in compact, heading
    assert "西屯區公所" in compact and "民國115年03月02日" in compact
    if kind is DocumentKind.NOTIFICATION:
        ARTIFACTS.mkdir(exist_ok=True)
        require_binary("pdftoppm", "apt-get install poppler-utils")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf),
                str(ARTIFACTS / "notification"),
            ],
            check=True,
        )
        assert list(ARTIFACTS.glob("notification*.png"))


def test_english_variant(finished, registry, clock):
    html = render_html(
        build_document(
            DocumentKind.INVESTIGATION, finished, registry=registry, now=clock.now(), lang="en"
        )
    )
    assert "Incident Investigation, Handling and Improvement Report" in html
    assert "Root-cause analysis" in html and "Xitun District Office" in html
    assert "2026-03-02 09:00" in html  # Taipei time, Gregorian dates in English


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("zh", ["送主管機關時間", "送交之主管機關", "通報平臺案號或收執"]),
        ("en", ["Competent authority it was sent to", "Platform reference number or receipt"]),
    ],
)
def test_the_review_document_shows_the_forwarding(finished, store, registry, clock, lang, labels):
    """Forwarded to whom, when, and the platform's reference: the proof of the forward clock."""
    sent_at = finished.reviewed_at + timedelta(minutes=40)
    notification.record_forwarded(
        store=store,
        actor=LEAD,
        incident_id=finished.id,
        to=f"數位發展部資通安全署 {SCRIPT}",
        reference="NCERT-2026-0042",
        at=sent_at,
        clock=clock,
    )
    forwarded = service.get_incident(store=store, actor=LEAD, incident_id=finished.id)
    doc = build_document(
        DocumentKind.REVIEW, forwarded, registry=registry, now=clock.now(), lang=lang
    )
    html = render_html(doc)
    assert "數位發展部資通安全署" in html and "NCERT-2026-0042" in html
    assert SCRIPT not in html
    for label in labels:
        assert label in html
    sent = roc_date(sent_at) if lang == "zh" else taipei_datetime(sent_at)
    assert sent in html
    not_yet = render_html(
        build_document(DocumentKind.REVIEW, finished, registry=registry, now=clock.now(), lang=lang)
    )
    assert "NCERT-2026-0042" not in not_yet and 'id="forward-reference"' in not_yet


def test_missing_items_before_the_workflow_is_done(store, clock):
    incident = open_incident(store, clock, actor=XITUN, title="未完成事件")
    assert missing_items(incident, DocumentKind.NOTIFICATION) == [
        "狀況之描述",
        "等級之評估",
        "因應事件所採取之措施",
        "外部支援需求評估",
    ]
    assert missing_items(incident, DocumentKind.RECOVERY) == ["完成損害控制或復原時間"]
    assert len(missing_items(incident, DocumentKind.INVESTIGATION)) == 7
    assert missing_items(incident, DocumentKind.REVIEW, "en") == ["Reviewed"]


def test_report_check_command_lists_the_gaps(tmp_path):
    from typer.testing import CliRunner

    from api.cli import app

    runner = CliRunner()
    store = f"sqlite:///{tmp_path / 'c.db'}"
    opened = runner.invoke(
        app,
        [
            "incidents",
            "open",
            "--agency",
            "police",
            "--title",
            "x",
            "--aware-at",
            "2026-03-02T09:00:00+08:00",
            "--store",
            store,
        ],
    )
    incident_id = opened.output.split()[1].rstrip(";")
    checked = runner.invoke(app, ["report", "check", incident_id, "--store", store])
    assert checked.exit_code == 1
    assert "notification: missing: 狀況之描述" in " ".join(checked.output.split()).replace(
        "missing: 狀", "missing: 狀"
    )
    pdf = tmp_path / "n.pdf"
    written = runner.invoke(
        app,
        ["report", "document", "notification", incident_id, "--out", str(pdf), "--store", store],
    )
    assert written.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")


def test_report_document_picks_a_notice_and_refuses_one_that_does_not_exist(tmp_path):
    from typer.testing import CliRunner

    from api.cli import app
    from api.cli.common import open_soc

    store = f"sqlite:///{tmp_path / 'n.db'}"
    with open_soc(store) as soc:
        incident = open_incident(soc.store, soc.clock, actor=XITUN, title="官網異常")
    out = tmp_path / "n.html"
    args = ["report", "document", "notification", incident.id, "--out", str(out)]
    refused = CliRunner().invoke(app, [*args, "--notice", "1", "--store", store])
    # main() prints a CitySocError and exits 2; the runner calls the app under it
    assert refused.exit_code != 0 and "notice 1 does not exist" in str(refused.exception)
    assert not out.exists()
