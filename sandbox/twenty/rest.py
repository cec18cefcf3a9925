"""Core REST record endpoints under ``/rest`` with Twenty's envelopes (reference §3)."""

from __future__ import annotations

from typing import Any

from sandbox.httpbase import Request, Response
from sandbox.twenty.errors import FORBIDDEN, ApiError, bad_request, not_found
from sandbox.twenty.query import (
    cursor_index,
    encode_cursor,
    parse_depth,
    parse_filter,
    parse_limit,
    parse_order,
    sort_rows,
)
from sandbox.twenty.records import Records
from sandbox.twenty.rewrites import is_valid_uuid
from sandbox.twenty.schema import ObjectDef

Row = dict[str, Any]
READ_ONLY_OBJECTS = {"workspaceMember"}


def cap(name: str) -> str:
    return name[:1].upper() + name[1:]


class RestApi:
    def __init__(self, records: Records, generation: str, batch_cap: int) -> None:
        self.records = records
        self.generation = generation
        self.batch_cap = batch_cap
        # (object, filter, order) -> (ordered rows, id -> index), valid for one store version.
        # Paging through N rows used to filter and sort all N on every page (quadratic: a
        # 1.1M-row object took seconds per page); a real Twenty walks an index instead.
        self._ordered: dict[tuple[Any, ...], tuple[list[Row], dict[str, int]]] = {}
        self._ordered_version = -1

    def route(self, request: Request, parts: list[str]) -> Response:
        """``parts`` is the path after ``/rest/`` split on ``/``."""
        method = "PATCH" if request.method == "PUT" else request.method
        schema = self.records.schema
        if parts[0] == "batch" and len(parts) == 2 and method == "POST":
            obj = self._writable(schema.resolve(parts[1]))
            return self.create(obj, request, batch=True)
        obj = schema.resolve(parts[0])
        rest = parts[1:]
        if not rest:
            handler = {"GET": self.find_many, "POST": self.create_one,
                       "DELETE": self.delete_many, "PATCH": self.update_many}.get(method)
        elif rest == ["restore"] and method == "PATCH":
            handler = self.restore_many
        elif len(rest) == 1:
            handler = {"GET": self.find_one, "PATCH": self.update_one,
                       "DELETE": self.delete_one}.get(method)
        elif len(rest) == 2 and rest[1] == "restore" and method == "PATCH":
            handler = self.restore_one
        else:
            handler = None
        if handler is None:
            raise ApiError(404, f"Cannot {request.method} {request.path}", "Not Found")
        if method != "GET":
            self._writable(obj)
        if rest and handler != self.restore_many and not is_valid_uuid(rest[0]):
            # Rule 7 (parse-core-path.utils.ts): a non-UUID path id is a 400, never a 404.
            raise bad_request(f"'{rest[0]}' is not a valid UUID")
        return handler(obj, request, rest[0] if rest else None)

    def _writable(self, obj: ObjectDef) -> ObjectDef:
        if obj.singular in READ_ONLY_OBJECTS:
            raise ApiError(403, FORBIDDEN)
        return obj

    # -- reads ----------------------------------------------------------------------------

    def _select(self, obj: ObjectDef, request: Request, require_filter: bool = False,
                ) -> list[Row]:
        text = request.param("filter")
        if require_filter and not text:
            raise bad_request("A filter is required for this bulk operation")
        predicate, paths = parse_filter(text, obj)
        with_deleted = "deletedAt" in paths
        return [r for r in self.records.store.table(obj.id).values()
                if (with_deleted or r["deletedAt"] is None)
                and (predicate is None or predicate(r))]

    def _project(self, obj: ObjectDef, request: Request, rows: list[Row], depth: int) -> list[Row]:
        if depth:
            rows = self._expand(obj, rows)
        wanted = request.param("fields") if self.generation == "v2" else None
        if wanted:
            names = [n for n in wanted.split(",") if n]
            known = set(obj.fields) | {r.column for r in obj.many_to_one}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise bad_request(
                    f"'fields' parameter invalid. Unknown field(s): {', '.join(unknown)}")
            keep = {"id", *names}
            rows = [{k: v for k, v in r.items() if k in keep} for r in rows]
        return rows

    def _expand(self, obj: ObjectDef, rows: list[Row]) -> list[Row]:
        store, schema = self.records.store, self.records.schema
        children: dict[str, dict[str, list[Row]]] = {}
        for name, child_id, column in obj.one_to_many:
            index: dict[str, list[Row]] = {}
            for child in store.table(child_id).values():
                if child.get(column) is not None and child["deletedAt"] is None:
                    index.setdefault(child[column], []).append(child)
            children[name] = index
        out = []
        for row in rows:
            item = dict(row)
            for rel in obj.many_to_one:
                target = store.table(rel.target).get(row.get(rel.column) or "")
                live = target is not None and target["deletedAt"] is None
                item[rel.field] = target if live and rel.target in schema.active else None
            for name, index in children.items():
                item[name] = index.get(row["id"], [])
            out.append(item)
        return out

    def find_many(self, obj: ObjectDef, request: Request, _: str | None) -> Response:
        limit = parse_limit(request.param("limit"), self.batch_cap)
        depth = parse_depth(request.param("depth"))
        specs = parse_order(request.param("order_by"), obj)
        rows, positions = self._ordered_rows(obj, request, specs)
        after, before = request.param("starting_after"), request.param("ending_before")
        if after is not None and before is not None:
            raise bad_request("starting_after and ending_before cannot be used together")
        start, end = 0, len(rows)
        if after is not None:
            start = int(cursor_index(rows, after, specs, positions) // 1) + 1
            end = min(len(rows), start + limit)
        elif before is not None:
            end = -int(-cursor_index(rows, before, specs, positions) // 1)
            start = max(0, end - limit)
        else:
            end = min(len(rows), limit)
        page = rows[start:end]
        info: Row = {"hasNextPage": end < len(rows)}
        if self.generation == "v2" or before is not None:
            info["hasPreviousPage"] = start > 0
        info["startCursor"] = encode_cursor(page[0], specs) if page else None
        info["endCursor"] = encode_cursor(page[-1], specs) if page else None
        body = {"data": {obj.plural: self._project(obj, request, page, depth)},
                "totalCount": len(rows), "pageInfo": info}
        return Response(200, body, records=len(page))

    def _ordered_rows(self, obj: ObjectDef, request: Request, specs: list[tuple[str, bool, bool]]
                      ) -> tuple[list[Row], dict[str, int]]:
        """The filtered rows in list order and each id's index, cached until the next write."""
        if self._ordered_version != self.records.store.version:
            self._ordered, self._ordered_version = {}, self.records.store.version
        key = (obj.id, request.param("filter"), tuple(specs))
        if key not in self._ordered:
            rows = sort_rows(self._select(obj, request), specs)
            self._ordered[key] = (rows, {r["id"]: i for i, r in enumerate(rows)})
        return self._ordered[key]

    def find_one(self, obj: ObjectDef, request: Request, rid: str | None) -> Response:
        depth = parse_depth(request.param("depth"))
        row = self.records.live_row(obj, rid or "")
        return Response(200, {"data": {obj.singular: self._project(obj, request, [row], depth)[0]}},
                        records=1)

    # -- writes ---------------------------------------------------------------------------

    def create_one(self, obj: ObjectDef, request: Request, _: str | None) -> Response:
        return self.create(obj, request, batch=False)

    def create(self, obj: ObjectDef, request: Request, batch: bool) -> Response:
        body = _json(request)
        upsert = request.param("upsert") == "true"
        if batch:
            if not isinstance(body, list):
                raise bad_request("Body must be an array")
            if not body:
                raise bad_request("Input must not be empty")
            if len(body) > self.batch_cap:
                raise bad_request(f"Maximum number of records to upsert is {self.batch_cap}.")
            rows = self.records.create_many(obj, body, upsert)
            # The rows were just serialised for SQLite; reuse that text for the response.
            payload = ",".join(self.records.last_dumps)
            text = f'{{"data":{{"create{cap(obj.plural)}":[{payload}]}}}}'
            return Response(201, text.encode("utf-8"), records=len(rows))
        if not isinstance(body, dict):
            raise bad_request("Body must be a JSON object")
        rows = self.records.create_many(obj, [body], upsert)
        return Response(201, {"data": {f"create{cap(obj.singular)}": rows[0]}}, records=1)

    def update_one(self, obj: ObjectDef, request: Request, rid: str | None) -> Response:
        row = self.records.live_row(obj, rid or "")
        out = self.records.update_rows(obj, [row], _json(request))
        return Response(200, {"data": {f"update{cap(obj.singular)}": out[0]}}, records=1)

    def update_many(self, obj: ObjectDef, request: Request, _: str | None) -> Response:
        rows = self._select(obj, request, require_filter=True)
        out = self.records.update_rows(obj, rows, _json(request))
        return Response(200, {"data": {f"update{cap(obj.plural)}": out}}, records=len(out))

    def delete_one(self, obj: ObjectDef, request: Request, rid: str | None) -> Response:
        soft = request.param("soft_delete") == "true"
        if soft:
            row = self.records.live_row(obj, rid or "")
            self.records.soft_delete(obj, [row])
        else:
            row = self.records.store.table(obj.id).get((rid or "").lower())
            if row is None:
                raise not_found()
            self.records.destroy(obj, [row])
        return Response(200, {"data": {f"delete{cap(obj.singular)}": {"id": row["id"]}}},
                        records=1)

    def delete_many(self, obj: ObjectDef, request: Request, _: str | None) -> Response:
        rows = self._select(obj, request, require_filter=True)
        if len(rows) > 100:
            raise bad_request("Cannot delete more than 100 records at once")
        if request.param("soft_delete") == "true":
            self.records.soft_delete(obj, [r for r in rows if r["deletedAt"] is None])
        else:
            self.records.destroy(obj, rows)
        body = {"data": {f"delete{cap(obj.plural)}": [{"id": r["id"]} for r in rows]}}
        return Response(200, body, records=len(rows))

    def restore_one(self, obj: ObjectDef, request: Request, rid: str | None) -> Response:
        row = self.records.store.table(obj.id).get((rid or "").lower())
        if row is None or row["deletedAt"] is None:
            raise not_found()
        out = self.records.restore(obj, [row])
        return Response(200, {"data": {f"restore{cap(obj.singular)}": out[0]}}, records=1)

    def restore_many(self, obj: ObjectDef, request: Request, _: str | None) -> Response:
        text = request.param("filter")
        if not text:
            raise bad_request("A filter is required for this bulk operation")
        predicate, _paths = parse_filter(text, obj)
        rows = [r for r in self.records.store.table(obj.id).values()
                if r["deletedAt"] is not None and (predicate is None or predicate(r))]
        if len(rows) > 100:
            raise bad_request("Cannot restore more than 100 records at once")
        out = self.records.restore(obj, rows)
        return Response(200, {"data": {f"restore{cap(obj.plural)}": out}}, records=len(out))


def _json(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        raise bad_request("Body is not valid JSON") from None
