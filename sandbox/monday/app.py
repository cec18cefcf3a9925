"""The monday stand-in: one GraphQL endpoint, ``POST /v2``, that validates every document against
monday's own SDL and enforces the numbered rules of destinations-2.md §4.11.

A loader test against a kinder monday is worthless: the real API refuses a document its schema
does not allow, answers most errors with HTTP 200 and an ``errors`` array, counts every call
(failed ones too) against a day of 1 000 on Standard, and prices documents against a minute's
complexity budget. So, per ``POST /v2``, in this order (rules 1-4, 8):

1. ``Authorization: <token>`` (no ``Bearer``): unknown or missing → HTTP 401
   ``{"errors":[{"message":"Not Authenticated","extensions":{"code":"UNAUTHORIZED"}}]}``, not
   counted (no account is known to count it against).
2. The day's call is counted (sandbox/monday/limits.py): past the plan's count → 429
   ``DAILY_LIMIT_EXCEEDED``.
3. ``Idempotency-Key``: a replay of the kept answer, or 409 while the first is running
   (sandbox/monday/idempotency.py).
4. Injected 500s (``FaultPlan``) happen here: counted, nothing done.
5. Parse and validate with graphql-core against the SDL (sandbox/monday/sdl.py): refused →
   HTTP 200 ``{"errors":[{"message","locations","extensions":{"code":
   "GRAPHQL_VALIDATION_FAILED"}}],"extensions":{"request_id"}}``.
6. The document's complexity is charged (sandbox/monday/complexity.py, limits.py): 429
   ``COMPLEXITY_BUDGET_EXHAUSTED`` or create_board's 40 a minute, or 200
   ``maxComplexityExceeded`` for a document over 5M.
7. Executed (sandbox/monday/resolvers.py); ``{"data", "errors"?, "extensions":{"request_id"}}``;
   then a committed answer may be dropped or cut off (``FaultPlan.spoil``).

``API-Version``: the stand-in holds one schema, 2026-10's; a request naming another version, or
none, is served with it and the answer's ``API-Version`` header says 2026-10 (monday serves an
absent or unknown version with its current default, §4.11 rule 1). Beside ``/v2`` it serves
the jobs' upload and report URLs (sandbox/monday/upload.py) and the ``/_sandbox`` test hooks
(sandbox/monday/hooks.py).
"""

from __future__ import annotations

import secrets
from typing import Any

from graphql import DocumentNode, ExecutionResult, FieldNode, GraphQLError, execute
from graphql.utilities import get_operation_ast

from sandbox.httpbase import FaultPlan, Request, Response, key_fingerprint
from sandbox.monday import sdl
from sandbox.monday.complexity import document_cost
from sandbox.monday.hooks import Hooks
from sandbox.monday.idempotency import HEADER as IDEMPOTENCY_HEADER
from sandbox.monday.idempotency import Idempotency, Ticket
from sandbox.monday.job_fields import JobFields
from sandbox.monday.limits import Charge, Limits
from sandbox.monday.resolvers import Caller, Root
from sandbox.monday.service import Service

API_VERSION = "2026-10"
UNAUTHORIZED = {
    "errors": [{"message": "Not Authenticated", "extensions": {"code": "UNAUTHORIZED"}}]
}


