"""The partners and indicators page (/intel, issue 16 item 7): the watchlist is filtered by
partner and by text, and paged with the shared pager keeping the filters."""

from datetime import timedelta

import pytest

from api.app import create_app
from core.access import Role
from core.settings import Settings
from incidents.sharing.watchlist import import_objects
from tests.factories import make_user
from tests.pages.test_pages import Browser
from tests.sharing.cities import ADMIN
from tests.sharing.cities import partner_indicator as indicator


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    args = {"actor": ADMIN, "now": soc.clock.now(), "retro_hunt": timedelta(days=30)}
    import_objects(soc.store, [indicator(address="203.0.113.9")], partner="miaoli-county", **args)
    import_objects(
        soc.store, [indicator(address="198.51.100.77")], partner="changhua-county", **args
    )
    return create_app(soc, api_token="x")


def test_indicators_are_filtered_by_partner_and_text(app):
    amy = Browser(app, "amy")
    every = amy.get("/intel").text
    assert "203.0.113.9" in every and "198.51.100.77" in every
    theirs = amy.get("/intel", partner="miaoli-county").text
    assert "203.0.113.9" in theirs and "198.51.100.77" not in theirs
    assert '<option value="miaoli-county" selected>' in theirs
    found = amy.get("/intel", q="100.77").text
    assert "198.51.100.77" in found and "203.0.113.9" not in found
    assert amy.get("/intel", q="x" * 301).status_code == 422
