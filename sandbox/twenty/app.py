"""The Twenty stand-in application: auth, rate limit, faults and routing (issue 4).

Built from ``../shared/reference/twenty-api.md``; the section numbers below refer to it.
Routes: core REST under ``/rest/{plural}`` and ``/rest/batch/{plural}`` (``rest.py``), metadata
REST under ``/rest/metadata/{objects,fields,relations}`` (``metadata.py``, ``fields.py``).
Records and metadata live in SQLite (``store.py``) so a restart keeps everything.

Generations (``--generation``): v1 = 2025 builds (batch cap and max page 60, noteTarget/
taskTarget/attachment targets ``personId``/``companyId``/``opportunityId``/``<object>Id``,
ThrottlerException 429 body without ``Retry-After``, ``pageInfo.hasPreviousPage`` only when
paging backwards, rich text type named RICH_TEXT_V2, ``fields=`` ignored); v2 = 2026 builds
(cap 200, morph targets ``targetPersonId``/``target<Object>Id``, usage-limit 429 with
``Retry-After`` and ``X-RateLimit-*``, rich text type RICH_TEXT as in the 2.43.0 generated
schema, ``fields=`` honoured). The legacy metadata envelope (§6) is used in both.

Choices where the reference is uncertain (the stricter behaviour is taken):

* Rate limit: every authenticated API request costs one token, metadata calls included
  (§11.8 says metadata throttling is unverified). Requests with a bad key are refused with
  401 before the bucket is consulted. ``X-RateLimit-*`` headers are sent only on 429
  responses (the reference documents them there only). One bucket for the workspace (§11.10).
* ``filter=deletedAt[...]`` is the only way to see soft-deleted rows in lists (§11.3); GET,
  PATCH and soft DELETE by id of a soft-deleted row answer 404; destroy by id works on both.
* ``PATCH …/{id}/restore`` on a record that is not soft-deleted answers 404.
* Relation join columns must point at an existing, *live* record of the target object.
* Two inputs of one plain batch with the same unique value fail the whole batch with 400 (an
  upsert matching one existing row twice is rule 9 below).
* Unknown body fields, nested relation writes (``company: {connect: …}``), one-to-many
  fields and server-set fields (``updatedAt``, ``deletedAt``, ``createdBy``, ``updatedBy``)
  are rejected with 400. ``id``, ``createdAt`` and ``position`` may be sent on create.
* TEXT and composite text sub-fields: ``""`` is stored as null (§11.9).
* DATE_TIME accepts ISO-8601 with a time part, or a date alone (rule 5); DATE accepts
  ``YYYY-MM-DD`` only. PHONES: see rule 4; the country is an ISO alpha-2 code and the calling
  code must match it. LINKS URLs must look like a host name (optionally with http/https).
  CURRENCY codes must be ISO 4217; ``amountMicros`` must be integral (int, integral float,
  or a string of digits).
* Bulk PATCH/DELETE/restore need a filter and touch at most 100 records
  (MUTATION_MAXIMUM_AFFECTED_RECORDS); ``starting_after`` with ``ending_before`` is a 400.
* Metadata: reserved names apply to object and field names; custom fields/objects must be
  deactivated (``isActive: false``) before DELETE; standard objects and fields cannot be
  deleted; ``isUnique`` only on TEXT/NUMBER/NUMERIC/DATE/DATE_TIME/UUID/SELECT/EMAILS/LINKS/
  PHONES; renaming a field is refused; unknown input keys are refused (GraphQL input types).
  MORPH_RELATION and FILES fields cannot be created (the stand-in models morph targets as one
  MORPH_RELATION field per target object, as the v2 standard objects have).
* Not found: 404 ``NotFoundException`` (current main), in both generations.
* ``createdAt`` may be sent on create (imports keep dates); ``upsert`` is on only for the
  exact string ``true``; unknown query parameters (``after``, ``before``) are ignored (§3.2).
* Default order is ``id`` ascending (rule 10), ``id`` always appended as the tiebreaker of
  any ``order_by``; cursors are opaque base64 of the row's order values and stay valid when the
  row they point at is deleted.
* ``depth=1`` embeds many-to-one targets (live rows only) and one-to-many child lists.
* Upsert matching compares unique values as they would be *stored* (after rules 1, 3, 4, so
  e-mail case does not matter, unlike §8.2); a unique value held by a row whose value changes
  earlier in the same batch still counts as taken.

Real Twenty's rules (``../shared/reference/twenty-real-rules.md``; it wins over twenty-api.md),
in both generations unless said otherwise, and where each lives:

1. E-mails lower-cased (primary and additional) before the unique index: v2 lower-cases, v1
   refuses upper case with 400 (late-2025 ``validate-email-value-or-throw.util.ts``) --
   ``rewrites.rewrite_emails``/``canonical_email``, called by ``values.composite_validator``;
   upsert matches on the stored form: ``records.Records._stored_form``.
2. ``additionalEmails: []`` stored and returned as null -- ``rewrites.rewrite_emails``.
3. Link URLs: scheme and host lower-cased, one trailing slash dropped (http/https only) --
   ``rewrites.canonical_url`` via ``rewrite_links``.
4. Phones parsed with ``phonenumbers``: no country, no calling code, no ``+`` is a 400 that
   refuses the whole batch; stored as national significant number with calling code (and
   inferred country) filled; E.164 split; same per ``additionalPhones`` entry (``[]`` → null)
   -- ``rewrites.parse_phone``/``rewrite_phones``.
5. Date-only values in DATE_TIME fields, stored as midnight UTC -- ``values._date_time``.
6. Client ids must be UUID v1-v5 (RFC variant) -- ``rewrites.is_valid_uuid``, checked in
   ``records.Records.create_many``.
7. A non-UUID path id is 400 "'…' is not a valid UUID" -- ``rest.RestApi.route``.
8. A batch upsert answers matched (updated/restored) rows first, then inserted ones --
   ``records.Records.create_many`` (end).
9. Two upsert inputs matching one existing row both update it (in input order), no error;
   the answer then holds fewer rows -- ``records.Records.create_many`` (``match in pending``).
10. No ``order_by`` means ``id`` ascending -- ``query.parse_order``.
11. v2 only (twentyhq/twenty#23024, 2026 builds): an ``emails`` update without
    ``primaryEmail`` clears it, a ``phones`` update without ``additionalPhones`` clears them;
    v1 merges sent sub-fields -- ``rewrites.wiped_on_update``, ``values.composite_validator``.

Injected faults (``--p429 --p500 --p-slow --p-drop-after-commit --p-truncate``, seeded by
``--fault-seed``; the reference documents none of them, they are what a real deployment behind
a proxy shows): a 429 starts a burst of three (as a throttled client meets); a 500 is answered
before any work; a slow answer is delayed before the work; *dropped after commit* closes the
connection without an answer after a successful write; *truncated* sends the status line, the
full ``Content-Length`` and half the body of a successful answer (a write is then committed,
but the client cannot read its result). Reads are never dropped; both kinds of writes are only
known to the client as transport errors, so only idempotent writes may be retried.

Not implemented (answer 400/404 as unknown routes or fields): ``/duplicates``, ``/merge``,
``/groupBy``, OpenAPI, GraphQL, nested ``connect`` writes, calendar objects, FILES fields
(attachment ``file``), the v2 native metadata envelope, renaming fields.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.httpbase import FaultPlan, Request, Response, key_fingerprint
from sandbox.twenty import fields as field_api
from sandbox.twenty import metadata as object_api
from sandbox.twenty.errors import ApiError, metadata_error
from sandbox.twenty.ratelimit import TokenBucket
from sandbox.twenty.records import Records, now_iso
from sandbox.twenty.rest import RestApi
from sandbox.twenty.standard import stable_id, standard_metadata
from sandbox.twenty.store import Store

BURST_LENGTH = 3  # consecutive injected 429s once a burst starts


class TwentyApp:
    def __init__(
        self,
        db_path: Path,
        api_key: str,
        generation: str = "v2",
        batch_cap: int | None = None,
        rate_limit: int = 100,
        rate_window: float = 60.0,
        members: list[tuple[str, str, str]] | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        if generation not in ("v1", "v2"):
            raise ValueError("generation must be v1 or v2")
        self.api_key = api_key
        self.generation = generation
        self.batch_cap = batch_cap or (60 if generation == "v1" else 200)
        self.bucket = TokenBucket(rate_limit, rate_window)
        self.faults = faults or FaultPlan()
        self.lock = threading.Lock()
        self._burst = 0
        self.store = Store(db_path)
        stored = self.store.get_kv("generation")
        if stored is not None and stored != generation:
            raise ValueError(
                f"{db_path} holds a {stored} workspace; start with --generation {stored}")
        if stored is None:
            objects, fields = standard_metadata(generation, now_iso())
            self.store.commit(meta_upserts=[*objects, *fields])
            self.store.set_kv("generation", generation)
        self.records = Records(self.store, "bizmig sandbox API key", generation)
        self.rest = RestApi(self.records, generation, self.batch_cap)
        self._seed_members(members or [])

    def _seed_members(self, members: list[tuple[str, str, str]]) -> None:
        obj = self.records.schema.by_singular["workspaceMember"]
        table = self.store.table(obj.id)
        known = {r.get("userEmail") for r in table.values()}
        now, rows = now_iso(), []
        for email, first, last in members:
            if email in known:
                continue
            known.add(email)
            row = obj.new_values()
            row.update(
                id=stable_id("workspaceMember", email), userId=stable_id("user", email),
                name={"firstName": first or None, "lastName": last or None}, userEmail=email,
                colorScheme="System", locale="en", timeZone="system", dateFormat="SYSTEM",
                timeFormat="SYSTEM", numberFormat="SYSTEM", calendarStartDay=7,
                createdAt=now, updatedAt=now, deletedAt=None, position=len(table) + len(rows) + 1,
                createdBy={"source": "SYSTEM", "workspaceMemberId": None, "name": "System",
                           "context": {}},
            )
            row["updatedBy"] = row["createdBy"]
            rows.append(row)
        if rows:
            self.records.seed(obj, rows)

    # -- request pipeline -----------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path != "/rest" and not request.path.startswith("/rest/"):
            return _error(ApiError(404, f"Cannot {request.method} {request.path}", "Not Found"))
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token:
            return _error(ApiError(401, "Missing authentication token", "Unauthorized"))
        key = key_fingerprint(token)
        if token != self.api_key:
            return _error(ApiError(401, "Token invalid.", "Unauthorized"), key)
        if self.bucket.enabled:
            decision = self.bucket.take()
            if not decision.allowed:
                return self._throttled(key, decision.retry_after, decision.reset_epoch)
        if self._injected_429():
            return self._throttled(key, 1, 0)
        if self.faults.roll(self.faults.p500):
            error = ApiError(500, "Internal server error", "InternalServerErrorException")
            return _error(error, key)
        slow = self.faults.maybe_sleep()
        with self.lock:
            try:
                response = self._route(request)
            except ApiError as exc:
                return _error(exc, key)
        response.key = key
        response.slow = slow
        if (request.method != "GET" and response.status < 300
                and self.faults.roll(self.faults.p_drop_after_commit)):
            response.drop_connection = True  # committed, but the client never hears about it
        elif response.status < 300 and self.faults.roll(self.faults.p_truncate):
            response.truncate = True  # committed (a write), but the answer is cut off mid-body
        return response

    def _injected_429(self) -> bool:
        with self.lock:
            if self._burst > 0:
                self._burst -= 1
                return True
            if self.faults.roll(self.faults.p429):
                self._burst = BURST_LENGTH - 1
                return True
        return False

    def _throttled(self, key: str, retry_after: int, reset_epoch: int) -> Response:
        limit, window = self.bucket.limit or 100, self.bucket.window
        if self.generation == "v1":
            body = {"statusCode": 429, "error": "ThrottlerException",
                    "messages": [f"Limit reached ({limit} tokens per {int(window * 1000)} ms)"]}
            return Response(429, body, key=key)
        reset = reset_epoch or int(time.time()) + retry_after
        body = {"statusCode": 429, "error": "RATE_LIMITED",
                "messages": ["API rate limit exceeded"], "limitKind": "speed",
                "scope": {"spenderType": "apiKey", "spenderId": key,
                          "operationType": "API_REQUEST"},
                "limit": limit, "remaining": 0, "periodCount": int(window),
                "periodUnit": "second", "retryAfterSeconds": retry_after}
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Limit": str(limit),
                   "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
        return Response(429, body, headers=headers, key=key)

    def _route(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/")[2:] if p]
        if not parts:
            raise ApiError(404, f"Cannot {request.method} {request.path}", "Not Found")
        if parts[0] == "metadata":
            return self._metadata(request, parts[1:])
        return self.rest.route(request, parts)

    def _metadata(self, request: Request, parts: list[str]) -> Response:
        if not parts or parts[0] not in ("objects", "fields", "relations") or len(parts) > 2:
            raise metadata_error(f"Invalid metadata path '{request.path}'")
        records, method = self.records, request.method
        kind = parts[0]
        if kind == "relations":
            if method != "GET" or len(parts) != 1:
                raise metadata_error("Relations are read-only here; create RELATION fields")
            rels = [object_api.field_out(records, f)["relation"] for f in self.store.fields.values()
                    if (f.get("settings") or {}).get("relationType") == "MANY_TO_ONE"]
            return Response(200, {"data": {"relations": rels}}, records=len(rels))
        single = "object" if kind == "objects" else "field"
        out: Callable[[Any], dict[str, Any]] = (
            (lambda d: object_api.object_out(records, d)) if kind == "objects"
            else (lambda d: object_api.field_out(records, d)))
        if len(parts) == 1 and method == "GET":
            docs = sorted((self.store.objects if kind == "objects" else self.store.fields).values(),
                          key=lambda d: (d["createdAt"], d["id"]))
            page, info = object_api.paginate(docs, request.param("limit"),
                                             request.param("starting_after"),
                                             request.param("ending_before"))
            return Response(200, {"data": {kind: [out(d) for d in page]}, "pageInfo": info},
                            records=len(page))
        if len(parts) == 1 and method == "POST":
            body = _body(request)
            doc = (object_api.create_object(records, body, self.generation) if kind == "objects"
                   else field_api.create_field(records, body, self.generation))
            return Response(201, {"data": {f"createOne{single.title()}": out(doc)}}, records=1)
        if len(parts) == 2:
            ident = parts[1]
            get = object_api.get_object if kind == "objects" else field_api.get_field
            if method == "GET":
                return Response(200, {"data": {single: out(get(records, ident))}}, records=1)
            if method in ("PATCH", "PUT"):
                update = object_api.update_object if kind == "objects" else field_api.update_field
                doc = update(records, ident, _body(request))
                return Response(200, {"data": {f"updateOne{single.title()}": out(doc)}}, records=1)
            if method == "DELETE":
                delete = object_api.delete_object if kind == "objects" else field_api.delete_field
                doc = delete(records, ident)
                return Response(200, {"data": {f"deleteOne{single.title()}": {"id": doc["id"]}}},
                                records=1)
        raise ApiError(404, f"Cannot {method} {request.path}", "Not Found")

    def close(self) -> None:
        self.store.close()
        print("twenty stand-in stopped", file=sys.stderr)


def _body(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        raise metadata_error("Body is not valid JSON") from None


def _error(exc: ApiError, key: str = "-") -> Response:
    return Response(exc.status, exc.body(), key=key)