class MondayApp:
    def __init__(
        self,
        service: Service,
        limits: Limits,
        idempotency: Idempotency,
        jobs: JobFields,
        faults: FaultPlan,
        hooks: Hooks,
    ) -> None:
        self.service, self.limits, self.idempotency = service, limits, idempotency
        self.jobs, self.faults, self.hooks = jobs, faults, hooks
        self.schema = sdl.schema()
        self.root = Root(service, jobs.resolvers(), limits.state)

    def close(self) -> None:
        self.service.store.close()

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self.hooks.handle(request)
        answer = self.jobs.http(request)
        if answer is not None:
            self.faults.spoil(answer, request.method)
            return answer
        if request.path.rstrip("/") != "/v2":
            return Response(404, {"errors": [{"message": f"No route {request.path}"}]})
        if request.method != "POST":
            return Response(405, {"errors": [{"message": "POST a GraphQL document to /v2"}]})
        token = request.headers.get("authorization", "").strip()
        fingerprint = key_fingerprint(token)
        account = self.service.store.account_of(token) if token else None
        if account is None:
            return Response(401, UNAUTHORIZED, key=fingerprint)
        request_id = secrets.token_hex(8)
        response = self._counted(request, account, request_id)
        response.key = fingerprint
        response.headers["API-Version"] = API_VERSION
        response.headers.setdefault("X-Request-Id", request_id)
        return response

    def _counted(self, request: Request, account: str, request_id: str) -> Response:
        refused = self.limits.count_call(account, request_id)
        if refused is not None:
            return refused
        key = request.headers.get(IDEMPOTENCY_HEADER)
        ticket: Ticket | None = None
        if key:
            begun = self.idempotency.begin(account, key)
            if isinstance(begun, Response):
                return begun
            ticket = begun
        response: Response | None = None
        try:
            if self.faults.roll(self.faults.p500):
                response = Response(
                    500, {"error_message": "Internal server error", "status_code": 500}
                )
                return response
            response = self._graphql(request, account, request_id)
            return response
        finally:
            if ticket is not None:
                self.idempotency.finish(ticket, response)
            if response is not None:
                self.faults.spoil(response, request.method)

    def _graphql(self, request: Request, account: str, request_id: str) -> Response:
        try:
            body = request.json()
            query, variables = body["query"], body.get("variables") or {}
            operation = body.get("operationName")
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            return _errors(
                [
                    {
                        "message": "The body must be JSON {query, variables?}",
                        "extensions": {"code": "INVALID_REQUEST"},
                    }
                ],
                request_id,
            )
        document, problems = sdl.check(str(query))
        if document is None or problems:
            return _errors([_validation(p) for p in problems], request_id)
        cost = document_cost(document, variables, operation)
        charged = self.limits.charge(account, self._token_key(request), cost, request_id)
        if isinstance(charged, Response):
            return charged
        user_id = self.service.store.users(account)[0]["id"]
        caller = Caller(account, user_id, _base_url(request), _complexity(charged))
        result = execute(self.schema, document, self.root, caller, variables, operation)
        return _answer(result, request_id, _item_writes(document, operation, result))

    @staticmethod
    def _token_key(request: Request) -> str:
        return key_fingerprint(request.headers.get("authorization", ""))


def _base_url(request: Request) -> str:
    return f"http://{request.headers.get('host', '127.0.0.1')}"


def _complexity(charge: Charge) -> dict[str, int]:
    return charge.as_field()


def _validation(error: GraphQLError) -> dict[str, Any]:
    shaped = error.formatted
    shaped["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
    return shaped


def _errors(errors: list[dict[str, Any]], request_id: str) -> Response:
    return Response(200, {"errors": errors, "extensions": {"request_id": request_id}})


ITEM_WRITES = frozenset(
    {
        "create_item",
        "change_multiple_column_values",
        "change_column_value",
        "change_simple_column_value",
        "delete_item",
        "archive_item",
        "create_update",
        "edit_update",
        "delete_update",
        "bulk_delete_items",
        "bulk_archive_items",
    }
)


def _item_writes(document: DocumentNode, operation: str | None, result: ExecutionResult) -> int:
    """Root fields of a mutation that wrote items or updates and answered (the request log's
    ``records``: what the acceptance kit counts as record writes; an ingest job's records are
    counted on its upload)."""
    ast = get_operation_ast(document, operation)
    if ast is None or ast.operation.value != "mutation" or not result.data:
        return 0
    return sum(
        1
        for node in ast.selection_set.selections
        if isinstance(node, FieldNode)
        and node.name.value in ITEM_WRITES
        and result.data.get(node.alias.value if node.alias else node.name.value) is not None
    )


def _answer(result: ExecutionResult, request_id: str, written: int) -> Response:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        errors = []
        for error in result.errors:
            shaped = error.formatted
            bug = error.original_error is not None and not isinstance(
                error.original_error, GraphQLError
            )
            code = "INTERNAL_SERVER_ERROR" if bug else "INVALID_ARGUMENT"
            shaped.setdefault("extensions", {}).setdefault("code", code)
            errors.append(shaped)
        body["errors"] = errors
    body["extensions"] = {"request_id": request_id}
    return Response(200, body, records=written)
