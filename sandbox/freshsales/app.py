"""The Freshsales stand-in: one or more accounts on loopback, as strict as the reference
(issue 16, destinations-2.md §3.11, which wins over destinations.md §3).

No offline Freshsales exists (§3.9: the only OpenAPI is generated and omits upsert, bulk and
settings), so the loader is proven against this one. Records live in per-account SQLite files
(``accounts.py``, Pipedrive's store reused): a restart keeps every record.

Per request, one pipeline: ``/_sandbox/...`` hooks (no key, never counted) → only
``/crm/sales/api/...`` (bundle) and ``/api/...`` (Classic) exist, else 404 → the key
(``Authorization: Token token=<key>``, else 401, not counted: no account to charge) → S2's
``RequestLimits.admit`` (429 past the rolling hour or minute, not counted) → an injected 500
(counted: it reached the API) → an injected delay → with the account's lock: S2's bulk routes,
then this module's routes → after the work, ``FaultPlan.spoil`` (connection dropped after a
committed write, truncated body) → S2's rate headers on the answer.

The §3.11 rules and where each is enforced:

1. Auth, 401 ``{"errors": {"code": 401, "message"}}``; both base paths — ``FreshsalesApp``.
2. Resource-wrapped bodies (unwrapped accepted) and answers — ``records.unwrap``, ``_routes``.
3. Custom values under ``custom_field`` only, by existing ``cf_*`` name, typed — ``fields.py``
   (``check_custom``), ``records._apply`` (a ``cf_*`` key at the root).
4. Upsert on a unique field, 201/200 — ``records.upsert``.
5. Owners, accounts, targets, a contact's ≤10 accounts with one primary — ``checks.py``.
6. 400 ``{"errors": {field: [messages]}}`` — ``errors.py``, ``checks.Problems``.
7. Bulk upsert behind an option — S2's ``bulk.py``.  8. The hour and the minute — S2's
   ``limits.py`` (hooks in ``knobs.py``).
9. Lists by views, ``per_page`` ≤ 100, ``meta.total_pages`` — ``reads.py``.
10. DELETE → 204 and the recycle bin, ``/forget`` erases — ``records.py``; ``bulk_destroy`` —
    S2's ``bulk.py``.
11. Settings and selectors read-only — ``_settings`` / ``_selector`` here: a write to a
    selector is 405, to ``settings/<module>/fields`` 403 unless the stand-in option
    ``allow_field_create`` (``--allow-field-create``, off: creating fields on standard modules
    by API is unconfirmed, §3.5 [?]).

Choices where the reference is silent: a plain create (``POST /api/<module>``,
``POST /api/cpq/products``) answers 200 with the record, as Freshsales' own examples show
"200 OK" for creates (only the upsert tells 201 from 200); PUT answers 200; DELETE and
``/forget`` answer 204 with no body. The key is never read from a query parameter. HTTP Basic
with the key as user name (reported [3P]) is not served: the loader sends the documented
``Token`` header. A body that is not JSON is a 400 ``{"errors": {"code": 400, ...}}``.
Appointments and notes have no listing (404); they are read through their contact's include.

Not served (404): leads, tasks, sales activities, custom modules, ``/api/search``, deal
products, CPQ products' bulk and restore calls, ``bulk_assign_owner`` (the loader needs none).
"""

from __future__ import annotations

import sys
from typing import Any

from sandbox.freshsales import fields, reads, records
from sandbox.freshsales.accounts import Account, Accounts
from sandbox.freshsales.bulk import BulkJobs
from sandbox.freshsales.errors import FsError, general, unauthorized
from sandbox.freshsales.hooks import Hooks
from sandbox.freshsales.knobs import Knobs
from sandbox.freshsales.limits import RequestLimits
from sandbox.freshsales.records import RESOURCE, Options
from sandbox.httpbase import FaultPlan, Request, Response, key_fingerprint
from sandbox.pipedrive.accounts import Clock

PREFIXES = ("/crm/sales/api/", "/api/")
INTERNAL = {"errors": {"code": 500, "message": "Internal server error"}}
CRUD = ("contacts", "sales_accounts", "deals", "appointments", "notes")


