"""Body limits through a real uvicorn on loopback: a huge declared login body is refused
before a byte of it is sent, and a chunked one is refused once it passes the limit."""

import http.client
import json

import pytest

from api.app import create_app
from api.body_limits import LOGIN_BYTES, BodyLimits
from api.server import uvicorn_config
from core.settings import Settings
from tests.conftest import _free_port
from tests.live_server import running


@pytest.fixture
def port(soc):
    soc.settings = Settings(store=soc.settings.store, api_port=_free_port())
    config = uvicorn_config(create_app(soc, api_token="operator-token-limits"), soc.settings)
    config.log_level = "warning"
    with running(config):
        yield soc.settings.api_port


def test_a_300_mb_login_is_refused_before_its_body_is_sent(port):
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    con.putrequest("POST", "/api/v1/auth/login")
    con.putheader("Content-Type", "application/json")
    con.putheader("Content-Length", str(300 * 1024 * 1024))
    con.endheaders()  # and no body: a server that waited for it would never answer
    response = con.getresponse()
    error = json.loads(response.read())["error"]
    con.close()
    assert response.status == 413
    assert error["code"] == "too_large"
    assert f"at most {LOGIN_BYTES:,} bytes" in error["message"]


def test_a_chunked_login_is_refused_once_it_passes_the_limit(port):
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunks = (b" " * 1024 for _ in range(LOGIN_BYTES // 1024 + 2))
    con.request(
        "POST",
        "/api/v1/auth/login",
        body=chunks,
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = con.getresponse()
    body = json.loads(response.read())
    con.close()
    assert response.status == 413
    assert "passed 4,096 bytes" in body["error"]["message"]


def test_uploads_may_carry_a_whole_evidence_file_and_its_form(soc):
    limits = BodyLimits.for_settings(soc.settings)
    upload = limits.limit_for("POST", "/incidents/INC-20260302-ABCDEF/evidence")
    assert upload.max_bytes > soc.settings.max_evidence_bytes
    taxii = limits.limit_for("POST", "/taxii2/joint-defence/collections/x/objects/")
    assert taxii.max_bytes == soc.settings.taxii_max_content_length
