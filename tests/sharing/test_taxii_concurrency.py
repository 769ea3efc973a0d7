"""A large TAXII POST is validated off the event loop and a few at a time, so the server
answers other requests meanwhile. Real sockets: uvicorn on loopback in a thread, httpx as the
client. The tests assert the order in which things finish, never how long they took."""

import json
import threading
from collections.abc import Iterator

import anyio.to_thread
import httpx2 as httpx
import pytest

from api.taxii import VALIDATING_AT_ONCE
from incidents.sharing.partners import issue_partner_token
from tests.sharing.cities import ADMIN, OPERATOR_TOKEN, free_port, partner_indicator, serving

pytestmark = pytest.mark.taxii
TAXII = "application/taxii+json;version=2.1"
INBOX = "/taxii2/joint-defence/collections/partner-inbox/objects/"


def envelope(size: int) -> bytes:
    """As many indicators as one request may carry: seconds of validation."""
    objects = [partner_indicator(address=f"198.51.{n // 250}.{n % 250 + 1}") for n in range(size)]
    return json.dumps({"objects": objects}).encode()


def partner_headers(soc) -> dict[str, str]:
    token, _ = issue_partner_token(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        partners=soc.partners,
        partner_id="miaoli-county",
        clock=soc.clock,
    )
    return {"Authorization": f"Bearer {token}", "Accept": TAXII, "Content-Type": TAXII}


class FewWorkerThreads:
    """ASGI middleware: the server's worker-thread pool (anyio's default limiter, one per event
    loop) gets only ``tokens`` threads, as a busy server has left."""

    def __init__(self, app, tokens: int) -> None:
        self.app, self.tokens = app, tokens

    async def __call__(self, scope, receive, send) -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = self.tokens
        await self.app(scope, receive, send)


def post_in_background(
    base: str, headers: dict[str, str], body: bytes, finished: list[str], name: str
) -> tuple[threading.Thread, threading.Event]:
    """POST ``body`` from a thread; the event is set once the whole body has been sent."""
    sent = threading.Event()

    def chunks() -> Iterator[bytes]:
        yield body
        sent.set()

    def run() -> None:
        response = httpx.post(base + INBOX, content=chunks(), headers=headers, timeout=600)
        assert response.status_code == 202, response.text
        finished.append(name)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, sent


def test_another_request_is_answered_while_a_large_post_is_validated(soc):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(soc, port):
        finished: list[str] = []
        body = envelope(soc.settings.taxii_max_objects)
        thread, sent = post_in_background(base, partner_headers(soc), body, finished, "post")
        assert sent.wait(60)
        me = httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        assert me.status_code == 200
        finished.append("get")
        thread.join()
    assert finished == ["get", "post"]


def test_a_burst_of_large_posts_leaves_worker_threads_for_other_requests(soc):
    """More POSTs than may validate at once, on a server with as many worker threads as
    POSTs: validation runs on its own few threads, so a plain request still gets one."""
    tokens = VALIDATING_AT_ONCE + 2
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(soc, port, wrap=lambda app: FewWorkerThreads(app, tokens)):
        headers = partner_headers(soc)
        finished: list[str] = []
        body = envelope(300)
        posts = [
            post_in_background(base, headers, body, finished, f"post-{n}") for n in range(tokens)
        ]
        for _thread, sent in posts:
            assert sent.wait(60)
        me = httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        assert me.status_code == 200
        finished.append("get")
        for thread, _sent in posts:
            thread.join()
    assert finished[0] == "get", finished
