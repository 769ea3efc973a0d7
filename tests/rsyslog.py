"""Debian's rsyslogd as a real syslog client in tests: unprivileged, with its own
configuration, pid file and work folder, started on a configuration the test writes and
stopped with SIGTERM (killed if it does not stop)."""

import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["start_rsyslog", "stop_rsyslog"]


def start_rsyslog(binary: str, folder: Path, config: str, listen: int) -> subprocess.Popen[bytes]:
    """rsyslogd on ``config`` (its ``workDirectory`` is ``folder/rsyslog``, given to the text
    as ``{work}``), returned once its plain TCP input on ``listen`` accepts connections."""
    work = folder / "rsyslog"
    work.mkdir()
    path = folder / "rsyslog.conf"
    path.write_text(config.replace("{work}", str(work)), encoding="utf-8")
    log = (folder / "rsyslog.log").open("ab")
    process = subprocess.Popen(
        [binary, "-n", "-f", str(path), "-i", str(folder / "rsyslog.pid")],
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, (folder / "rsyslog.log").read_text()[-2000:]
        assert time.monotonic() < deadline, "rsyslogd did not listen within 30 s"
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)


def stop_rsyslog(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
