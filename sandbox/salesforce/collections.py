"""sObject Collections: ``composite/sobjects`` (destinations.md §1.3, destinations-2.md §1.12
rules 6 and 8).

What a loader relies on: up to 200 records a call; HTTP 200 even when rows fail, one result
per record *in input order*; ``allOrNone`` makes the call atomic (the failed rows keep their
errors, the others say ``ALL_OR_NONE_OPERATION_ROLLED_BACK``); create takes mixed object types
(each record names its ``attributes.type``); upsert (``PATCH composite/sobjects/{Obj}/
{ExtField}``) takes one type, refuses records carrying ``Id`` and fails *every* record whose
External ID value occurs twice in the call (``Duplicate external id specified``).

Choices where the reference is silent (§1.12 rule 8 marks the code [?]): more than 200
records or ids is 400 ``EXCEEDED_ID_LIMIT`` "record limit reached. cannot submit more than 200
records into this call" (the SOAP API's code for the same limit); a record without
``attributes.type``, of an unknown type, of another type than an upsert's URL, or naming a
field the integration user cannot see fails the *whole request* with 400 (``INVALID_TYPE`` /
``INVALID_FIELD``), because an org refuses the JSON before it looks at any record.
"""

from __future__ import annotations

from typing import Any

from sandbox.httpbase import Request, Response
from sandbox.salesforce import ids
from sandbox.salesforce.errors import Outcome, SfError, no_such_column, not_found
from sandbox.salesforce.org import Org
from sandbox.salesforce.rest import method_not_allowed, object_body, render_record

Row = dict[str, Any]
MAX_RECORDS = 200


def too_many() -> SfError:
    return SfError(400, "EXCEEDED_ID_LIMIT",
                   f"record limit reached. cannot submit more than {MAX_RECORDS} records into "
                   "this call")


def result(outcome: Outcome, upsert: bool = False) -> Row:
    out: Row = {}
    if outcome.id is not None:
        out["id"] = outcome.id
    out["success"] = outcome.success
    out["errors"] = outcome.errors
    if upsert and outcome.success:
        out["created"] = outcome.created
    return out


class Collections:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.engine = org.engine

    def route(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        if parts == ["sobjects"]:
            if method == "POST":
                return self._write(request, "insert")
            if method == "PATCH":
                return self._write(request, "update")
            if method == "DELETE":
                return self._delete(request)
            raise method_not_allowed(method, "POST,PATCH,DELETE")
        if len(parts) == 2 and parts[0] == "sobjects" and method == "GET":
            return self._retrieve(request, parts[1], version)
        if len(parts) == 3 and parts[0] == "sobjects":
            if method != "PATCH":
                raise method_not_allowed(method, "PATCH")
            return self._write(request, "upsert", parts[1], parts[2])
        raise not_found()

    def _records(self, request: Request) -> tuple[list[Row], bool]:
        body = object_body(request)
        records = body.get("records")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise SfError(400, "JSON_PARSER_ERROR", "records must be a JSON array of objects")
        if len(records) > MAX_RECORDS:
            raise too_many()
        return records, bool(body.get("allOrNone", False))

    def _typed(self, record: Row, expected: str | None) -> str:
        attributes = record.get("attributes")
        name = attributes.get("type") if isinstance(attributes, dict) else None
        if not isinstance(name, str) or not name:
            raise SfError(400, "INVALID_TYPE", "Must send a concrete entity type.")
        obj = self.engine.find(name)
        if obj is None or (expected is not None and obj.name != expected):
            raise SfError(400, "INVALID_TYPE", f"Invalid type: {name}" if obj else
                          f"sObject type '{name}' is not supported.")
        for key, value in record.items():
            if key == "attributes" or key.lower() == "id":
                continue
            if self.engine.visible_field(obj, key) is not None:
                continue
            rel = obj.relationship(key)
            if rel is None or not (value is None or isinstance(value, dict)) \
                    or self.engine.visible_field(obj, rel.name) is None:
                raise SfError(400, "INVALID_FIELD", no_such_column(key, obj.name))
        return obj.name

    def _write(self, request: Request, operation: str, sobject: str | None = None,
               external_field: str | None = None) -> Response:
        with self.org.lock:
            expected = None
            if sobject is not None:
                obj = self.engine.find(sobject)
                if obj is None:
                    raise not_found()
                expected = obj.name
                self.engine.upsert_field(obj.name, external_field or "")
            records, all_or_none = self._records(request)
            items = [(self._typed(r, expected), r) for r in records]
            outcomes = self.engine.save_mixed(items, operation, external_field, all_or_none)
        body = [result(o, upsert=operation == "upsert") for o in outcomes]
        return Response(200, body, records=sum(o.success for o in outcomes))

    def _delete(self, request: Request) -> Response:
        raw = [i for i in (request.param("ids") or "").split(",") if i]
        if not raw:
            raise SfError(400, "MISSING_ARGUMENT", "ids parameter is required")
        if len(raw) > MAX_RECORDS:
            raise too_many()
        all_or_none = (request.param("allOrNone") or "false").lower() == "true"
        items = [("", {"Id": i}) for i in raw]
        outcomes = self.engine.save_mixed(items, "delete", None, all_or_none)
        for outcome, rid in zip(outcomes, raw, strict=True):
            if outcome.id is None and not outcome.success:
                outcome.id = ids.normalize(rid) or rid
        return Response(200, [result(o) for o in outcomes],
                        records=sum(o.success for o in outcomes))

    def _retrieve(self, request: Request, sobject: str, version: str) -> Response:
        obj = self.engine.find(sobject)
        if obj is None:
            raise not_found()
        raw = [i for i in (request.param("ids") or "").split(",") if i]
        fields = request.param("fields")
        if not raw or not fields:
            raise SfError(400, "MISSING_ARGUMENT", "ids and fields parameters are required")
        if len(raw) > 2000:
            raise too_many()
        out: list[Row | None] = []
        for rid in raw:
            row = self.engine.get(obj.name, rid)
            live = row is not None and not row.get("IsDeleted")
            out.append(render_record(self.engine, obj, row, version, fields) if live else None)
        return Response(200, out, records=sum(r is not None for r in out))

