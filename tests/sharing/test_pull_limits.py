"""Pulls are bounded: a silent partner times out, endless pages stop at the page and object
limits, oversized or too deeply nested pages are refused; what arrived is imported and the
next pull resumes from the last whole page. The partner is a tiny threaded HTTP server on
loopback that misbehaves; the client is the real taxii2-client."""

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from core.errors import UnavailableError
from incidents.sharing.partners import PartnerRegistry
from incidents.sharing.pull import PullLimits, pull_partner
from incidents.sharing.watchlist import list_indicators
from tests.sharing.cities import A_COLLECTIONS, ADMIN, partner_indicator, registry_file

pytestmark = pytest.mark.taxii
TAXII = "application/taxii+json;version=2.1"
COLLECTION = "/taxii2/joint-defence/collections/0b3f0f3c-6f7e-4f1e-9a53-0c6a7b1e2d41/"
GIVE_UP = 20.0  # seconds the silent partner holds a connection, so an unbounded pull ends


def stamp(n: int) -> str:
    return f"2026-03-01T00:00:00.{n:06d}Z"


Page = Callable[[dict[str, list[str]]], tuple[bytes, dict[str, str]]]


@pytest.fixture
def partner_server() -> Iterator[Callable[[Page], tuple[str, list[dict[str, list[str]]]]]]:
    """Start a TAXII-ish server whose object pages come from ``page(query)``; returns its
    collection URL and the queries it received."""
    servers: list[ThreadingHTTPServer] = []

    def start(page: Page) -> tuple[str, list[dict[str, list[str]]]]:
        seen: list[dict[str, list[str]]] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path.endswith("/objects/"):
                    query = parse_qs(parts.query)
                    seen.append(query)
                    body, headers = page(query)
                else:  # the collection's own description
                    body, headers = (
                        json.dumps(
                            {
                                "id": COLLECTION.split("/")[-2],
                                "title": "x",
                                "can_read": True,
                                "can_write": False,
                            }
                        ).encode(),
                        {},
                    )
                self.send_response(200)
                self.send_header("Content-Type", TAXII)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_port}{COLLECTION}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def registry_for(tmp_path, url: str) -> PartnerRegistry:
    path = registry_file(
        tmp_path / "partners.yaml",
        identity="identity--5b0d6a57-1f0e-4c3e-9b55-2a8f4c1d7e10",
        name="臺中市政府 SOC",
        partner_id="changhua-county",
        partner_name="彰化縣政府",
        pull_url=url,
        token_env="CITYSOC_TEST_TOKEN_PULL",
        collection_ids=A_COLLECTIONS,
    )
    return PartnerRegistry.load(path)


def pull(store, partners, clock, limits: PullLimits):
    return pull_partner(
        store=store,
        partners=partners,
        partner_id="changhua-county",
        actor=ADMIN,
        clock=clock,
        limits=limits,
    )


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("CITYSOC_TEST_TOKEN_PULL", "partner-token")


def endless(per_page: int = 1) -> Page:
    """Pages forever: ``more`` is always true, each page new indicators and a later date.
    (It does give up after 200 pages, so an unbounded client ends with a wrong answer.)"""

    def page(query: dict[str, list[str]]) -> tuple[bytes, dict[str, str]]:
        start = int(query.get("next", ["0"])[0] or 0)
        if "next" not in query and "added_after" in query:  # a resumed pull
            start = int(query["added_after"][0].rsplit(".", 1)[1].rstrip("Z"))
        limit = min(int(query.get("limit", ["100"])[0]), per_page)
        numbers = range(start + 1, start + 1 + limit)
        objects = [partner_indicator(address=f"198.51.{n // 250}.{n % 250 + 1}") for n in numbers]
        body = {"more": numbers[-1] < 200, "next": str(numbers[-1]), "objects": objects}
        return json.dumps(body).encode(), {"X-TAXII-Date-Added-Last": stamp(numbers[-1])}

    return page


def test_endless_pages_stop_at_the_page_limit_and_the_next_pull_resumes(
    tmp_path, store, clock, partner_server
):
    url, seen = partner_server(endless())
    partners = registry_for(tmp_path, url)
    limits = PullLimits(max_pages=5, max_objects=1000)
    report = pull(store, partners, clock, limits)
    assert (report.pages, report.received, report.new) == (5, 5, 5)
    assert report.stopped == (
        f"stopped after 5 pages / 5 objects (the limits of one pull); will resume from {stamp(5)}"
    )
    assert report.until == stamp(5) and len(list_indicators(store)) == 5
    seen.clear()
    again = pull(store, partners, clock, limits)
    assert seen[0]["added_after"] == [stamp(5)] and "next" not in seen[0]
    assert (again.since, again.until, again.new) == (stamp(5), stamp(10), 5)
    assert len(list_indicators(store)) == 10


