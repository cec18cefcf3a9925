"""REST resources under ``/services/data/vNN.0/`` (destinations.md §1.2-1.3, destinations-2.md
§1.12 rules 2-5): ``limits/``, ``sobjects/`` (list, describe, create, read, update, delete,
upsert by External ID), ``query``/``queryAll``; ``composite/sobjects`` lives in
``collections.py``.

Single-record answers as on an org: create 201 ``{"id","success":true,"errors":[]}``;
update and delete 204 with no body; upsert 201 ``created:true`` / 200 ``created:false`` /
300 with the matching records' URLs / 404 with ``updateOnly=true`` when nothing matches;
refusals are 400 with the JSON array ``[{"message","errorCode","fields"}]`` of every error of
the row. Choices: reading or deleting a recycled record is 404 ``ENTITY_IS_DELETED``; a path
segment that is not a well-formed id is read as an External ID field name (so
``sobjects/Account/xyz`` is 404 "Provided external ID field does not exist or is not
accessible: xyz", as an org answers); an upsert body may repeat the URL's External ID value
but not contradict it.
"""

from __future__ import annotations

import base64
from typing import Any

from sandbox.httpbase import Request, Response
from sandbox.salesforce import ids
from sandbox.salesforce.describe import global_describe, object_describe, object_summary
from sandbox.salesforce.errors import Outcome, SfError, not_found
from sandbox.salesforce.org import Org
from sandbox.salesforce.query import QueryService
from sandbox.salesforce.records import Engine, public
from sandbox.salesforce.schema import ObjectDef

Row = dict[str, Any]
DEFAULT_BATCH, MIN_BATCH = 2000, 200


def json_body(request: Request) -> Any:
    try:
        return request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise SfError(400, "JSON_PARSER_ERROR", f"Unexpected character in JSON body: {exc}") \
            from None


def object_body(request: Request) -> Row:
    body = json_body(request)
    if not isinstance(body, dict):
        raise SfError(400, "JSON_PARSER_ERROR",
                      "Cannot deserialize instance of sObject from a non-object JSON value")
    return body


def method_not_allowed(method: str, allowed: str) -> SfError:
    return SfError(405, "METHOD_NOT_ALLOWED",
                   f"HTTP Method '{method}' not allowed. Allowed are {allowed}")


