"""The Salesforce stand-in: a Sales Cloud org on loopback, as strict as the reference (issue 14).

Built from ``../shared/reference/destinations-2.md`` §1 (wins) and ``destinations.md`` §1; a
real org cannot be reached from the build machines, and the existing stand-ins (§1.10) are
permissive or lack Bulk ingest, so the loader is proven against this one. Records, schema,
tokens, API usage and the clock live in SQLite (``store.py``): a restart keeps everything.

Modules: ``org.py`` (the shared state), ``oauth.py`` (token endpoint, sessions), ``rest.py`` +
``describe.py`` (REST), ``collections.py`` (sObject Collections), ``soql.py`` + ``query.py``
(SOQL), ``records.py`` + ``rules.py`` + ``values.py`` + ``recycle.py`` + ``security.py`` (the
one save pipeline and its rules), ``schema.py`` + ``standard.py`` (objects and fields),
``ids.py``, ``limits.py``; ``bulk.py``/``bulk_csv.py`` (Bulk API 2.0) and ``metadata.py``
(Metadata SOAP) are helper S2's and run on the same ``Org``.

The 20 rules of §1.12 and where each is enforced:

1. Token endpoint, Bearer on every other call, else 401 ``INVALID_SESSION_ID`` —
   ``oauth.token_endpoint``, ``SalesforceApp.handle`` (SOAP calls: the ``sessionId`` of the
   SOAP header, refused with an ``sf:INVALID_SESSION_ID`` fault).
2. Create → 201 ``{id, success, errors}``; ``Id`` in the body → ``INVALID_FIELD`` "The Id
   field should not be specified in the sobject data." — ``rest.RestApi._create``,
   ``records.Engine._one`` (all paths, Collections and Bulk included).
3. Required fields → ``REQUIRED_FIELD_MISSING`` with ``fields`` — ``rules.complete``
   (required flags in ``standard.py``; Event's start/end pair in ``rules._event``).
4. Upsert only on External ID fields — ``records.Engine.upsert_field`` (REST and Collections:
   404 ``NOT_FOUND`` "Provided external ID field does not exist or is not accessible: F", the
   answer an org gives; Bulk turns it into ``InvalidJob``).
5. Upsert 201/200/300, ``updateOnly=true`` → 404 — ``rest.RestApi._by_external``; matching in
   ``records.Engine._upsert``/``match`` (live rows only).
6. A repeated External ID value in one call fails every such row (``DUPLICATE_VALUE``
   "Duplicate external id specified: v") — ``records.Engine._repeated_keys`` / ``_upsert``.
7. Unique fields → ``DUPLICATE_VALUE`` "duplicate value found: F duplicates value on record
   with id: …" — ``records.Engine.check_unique``, ``rules.duplicate_error``.
8. Collections ≤ 200 (400 ``EXCEEDED_ID_LIMIT``), input order, 200 with row failures,
   ``allOrNone``, upsert of one type with ``attributes.type`` — ``collections.py``,
   ``records.Engine.save_mixed``.
9-12. Bulk API 2.0 (jobs, CSV, shuffled results, lock simulation) — ``bulk.py`` (S2), on
   ``Engine.save(..., strings=True)`` and ``Limits.spend_bulk_batches``.
13. Restricted picklists, case-sensitive: ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`` "bad value
   for restricted picklist field: V" — ``values._text``.
14. ``STANDARD_PRICE_NOT_DEFINED`` — ``rules._pricebook_entry``.
15. Custom fields without FieldPermissions are invisible: ``INVALID_FIELD: No such column`` in
   writes, SOQL, describe, GET — ``security.py``, used by ``Engine.visible_field``. Likewise
   a custom object without ObjectPermissions Read is ``INVALID_TYPE`` "sObject type 'X__c' is
   not supported." everywhere (``Engine.find``), and one without Create/Edit/Delete refuses
   the row with ``INSUFFICIENT_ACCESS_OR_READONLY``; standard objects stay reachable (the
   integration user's profile grants them).
16. Audit fields only on insert and only with ``--set-audit-fields``, else
   ``INVALID_FIELD_FOR_INSERT_UPDATE`` — ``rules._writable``.
17. Delete → Recycle Bin, ``queryAll`` only, cascades, ``User`` undeletable — ``recycle.py``;
   ``query.QueryService.select`` (``include_deleted``).
18. ``Sforce-Limit-Info`` on every API answer; 403 ``REQUEST_LIMIT_EXCEEDED`` "TotalRequests
   Limit exceeded." past the allocation, no ``Retry-After`` — ``SalesforceApp.handle``,
   ``limits.Limits``.
19. ``GET limits/`` with ``DailyApiRequests`` and ``DailyBulkApiBatches`` — ``limits.describe``.
20. 18-character ids with key prefixes and the case checksum — ``ids.py``.

Choices where the reference is silent or [?] (the module named holds the detail): unknown
External-ID parent → ``INVALID_CROSS_REFERENCE_KEY`` with the real "Foreign key external ID …
not found" wording (``rules.py``); polymorphic parents need ``attributes.type``; Account
delete also cascades to Opportunities, Events and note links, other lookups are cleared and
restored by undelete; recycled rows free their unique values and upsert never matches them;
purge after 15 days (``recycle.py``); inserting a ``User`` is ``LICENSE_LIMIT_EXCEEDED``,
deleting one ``INVALID_TYPE_FOR_OPERATION``; ContentNote creates a link to its owner, its
``Content`` must be valid base64, ``ContentDocumentLink`` is unique per (document, entity)
(``DUPLICATE_VALUE`` "Document with ID … is already linked …") and SOQL on it needs a
``ContentDocumentId``/``LinkedEntityId`` filter (``query.py``); Product2.Family starts with no
values (``standard.py``); Collections edge cases (``collections.py``); SOQL choices
(``query.py``); counting and allocations (``limits.py``); token answers and session timeout
(``oauth.py``); value formats (``values.py``). The version list (``GET /services/data/``)
needs no token and is not counted, as on an org; versions 50.0-67.0 are served.

Injected faults (``--p500 --p-slow --p-drop-after-commit --p-truncate``, ``--fault-seed``):
after authentication and counting, a 500 ``UNKNOWN_EXCEPTION`` (or, one time in three, 503
``SERVER_UNAVAILABLE``; a SOAP fault on SOAP routes) is answered before any work; a slow
answer is delayed before the work; *dropped after commit* closes the connection without an
answer after a successful write; *truncated* cuts a successful answer's body in half.
Salesforce never answers 429, so there is no 429 fault.

Test hooks (no token, never counted): ``GET /_sandbox/snapshot`` (every record, live and
recycled, and the schema, in a stable order), ``GET /_sandbox/clock``, ``POST
/_sandbox/clock/advance?hours=H``, plus httpbase's request log.

Not implemented (404 ``NOT_FOUND``): ``/composite`` (plain and graph), Tooling, search,
Bulk 1.0, SOAP data calls other than what ``metadata.py`` serves.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from sandbox.httpbase import Request, Response, key_fingerprint
from sandbox.salesforce.bulk import BulkApi
from sandbox.salesforce.collections import Collections
from sandbox.salesforce.errors import SfError, not_found
from sandbox.salesforce.metadata import MetadataApi
from sandbox.salesforce.oauth import TOKEN_PATH, token_endpoint
from sandbox.salesforce.org import Org
from sandbox.salesforce.records import public
from sandbox.salesforce.rest import RestApi

MIN_VERSION, MAX_VERSION = 50, 67
VERSION = re.compile(r"^v(\d+)\.0$")
SESSION_ID = re.compile(rb"<(?:\w+:)?sessionId>\s*([^<\s]+)\s*</(?:\w+:)?sessionId>")
SEASONS = ("Winter", "Spring", "Summer")


def versions() -> list[dict[str, str]]:
    out = []
    for number in range(MIN_VERSION, MAX_VERSION + 1):
        index = number - MIN_VERSION
        label = f"{SEASONS[index % 3]} '{21 + index // 3}"
        out.append({"label": label, "url": f"/services/data/v{number}.0",
                    "version": f"{number}.0"})
    return out


def soap_fault(code: str, message: str) -> Response:
    body = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.'
            f'sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode>'
            f'<faultstring>{code}: {message}</faultstring></soapenv:Fault></soapenv:Body>'
            '</soapenv:Envelope>')
    return Response(500, body.encode(), content_type="text/xml; charset=utf-8")


class SalesforceApp:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.rest = RestApi(org)
        self.collections = Collections(org)
        self.bulk = BulkApi(org)
        self.metadata = MetadataApi(org)

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_sandbox/"):
            return self._sandbox(request)
        if path == TOKEN_PATH:
            return token_endpoint(self.org, request)
        if path.rstrip("/") == "/services/data" and request.method == "GET":
            return Response(200, versions())
        soap = path.startswith("/services/Soap/")
        if not soap and not path.startswith("/services/data/"):
            return _error(not_found())
        token = self._token(request, soap)
        key = key_fingerprint(token)
        if not self.org.session_valid(token):
            if soap:
                return soap_fault("INVALID_SESSION_ID", "Invalid Session ID found in "
                                  "SessionHeader: Illegal Session")
            return _error(SfError(401, "INVALID_SESSION_ID", "Session expired or invalid"), key)
        limits = self.org.limits
        if not limits.spend_request():
            response = _error(SfError(403, "REQUEST_LIMIT_EXCEEDED",
                                      "TotalRequests Limit exceeded."), key)
            response.headers["Sforce-Limit-Info"] = limits.header()
            return response
        response = self._faulty_or_routed(request, soap)
        response.key = key
        response.headers["Sforce-Limit-Info"] = limits.header()
        return response

    def _token(self, request: Request, soap: bool) -> str:
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip()
        if header[:6].lower() == "oauth ":
            return header[6:].strip()
        if soap:
            found = SESSION_ID.search(request.body)
            return found.group(1).decode("utf-8", "replace") if found else ""
        return ""

    def _faulty_or_routed(self, request: Request, soap: bool) -> Response:
        faults = self.org.faults
        if faults.roll(faults.p500):
            if faults.roll(1 / 3):
                error = SfError(503, "SERVER_UNAVAILABLE",
                                "Server temporarily unavailable. Please retry later.")
            else:
                error_id = f"{self.org.rng.randrange(10**9):09d}-{self.org.rng.randrange(10**5)}"
                error = SfError(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please "
                                "include this ErrorId if you contact support: "
                                f"{error_id} (-{self.org.rng.randrange(10**9)})")
            if soap:
                fault = soap_fault(error.code, error.message)
                fault.status = error.status
                return fault
            return _error(error)
        slow = faults.maybe_sleep()
        with self.org.lock:
            try:
                response = self.metadata.handle(request) if soap else self._route(request)
            except SfError as exc:
                response = _error(exc)
        response.slow = slow
        faults.spoil(response, request.method)
        return response

    def _route(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/")[3:] if p]
        found = VERSION.match(parts[0]) if parts else None
        if found is None or not MIN_VERSION <= int(found.group(1)) <= MAX_VERSION:
            raise not_found()
        version, rest = f"{found.group(1)}.0", parts[1:]
        if rest and rest[0] == "jobs":
            return self.bulk.handle(request)
        if rest and rest[0] == "composite":
            return self.collections.route(request, version, rest[1:])
        return self.rest.route(request, version, rest)

    # -- test hooks ----------------------------------------------------------------------------

    def _sandbox(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/_sandbox/snapshot" and method == "GET":
            return Response(200, self.snapshot())
        if path == "/_sandbox/clock" and method == "GET":
            return Response(200, {"now": self.org.now().isoformat()})
        if path == "/_sandbox/clock/advance" and method == "POST":
            try:
                hours = float(request.param("hours") or "")
            except ValueError:
                return Response(400, {"error": "hours must be a number"})
            return Response(200, {"now": self.org.advance_clock(hours).isoformat()})
        return Response(404, {"error": f"no sandbox route {method} {path}"})

    def snapshot(self) -> dict[str, Any]:
        with self.org.lock:
            schema = {name: obj.to_doc() for name, obj in sorted(self.org.schema.objects.items())}
            records = {table: [public(r) for _, r in sorted(rows.items())]
                       for table, rows in sorted(self.org.store.rows.items()) if rows}
            used, limit = self.org.limits.api_usage()
            return {"schema": schema, "records": records,
                    "api_usage": {"used": used, "max": limit},
                    "now": self.org.now().isoformat()}

    def close(self) -> None:
        self.org.close()
        print("salesforce stand-in stopped", file=sys.stderr)


def _error(exc: SfError, key: str = "-") -> Response:
    return Response(exc.status, exc.body(), key=key)
