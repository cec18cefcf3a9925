"""kill -9 a migration at a chosen request: the crash suite (tests/resilience) and the
acceptance kit (tests/kit) both stop a process group the moment a stand-in has answered the
k-th request of a kind, then check that a resume ends where an undisturbed run does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any, Protocol


class Logged(Protocol):
    """A stand-in whose request log can be read from an offset (sandbox/httpbase.py)."""

    def requests(self, since: int = 0) -> list[dict[str, Any]]: ...


def kill_group(process: subprocess.Popen) -> None:
    """kill -9 the process and every child it started (dbt)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def kill_after(
    process: subprocess.Popen,
    server: Logged,
    k: int,
    since: int = 0,
    counts: Callable[[dict[str, Any]], bool] = lambda request: True,
    timeout: float = 300,
) -> int:
    """kill -9 the group as soon as ``server`` has answered ``k`` requests that ``counts``
    after offset ``since``; returns how many requests it had answered when the kill landed."""
    deadline, polled, seen = time.monotonic() + timeout, 0, 0
    while True:
        new = server.requests(since + polled)  # only the new entries: a fast poll
        polled += len(new)
        seen += sum(map(counts, new))
        if seen >= k:
            kill_group(process)
            return len(server.requests(since))
        if process.poll() is not None:
            raise AssertionError(
                f"the run ended (exit {process.returncode}) before request {k}; it had made {seen}"
            )
        if time.monotonic() > deadline:
            kill_group(process)
            raise AssertionError(f"no request {k} within {timeout} s")
        time.sleep(0.003)
