"""Named crash points for the fault-injection tests (tests/faults/).

``crash_point("detect.after-alerts")`` kills the process with SIGKILL — no cleanup, no
``finally``, as a power cut or the OOM killer would — when ``CITYSOC_CRASH_AT`` names that
point. Unset (always, outside those tests) it costs one dictionary look-up.
"""

import os
import signal

__all__ = ["CRASH_ENV", "crash_point"]

CRASH_ENV = "CITYSOC_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