def test_endless_pages_stop_at_the_object_limit(tmp_path, store, clock, partner_server):
    url, seen = partner_server(endless(per_page=2))
    report = pull(store, registry_for(tmp_path, url), clock, PullLimits(max_objects=5))
    assert (report.pages, report.received) == (3, 5)
    assert [q["limit"] for q in seen] == [["5"], ["3"], ["1"]]  # never asks past the limit
    assert report.stopped.startswith("stopped after 3 pages / 5 objects")
    assert report.stopped.endswith(f"will resume from {stamp(5)}")


@pytest.fixture
def silent_partner() -> Iterator[str]:
    """Accepts connections and never answers (until GIVE_UP seconds have passed)."""
    listener = socket.create_server(("127.0.0.1", 0))
    release = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(0.2)
        while not release.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(conn)
            threading.Timer(GIVE_UP, conn.close).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}{COLLECTION}"
    release.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_partner_times_out_with_the_reason_and_keeps_the_position(
    tmp_path, store, clock, silent_partner
):
    partners = registry_for(tmp_path, silent_partner)
    with pytest.raises(UnavailableError, match="did not answer in time"):
        pull(store, partners, clock, PullLimits(read_timeout=0.5))
    assert store.checkpoints.cache_get("taxii-pull:changhua-county") is None


def test_a_partner_that_goes_silent_after_some_pages_keeps_what_arrived(
    tmp_path, store, clock, partner_server
):
    silent = threading.Event()
    pages = endless()

    def page(query):
        if "next" in query and int(query["next"][0]) >= 2:
            silent.wait(GIVE_UP)  # the third page never comes (in time: then a last one)
            body = {"more": False, "objects": [partner_indicator(address="192.0.2.99")]}
            return json.dumps(body).encode(), {"X-TAXII-Date-Added-Last": stamp(3)}
        return pages(query)

    url, _ = partner_server(page)
    report = pull(store, registry_for(tmp_path, url), clock, PullLimits(read_timeout=0.5))
    silent.set()
    assert (report.pages, report.received, report.until) == (2, 2, stamp(2))
    assert "did not answer in time" in report.stopped and report.stopped.endswith(
        f"will resume from {stamp(2)}"
    )
    assert store.checkpoints.cache_get("taxii-pull:changhua-county") == stamp(2)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            b'{"more": false, "objects": [' + b'"x",' * 3000 + b'"x"]}',
            "over the limit of 4096 bytes",
        ),
        (b'{"more": false, "objects": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "nested"),
    ],
    ids=["oversized-page", "deeply-nested-page"],
)
def test_pages_too_large_or_too_deep_are_refused_with_the_reason(
    tmp_path, store, clock, partner_server, body, says
):
    url, _ = partner_server(lambda _query: (body, {}))
    limits = PullLimits(max_page_bytes=4096 if says.startswith("over") else 10**7)
    with pytest.raises(UnavailableError, match=says):
        pull(store, registry_for(tmp_path, url), clock, limits)


def test_a_pull_stopped_inside_one_envelope_resumes_without_skipping(tmp_path, clock, monkeypatch):
    """CitySOC stamps each object of an envelope with its own date_added, so a partner that
    stops at its limit in the middle of our bundle gets the rest on the next pull."""
    from incidents.models import IoC, IoCType
    from tests.sharing.cities import two_cities
    from tests.sharing.test_exchange import share

    with two_cities(tmp_path, clock) as (a, b):
        monkeypatch.setenv("CITYSOC_TEST_TOKEN_FROM_TAICHUNG", a.token_for("changhua-county"))
        share(a, [IoC(type=IoCType.IPV4, value=f"198.51.100.{n}") for n in range(1, 8)])
        limits = PullLimits(max_objects=4, per_request=4)
        reports = []
        while not reports or reports[-1].stopped:
            reports.append(
                pull_partner(
                    store=b.soc.store,
                    partners=b.soc.partners,
                    partner_id="taichung-city",
                    actor=ADMIN,
                    clock=b.soc.clock,
                    limits=limits,
                )
            )
            assert len(reports) < 10
        assert sum(r.received for r in reports) == len(
            a.soc.store.sharing.objects(a.soc.partners.collection("city-indicators").id, limit=1000)
        )
        assert len(list_indicators(b.soc.store)) == 7
