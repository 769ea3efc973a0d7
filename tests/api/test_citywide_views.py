"""/metrics and /api/v1/audit/verify count every agency's records: only the roles that may
see city-wide numbers read them (core.access: READ_METRICS, READ_AUDIT)."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from tests.factories import make_user, token_for

PEOPLE = {
    "reporter": (Role.REPORTER, "district-xitun"),
    "auditor": (Role.AUDITOR, None),
    "analyst": (Role.ANALYST, None),
    "lead": (Role.LEAD, None),
    "admin": (Role.ADMIN, None),
}
# role -> (/metrics, /api/v1/audit/verify)
EXPECTED = {
    "reporter": (403, 403),
    "auditor": (403, 200),
    "analyst": (200, 200),
    "lead": (200, 200),
    "admin": (200, 200),
}


@pytest.fixture
def callers(soc):
    client = TestClient(create_app(soc, api_token="operator-token-views"))
    headers = {}
    for name, (role, agency) in PEOPLE.items():
        user = make_user(soc, name, role, agency=agency)
        headers[name] = {"Authorization": f"Bearer {token_for(soc, user)}"}
    return client, headers


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_citywide_counts_only_for_roles_that_may_see_them(callers, who):
    client, headers = callers
    metrics = client.get("/metrics", headers=headers[who])
    verify = client.get("/api/v1/audit/verify", headers=headers[who])
    assert (metrics.status_code, verify.status_code) == EXPECTED[who]
    if metrics.status_code == 200:
        assert "citysoc_events_total" in metrics.text
    else:
        assert "citysoc_" not in metrics.text
        assert metrics.json()["error"]["code"] == "forbidden"
    if verify.status_code == 200:
        assert verify.json()["entries"] > 0
    else:
        assert "entries" not in verify.text and "covers every agency" in verify.text


def test_operator_token_reads_metrics(callers):
    client, _ = callers
    response = client.get("/metrics", headers={"Authorization": "Bearer operator-token-views"})
    assert response.status_code == 200
