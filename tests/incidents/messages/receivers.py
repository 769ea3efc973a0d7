"""Real receivers on loopback for the message tests: an SMTP server (aiosmtpd) keeping
what it received, and an HTTP server that verifies the webhook's signature the way a
receiver should (channels.verify_signature) or fails on purpose."""

import email
import email.policy
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message as Mail
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from incidents.messages.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature

SECRET = b"webhook-test-secret"


@dataclass
class Inbox:
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002
        self.mails.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made by openssl for the test (skips without it)."""
    import pytest

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: apt-get install openssl")
    cert, key = folder / "smtp.crt", folder / "smtp.key"
    subprocess.run(  # noqa: S603 - a fixed command
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def smtp_server(tls: ssl.SSLContext | None = None) -> Iterator[tuple[Inbox, int]]:
    """With ``tls``, the server offers STARTTLS and refuses mail before it."""
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port, so it cannot take 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=tls is not None
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Hooks:
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    fail_with: int | None = None  # answer every request with this status


@contextmanager
def webhook_server() -> Iterator[tuple[Hooks, str]]:
    hooks = Hooks()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify_signature(
                SECRET,
                self.headers.get(TIMESTAMP_HEADER, ""),
                body,
                self.headers.get(SIGNATURE_HEADER, ""),
                now=time.time(),
                tolerance=300,
            )
            if hooks.fail_with is not None or not ok:
                hooks.refused += 1
                self.send_response(hooks.fail_with or 401)
            else:
                hooks.received.append(json.loads(body))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hooks, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
