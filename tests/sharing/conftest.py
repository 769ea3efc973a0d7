"""Fixtures shared by the sharing tests."""

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from incidents.sharing.partners import issue_partner_token
from tests.sharing.cities import ADMIN

TAXII = "application/taxii+json;version=2.1"
INBOX = "/taxii2/joint-defence/collections/partner-inbox/objects/"


@pytest.fixture
def push(soc) -> Callable[..., object]:
    """POST objects into the shipped registry's partner inbox as a partner, over TAXII."""
    client = TestClient(create_app(soc, api_token="operator-token"))
    tokens: dict[str, str] = {}

    def send(partner: str, *objects: dict[str, object]):
        if partner not in tokens:
            tokens[partner], _ = issue_partner_token(
                store=soc.store,
                actor=ADMIN,
                registry=soc.registry,
                partners=soc.partners,
                partner_id=partner,
                clock=soc.clock,
            )
        return client.post(
            INBOX,
            content=json.dumps({"objects": list(objects)}).encode(),
            headers={
                "Authorization": f"Bearer {tokens[partner]}",
                "Accept": TAXII,
                "Content-Type": TAXII,
            },
        )

    return send
