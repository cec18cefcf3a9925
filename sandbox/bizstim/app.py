"""The Bizstim sandbox application: request handling for ``GET /api/...``.

It follows ../shared/reference/bizstim-api.md (the only source of truth). Documented: the
``x-api-key`` header, the list envelope ``{"status","total","response"}`` and the single-record
envelope without ``total``, path-segment pagination ``/{method}/{start}/{limit}`` with each
endpoint's default/maximum (clients 1000/1000, sessions 100/1000, the others 20/100), all values
as JSON strings with ``""`` for empty, ``total`` a bare number, and the field names.

Simulated by the ``default`` profile (undocumented; marked "simulated" in code too): the
endpoints ``users``, ``customfields`` and ``timezone``; the fields of ``meetourstaff``; the
client/{id} detail fields (status, notes, start_date, timezone, meeting_url, service_id,
custom_<id>, minTime, maxTime, slotDuration, sessionLimit); practitioners' status, wage_tier,
hire_date, add_value; sessions' session_date, start_time, end_time, duration, session_notes,
ondemand_link and the session_status codes 0=open, 1=completed, 2=cancelled, 3=no-show.

Profiles (``--profile``, ``sandbox/bizstim/profiles.py`` says what each serves and why): the
real account may serve no more than the docs promise, so besides ``default`` the same data is
served as ``docs-only`` (documented endpoints and fields only, everything else 404),
``undocumented-403`` (the three undocumented endpoints refuse with 403) and
``undocumented-500-then-404`` (they answer 500 once per endpoint, then 404).

Choices where the reference is silent (the real system is a PHP/MySQL app that looks like the
CodeIgniter REST server; where in doubt the stricter choice for a client was taken):

1. Missing or unknown ``x-api-key`` -> 401 ``{"status":"failure","response":"Invalid API key"}``.
   401s are not counted against any key's budget. Keys are compared exactly (case-sensitive).
2. Rate limit (not documented at all): 1000 requests per hour per HTTP method per key, as a
   sliding window per (key fingerprint, HTTP method); all GETs of one key share one budget.
   Over it -> 429 ``{"status":"failure","response":"Rate limit exceeded"}`` with
   ``Retry-After`` = whole seconds (ceil, >= 1) until the oldest request leaves the window.
   Rejected (429) requests do not consume budget. No X-RateLimit-* headers are sent (none are
   documented; a client must not rely on them).
3. Non-GET methods -> 405 failure body (writes are out of scope) but they are counted against
   their own method's budget first, so e.g. POSTs can be rate limited too.
4. Unknown method (``/api/foo``, also ``/api/practitioner/1``, ``/api/staff/1``: no single-record
   endpoint is documented for them) -> 404 ``{"status":"failure","response":"Unknown method"}``.
   A path outside ``/api`` gets the same 404.
5. ``limit`` above the maximum -> silently clamped to the maximum (stricter: a client that
   assumes it received what it asked for loses rows). ``limit`` 0, negative or non-numeric
   start/limit (anything but ASCII digits), empty segments, or more than two parameters ->
   400 failure body. ``start`` >= ``total`` -> success, empty ``response``, real ``total``.
6. Lists are ordered by ascending ``id``; ``total`` counts every row including deleted-status
   rows (status 2 locations/services are in the list). Deleted *clients* are gone entirely: not
   listed, not counted, 404 on client/{id}, but still referenced by payments and sessions.
7. Single-record endpoints (client, availability, service, payment, location, discount): unknown
   or non-numeric id -> 404 ``{"status":"failure","response":"Record not found"}`` (MySQL casts
   a non-numeric id to 0, which matches nothing); missing id -> 400; an extra segment -> 400.
8. ``?format=json`` (or no format) is served; ``jsonp``, ``php``, ``serialized``, ``xml`` and any
   other value -> 400 ``format not supported by sandbox``. Other query parameters are ignored
   (the docs say not to use query strings). One trailing slash is tolerated.
9. Faults (``--p429/--p500/--p-slow/--p-truncate``) are rolled after authentication and before
   the rate limit; an injected 429 (Retry-After 1), 500 or truncated body does not consume rate
   budget (a truncated one is still refused with 429 when the budget is spent); a merely slow
   response is a normal answer and does consume budget.
10. Data: dates ``YYYY-MM-DD`` in the account time zone (America/Toronto); MySQL zero dates
   ``0000-00-00`` occur in client start_date and custom date values; clients with no schedule
   have ``avail_id`` ""; a practitioner's ``avail_id`` lists the default schedule first.
11. Login users of clients are not served by ``users`` (simulated endpoint: admins, staff and
   practitioners only); a practitioner who is also staff is one user with role practitioner.

12. Storage persists: the SQLite file is reused when it was generated with the same seed and
   clients (mutations made through the hook persist too; delete the file to start fresh). The
   rate-limit windows live in memory, so a restart of the sandbox starts every budget afresh.

13. Bad-input corpus (``--hostile all`` or class names; ``sandbox/bizstim/hostile*.py``): the
   generated account is made hostile after generation (malformed and shared e-mails, phones
   without country, ``24:00``/``25:99`` times, dangling ids, deleted-status rows, RTL names,
   huge and HTML notes, custom values of the wrong type, ...). What the real system plausibly
   does on the wire, simulated once each: a row deleted or added between two pages of an
   offset listing shifts every later row (MySQL ``LIMIT/OFFSET`` over a live table: a row is
   skipped or served twice, ``total`` changes); a non-unique sort makes one page start a row
   early (one id on two pages, one on none, ``total`` unchanged); a client deleted between
   the list and ``client/{id}`` answers 404; a maintenance page answers ``200 text/html``
   and a gateway in front of the PHP app answers ``502 text/html`` (nginx's page); a listed
   row carries fields the reference does not know, one of them an array. The file's
   ``meta.hostile`` holds the manifest (touched records, expected values); a file generated
   with another ``--hostile`` set is regenerated.

Test hooks (not part of the API; no key, not rate limited, not logged):
``POST /_sandbox/mutate`` ``{"table","op":"update"|"delete"|"insert","id","values"}``;
``GET /_sandbox/hostile``: what the wire classes did (``{"events": [...]}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sandbox.bizstim.hostile_wire import HostileWire
from sandbox.bizstim.profiles import Profile
from sandbox.bizstim.ratelimit import SlidingWindowLimiter
from sandbox.bizstim.store import LISTS, SINGLES, MutationError, Store
from sandbox.httpbase import FaultPlan, Request, Response, key_fingerprint


def failure(status: int, message: str, key: str = "-", **headers: str) -> Response:
    return Response(status, {"status": "failure", "response": message},
                    headers=dict(headers), key=key)


@dataclass
class BizstimApp:
    store: Store
    api_keys: list[str]
    rate_limit: int = 1000
    rate_window: float = 3600.0
    faults: FaultPlan = field(default_factory=FaultPlan)
    profile: Profile = field(default_factory=Profile)

    def __post_init__(self) -> None:
        self.limiter = SlidingWindowLimiter(self.rate_limit, self.rate_window)
        self._keys = set(self.api_keys)
        manifest = json.loads(self.store.meta.get("hostile", "{}"))
        self.wire = HostileWire(self.store, manifest.get("wire", {}))

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self._admin(request)
        secret = request.headers.get("x-api-key")
        if not secret or secret not in self._keys:
            return failure(401, "Invalid API key")
        key = key_fingerprint(secret)
        if self.faults.roll(self.faults.p429):
            return failure(429, "Rate limit exceeded", key, **{"Retry-After": "1"})
        if self.faults.roll(self.faults.p500):
            return failure(500, "Internal server error", key)
        truncate = self.faults.roll(self.faults.p_truncate)
        slow = self.faults.maybe_sleep()
        wait = self.limiter.acquire(key, request.method, record=not truncate)
        if wait is not None:
            return failure(429, "Rate limit exceeded", key, **{"Retry-After": str(wait)})
        if request.method != "GET":
            response = failure(405, "Method not allowed", key)
        else:
            response = self.wire.intercept(request.path) if request.path.startswith(
                "/api/") else None
            response = response or self._route(request)
            self.wire.after(request.path, response)
        response.key = key
        response.truncate = truncate and response.status == 200
        response.slow = slow
        return response

    # ---- GET /api/... ------------------------------------------------------------------------
    def _route(self, request: Request) -> Response:
        fmt = request.param("format")
        if fmt not in (None, "json"):
            return failure(400, "format not supported by sandbox")
        path = request.path
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        if not path.startswith("/api/"):
            return failure(404, "Unknown method")
        method, *params = path[len("/api/"):].split("/")
        refusal = self.profile.refusal(method)
        if refusal is not None:
            return refusal
        if method in LISTS:
            return self.profile.shape(method, self._list(method, params))
        if method in SINGLES or method == "availability":
            return self.profile.shape(method, self._single(method, params))
        if method == "timezone":  # simulated: the account's default time zone
            if params:
                return failure(400, "Too many parameters")
            return Response(200, {"status": "success",
                                  "response": json.loads(self.store.meta["timezone"])},
                            records=1)
        return failure(404, "Unknown method")

    def _list(self, method: str, params: list[str]) -> Response:
        spec = LISTS[method]
        if len(params) > 2:
            return failure(400, "Too many parameters")
        if any(not p.isascii() or not p.isdigit() for p in params):
            return failure(400, "start and limit must be non-negative integers")
        start = int(params[0]) if params else 0
        limit = int(params[1]) if len(params) > 1 else spec.default_limit
        if limit == 0:
            return failure(400, "limit must be at least 1")
        limit = min(limit, spec.max_limit)  # silently clamped (choice 5)
        total, rows = self.store.page(spec, start, limit)
        return Response(200, {"status": "success", "total": total, "response": rows},
                        records=len(rows))

    def _single(self, method: str, params: list[str]) -> Response:
        if not params or params[0] == "":
            return failure(400, "id required")
        if len(params) > 1:
            return failure(400, "Too many parameters")
        raw = params[0]
        record = None
        if raw.isascii() and raw.isdigit() and len(raw) < 19:
            rid = int(raw)
            if method == "availability":
                record = self.store.availability(rid)
            else:
                record = self.store.get(SINGLES[method], rid)
        if record is None:
            return failure(404, "Record not found")
        return Response(200, {"status": "success", "response": record}, records=1)

    # ---- test hook ---------------------------------------------------------------------------
    def _admin(self, request: Request) -> Response:
        if request.path == "/_sandbox/hostile" and request.method == "GET":
            return Response(200, {"events": self.wire.events})
        if request.path != "/_sandbox/mutate" or request.method != "POST":
            return Response(404, {"error": "unknown sandbox admin route"})
        try:
            body = request.json()
        except ValueError as exc:
            return Response(400, {"error": f"invalid JSON: {exc}"})
        if not isinstance(body, dict) or not isinstance(body.get("values", {}), dict):
            return Response(400, {"error": "expected an object with table, op, id, values"})
        rid = body.get("id")
        try:
            record = self.store.mutate(str(body.get("table")), str(body.get("op")),
                                       None if rid is None else str(rid),
                                       body.get("values") or {})
        except MutationError as exc:
            return Response(exc.status, {"error": str(exc)})
        return Response(200, {"status": "ok", "record": record})

