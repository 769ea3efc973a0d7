"""`citysoc serve` on an empty store, in its own process: the banner gives the web address,
the token path on one line and a one-time code, which creates the first administrator over
real HTTP on loopback, works once, and appears nowhere but on that console line (not in a
log line, not in the store)."""

import re
import time
from pathlib import Path

import httpx2 as httpx

from tests.factories import PASSWORD
from tests.faults.serve import Serve


def test_serve_prints_a_code_that_creates_the_first_administrator_once(tmp_path: Path, monkeypatch):
    # httpx, unlike a browser, keeps Secure cookies from http://127.0.0.1 to itself
    monkeypatch.setenv("CITYSOC_COOKIE_SECURE", "false")
    server = Serve(tmp_path)
    server.start()
    try:
        output = tmp_path / "serve.log"
        deadline = time.monotonic() + 30  # the banner and the socket come close together
        while "one-time code:" not in output.read_text():
            assert time.monotonic() < deadline, output.read_text()[-2000:]
            time.sleep(0.1)
        text = output.read_text()
        web = f"http://127.0.0.1:{server.api}"
        assert f"web pages: {web}/ " in text
        assert f"operator API token (Authorization: Bearer): {tmp_path / 'api-token'}\n" in text
        assert f"open {web}/setup" in text
        [code] = re.findall(r"one-time code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}) ", text)
        assert text.count(code) == 1, "the code must be printed once, on the console only"

        with httpx.Client(base_url=web, follow_redirects=False, timeout=30) as browser:
            assert browser.get("/login").headers["location"] == "/setup"
            page = browser.get("/setup")
            [token] = re.findall(r'name="login_csrf" value="([^"]+)"', page.text)
            form = {
                "code": code,
                "username": "root",
                "password": PASSWORD,
                "password_again": PASSWORD,
                "login_csrf": token,
            }
            created = browser.post("/setup", data=form, headers={"Origin": web})
            assert created.status_code == 303, created.text[-500:]
            browser.cookies.set("citysoc_login_csrf", token, path="/setup")
            again = browser.post("/setup", data={**form, "username": "other"})
            assert again.status_code == 409
            login = browser.post(
                "/api/v1/auth/login", json={"username": "root", "password": PASSWORD}
            )
            assert login.status_code == 200
    finally:
        server.stop()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("c.db*"))
    assert code.encode() not in stored and code.replace("-", "").encode() not in stored
    assert output.read_text().count(code) == 1  # nor in any log line since
