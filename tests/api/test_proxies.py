"""Forwarded client addresses are believed only from configured proxies: through a real
uvicorn on loopback, a forged X-Forwarded-For does not escape the per-client login limit."""

import json

import pytest

from api.app import create_app
from api.server import uvicorn_config
from core.settings import Settings
from tests.conftest import _free_port
from tests.live_server import post, running

LIMIT = 3


def serve(soc, **settings):
    soc.settings = Settings(
        store=soc.settings.store,
        api_port=_free_port(),
        login_attempts_per_minute=LIMIT,
        **settings,
    )
    config = uvicorn_config(create_app(soc, api_token="operator-token-proxies"), soc.settings)
    config.log_level = "warning"
    return running(config), soc.settings.api_port


def attempt(port: int, forwarded_for: str) -> int:
    body = json.dumps({"username": "nobody-here", "password": "not a password"}).encode()
    status, _body, _response = post(
        port,
        "/api/v1/auth/login",
        body,
        {"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    return status


def test_a_forged_forwarded_for_does_not_reset_the_login_limit(soc):
    server, port = serve(soc)  # default: no trusted proxies
    with server:
        codes = [attempt(port, f"198.51.100.{n}") for n in range(LIMIT + 1)]
    assert codes == [401] * LIMIT + [429]


def test_a_configured_proxy_is_believed(soc):
    server, port = serve(soc, trusted_proxies="127.0.0.1")
    with server:
        spread = [attempt(port, f"198.51.100.{n}") for n in range(LIMIT + 1)]
        one_client = [attempt(port, "203.0.113.7") for _ in range(LIMIT + 1)]
    assert spread == [401] * (LIMIT + 1)  # each forwarded client has its own allowance
    assert one_client == [401] * LIMIT + [429]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", []), ("10.0.0.5, 10.0.1.0/24", ["10.0.0.5", "10.0.1.0/24"]), ("::1", ["::1"])],
)
def test_trusted_proxies_setting_reads_addresses_and_networks(value, expected):
    assert Settings(trusted_proxies=value).trusted_proxies == expected


@pytest.mark.parametrize("value", ["*", "proxy.example", "10.0.0.300"])
def test_trusted_proxies_setting_refuses_what_is_not_an_address(value):
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies=value)


def test_trusted_proxies_come_from_the_environment_as_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("CITYSOC_TRUSTED_PROXIES", "10.0.0.5,10.0.1.0/24")
    assert Settings().trusted_proxies == ["10.0.0.5", "10.0.1.0/24"]
