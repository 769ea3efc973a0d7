"""A 通報單 an agency can file as it is (issue 15 item 3): the official fields filled from
the notification and the filer's profile, Chinese throughout, the level spelled one way,
the reasons of the level in force, rows kept whole across PDF pages, a sign-off block."""

import re
from datetime import timedelta

import pytest

from core.access import Actor, Role
from core.profiles import ProfileChange, update_profile
from incidents import notification, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import IncidentCategory, IoC, IoCType
from reports.documents import DocumentKind, build_document, render_html
from tests.factories import ADMIN, XITUN, make_user, open_incident

pytestmark = pytest.mark.reports

LEAD = Actor("lee", Role.LEAD)
LEVEL2 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD)
LEVEL3 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.BEYOND_MTD)
HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.fixture
def reporter(soc):
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun", display_name="林美玲")
    update_profile(
        store=soc.store,
        actor=ADMIN,
        username="xitun",
        change=ProfileChange(phone="04-2228-9111#123", email="lin@xitun.example"),
        clock=soc.clock,
    )


def filed(soc, **overrides):
    store, clock = soc.store, soc.clock
    # an English rule title, as triage gives one
    incident = open_incident(store, clock, actor=XITUN, title="Suspicious Webshell Activity")
    clock.advance(timedelta(minutes=20))
    fields = {
        "answers": LEVEL2,
        "description": "官網首頁遭置換",
        "response_measures": "已下線並自備份還原",
        "outside_support_needed": False,
        "category": IncidentCategory.WEB_ATTACK,
        "iocs": [
            IoC(type=IoCType.IPV4, value="203.0.113.45"),
            IoC(type=IoCType.SHA256, value=HASH),
        ],
    }
    return notification.file_notification(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        clock=clock,
        **(fields | overrides),
    )


def html_of(soc, incident, **options):
    doc = build_document(
        DocumentKind.NOTIFICATION, incident, registry=soc.registry, now=soc.clock.now(), **options
    )
    return render_html(doc)


def visible_text(html: str) -> str:
    body = html.split("<body>", 1)[-1]  # not the style sheet
    return re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&")


def cell(html: str, cell_id: str) -> str:
    inside = html.split(f'id="{cell_id}"', 1)[1].split(">", 1)[1]
    return visible_text(inside.split("</td>", 1)[0])


def test_the_official_fields_and_the_filer_come_from_the_notification_and_profile(soc, reporter):
    html = html_of(soc, filed(soc))
    text = " ".join(visible_text(html).split())
    for field in ("發生機關", "發生時間", "知悉時間", "狀況之描述", "等級之評估"):
        assert field in text
    for field in ("因應事件所採取之措施", "外部支援需求評估", "其他相關事項"):
        assert field in text
    assert cell(html, "filer").strip() == "林美玲"  # the person, not the account id
    assert cell(html, "filer-phone").strip() == "04-2228-9111#123"
    assert cell(html, "filer-email").strip() == "lin@xitun.example"
    assert "通報時間" in text and "民國115年03月02日 09:20" in cell(html, "notified-at")
    assert cell(html, "category").strip() == "網頁攻擊"  # no longer always 未分類
    # the default name is Chinese, made from the agency and the type, not the rule's title
    assert cell(html, "event-name").strip() == "西屯區公所網頁攻擊事件"
    assert "Webshell" not in html
    assert "IPv4位址：203.0.113.45" in "".join(cell(html, "iocs").split())  # text nodes joined
    assert "承辦人" in text and "單位主管" in text and 'id="signoff"' in html


def test_the_reporters_event_name_replaces_the_default(soc, reporter):
    html = html_of(soc, filed(soc, event_name="官網遭置換事件"))
    assert cell(html, "event-name").strip() == "官網遭置換事件"


def test_the_zh_notification_has_no_english_words_outside_ids_and_codes(soc, reporter):
    incident = filed(soc)
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.@+#-]*", visible_text(html_of(soc, incident))))
    allowed = {incident.id, "CitySOC", "UTC+8", "IoC", "IPv4", "SHA-256", HASH, "lin@xitun.example"}
    assert words - allowed == set()


