"""The Pipedrive stand-in: one or more company accounts on loopback, as strict as the
reference (issue 15, destinations-2.md §2.11, which wins over destinations.md §2).

No real account can be reached from the build machines and no maintained stateful fake
exists (§2.9), so the loader is proven against this one. Requests are checked against
Pipedrive's own OpenAPI files (``contract.py``, read at start from ``PIPEDRIVE_OPENAPI_DIR``,
never copied into the repo), charged their ``x-token-cost`` (``tokens.py``), then served
from per-account SQLite stores (``store.py``): a restart keeps every record.

Per request: ``/_sandbox/...`` hooks (no token, never charged) → only ``/api/v2/...`` and
``/v1/...`` exist (404 otherwise) → token (``x-api-token`` header or ``Authorization:
Bearer``; else 401 with a numeric ``errorCode``) → v1 persons/activities "gone" (410, or 404
with ``--v1-gone-status 404``) → ``Contract.check_request`` → ``TokenBudget.charge`` → the
handler → in strict mode ``Contract.check_response`` (a nonconforming answer becomes a 500
naming the problem, so tests fail loudly).

The §2.11 rules and where each is enforced:

1. Auth, 401 ``{"success": false, "error", "errorCode": 401}`` — ``PipedriveApp._auth``.
2. Path prefixes; v1 persons/activities gone — ``PipedriveApp.handle``, ``V1_GONE``.
3. v2 envelope, create answers 200 — ``PipedriveApp._v2``. The reference says the spec
   documents only 200, but it documents 201 for ``POST /products`` (addProduct): the spec,
   Pipedrive's own file, wins there, so a product create answers 201 (``CREATED``).
4. Strict v2 bodies: unknown root keys, custom fields by existing code and typed per field,
   ids as numbers — ``contract.py`` (P2) and ``entities.py`` + ``values.py``.
5. Product ``name`` non-empty, one price per currency — ``entities.py``, ``checks.prices``.
6. Activities refuse ``custom_fields``; ``activityFields`` GET only — ``entities.py``
   (no such key), ``PipedriveApp._fields``.
7. v1 notes — ``notes.py``.  8. v1 users, 403 for non-admins — ``users.py``.
9. Fields API, option endpoints atomic — ``fields.py``.
10. Search — ``search.py`` (P2), ``--search-lag`` seconds of index lag.
11. Token budget, 429 — ``tokens.py`` (P2).
12. Lists — ``listing.py``.  13. Soft delete, 404, purge after 30 days — ``records.py``.
14. ``PUT /v1/persons/{id}/merge`` — ``merge.py`` (P2).

Choices where the reference is silent are written in the module that makes them:
``accounts.py`` (seeding, tokens, clock), ``store.py`` (persistence), ``entities.py``
(required keys, defaults, answer shapes), ``checks.py`` (e-mails/phones, prices),
``values.py`` (formats), ``fields.py`` (built-in fields, options), ``listing.py`` (cursor,
limits), ``records.py`` (ids, delete/purge), ``notes.py``, ``users.py``, ``errors.py``
(bodies), ``hooks.py`` (test hooks). Here: the token is never read from the ``api_token``
query parameter (v1's legacy way), so it cannot land in a URL log; a request the contract
refuses is still charged when it named a real operation (Pipedrive meters what reached the
API), one for an unknown path is not; a charge refused with 429 is not served.

Injected faults (``--p500 --p-slow --p-drop-after-commit --p-truncate``, ``--fault-seed``):
after authentication, a 500 (``ERR_INTERNAL``, not charged) is answered before any work, or
the answer is delayed before the work; after a successful write the connection may be
closed without an answer (*dropped after commit*), and a successful answer's body may be cut
in half (*truncated*). 429s come only from the token budget, never from the fault plan.

Not served (404): deal products, followers, archived deals, deal/lead/item search,
pipelines/stages, projects, leads, files, webhooks and the rest of the v1 API (the contract
knows them; the loader needs none of them).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from sandbox.httpbase import FaultPlan, Request, Response, key_fingerprint
from sandbox.pipedrive import fields, listing, merge, notes, records, search, users
from sandbox.pipedrive.accounts import Account, Accounts, Clock
from sandbox.pipedrive.entities import ENTITIES
from sandbox.pipedrive.errors import PdError, unauthorized, v1_error
from sandbox.pipedrive.hooks import Hooks
from sandbox.pipedrive.plugs import Budget, ContractChecks

V1_GONE = re.compile(r"^/v1/(persons|activities)(/\d+)?/?$")
FIELD_PATHS = {f"{e}Fields": e for e in fields.ENTITIES}
INTERNAL = {"success": False, "error": "Internal server error", "code": "ERR_INTERNAL"}
# the v2 spec documents 201 for addProduct and 200 for the other four creates
CREATED = {"products": 201}


class PipedriveApp:
    def __init__(
        self,
        accounts: Accounts,
        clock: Clock,
        contract: ContractChecks | None,
        budget: Budget | None,
        strict: bool = False,
        v1_gone_status: int = 410,
        faults: FaultPlan | None = None,
        search_lag_s: float = 0.0,
    ) -> None:
        self.search_lag_s = search_lag_s
        self.faults = faults or FaultPlan()
        self.accounts, self.clock = accounts, clock
        self.contract, self.budget = contract, budget
        self.strict, self.v1_gone_status = strict, v1_gone_status
        self.hooks = Hooks(accounts, clock, budget)

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_sandbox/"):
            return self.hooks.handle(request)
        if not path.startswith(("/api/v2/", "/v1/")):
            return Response(404, {"success": False, "error": "Not found", "errorCode": 404})
        token = self._auth(request)
        found = self.accounts.resolve(token)
        key = key_fingerprint(token)
        if found is None:
            return Response(401, unauthorized(), key=key)
        account, user_id = found
        if V1_GONE.match(path):
            return Response(
                self.v1_gone_status,
                v1_error(
                    "This endpoint is out of support: use API v2",
                    "v1 persons and activities endpoints are deprecated since 1 Aug 2026",
                ),
                key=key,
            )
        faults = self.faults
        if faults.roll(faults.p500):
            return Response(500, INTERNAL, key=key)
        slow = faults.maybe_sleep()
        with account.lock:
            records.purge(account)
            response = self._checked(request, account, user_id)
        response.key, response.slow = key, slow
        faults.spoil(response, request.method)
        if self.budget is not None:
            response.headers.update(self.budget.headers(account.name))
        return response

    @staticmethod
    def _auth(request: Request) -> str:
        token = request.headers.get("x-api-token", "").strip()
        header = request.headers.get("authorization", "")
        if not token and header[:7].lower() == "bearer ":
            token = header[7:].strip()
        return token

    def _checked(self, request: Request, account: Account, user_id: int) -> Response:
        refusal = None
        cost = 0
        if self.contract is not None:
            refusal = self.contract.check_request(
                request.method, request.path, request.query, request.body or None
            )
            if refusal is None or refusal.status != 404:
                cost = self.contract.token_cost(request.method, request.path)
        if self.budget is not None:
            limited = self.budget.charge(account.name, cost)
            if limited is not None:
                return Response(limited.status, limited.body)
        if refusal is not None:
            return Response(refusal.status, refusal.body)
        v1 = request.path.startswith("/v1/")
        try:
            body = request.json() if request.body else None
        except (ValueError, UnicodeDecodeError):
            err = PdError(400, "Invalid JSON body", v1=v1)
            return Response(err.status, err.body())
        try:
            if v1:
                response = self._v1(request, account, user_id, body)
            else:
                response = self._v2(request, account, user_id, body)
        except PdError as exc:
            response = Response(exc.status, exc.body())
        if self.strict and self.contract is not None:
            problem = self.contract.check_response(
                request.method, request.path, response.status, response.body
            )
            if problem is not None:
                return Response(
                    500,
                    {
                        "success": False,
                        "error": f"stand-in answer does not conform to the spec: {problem}",
                        "code": "ERR_STANDIN",
                    },
                )
        return response

    def _v2(self, request: Request, account: Account, user_id: int, body: Any) -> Response:
        parts = [p for p in request.path[len("/api/v2/") :].split("/") if p]
        method = request.method
        if method == "GET" and parts[1:] == ["search"] and parts[0] in search.KINDS:
            found = search.answer(account, parts[0], request.query, self.search_lag_s)
            return Response(200, found, records=len(found["data"]["items"]))
        if parts and parts[0] in ENTITIES:
            entity = records.entity_of(parts[0])
            if len(parts) == 1 and method == "GET":
                rows, cursor = listing.list_records(account, entity, request.query)
                return _list(rows, cursor)
            if len(parts) == 1 and method == "POST":
                created = _ok(records.create(account, user_id, entity, body), 1)
                created.status = CREATED.get(parts[0], 200)
                return created
            if len(parts) == 2 and parts[1].isdigit():
                if method == "GET":
                    selected = listing.param(request.query, "custom_fields")
                    codes = None if selected is None else selected.split(",")
                    return _ok(records.get(account, entity, parts[1], codes), 1)
                if method == "PATCH":
                    return _ok(records.update(account, entity, parts[1], body), 1)
                if method == "DELETE":
                    return _ok(records.delete(account, entity, parts[1]), 1)
        if parts and parts[0] in FIELD_PATHS:
            return self._fields(account, FIELD_PATHS[parts[0]], parts[1:], method, request, body)
        raise PdError(404, f"Unknown route {method} {request.path}", "ERR_NOT_FOUND")

    def _fields(
        self,
        account: Account,
        entity: str,
        rest: list[str],
        method: str,
        request: Request,
        body: Any,
    ) -> Response:
        if entity == "activity" and method != "GET":
            raise PdError(404, "Activity fields are read-only", "ERR_NOT_FOUND")
        if not rest and method == "GET":
            rows, cursor = listing.list_fields(account, entity, request.query)
            return _list(rows, cursor)
        if not rest and method == "POST":
            return _ok(fields.create(account, entity, body))
        code = rest[0] if rest else ""
        if len(rest) == 1 and method == "GET":
            include = fields.included(listing.param(request.query, "include_fields"))
            return _ok(fields.find(account, entity, code, include))
        if len(rest) == 1 and method == "PATCH":
            return _ok(fields.update(account, entity, code, body))
        if len(rest) == 1 and method == "DELETE":
            return _ok(fields.delete(account, entity, code))
        if len(rest) == 2 and rest[1] == "options":
            action = {
                "POST": fields.add_options,
                "PATCH": fields.update_options,
                "DELETE": fields.delete_options,
            }.get(method)
            if action is not None:
                return _ok(action(account, entity, code, body))
        raise PdError(404, f"Unknown route {method} {request.path}", "ERR_NOT_FOUND")

    def _v1(self, request: Request, account: Account, user_id: int, body: Any) -> Response:
        parts = [p for p in request.path[len("/v1/") :].split("/") if p]
        method = request.method
        if parts and parts[0] == "users":
            data = users.route(account, user_id, method, parts[1:], body)
            return _ok(data, len(data) if isinstance(data, list) else 1)
        if len(parts) == 3 and parts[0] == "persons" and parts[2] == "merge" and method == "PUT":
            return _ok(merge.merge(account, parts[1], body), 1)
        if parts == ["notes"] and method == "GET":
            rows, extra = notes.list_notes(account, user_id, request.query)
            return Response(
                200, {"success": True, "data": rows, "additional_data": extra}, records=len(rows)
            )
        if parts == ["notes"] and method == "POST":
            return _ok(notes.create(account, user_id, body), 1)
        if len(parts) == 2 and parts[0] == "notes":
            if method == "GET":
                return _ok(notes.render(account, notes.find(account, parts[1]), user_id), 1)
            if method == "PUT":
                return _ok(notes.update(account, user_id, parts[1], body), 1)
            if method == "DELETE":
                return _ok(notes.delete(account, parts[1]), 1)
        raise PdError(404, "Unknown method .", v1=True)

    def close(self) -> None:
        self.accounts.close()
        print("pipedrive stand-in stopped", file=sys.stderr)


def _ok(data: Any, count: int = 0) -> Response:
    return Response(200, {"success": True, "data": data}, records=count)


def _list(rows: list[Any], cursor: str | None) -> Response:
    return Response(
        200,
        {"success": True, "data": rows, "additional_data": {"next_cursor": cursor}},
        records=len(rows),
    )