class FreshsalesApp:
    def __init__(
        self,
        accounts: Accounts,
        clock: Clock,
        limits: RequestLimits,
        options: Options | None = None,
        faults: FaultPlan | None = None,
        bulk: BulkJobs | None = None,
    ) -> None:
        self.accounts, self.clock, self.limits = accounts, clock, limits
        self.options = options or Options()
        self.faults = faults or FaultPlan()
        self.bulk = bulk or BulkJobs(records.Writer(self.options), FsError)
        self.hooks = Hooks(accounts, clock, Knobs(limits, self.faults, accounts.names))

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_sandbox/"):
            return self.hooks.handle(request)
        rest = next((path[len(p) :] for p in PREFIXES if path.startswith(p)), None)
        if rest is None:
            return Response(404, general(404, "Not found").body())
        key = _key(request)
        found = self.accounts.resolve(key)
        fingerprint = key_fingerprint(key)
        if found is None:
            return Response(401, unauthorized(), key=fingerprint)
        account, user_id = found
        refused = self.limits.admit(account.name)
        if refused is not None:
            refused.key = fingerprint
            return refused
        faults = self.faults
        if faults.roll(faults.p500):
            response = Response(500, INTERNAL)
        else:
            slow = faults.maybe_sleep()
            with account.lock:
                response = self._served(request, account, user_id, rest)
            response.slow = slow
            faults.spoil(response, request.method)
        response.key = fingerprint
        response.headers.update(self.limits.headers(account.name))
        return response

    def _served(self, request: Request, account: Account, user_id: int, rest: str) -> Response:
        parts = [p for p in rest.split("/") if p]
        try:
            body = request.json() if request.body else None
        except (ValueError, UnicodeDecodeError):
            return Response(400, general(400, "The body is not valid JSON").body())
        try:
            answer = self.bulk.route(account, user_id, request.method, parts, body)
            if answer is None:
                answer = self._routes(request, account, user_id, parts, body)
        except FsError as exc:
            return Response(exc.status, exc.body())
        return answer

    def _routes(
        self, request: Request, account: Account, user_id: int, parts: list[str], body: Any
    ) -> Response:
        method = request.method
        if parts[:1] == ["selector"] and len(parts) == 2:
            return self._selector(account, method, parts[1])
        if parts[:1] == ["settings"] and len(parts) == 3 and parts[2] == "fields":
            return self._settings(account, method, parts[1], body)
        if parts == ["lookup"] and method == "GET":
            return _ok(reads.lookup(account, request))
        if parts[:2] == ["cpq", "products"]:
            if parts == ["cpq", "products"] and method == "GET":
                return _ok(reads.products(account, request))
            return self._module(request, account, user_id, "products", parts[2:], body)
        if parts and parts[0] in CRUD:
            return self._module(request, account, user_id, parts[0], parts[1:], body)
        raise general(404, f"No route {method} /api/{'/'.join(parts)}")

    def _module(
        self,
        request: Request,
        account: Account,
        user_id: int,
        module: str,
        rest: list[str],
        body: Any,
    ) -> Response:
        method, options, resource = request.method, self.options, RESOURCE[module]
        if not rest and method == "POST":
            created = records.create(account, user_id, module, body, options)
            return _ok({resource: records.render(module, created)})
        if rest == ["upsert"] and method == "POST" and module in records.UPSERT_MODULES:
            identifier = body.get("unique_identifier") if isinstance(body, dict) else None
            status, record = records.upsert(account, user_id, module, identifier, body, options)
            return Response(status, {resource: records.render(module, record)}, records=1)
        if module in reads.VIEWS and method == "GET":
            if rest == ["filters"]:
                return _ok(reads.filters(module))
            if len(rest) == 2 and rest[0] == "view":
                return _ok(reads.view(account, module, rest[1], user_id, request))
        if len(rest) == 1 and rest[0].isdigit():
            if method == "GET":
                return _ok(reads.one(account, module, rest[0], request))
            if method == "PUT":
                updated = records.update(account, user_id, module, rest[0], body, options)
                return _ok({resource: records.render(module, updated)})
            if method == "DELETE":
                records.delete(account, module, rest[0])
                return Response(204, None, records=1)
        if len(rest) == 2 and rest[0].isdigit() and rest[1] == "forget" and method == "DELETE":
            records.forget(account, module, rest[0])
            return Response(204, None, records=1)
        raise general(404, f"No route {method} for {module}")

    def _selector(self, account: Account, method: str, name: str) -> Response:
        if method != "GET":
            raise general(405, f"/api/selector/{name} is read-only")
        answer = reads.selector(account, name)
        if answer is None:
            raise general(404, f"No selector {name}")
        return _ok(answer)

    def _settings(self, account: Account, method: str, module: str, body: Any) -> Response:
        if method == "GET":
            answer = reads.field_list(account, module)
            if answer is None:
                raise general(404, f"No settings for {module}")
            return _ok(answer)
        if method == "POST" and self.options.allow_field_create:
            spec = body.get("field", body) if isinstance(body, dict) else body
            status, doc = fields.create(account.store, module, spec)
            return Response(status, {"field": doc}, records=1)
        raise general(403, f"Fields of {module} can be changed in the admin settings only")

    def close(self) -> None:
        self.accounts.close()
        print("freshsales stand-in stopped", file=sys.stderr)


def _key(request: Request) -> str:
    """The key of ``Authorization: Token token=<key>`` (quotes allowed), else ''."""
    header = request.headers.get("authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    name, _, value = rest.strip().partition("=")
    if scheme.lower() != "token" or name.strip().lower() != "token":
        return ""
    return value.strip().strip('"')


def _ok(body: dict[str, Any]) -> Response:
    count = sum(len(v) for v in body.values() if isinstance(v, list))
    return Response(200, body, records=count or 1)
