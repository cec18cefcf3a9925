"""A kit stand-in: a running server, its request log, and its ``/_sandbox`` test hooks.

Every destination's stand-in is a real HTTP server started as ``bizmig sandbox <name>``
(:mod:`sandbox.servers`) with the same test-hook convention (``/_sandbox/...``, no key, never
counted); the four harnesses each carried this class with the same four methods, so it lives
here once and each harness adds only what its destination needs (a snapshot reader, settings).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from sandbox.servers import RunningServer


@dataclass
class HookedStandIn:
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        return self.server.requests(since)

    def stop(self) -> None:
        self.server.stop()

    def hook(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """A test hook's JSON answer (``body`` sent as JSON when given)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/_sandbox/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        with urllib.request.urlopen(request) as response:
            text = response.read()
        return json.loads(text) if text else None
