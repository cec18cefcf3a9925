"""Start a stand-in server as a real subprocess (`bizmig sandbox ...`) and stop it again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIZMIG = [sys.executable, "-m", "bizmig.cli"]


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen
    args: list[str] = field(default_factory=list)

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The server's request log (see sandbox/httpbase.py)."""
        with urllib.request.urlopen(f"{self.url}/_sandbox/requests?since={since}") as resp:
            return json.loads(resp.read())["requests"]

    def reset_log(self) -> None:
        req = urllib.request.Request(f"{self.url}/_sandbox/requests/reset", method="POST")
        urllib.request.urlopen(req).read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    kind: str, args: list[str], cwd: Path | None = None, timeout: float = 300
) -> RunningServer:
    """Run `bizmig sandbox <kind> --port 0 <args>` and wait for its `READY <url>` line."""
    cmd = [*BIZMIG, "sandbox", kind, "--port", "0", *args]
    process = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise RuntimeError(f"sandbox {kind} exited with {process.returncode}")
            continue
        if line.startswith("READY "):
            return RunningServer(line.split(" ", 1)[1].strip(), process, cmd)
    process.kill()
    raise TimeoutError(f"sandbox {kind} did not become ready")
