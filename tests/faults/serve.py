"""`citysoc serve` in its own process, for the fault-injection tests."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import _free_port

__all__ = ["Serve"]


class Serve:
    """`citysoc serve` in its own process on free loopback ports, with a store in ``folder``."""

    def __init__(self, folder: Path, *, relp: bool = False) -> None:
        self.folder = folder
        self.tcp, self.api = _free_port(), _free_port()
        self.relp = _free_port() if relp else None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "CITYSOC_STORE": f"sqlite:///{self.folder / 'c.db'}",
            "CITYSOC_SYSLOG_TCP_PORT": str(self.tcp),
            "CITYSOC_SYSLOG_UDP_PORT": str(_free_port()),
            "CITYSOC_API_PORT": str(self.api),
            "CITYSOC_SCAN_SCHEDULE": "false",
            "CITYSOC_SHARE_PULL_SCHEDULE": "false",
        }
        if self.relp is not None:
            env["CITYSOC_SYSLOG_RELP_PORT"] = str(self.relp)
        log = (self.folder / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"], env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, (self.folder / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "serve did not start listening within 90 s"
            try:
                socket.create_connection(("127.0.0.1", self.api), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)

    def metric(self, name: str) -> float | None:
        token = (self.folder / "api-token").read_text().strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api}/metrics", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback http
            text = answer.read().decode()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return None

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
