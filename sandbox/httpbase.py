"""Shared HTTP plumbing for the local stand-in servers (Bizstim, Twenty, Salesforce).

All stand-ins are real HTTP/1.1 servers on loopback (stdlib ``ThreadingHTTPServer`` with
keep-alive). This module only knows about bytes on the wire; every rule of the systems they
imitate lives in the application objects (``sandbox.bizstim.app`` / ``sandbox.twenty.app`` /
``sandbox.salesforce.app``).

What is shared here:

* ``Request`` / ``Response`` value objects and the dispatch from the stdlib handler to an
  application's ``handle(request) -> Response``.
* A request log that tests read over HTTP: ``GET /_sandbox/requests[?since=N]`` returns every
  request seen since start (method, path, status, key fingerprint, record count, time, and
  which injected fault it met: dropped, truncated, slow);
  ``POST /_sandbox/requests/reset`` clears it; ``GET /_sandbox/health`` answers 200.
  Applications may serve further ``/_sandbox/...`` routes (test hooks such as a mutate hook);
  those are not logged either. The ``/_sandbox`` routes are a test hook of the stand-in, not
  part of either real API; they need no key and are never rate limited. The log is kept in
  memory: a restart empties it.
* ``FaultPlan``: seeded random fault injection (429 bursts, 500s, slow responses, truncated
  bodies, connection dropped after the work was done) that applications consult: ``spoil``
  applies the after-the-work faults the same way for every stand-in, ``update`` lets an
  application's hook change the rates while it runs.
* ``serve()``: bind, print one ``READY <url>`` line on stdout (fixtures wait for it), serve until
  SIGTERM/SIGINT.

Bodies are parsed and written with orjson, not the stdlib ``json``: at 2 000 000 records the
Twenty stand-in spent 17 % of its time in ``json`` on the people path (200-row batches in, the
same rows out) and served 12.6 batches/s against the 20/s the scale benchmark's clock allows,
so the stand-in, not the loader, set the pace. orjson also reads like the real servers'
JSON.parse: ``NaN``/``Infinity`` literals are refused (``Request.json`` raises ``ValueError``,
which the Twenty stand-in answers with 400 "Body is not valid JSON") and integers beyond 64
bits are read as floats.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import orjson


def key_fingerprint(secret: str | None) -> str:
    """A short, non-reversible label for an API key: safe to log, never the key itself."""
    if not secret:
        return "-"
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable object, or raw bytes
    headers: dict[str, str] = field(default_factory=dict)
    records: int = 0  # how many records this response carried or wrote (for the request log)
    key: str = "-"  # fingerprint of the key used, for the request log
    drop_connection: bool = False  # close the socket without answering (fault injection)
    truncate: bool = False  # send a cut-off body with the full Content-Length (fault injection)
    content_type: str = "application/json; charset=utf-8"
    slow: bool = False  # an injected delay preceded this answer (for the request log)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes | bytearray):
            return bytes(self.body)
        if self.body is None:
            return b""
        return orjson.dumps(self.body, option=orjson.OPT_NON_STR_KEYS)


class App(Protocol):
    def handle(self, request: Request) -> Response: ...


@dataclass
class FaultPlan:
    """Probabilities (0..1) of injected faults; all zero means a well-behaved server."""

    p429: float = 0.0
    p500: float = 0.0
    p_slow: float = 0.0
    slow_seconds: float = 1.0
    p_truncate: float = 0.0
    p_drop_after_commit: float = 0.0
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            return self._rng.random() < probability

    def maybe_sleep(self) -> bool:
        """Sleep ``slow_seconds`` with probability ``p_slow``; True when it did."""
        if self.roll(self.p_slow):
            time.sleep(self.slow_seconds)
            return True
        return False

    def spoil(self, response: Response, method: str) -> None:
        """After the work was done: a successful write's connection dropped unanswered
        (``p_drop_after_commit``), else a successful answer's body cut off (``p_truncate``)."""
        if not 200 <= response.status < 300:
            return
        if method != "GET" and self.roll(self.p_drop_after_commit):
            response.drop_connection = True  # committed, but the client never hears
        elif self.roll(self.p_truncate):
            response.truncate = True  # committed, but the answer is cut off mid-body

    def update(self, settings: dict[str, Any]) -> None:
        """Change rates at run time (a stand-in's faults hook); a given ``seed`` restarts the
        random sequence, so a test that sets it sees the same faults every run."""
        names = {"p429", "p500", "p_slow", "slow_seconds", "p_truncate", "p_drop_after_commit"}
        unknown = set(settings) - names - {"seed"}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        values = {name: float(settings[name]) for name in names & set(settings)}
        if any(v < 0 or (n != "slow_seconds" and v > 1) for n, v in values.items()):
            raise ValueError("fault rates are probabilities between 0 and 1")
        with self._lock:
            for name, value in values.items():
                setattr(self, name, value)
            if "seed" in settings:
                self.seed = int(settings["seed"])
                self._rng = random.Random(self.seed)

    def settings(self) -> dict[str, float | int]:
        return {
            "p429": self.p429,
            "p500": self.p500,
            "p_slow": self.p_slow,
            "slow_seconds": self.slow_seconds,
            "p_truncate": self.p_truncate,
            "p_drop_after_commit": self.p_drop_after_commit,
            "seed": self.seed,
        }


