"""``Idempotency-Key`` in the monday stand-in: the first answer kept 30 minutes and replayed
(destinations-2.md §4.4, §4.11 rule 8; destinations.md §4.1).

A ``create_item`` whose answer is lost (connection dropped after the item was written) cannot be
told from one that never arrived; without the key a retry makes a second item, and a migration
that retries 1 % of 10 000 creates would leave ~100 duplicates. With the key, monday answers
the retry with the first answer and ``Idempotency-Replayed: true``, and a retry sent while the
first is still running gets 409 ``IDEMPOTENCY_CONFLICT`` with ``Retry-After``.

How the app uses it, per ``POST /v2`` that carries the header (after the day's count, since a
replay is still a call; before parsing, so a replay is not charged complexity again):
``begin(account, key)`` returns either the answer to send (a replay or the 409) or a
:class:`Ticket`; after the work, ``finish(ticket, response)`` keeps the answer, whatever
happens to it on the wire afterwards.

Choices where the reference is silent ([?]):

* Keys are per account: another account's same key is another request.
* Kept: the first answer with HTTP 200, including one that holds GraphQL or application
  errors (it is what the first request got). Not kept, the key freed for a real retry: a 429
  (nothing ran), an injected 5xx, a 401. A request whose handler raised frees the key too.
* The replay is the first answer's status, body and headers, plus ``Idempotency-Replayed:
  true``, whatever the retry's body says (the key names the request).
* Kept 30 minutes of the stand-in clock from the first answer; then the key is new again.
* 409 body ``{"errors":[{"message","extensions":{"code":"IDEMPOTENCY_CONFLICT"}}]}``,
  ``Retry-After: 1``.
* Kept in memory: a restarted stand-in has forgotten every key.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sandbox.httpbase import Response

TTL_S = 30 * 60.0
REPLAYED = "Idempotency-Replayed"
HEADER = "idempotency-key"  # as httpbase lower-cases request headers


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Ticket:
    account: str
    key: str


@dataclass(frozen=True)
class _Kept:
    expires: float
    status: int
    body: Any
    headers: dict[str, str]


class Idempotency:
    """The kept answers and the keys in flight, for every account; thread-safe."""

    def __init__(self, clock: Clock, ttl_s: float = TTL_S) -> None:
        self.clock, self.ttl_s = clock, ttl_s
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], _Kept] = {}
        self._in_flight: set[tuple[str, str]] = set()

    def begin(self, account: str, key: str) -> Response | Ticket:
        """A replay or a 409 to answer with, else the ticket to ``finish`` after the work."""
        now = self._now()
        slot = (account, key)
        with self._lock:
            kept = self._kept.get(slot)
            if kept is not None and kept.expires <= now:
                del self._kept[slot]
                kept = None
            if kept is not None:
                headers = {**kept.headers, REPLAYED: "true"}
                return Response(kept.status, kept.body, headers=headers)
            if slot in self._in_flight:
                return _conflict()
            self._in_flight.add(slot)
        return Ticket(account, key)

    def finish(self, ticket: Ticket, response: Response | None) -> None:
        """Free the key; keep ``response`` when it is a 200 (None: the handler raised)."""
        slot = (ticket.account, ticket.key)
        with self._lock:
            self._in_flight.discard(slot)
            if response is not None and response.status == 200:
                expires = self._now() + self.ttl_s
                kept = _Kept(expires, response.status, response.body, dict(response.headers))
                self._kept[slot] = kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._in_flight.clear()

    def _now(self) -> float:
        return self.clock.now().timestamp()


def _conflict() -> Response:
    message = "A request with this Idempotency-Key is still being processed"
    body = {"errors": [{"message": message, "extensions": {"code": "IDEMPOTENCY_CONFLICT"}}]}
    return Response(409, body, headers={"Retry-After": "1"})
