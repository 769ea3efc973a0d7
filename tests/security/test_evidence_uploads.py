"""A caller who may not add evidence to an incident writes nothing: the service checks
access before it writes the file, and the routes check it before they read the upload."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Actor, Role
from core.errors import ForbiddenError, NotFoundError
from core.settings import Settings
from incidents.evidence import add_evidence
from tests.asgi_probe import BodyReads
from tests.factories import PASSWORD, make_user, open_incident, token_for

LOG = b"deny tcp 203.0.113.9 -> 10.1.2.3:445\n"


@pytest.fixture
def incident_id(soc) -> str:
    return open_incident(soc.store, soc.clock, title="evidence").id


def written(soc) -> list[str]:
    root = soc.settings.evidence_path
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (Actor("audrey", Role.AUDITOR), ForbiddenError),
        (Actor("pat", Role.REPORTER, "police"), NotFoundError),  # another agency's incident
    ],
)
def test_the_service_writes_nothing_for_a_caller_who_may_not_add_evidence(
    soc, incident_id, actor, error
):
    with pytest.raises(error):
        add_evidence(
            store=soc.store,
            actor=actor,
            incident_id=incident_id,
            filename="fw.log",
            data=LOG,
            note="",
            root=soc.settings.evidence_path,
            max_bytes=soc.settings.max_evidence_bytes,
            clock=soc.clock,
        )
    assert written(soc) == []


@pytest.fixture
def auditor(soc):
    """An auditor's bearer token and a client whose reads of request bodies are counted."""
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    user = make_user(soc, "audrey", Role.AUDITOR)
    token = token_for(soc, user)
    reads = BodyReads(create_app(soc, api_token="operator-token-evidence"))
    return TestClient(reads, follow_redirects=False), reads, token


def test_the_api_refuses_an_auditor_before_reading_the_upload(soc, incident_id, auditor):
    client, reads, token = auditor
    response = client.post(
        f"/api/v1/incidents/{incident_id}/evidence",
        files={"file": ("fw.log", LOG)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403, response.text
    assert reads.bytes == 0 and written(soc) == []


def test_the_page_refuses_an_auditor_before_reading_the_upload(soc, incident_id, auditor):
    client, reads, _token = auditor
    login = client.post("/api/v1/auth/login", json={"username": "audrey", "password": PASSWORD})
    reads.bytes = 0
    response = client.post(
        f"/incidents/{incident_id}/evidence",
        data={"csrf_token": login.json()["csrf_token"]},
        files={"file": ("fw.log", LOG)},
    )
    assert response.status_code == 403, response.text
    assert reads.bytes == 0 and written(soc) == []


def test_who_may_add_evidence_still_can(soc, incident_id):
    client = TestClient(create_app(soc, api_token="operator-token-evidence"))
    response = client.post(
        f"/api/v1/incidents/{incident_id}/evidence",
        files={"file": ("fw.log", LOG)},
        data={"note": "firewall"},
        headers={"Authorization": "Bearer operator-token-evidence"},
    )
    assert response.status_code == 201, response.text
    [record] = response.json()["incident"]["evidence"]
    assert record["note"] == "firewall" and len(written(soc)) == 1
