"""The HTTP layer under dlt's RESTClient: key rotation, pacing, retries and the response spool.

dlt's ``RESTClient`` takes a ``requests.Session``; we give it one whose adapter

1. answers from the **spool** when this exact GET was already answered in a run that did not
   get to commit (so a killed run never costs a request twice);
2. otherwise takes a key from the :class:`~ingest.pacer.KeyPool` (waiting for budget), sends,
   and records the finish time;
3. retries 429 after ``Retry-After`` (on another key if one is free), 5xx / timeouts / broken or
   truncated bodies and answers that are not JSON (a proxy's HTML error or maintenance page,
   even with status 200) with exponential backoff; when they persist it stops with an
   :class:`ExtractError` naming the path, the status, the content type and the body's start;
4. writes every good body to the spool before handing it to dlt;
5. fetches *ahead* (:meth:`PacedAdapter.ahead`): a GET sent inside ``with adapter.ahead():``
   only fills the spool (counted as a network request, not as served), so it survives the
   purge after the next commit and the dlt run that asks for it later is answered from disk.
   The extraction uses it to keep sending while dlt normalises and loads the previous chunk
   (:mod:`ingest.prefetch`), and the detail probe for the answers the detail run will reuse.

The key travels only in the outgoing header; the prepared request is redacted afterwards so
nothing downstream (dlt traces, logs, exceptions) can see it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from common.backoff import first_retry_wait
from common.errors import ExtractError
from common.exits import ExitCode
from ingest.pacer import BudgetExhausted, KeyPool


class AuthFailed(ExtractError):
    exit_code = ExitCode.BIZSTIM_KEY_REJECTED


class RateLimitExhausted(ExtractError):
    exit_code = ExitCode.BIZSTIM_BUDGET_EXHAUSTED


REFUSED = "#4xx"  # spool key of a 4xx answer fetched ahead: "<status>\n<body>" (see ahead)


class Spool:
    """Durable copies of responses fetched but not yet committed to DuckDB, keyed by path."""

    def __init__(self, directory: Path, max_age: float = 24 * 3600) -> None:
        self.directory = directory
        self.max_age = max_age  # an older copy is stale: the spool only bridges interruptions
        directory.mkdir(parents=True, exist_ok=True)

    def _file(self, path: str) -> Path:
        return self.directory / (hashlib.sha1(path.encode()).hexdigest() + ".json")

    def get(self, path: str) -> bytes | None:
        file = self._file(path)
        try:
            if time.time() - file.stat().st_mtime > self.max_age:
                file.unlink(missing_ok=True)
                return None
            return file.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, path: str, body: bytes) -> None:
        file = self._file(path)
        tmp = file.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, file)

    def purge(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._file(path).unlink(missing_ok=True)
            self._file(path + REFUSED).unlink(missing_ok=True)

    def clear(self) -> None:
        for file in self.directory.glob("*"):
            file.unlink(missing_ok=True)


class TransportStats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.network = Counter[str]()  # good responses fetched over the network, per method
        self.from_spool = Counter[str]()
        self.status = Counter[int]()  # every status seen, incl. retried ones
        self.retries = 0
        self.ahead: set[str] = set()  # fetched ahead, not yet served (PacedAdapter.ahead)
        self.served_ahead = 0  # answers dlt read that were fetched ahead
        self.served_paths: list[str] = []  # paths handed to dlt since the last commit

    def take_served(self) -> list[str]:
        with self.lock:
            served, self.served_paths = self.served_paths, []
            return served


TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # body cut off mid-way
    requests.exceptions.ContentDecodingError,
)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class PacedAdapter(HTTPAdapter):
    def __init__(
        self,
        pool: KeyPool,
        base_path: str,
        spool: Spool | None = None,
        stats: TransportStats | None = None,
        on_response: Callable[[str, bool], None] | None = None,
        max_attempts: int = 8,
        max_consecutive_429: int = 30,
        backoff_base: float = 0.5,
        pool_size: int = 16,
    ) -> None:
        super().__init__(pool_connections=pool_size, pool_maxsize=pool_size)
        self.pool = pool
        self.base_path = base_path.rstrip("/")
        self.spool = spool
        self.stats = stats or TransportStats()
        self.on_response = on_response
        self.max_attempts = max_attempts
        self.max_consecutive_429 = max_consecutive_429
        self.backoff_base = first_retry_wait(backoff_base)  # BIZMIG_RETRY_BACKOFF
        self._consecutive_429 = 0
        self._local = threading.local()

    @contextmanager
    def ahead(self) -> Iterator[None]:
        """GETs sent in this block (by this thread) only fill the spool: see the module doc."""
        self._local.ahead = True
        try:
            yield
        finally:
            self._local.ahead = False

    def _is_ahead(self) -> bool:
        return bool(getattr(self._local, "ahead", False))

    def method_of(self, path: str) -> str:
        rest = path[len(self.base_path) :] if path.startswith(self.base_path) else path
        return rest.strip("/").split("/", 1)[0]

    def _served(self, path: str, method: str, spooled: bool) -> None:
        with self.stats.lock:
            if self._is_ahead():  # fetched ahead: served later, from disk
                if not spooled:
                    self.stats.network[method] += 1
                    self.stats.ahead.add(path)
                return
            if not spooled:
                self.stats.network[method] += 1
            elif path in self.stats.ahead:  # this run's own request, fetched ahead
                self.stats.ahead.discard(path)
                self.stats.served_ahead += 1
            else:  # answered before by a run that did not commit, or by scope
                self.stats.from_spool[method] += 1
            self.stats.served_paths.append(path)
        if self.on_response is not None:
            self.on_response(method, spooled)

    def _backoff(self, attempt: int) -> float:
        return min(60.0, self.backoff_base * (2 ** (attempt - 1)))

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        path = urlsplit(request.url or "").path
        method = self.method_of(path)
        if self.spool is not None and request.method == "GET":
            cached = self.spool.get(path)
            refused = None if cached is not None else self.spool.get(path + REFUSED)
            if cached is not None:
                self._served(path, method, spooled=True)
                return _spooled_response(request, cached)
            if refused is not None:  # a 4xx fetched ahead: counted as 4xx are, i.e. not
                if not self._is_ahead():  # asked ahead again (a probed id): dlt's still
                    with self.stats.lock:
                        self.stats.served_paths.append(path)
                status, _, body = refused.partition(b"\n")
                return _spooled_response(request, body, int(status))
        failures = 0
        while True:
            try:
                slot = self.pool.acquire()
            except BudgetExhausted as exc:
                raise RateLimitExhausted(str(exc)) from exc
            request.headers["x-api-key"] = slot.secret
            try:
                response = super().send(request, **kwargs)
                body = response.content  # read fully now: a cut-off body fails here
            except TRANSIENT_ERRORS as exc:
                response, body, error = None, b"", exc
            else:
                error = None
            finally:
                request.headers["x-api-key"] = slot.label  # redact
                self.pool.release(slot)
            status = response.status_code if response is not None else 0
            with self.stats.lock:
                self.stats.status[status] += 1
            if status == 401:
                raise AuthFailed(
                    f"Bizstim rejected API key {slot.label} (401): check BIZSTIM_API_KEYS and that "
                    "the account is on the Enterprise plan"
                )
            if status == 429:
                assert response is not None
                self._consecutive_429 += 1
                wait = _retry_after(response)
                wait = wait if wait is not None else self._backoff(min(self._consecutive_429, 8))
                if self.pool.max_wait is not None and wait > self.pool.max_wait:
                    raise RateLimitExhausted(
                        f"Bizstim asks to wait {wait:.0f} s (Retry-After) on {slot.label}"
                    )
                if self._consecutive_429 > self.max_consecutive_429:
                    raise RateLimitExhausted(
                        f"{self._consecutive_429} consecutive 429 responses: the keys' budget is "
                        "being spent elsewhere"
                    )
                self.pool.penalise(slot, wait)
                self.stats.retries += 1
                continue
            self._consecutive_429 = 0
            if status == 200 and _is_json(body):
                assert response is not None
                if self.spool is not None and request.method == "GET":
                    self.spool.put(path, body)
                self._served(path, method, spooled=False)
                return response
            if response is not None and 400 <= status < 500:
                if self.spool is not None and self._is_ahead():
                    # e.g. an id deleted since it was listed, an endpoint the plan refuses:
                    # the dlt run must see the same answer, without asking again
                    self.spool.put(path + REFUSED, f"{status}\n".encode() + body)
                return response  # a real client error: let the caller raise it
            failures += 1
            if failures >= self.max_attempts:
                reason = repr(error) if error else _describe(status, response, body)
                raise ExtractError(f"GET {path} failed {failures} times: {reason}")
            self.stats.retries += 1
            time.sleep(self._backoff(failures))


def _describe(status: int, response: requests.Response | None, body: bytes) -> str:
    """What came back instead of JSON (an HTML error page from a proxy, a cut-off body...)."""
    kind = "-" if response is None else response.headers.get("Content-Type", "no Content-Type")
    snippet = " ".join(body[:120].decode("utf-8", "replace").split())
    return f"HTTP {status}, {kind}, not JSON: {snippet!r}"


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _spooled_response(
    request: requests.PreparedRequest, body: bytes, status: int = 200
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["X-Bizmig-Spool"] = "1"
    response.url = request.url or ""
    response.request = request
    response.encoding = "utf-8"
    return response


def paced_session(adapter: PacedAdapter) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Accept": "application/json", "cache-control": "no-cache"})
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
