"""Plain periodic jobs for worker tests (the worker calls non-task callables in place)."""

import os
import signal

calls: list[str] = []


def record() -> None:
    calls.append("record")


def terminate_worker() -> None:
    """What a `kill -TERM` from systemd or Docker does, from inside the process."""
    calls.append("terminate")
    os.kill(os.getpid(), signal.SIGTERM)
