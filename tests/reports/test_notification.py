"""The notification form rendered from a real incident in a real store."""

from datetime import timedelta

from incidents import notification, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import IoC, IoCType
from reports.documents import DocumentKind, build_document, render_html
from tests.factories import XITUN, open_incident

SCRIPT = "<script>alert('x')</script>"


def filed_incident(store, clock, **overrides):
    incident = open_incident(store, clock, actor=XITUN, title=f"伺服器異常 {SCRIPT}")
    clock.advance(timedelta(minutes=30))
    return notification.file_notification(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        clock=clock,
        answers=LevelAnswers(
            system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD
        ),
        description=f"描述 {SCRIPT}",
        response_measures="已隔離主機",
        outside_support_needed=True,
        outside_support_detail=f"需要鑑識支援 {SCRIPT}",
        **overrides,
    )


def test_form_has_the_statutory_fields_in_chinese_with_roc_dates(store, clock, registry):
    incident = filed_incident(store, clock)
    html = render_html(
        build_document(DocumentKind.NOTIFICATION, incident, registry=registry, now=clock.now())
    )
    for heading in (
        "資通安全事件通報單",
        "發生機關",
        "知悉時間",
        "狀況之描述",
        "等級之評估",
        "因應事件所採取之措施",
        "外部支援需求評估",
        "其他相關事項",
        "法定時限",
    ):
        assert heading in html
    assert "西屯區公所" in html and "數位發展局" in html
    assert "民國115年03月02日 09:00" in html  # aware time, Taipei
    assert "第二級：核心資通系統" in html and "第2級" not in html  # one spelling (issue 15)
    assert "如期完成" in html  # notified 30 minutes after awareness


def test_every_user_string_is_escaped(store, clock, registry):
    # The event name replaces the (rule's) title on the form, so it carries the markup now.
    incident = filed_incident(store, clock, event_name=f"伺服器異常 {SCRIPT}")
    service.add_iocs(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        clock=clock,
        # IoC values must be what their type says (a domain cannot hold markup); notes can
        iocs=[IoC(type=IoCType.DOMAIN, value="evil.example", note=SCRIPT)],
    )
    incident = service.get_incident(store=store, actor=XITUN, incident_id=incident.id)
    html = render_html(
        build_document(DocumentKind.NOTIFICATION, incident, registry=registry, now=clock.now())
    )
    assert SCRIPT not in html
    assert html.count("&lt;script&gt;") == 4


def test_missing_statutory_fields_are_marked_not_blank(store, clock, registry):
    incident = open_incident(store, clock, actor=XITUN, title="未通報事件")
    form = build_document(DocumentKind.NOTIFICATION, incident, registry=registry, now=clock.now())
    assert form.missing == ["狀況之描述", "等級之評估", "因應事件所採取之措施", "外部支援需求評估"]
    html = render_html(form)
    assert "尚未填寫之法定欄位" in html and "（未評估）" in html and "尚未通報" in html