class RequestLog:
    """Thread-safe, in-memory log of every request the stand-in answered."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, request: Request, response: Response) -> None:
        entry = {
            "method": request.method,
            "path": request.path,
            "query": {k: v[-1] for k, v in request.query.items()},
            "status": response.status,
            "key": response.key,
            "records": response.records,
            "dropped": response.drop_connection,
            "truncated": response.truncate,
            "slow": response.slow,
            "ts": time.time(),
        }
        with self._lock:
            self._entries.append(entry)

    def since(self, index: int) -> list[dict[str, Any]]:
        with self._lock:
            return self._entries[index:]

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()


def _admin(request: Request, log: RequestLog) -> Response | None:
    if not request.path.startswith("/_sandbox/"):
        return None
    if request.path == "/_sandbox/health":
        return Response(200, {"status": "ok"})
    if request.path == "/_sandbox/requests" and request.method == "GET":
        since = int(request.param("since") or 0)
        return Response(200, {"requests": log.since(since)})
    if request.path == "/_sandbox/requests/reset" and request.method == "POST":
        log.reset()
        return Response(200, {"status": "ok"})
    return None  # other /_sandbox/ routes belong to the application (e.g. a mutate hook)


def _make_handler(app: App, log: RequestLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "bizmig-sandbox"
        sys_version = ""

        def setup(self) -> None:
            super().setup()
            # headers and body go out in separate writes; without TCP_NODELAY Nagle's
            # algorithm holds the body back for the client's delayed ACK (~40 ms a request)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            response = _admin(request, log)
            admin = response is not None or request.path.startswith("/_sandbox/")
            if response is None:
                try:
                    response = app.handle(request)
                except Exception as exc:  # noqa: BLE001 - a server must answer, never die
                    response = Response(500, {"error": f"internal error: {exc!r}"})
            if not admin:
                log.add(request, response)
            if response.drop_connection:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            payload = response.encoded()
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if response.truncate and len(payload) > 2:
                self.wfile.write(payload[: len(payload) // 2])
                self.close_connection = True
            else:
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    return Handler


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request (killed, timed out) is normal; anything else is
        printed as the stdlib does."""
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


def make_server(app: App, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    log = RequestLog()
    server = SandboxServer((host, port), _make_handler(app, log))
    bound_host, bound_port = server.server_address[:2]
    return server, f"http://{bound_host}:{bound_port}"


def serve(
    app: App,
    host: str = "127.0.0.1",
    port: int = 0,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT; print ``READY <base url>`` once listening."""
    server, url = make_server(app, host, port)

    def _stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"READY {url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if on_stop is not None:
            on_stop()
        sys.stdout.flush()
