"""A real uvicorn server on loopback, in a thread, for tests that need real sockets."""

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


@contextmanager
def running(config: uvicorn.Config) -> Iterator[str]:
    """Serve ``config`` (host 127.0.0.1, a free port) until the block ends; yields the base URL."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://{config.host}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post(
    port: int, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One POST over a fresh loopback connection (stdlib: no proxy settings apply)."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        con.request("POST", path, body=body, headers=headers)
        response = con.getresponse()
        return response.status, response.read(), response
    finally:
        con.close()
