"""Another agency's record and a record that does not exist get the same answer, byte for
byte (status and body), on every id-taking route of the API and the pages: a reporter of
the Police Department cannot tell whether an id of the Xitun District Office exists."""

import json
import re

import pytest

from core import accounts
from core.access import Actor, Role
from tests.factories import logged_in
from tests.security.test_route_matrix import (
    CASES,
    PAGE_CASES,
    UPLOAD,
    app_routes,
    world,  # noqa: F401 - the fixture, shared with the route matrix
)

# Ids of the same shape as the real ones, that name nothing.
MADE_UP = {
    "incident": "INC-20260302-000000",
    "event": "0" * 64,
    "drill": "DRL-20260301-000000",
    "alert": "0" * 32,
    "key": "city-made-up-rule|district-xitun|nohost|1772409600",
    "evidence": "0" * 64,
}
# Routes that take ids but are not agency records: TAXII objects and collections belong to
# the partner registry (reporters are refused there with 403 before any lookup), the
# language switch, static files and the API docs assets name no record. Messages and
# accounts belong to no agency: the right is checked before any lookup (403 for a reporter,
# whether the message or user exists or not; tests/api/test_messages_api.py,
# tests/pages/test_users_page.py). So do rules (tests/security/test_route_matrix.py).
NOT_AGENCY_RECORDS = re.compile(
    r"^/taxii2/|^/lang/|^/static/|^/api/docs/|^/api/v1/messages/|^/messages/"
    r"|^/api/v1/users/|^/users/"
    r"|^/api/v1/rules/|^/rules/"
    # saved searches are a person's: another's private one and a made-up id give the same
    # bytes (tests/api/test_search_api.py)
    r"|^/api/v1/searches/|^/search/saved/"
)
# Ids passed in the query or in a path that names something other than the records above.
EXTRA_API = {
    ("DELETE", "/api/v1/tokens/{token_id}"): (
        "/api/v1/tokens/{token}",
        "/api/v1/tokens/tok_000000000000",
    ),
    ("POST", "/api/v1/intel/partners/{partner_id}/pull"): (
        "/api/v1/intel/partners/miaoli-county/pull",
        "/api/v1/intel/partners/made-up-county/pull",
    ),
    ("GET", "/api/v1/reports/compliance"): (
        "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&agency=district-xitun",
        "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&agency=district-made-up",
    ),
    ("GET", "/api/v1/alerts"): (
        "/api/v1/alerts?agency=district-xitun",
        "/api/v1/alerts?agency=district-made-up",
    ),
}
EXTRA_PAGES = {
    ("GET", "/dashboard"): (
        "/dashboard?agency=district-xitun",
        "/dashboard?agency=district-made-up",
    ),
    ("GET", "/alerts"): ("/alerts?agency=district-xitun", "/alerts?agency=district-made-up"),
}


def _takes_ids(path: str, body: object) -> bool:
    return any(f"{{{k}}}" in f"{path} {body}" for k in MADE_UP)


def _fill(text: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def _send(client, method: str, path: str, body: object, ids: dict[str, str], **kwargs):
    if body == UPLOAD:
        return client.post(path, files={"file": ("x.txt", b"x", "text/plain")}, **kwargs)
    if isinstance(body, dict) and method == "POST" and not path.startswith("/api/"):
        return client.post(path, data={k: _fill(v, ids) for k, v in body.items()}, **kwargs)
    if body is None:
        return client.request(method, path, **kwargs)
    return client.request(method, path, json=json.loads(_fill(json.dumps(body), ids)), **kwargs)


@pytest.fixture
def other_token(request, soc):
    """An API token of another user (the analyst's), to revoke as the wrong person."""
    request.getfixturevalue("world")
    analyst = next(
        u
        for u in accounts.list_users(store=soc.store, actor=Actor("a", Role.ADMIN))
        if u.username == "analyst"
    )
    return accounts.list_tokens(store=soc.store, actor=analyst.actor())[0].id


def test_every_id_taking_route_is_compared(soc):
    from api.app import create_app

    routes = app_routes(create_app(soc, api_token="x"))
    with_ids = {r for r in routes if "{" in r[1] and not NOT_AGENCY_RECORDS.match(r[1])}
    covered = {r for r, (p, b, _) in CASES.items() if _takes_ids(p, b)} | set(EXTRA_API)
    covered |= {r for r, (p, b, _) in PAGE_CASES.items() if _takes_ids(p, b)}
    assert not with_ids - covered, f"compare these too: {sorted(with_ids - covered)}"


def _api_routes():
    for route, (path, body, _) in sorted(CASES.items()):
        if route in EXTRA_API:
            yield route, body, EXTRA_API[route]
        elif _takes_ids(path, body) and not NOT_AGENCY_RECORDS.match(route[1]):
            yield route, body, (path, path)


def test_api_answers_alike_for_another_agencys_id_and_a_made_up_one(request, other_token):
    client, headers, ids = request.getfixturevalue("world")
    auth = {"headers": headers["reporter_other"]}
    compared = 0
    for route, body, (real_path, fake_path) in _api_routes():
        real_path = _fill(real_path, ids | {"token": other_token})
        real = _send(client, route[0], real_path, body, ids, **auth)
        fake = _send(client, route[0], _fill(fake_path, MADE_UP), body, MADE_UP, **auth)
        assert real.status_code == 404, f"{route}: {real.status_code} {real.text}"
        assert (fake.status_code, fake.content) == (real.status_code, real.content), route
        compared += 1
    assert compared >= 20


def test_pages_answer_alike_for_another_agencys_id_and_a_made_up_one(request):
    client, _headers, ids = request.getfixturevalue("world")
    browser, csrf = logged_in(client.app, "reporter-other", follow_redirects=False)
    compared = 0
    for route, (path, form, _) in sorted(PAGE_CASES.items()):
        if route in EXTRA_PAGES:
            paths = EXTRA_PAGES[route]
        elif _takes_ids(path, form):
            paths = (path, path)
        else:
            continue
        answers = []
        for target, values in zip(paths, (ids, MADE_UP), strict=True):
            target = _fill(target, values)
            if route[0] == "GET":
                answers.append(browser.get(target))
            elif form == UPLOAD:
                files = {"file": ("x.txt", b"x")}
                answers.append(browser.post(target, data={"csrf_token": csrf}, files=files))
            else:
                data = {k: _fill(v, values) for k, v in (form or {}).items()}
                answers.append(browser.post(target, data=data | {"csrf_token": csrf}))
        real, fake = answers
        assert real.status_code == 404, f"{route}: {real.status_code} {real.text}"
        assert (fake.status_code, fake.content) == (real.status_code, real.content), route
        compared += 1
    assert compared >= 10
