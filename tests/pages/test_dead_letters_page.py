"""The dead letters page (/dead-letters, issue 16 item 7): the SOC lists what could not be
parsed with filters and paging, and reprocesses one letter or every one selected; an IIS
line dead-lettered by the old behaviour becomes an event. Auditors read; reporters are
refused; the page speaks Chinese."""

import re

import pytest

from api.app import create_app
from collectors.records import RawRecord
from core.access import Role
from core.i18n import labels
from core.settings import Settings
from tests.collectors.test_auth_and_web_logs import IIS
from tests.factories import make_user
from tests.pages.test_pages import Browser
from tests.pages.test_zh_everywhere import english_words

ZH = labels("zh")
ROW = re.compile(r'id="dl-reprocess-\d+"')
SOURCE = "file:/var/log/iis/u_ex260302.log"


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "audra", Role.AUDITOR)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    ingestor = soc.ingestor()
    for number, line in enumerate(IIS.encode().splitlines(), 1):  # as before W3C was read
        record = RawRecord(SOURCE, line, soc.clock.now(), position=f"line {number}")
        ingestor.submit(record, "syslog")
    ingestor.submit(RawRecord("file:/x/app.jsonl", b"{broken", soc.clock.now()), "jsonl")
    ingestor.flush()
    return create_app(soc, api_token="operator-token-dead-letters")


def _zh(browser: Browser) -> Browser:
    browser.client.cookies.set("citysoc_lang", "zh")
    return browser


def test_the_soc_lists_dead_letters_with_filters_in_chinese(app):
    amy = _zh(Browser(app, "amy"))
    page = amy.get("/dead-letters")
    assert page.status_code == 200
    assert len(ROW.findall(page.text)) == 7 and 'id="dl-reprocess-all"' in page.text
    assert "must start with a PRI" in page.text and "not valid JSON" in page.text
    assert ZH["ops_dl_reprocess_all"].format(n=7) in page.text
    assert not english_words(page.text)
    narrowed = amy.get("/dead-letters", source="U_EX")
    assert len(ROW.findall(narrowed.text)) == 6
    assert "/dead-letters/reprocess?source=U_EX" in narrowed.text
    none = amy.get("/dead-letters", source="nothing-like-this")
    assert ZH["ops_dl_none_match"] in none.text and "dl-reprocess-all" not in none.text
    later = amy.get("/dead-letters", since="2099-01-01T00:00")
    assert ZH["ops_dl_none_match"] in later.text
    assert amy.get("/dead-letters", since="10000-01-01").status_code == 422
    assert 'id="nav-dead-letters"' in page.text


def test_reprocessing_every_selected_letter_stores_the_iis_lines(app, soc):
    amy = _zh(Browser(app, "amy"))
    done = amy.post("/dead-letters/reprocess?source=u_ex")
    assert done.status_code == 303 and "source=u_ex" in done.headers["location"]
    page = amy.follow(done)
    said = ZH["ops_dl_done"].format(
        examined=6, stored=2, duplicates=0, directives=4, still_failing=0, not_reprocessable=0
    )
    assert said in page.text
    assert {e.dataset for e in soc.store.events.list()} == {"iis.access"}
    assert soc.store.dead_letters.count() == 1  # the broken JSON stays
    assert any(r.action == "deadletters.reprocess" for r in soc.store.audit.rows())


def test_one_letter_is_reprocessed_and_one_that_still_fails_keeps_its_place(app, soc):
    amy = Browser(app, "amy")
    letters = soc.store.dead_letters.list()
    last_iis, broken = letters[5], letters[6]
    amy.follow(amy.post("/dead-letters/reprocess", {"letter": str(last_iis.id)}))
    [event] = soc.store.events.list()
    assert event.fields["url.path"] == "/upload/cmd.aspx"
    page = amy.follow(amy.post("/dead-letters/reprocess", {"letter": str(broken.id)}))
    assert "1 筆仍無法解析" in page.text
    assert soc.store.dead_letters.get(broken.id).raw == b"{broken"


def test_auditors_read_without_reprocessing_and_reporters_are_refused(app):
    audra = Browser(app, "audra")
    page = audra.get("/dead-letters")
    assert page.status_code == 200 and "dl-reprocess" not in page.text
    assert audra.post("/dead-letters/reprocess", {"letter": "1"}).status_code == 403
    xitun = Browser(app, "xitun")
    assert xitun.get("/dead-letters").status_code == 403
    assert 'id="nav-dead-letters"' not in xitun.get("/").text


def test_an_empty_store_says_everything_was_parsed(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    amy = _zh(Browser(create_app(soc, api_token="x"), "amy"))
    page = amy.get("/dead-letters")
    assert ZH["ops_dl_empty"] in page.text and "dl-reprocess-all" not in page.text


def test_the_api_filters_and_reprocesses(app, soc):
    client = Browser(app, "amy").client
    headers = {"Authorization": "Bearer operator-token-dead-letters"}
    listed = client.get("/api/v1/dead-letters?source=.LOG", headers=headers).json()
    assert listed["total"] == 6 and listed["items"][0]["source"] == SOURCE
    bad = client.post("/api/v1/dead-letters/reprocess", json={"ids": "x"}, headers=headers)
    assert bad.status_code == 422
    done = client.post(
        "/api/v1/dead-letters/reprocess", json={"source": "u_ex"}, headers=headers
    ).json()
    assert (done["stored"], done["directives"], done["left"]) == (2, 4, 0)
    left = client.get("/api/v1/dead-letters", headers=headers).json()
    assert left["total"] == 1 and soc.store.events.count() == 2


def test_counts_in_a_hand_made_address_never_break_the_page(app):
    amy = Browser(app, "amy")
    page = amy.get("/dead-letters", examined="3", stored="x" * 5000)
    assert page.status_code == 200 and 'id="dl-done"' in page.text
