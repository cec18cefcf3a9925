"""What the Bizstim sandbox serves: ``bizmig sandbox bizstim --profile NAME``.

One generated SQLite account, several faces. A profile only filters what is *served*; the data
(and its generation) is shared, so the same file answers every profile.

* ``default``: every endpoint and field the sandbox simulates (see ``sandbox/bizstim/app.py``),
  including the undocumented ``users``, ``customfields`` and ``timezone`` and the rich client
  detail. Unchanged behaviour.
* ``docs-only``: what ../shared/reference/bizstim-api.md promises and nothing more, because a
  real account may serve exactly that (issue 11: the first try against such an account crashed
  ``scope`` on ``users`` and ``extract`` on ``timezone``). Served: the GETs of §1 "Endpoint
  index" 2.1 to 2.11, i.e. the nine lists plus ``client/{id}``, ``availability/{id}``,
  ``service/{id}``, ``payment/{id}``, ``location/{id}``, ``discount/{id}``; every record holds
  only the fields of its documented table (:data:`DOCUMENTED_FIELDS`). Where the reference says
  "inferred: same fields as the list" (client/service/location by id) the list's fields are
  served. Consequences: sessions end at ``session_status`` (no date, times, duration, notes);
  practitioners lose ``status``, ``wage_tier``, ``hire_date``, ``add_value``; ``client/{id}`` is
  the list record (no status, notes, start_date, custom_<id>, ...). ``meetourstaff`` rows hold
  only ``id``: its fields were never captured, ``id`` is the one field every documented Bizstim
  record carries, and serving less than a real account can only make a client stricter. Values
  are not filtered: session_status codes beyond the documented ``0=open, 1=c…`` still appear
  (the docs cut the list off, they do not restrict it). ``users``, ``customfields``,
  ``timezone`` and any other path answer 404 ``Unknown method``.
* ``undocumented-403``: like docs-only, but ``users``, ``customfields`` and ``timezone`` answer
  403 with a plan refusal in Bizstim's failure envelope (the methods exist, this account's plan
  or key may not call them). Paths that name no method at all stay 404: no plan makes those exist.
* ``undocumented-500-then-404``: like docs-only, but the first request to each of ``users``,
  ``customfields`` and ``timezone`` since the server started answers 500 (failure envelope),
  every later one 404. Counted per endpoint, not per key: a method the PHP router chokes on
  fails for whichever key asks, and a client that retries on another key must still see the
  404 next. The state is in memory (like the rate-limit windows): a restart re-arms it.

Refusals of every profile are answered after authentication and the rate limit, so they cost
budget like any other answered GET (the unknown-method 404 always did).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sandbox.bizstim.store import AVAIL_FIELDS, CLIENT_LIST, LISTS, PERSON
from sandbox.httpbase import Response


class ProfileName(StrEnum):
    default = "default"
    docs_only = "docs-only"
    undocumented_403 = "undocumented-403"
    undocumented_500_then_404 = "undocumented-500-then-404"


# Endpoints the default profile serves although the reference does not document them.
UNDOCUMENTED_METHODS = ("users", "customfields", "timezone")

SESSION_FIELDS = (  # §2.10: the captured table stops at session_status
    "id", "confirmed", "multi", "slots", "class_id", "display", "pract_d", "wage_id", "client_id",
    "client_due_id", "cancel_clients", "temp", "service_id", "location_id", "recurr_id",
    "recurr_on", "qb_invoice_id", "session_status",
)
# Every field the sandbox serves for these is in the reference's table for it.
_FULLY_DOCUMENTED = ("staffs", "services", "payments", "locations", "discounts")
DOCUMENTED_FIELDS: dict[str, tuple[str, ...]] = {
    "clients": tuple(CLIENT_LIST),  # §2.1
    "client": tuple(CLIENT_LIST),  # §2.2 inferred: the list's fields
    "practitioners": ("id", "pract_settings_id", "users_id", "avail_id", *PERSON, "email"),
    "meetourstaff": ("id",),  # §2.6 fields not captured: see the module docstring
    "sessions": SESSION_FIELDS,
    "availability": tuple(AVAIL_FIELDS),  # §2.4
    **{m: tuple(LISTS[m].fields) for m in _FULLY_DOCUMENTED},
    **{LISTS[m].single: tuple(LISTS[m].fields)  # service/payment/location/discount by id
       for m in _FULLY_DOCUMENTED if LISTS[m].single},
}
PLAN_REFUSAL = "Your account's plan does not include access to this API method"


def failure(status: int, message: str) -> Response:
    return Response(status, {"status": "failure", "response": message})


@dataclass
class Profile:
    name: ProfileName = ProfileName.default
    _failed_once: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def documented_only(self) -> bool:
        return self.name is not ProfileName.default

    def refusal(self, method: str) -> Response | None:
        """The answer replacing the route of an undocumented method, or None to route it."""
        if not self.documented_only or method not in UNDOCUMENTED_METHODS:
            return None
        if self.name is ProfileName.undocumented_403:
            return failure(403, PLAN_REFUSAL)
        if self.name is ProfileName.undocumented_500_then_404:
            with self._lock:
                first = method not in self._failed_once
                self._failed_once.add(method)
            if first:
                return failure(500, "Internal server error")
        return failure(404, "Unknown method")

    def shape(self, method: str, response: Response) -> Response:
        """Keep only the documented fields of the records in a successful answer."""
        fields = DOCUMENTED_FIELDS.get(method)
        body = response.body
        if not self.documented_only or fields is None or not isinstance(body, dict):
            return response
        records = body.get("response")
        if isinstance(records, list):
            body["response"] = [documented(fields, r) for r in records]
        elif isinstance(records, dict):
            body["response"] = documented(fields, records)
        return response


def documented(fields: tuple[str, ...], record: dict[str, Any]) -> dict[str, Any]:
    return {f: record[f] for f in fields if f in record}


def served_record(profile: ProfileName, method: str, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` (as the default profile serves it) as ``profile`` serves it (for tests)."""
    if profile is ProfileName.default or method not in DOCUMENTED_FIELDS:
        return record
    return documented(DOCUMENTED_FIELDS[method], record)
