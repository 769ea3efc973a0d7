"""The event search page (/search): results with the histogram, top values whose links
add ``field:"value"`` to the query, a pager, exports, the Sigma draft form for /rules/new,
saved searches (save, list, delete) and clear errors; a reporter sees their agency only."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from api.app import create_app
from api.pages.search import narrowed
from core.access import Role
from core.events import Event
from core.settings import Settings
from tests.factories import make_user
from tests.pages.test_pages import Browser


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    now = soc.clock.now()
    soc.store.events.append(
        [
            Event(
                event_id=f"ev{n:03d}",
                timestamp=now - timedelta(minutes=10 * n + 1),
                dataset="windows.security",
                organization_id="police" if n % 5 == 0 else "district-xitun",
                original=f'{{"EventID": {4625 if n % 2 else 4624}, "n": {n}}}',
                fields={"host.name": f"WS-{n % 3}", "winlog.event_id": 4625 if n % 2 else 4624},
            )
            for n in range(120)
        ]
    )
    return create_app(soc, api_token="operator-token-search")


def _links(text: str, css_class: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'href="([^"]+)" class="{css_class}"', text)]


def test_the_page_shows_results_histogram_top_values_and_exports(app):
    amy = Browser(app, "amy")
    page = amy.get("/search", q="winlog.event_id:4625")
    assert page.status_code == 200, page.text[-500:]
    assert 'id="search-total"' in page.text and "60" in page.text
    assert "<svg" in page.text and 'id="search-histogram"' in page.text
    assert page.text.count('href="/events/ev') == 50  # one page
    assert 'id="next"' in page.text
    top = _links(page.text, "top-value")
    assert len(top) == 3
    query = parse_qs(urlsplit(top[0]).query)
    assert query["q"] == ['winlog.event_id:4625 host.name:"ws-0"']
    narrowed_page = amy.get(top[0])
    assert narrowed_page.status_code == 200
    assert re.search(r'id="search-total">[^<]*20', narrowed_page.text)
    export = html.unescape(re.search(r'href="([^"]+)" id="export-csv"', page.text).group(1))
    assert export.startswith("/api/v1/events/search/export?") and "format=csv" in export
    assert amy.get(export).status_code == 200
    second = amy.get("/search", q="winlog.event_id:4625", offset=50)
    assert second.text.count('href="/events/ev') == 10


def test_the_sigma_draft_goes_to_the_rule_editor_or_is_refused(app):
    amy = Browser(app, "amy")
    page = amy.get("/search", q="winlog.event_id:4625 AND host.name:ws-*")
    form = re.search(
        r'<form method="get" action="/rules/new" id="sigma-form">(.*?)</form>', page.text, re.S
    )
    assert form is not None
    draft = html.unescape(re.search(r'name="draft" value="([^"]*)"', form.group(1)).group(1))
    assert "EventID: '4625'" in draft and "Computer|startswith: ws-" in draft
    refused = amy.get("/search", q="@timestamp:>2026-01-01 host.name:x")
    assert 'id="sigma-refusal"' in refused.text and 'id="sigma-form"' not in refused.text


def test_a_bad_query_says_where_in_chinese(app):
    amy = Browser(app, "amy")
    amy.client.cookies.set("citysoc_lang", "zh")
    page = amy.get("/search", q="host.name:(ws")
    assert page.status_code == 422
    assert "查詢語法第 11 字" in page.text and 'id="search-error"' in page.text


def test_a_reporter_sees_their_agency_only(app):
    xitun = Browser(app, "xitun")
    page = xitun.get("/search", field="organization.id")
    assert page.status_code == 200
    values = re.findall(r'<span translate="no">([^<]+)</span></a> <span class="count">', page.text)
    assert values == ["district-xitun"]


def test_saving_listing_and_deleting_a_search(app, soc):
    amy = Browser(app, "amy")
    saved = amy.post(
        "/search/saved", {"name": "失敗登入", "q": "winlog.event_id:4625", "shared": "1"}
    )
    listing = amy.follow(saved)
    assert 'id="search-notice"' in listing.text and "失敗登入" in listing.text
    xitun = Browser(app, "xitun").get("/search")
    assert "失敗登入" in xitun.text and "/search/saved/" not in xitun.text  # shared, not theirs
    search_id = re.search(r'action="/search/saved/([^/]+)/delete"', listing.text).group(1)
    gone = amy.follow(amy.post(f"/search/saved/{search_id}/delete"))
    assert "失敗登入" not in gone.text
    refused = amy.post("/search/saved", {"name": "", "q": "a:b"})
    assert refused.status_code == 422
    assert [r.action for r in soc.store.audit.rows() if r.action.startswith("search.")] == [
        "search.save",
        "search.delete",
    ]


def test_a_clicked_value_narrows_even_a_query_joined_by_or():
    assert narrowed("", "host.name", "ws-1") == 'host.name:"ws-1"'
    assert narrowed("a:1", "host.name", 'say "hi"') == 'a:1 host.name:"say \\"hi\\""'
    assert narrowed("a:1 OR b:2", "host.name", "x") == '(a:1 OR b:2) host.name:"x"'
