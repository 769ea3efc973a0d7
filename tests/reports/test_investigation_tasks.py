"""The investigation report lists the case's checklist: each task done (by whom, when) or
still open, in the document's language."""

import pytest

from incidents import casework
from reports.documents import DocumentKind, build_document, render_html
from tests.factories import XITUN, open_incident

pytestmark = pytest.mark.reports


def test_the_investigation_report_lists_each_task(store, clock, registry):
    incident = open_incident(store, clock, actor=XITUN, title="勒索軟體")
    ticked = casework.set_task(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        task_id="preserve-evidence",
        done=True,
        clock=clock,
    )
    zh = render_html(
        build_document(DocumentKind.INVESTIGATION, ticked, registry=registry, now=clock.now())
    )
    assert "處理工作清單執行情形" in zh
    assert "☑</td><td>保全證據（日誌、記憶體、磁碟映像）</td><td>xitun，民國" in zh
    assert "☐</td><td>確認受影響之系統、主機與資料範圍</td><td>尚未完成" in zh
    en = render_html(
        build_document(
            DocumentKind.INVESTIGATION, ticked, registry=registry, now=clock.now(), lang="en"
        )
    )
    assert "Preserve evidence (logs, memory, disk images)</td><td>xitun, 20" in en
    assert "Establish which systems, hosts and data are affected</td><td>open" in en