def test_the_level_is_written_one_way_everywhere(soc, reporter):
    incident = filed(soc)
    soc.clock.advance(timedelta(minutes=30))
    notification.change_level(
        store=soc.store,
        actor=XITUN,
        incident_id=incident.id,
        answers=LEVEL3,
        reason="超過可容忍中斷時間",
        clock=soc.clock,
    )
    incident = service.get_incident(store=soc.store, actor=XITUN, incident_id=incident.id)
    for kind in DocumentKind:
        html = render_html(
            build_document(kind, incident, registry=soc.registry, now=soc.clock.now())
        )
        text = visible_text(html)
        assert not re.search(r"第[0-9、\s]+級", text), kind  # never 第2級 beside 第二級
        # no bare digit in a level cell of the notices table or the level history
        assert not re.search(r"<td>[1-4]</td>", html), kind
    assert "第二級" in html_of(soc, incident, notice=1)


def test_reasons_follow_the_level_after_a_raise(soc, reporter):
    incident = filed(soc)
    soc.clock.advance(timedelta(hours=1))
    notification.review_level(
        store=soc.store,
        actor=LEAD,
        incident_id=incident.id,
        level=3,
        note="影響全區",
        clock=soc.clock,
    )
    incident = service.get_incident(store=soc.store, actor=XITUN, incident_id=incident.id)
    now = cell(html_of(soc, incident), "level")
    assert "第三級" in now and "影響全區" in now
    assert "第二級" not in now  # the old level's reasons are not reasons any more
    first = cell(html_of(soc, incident, notice=1), "level")  # the first notice as filed
    assert "第二級" in first and "第三級" not in first


def test_the_review_record_is_chinese(soc, reporter):
    make_user(soc, "lee", Role.LEAD, display_name="陳志明")
    incident = filed(soc)
    soc.clock.advance(timedelta(hours=1))
    notification.review_level(
        store=soc.store, actor=LEAD, incident_id=incident.id, level=3, clock=soc.clock
    )
    incident = service.get_incident(store=soc.store, actor=XITUN, incident_id=incident.id)
    html = render_html(
        build_document(DocumentKind.REVIEW, incident, registry=soc.registry, now=soc.clock.now())
    )
    assert "initial assessment" not in html and "changed in review" not in html
    assert "初次通報之等級評估" in html and "上級機關審核時改定" in html
    assert "Xitun" not in html  # no English agency name in parentheses
    history = html.split("</table>")[1]  # the level changes, by whom: names, not accounts
    assert "林美玲" in history and "陳志明" in history and "(reporter" not in history


def test_table_rows_never_split_across_pdf_pages(soc, reporter):
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    long = "\n".join(f"第{n}項處置：隔離主機並檢查日誌" for n in range(1, 31))
    html = html_of(soc, filed(soc, description=long, response_measures=long, other_matters=long))
    assert "break-inside: avoid" in html
    pages = HTML(string=html).render().pages
    assert len(pages) > 1
    seen: dict[int, set[int]] = {}
    for number, page in enumerate(pages):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableRowBox):
                seen.setdefault(id(box.element), set()).add(number)
    split = [on for on in seen.values() if len(on) > 1]
    assert split == []


def test_no_heading_or_header_row_is_left_at_the_foot_of_a_page(soc, reporter):
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    # with one IoC the deadlines' heading and header row fall at the first page's foot
    one = [IoC(type=IoCType.IPV4, value="203.0.113.45")]
    pages = HTML(string=html_of(soc, filed(soc, iocs=one))).render().pages
    assert len(pages) > 1
    for page in pages:
        kinds = [
            "row" if isinstance(box, boxes.TableRowBox) else "h2"
            for box in page._page_box.descendants()
            if isinstance(box, boxes.TableRowBox)
            or (isinstance(box, boxes.BlockBox) and box.element_tag == "h2")
        ]
        # each heading on a page is followed there by its table's header and a first row
        sections = "".join("H" if k == "h2" else "r" for k in kinds).split("H")[1:]
        assert all(len(rows) >= 2 for rows in sections), kinds