def row_errors(outcome: Outcome) -> list[Row]:
    return [{"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}
            for e in outcome.errors]


class RestApi:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.engine = org.engine
        self.query = QueryService(org)

    def route(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        if not parts:
            base = f"/services/data/v{version}"
            return Response(200, {name: f"{base}/{name}" for name in (
                "sobjects", "query", "queryAll", "limits", "composite", "jobs")})
        head, rest = parts[0], parts[1:]
        if head == "limits" and not rest:
            if method != "GET":
                raise method_not_allowed(method, "GET")
            return Response(200, self.org.limits.describe())
        if head in ("query", "queryAll") and len(rest) <= 1:
            if method != "GET":
                raise method_not_allowed(method, "GET")
            if rest:
                return self._page(self.query.more(rest[0], version))
            soql = request.param("q")
            if soql is None:
                raise SfError(400, "MALFORMED_QUERY", "A query string has to be specified")
            return self._page(self.query.run(soql, head == "queryAll", version,
                                             _batch_size(request)))
        if head == "sobjects":
            return self._sobjects(request, version, rest)
        raise not_found()

    def _page(self, page: Row) -> Response:
        return Response(200, page, records=len(page["records"]))

    def _sobjects(self, request: Request, version: str, rest: list[str]) -> Response:
        method = request.method
        if not rest:
            if method != "GET":
                raise method_not_allowed(method, "GET,HEAD")
            return Response(200, global_describe(self.engine, version))
        obj = self.schema_object(rest[0])
        if len(rest) == 1:
            if method == "GET":
                return Response(200, {"objectDescribe": object_summary(self.engine, obj, version),
                                      "recentItems": []})
            if method == "POST":
                return self._create(obj, object_body(request))
            raise method_not_allowed(method, "GET,HEAD,POST")
        if len(rest) == 2 and rest[1] == "describe":
            if method != "GET":
                raise method_not_allowed(method, "GET,HEAD")
            return Response(200, object_describe(self.engine, obj, version))
        if len(rest) == 2:
            rid = ids.normalize(rest[1])
            if rid is None:
                self.engine.upsert_field(obj.name, rest[1])  # raises the real 404 wording
                raise not_found()
            return self._by_id(request, obj, rid, version)
        if len(rest) == 3:
            rid = ids.normalize(rest[1])
            if rid is not None and obj.field_named(rest[2]) is not None \
                    and obj.field_named(rest[2]).type == "base64":
                return self._blob(obj, rid, rest[2])
            return self._by_external(request, obj, rest[1], rest[2], version)
        raise not_found()

    def schema_object(self, name: str) -> ObjectDef:
        obj = self.engine.find(name)
        if obj is None:
            raise not_found()
        return obj

    # -- single records --------------------------------------------------------------------------

    def _create(self, obj: ObjectDef, body: Row) -> Response:
        outcome = self.engine.save(obj.name, [body], "insert")[0]
        if not outcome.success:
            return Response(400, row_errors(outcome))
        return Response(201, {"id": outcome.id, "success": True, "errors": []}, records=1)

    def _by_id(self, request: Request, obj: ObjectDef, rid: str, version: str) -> Response:
        method = request.method
        with self.org.lock:
            row = self.engine.get(obj.name, rid)
            if row is None:
                raise not_found()
            if row.get("IsDeleted"):
                raise SfError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
            if method == "GET":
                fields = request.param("fields")
                return Response(200, render_record(self.engine, obj, row, version, fields),
                                records=1)
            if method == "PATCH":
                body = object_body(request)
                sent = next((v for k, v in body.items() if k.lower() == "id"), None)
                if sent is not None and ids.normalize(sent) != rid:
                    raise SfError(400, "INVALID_ID_FIELD",
                                  f"The Id in the body ({sent}) does not match the URL's ({rid})")
                body = {k: v for k, v in body.items() if k.lower() != "id"}
                outcome = self.engine.save(obj.name, [{**body, "Id": rid}], "update")[0]
                if not outcome.success:
                    return Response(400, row_errors(outcome))
                return Response(204, None, records=1)
            if method == "DELETE":
                outcome = self.engine.save(obj.name, [{"Id": rid}], "delete")[0]
                if not outcome.success:
                    return Response(400, row_errors(outcome))
                return Response(204, None, records=1)
        raise method_not_allowed(method, "GET,HEAD,PATCH,DELETE")

    def _by_external(self, request: Request, obj: ObjectDef, field_name: str, value: str,
                     version: str) -> Response:
        method = request.method
        with self.org.lock:
            key = self.engine.upsert_field(obj.name, field_name)
            matches = self.engine.find_external(obj.name, key.name, value)
            if len(matches) > 1:
                urls = [f"/services/data/v{version}/sobjects/{obj.name}/{m}" for m in matches]
                return Response(300, urls)
            if method == "GET":
                if not matches:
                    raise not_found()
                row = self.engine.tables[obj.table][matches[0]]
                fields = request.param("fields")
                return Response(200, render_record(self.engine, obj, row, version, fields),
                                records=1)
            if method == "DELETE":
                if not matches:
                    raise not_found()
                outcome = self.engine.save(obj.name, [{"Id": matches[0]}], "delete")[0]
                return Response(204 if outcome.success else 400,
                                None if outcome.success else row_errors(outcome))
            if method not in ("PATCH", "POST"):
                raise method_not_allowed(method, "GET,HEAD,PATCH,DELETE")
            body = object_body(request)
            sent = next((v for k, v in body.items() if k.lower() == key.name.lower()), None)
            if sent is not None and str(sent) != value:
                raise SfError(400, "INVALID_FIELD", f"The value of the External ID field "
                              f"{key.name} in the body ({sent}) contradicts the URL ({value})",
                              [key.name])
            if request.param("updateOnly") == "true" and not matches:
                raise not_found()
            row = {k: v for k, v in body.items() if k.lower() != key.name.lower()}
            row[key.name] = value
            outcome = self.engine.save(obj.name, [row], "upsert", key.name)[0]
            if not outcome.success:
                return Response(400, row_errors(outcome))
            return Response(201 if outcome.created else 200,
                            {"id": outcome.id, "success": True, "errors": [],
                             "created": outcome.created}, records=1)

    def _blob(self, obj: ObjectDef, rid: str, field_name: str) -> Response:
        row = self.engine.get(obj.name, rid)
        if row is None or row.get("IsDeleted"):
            raise not_found()
        fdef = obj.field_named(field_name)
        data = base64.b64decode(row.get(fdef.name) or "") if fdef is not None else b""
        return Response(200, data, content_type="application/octet-stream", records=1)


def render_record(engine: Engine, obj: ObjectDef, row: Row, version: str,
                  fields: str | None) -> Row:
    """One record as ``GET sobjects/{Obj}/{id}`` answers it (``fields=`` narrows it)."""
    visible = engine.visible_fields(obj.name)
    names = list(visible)
    if fields:
        names = []
        for name in (n.strip() for n in fields.split(",") if n.strip()):
            fdef = engine.visible_field(obj, name)
            if fdef is None:
                raise SfError(400, "INVALID_FIELD",
                              f"No such column '{name}' on entity '{obj.name}'")
            names.append(fdef.name)
    data = public(row)
    out: Row = {"attributes": {"type": obj.name,
                               "url": f"/services/data/v{version}/sobjects/{obj.name}/"
                                      f"{row['Id']}"}}
    for name in names:
        value = data.get(name)
        if visible[name].type == "base64" and value is not None:
            value = f"/services/data/v{version}/sobjects/{obj.name}/{row['Id']}/{name}"
        out[name] = value
    return out


def _batch_size(request: Request) -> int:
    options = request.headers.get("sforce-query-options", "")
    for part in options.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(DEFAULT_BATCH, int(value)))
    return DEFAULT_BATCH

