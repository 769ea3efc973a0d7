"""schemathesis against our own OpenAPI document: whatever fits (or nearly fits) the
schema, the API answers with a client error at worst, never a server error (5xx).

Marked ``fuzz``; each operation gets a bounded number of generated requests so the whole
document is covered in well under a minute. Authenticated as the operator (an
administrator), so requests get past authentication into the services; access rules are
the route matrix's business (tests/security/test_route_matrix.py).

CI runs the same derandomized requests every time; to hunt for more, run
``CITYSOC_FUZZ_RANDOM=1 CITYSOC_FUZZ_EXAMPLES=300 pytest tests/api/test_openapi_fuzz.py``.
"""

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from api.app import create_app
from collectors.records import RawRecord
from core.settings import Settings
from tests.data.events import winlogbeat
from tests.factories import open_incident

pytestmark = pytest.mark.fuzz
TOKEN = "operator-token-fuzz"
EXAMPLES = int(os.environ.get("CITYSOC_FUZZ_EXAMPLES", "40"))  # per operation


@pytest.fixture
def api(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    ingestor = soc.ingestor()
    for n in range(3):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"u{n}"})
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")
    incident = open_incident(soc.store, soc.clock, title="fuzz")
    [alert] = soc.store.alerts.list(limit=1)
    known = {"incident_id": incident.id, "key": alert.group_key}
    app = create_app(soc, api_token=TOKEN)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app), known


def test_no_request_gets_a_server_error(api):
    """One Hypothesis run per operation (schemathesis' pytest plugin reaches into pytest
    internals that pytest 9 removed, so the operations are driven from here): valid
    requests, invalid ones, and valid ones aimed at records that exist."""
    schema, known = api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the whole document, not a fraction of it
    failures: list[str] = []
    for operation in operations:
        existing = {k: v for k, v in known.items() if f"{{{k}}}" in operation.path}
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )
        if existing:
            strategy |= operation.as_strategy(path_parameters=existing)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=os.environ.get("CITYSOC_FUZZ_RANDOM") != "1",  # CI: same requests each run
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}\nreproduce: {case.as_curl_command()}"
            )

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n\n".join(failures)
