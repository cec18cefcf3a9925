"""``/query`` and ``/queryAll``: SOQL evaluated over the record store (destinations-2.md §1.7).

What a loader relies on and a real org does: ≤ 2,000 records a page with ``done``,
``totalSize`` and ``nextRecordsUrl`` (``/services/data/vNN.0/query/<locator>-<offset>``);
``queryAll`` also returns recycled rows (``IsDeleted = true``); every record carries
``attributes {type, url}`` and parents come nested under their relationship name; fields the
integration user cannot see are ``INVALID_FIELD`` (rule 15) exactly like misspelt ones.

SOQL semantics kept (they differ from SQL): string ``=``/``LIKE``/``IN`` ignore case; ``!=``
and ``NOT IN`` also match nulls; ids compare in their 18-character form (a 15-character id in
a filter matches); a filter value of the wrong type (a quoted date, an unquoted string) is
``INVALID_FIELD``, a malformed id ``INVALID_QUERY_FILTER_OPERATOR``; ``ContentDocumentLink``
must be filtered on ``ContentDocumentId`` or ``LinkedEntityId`` with ``=`` or ``IN`` at the
top level (the real implementation restriction). Choices: ASC sorts nulls first, DESC last;
without ORDER BY rows come in creation order; ``OFFSET`` > 2000 is refused; a query's result
is fixed when it runs (later pages do not see later writes); at most 10 open locators, the
oldest is released (as on an org), and a locator unused for 15 minutes expires
(``INVALID_QUERY_LOCATOR``); a restart forgets locators.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.salesforce import ids
from sandbox.salesforce.errors import SfError
from sandbox.salesforce.rules import targets
from sandbox.salesforce.schema import TEXT_TYPES, FieldDef, ObjectDef
from sandbox.salesforce.soql import Comparison, Literal, Logic, Query, malformed, parse
from sandbox.salesforce.values import format_datetime, parse_datetime

if TYPE_CHECKING:
    from sandbox.salesforce.org import Org

Row = dict[str, Any]
NUMBERS = {"int", "double", "currency", "percent"}
MAX_OFFSET, MAX_LOCATORS, LOCATOR_MINUTES = 2000, 10, 15
LINK_RESTRICTION = (
    "Implementation restriction: ContentDocumentLink requires a filter by a single Id on "
    "ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using the "
    "IN operator.")


@dataclass
class Path:
    hops: list[FieldDef]  # lookups walked, in order
    leaf: FieldDef


def invalid_field(message: str) -> SfError:
    return SfError(400, "INVALID_FIELD", message)


class QueryService:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.engine = org.engine
        self.locators: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._next_locator = 0

    # -- endpoints ---------------------------------------------------------------------------

    def run(self, soql: str, include_deleted: bool, version: str, batch_size: int) -> Row:
        with self.org.lock:
            query = parse(soql)
            obj = self.engine.object(query.sobject)
            rows = self.select(query, obj, include_deleted)
            if query.fields is None:
                return {"totalSize": len(rows), "done": True, "records": []}
            paths = [self.resolve(obj, p) for p in query.fields]
            names = [".".join([*(h.relationship_name or "" for h in p.hops), p.leaf.name])
                     for p in paths]
            if len(set(n.lower() for n in names)) != len(names):
                raise malformed("duplicate field selected")
            records = [self.render(obj, row, paths, version) for row in rows]
            return self._page(records, 0, batch_size, version, include_deleted)

    def more(self, locator: str, version: str) -> Row:
        with self.org.lock:
            self._expire()
            cursor_id, _, start = locator.rpartition("-")
            cursor = self.locators.get(cursor_id)
            if cursor is None or not start.isdigit():
                raise SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return self._page(cursor["records"], int(start), cursor["size"], version,
                              cursor["all"], cursor_id)

    def _page(self, records: list[Row], start: int, size: int, version: str, all_rows: bool,
              cursor_id: str | None = None) -> Row:
        end = start + size
        page: Row = {"totalSize": len(records), "done": end >= len(records),
                     "records": records[start:end]}
        if not page["done"]:
            if cursor_id is None:
                self._next_locator += 1
                cursor_id = ids.make_id("01g", self._next_locator)[:15]
                self.locators[cursor_id] = {"records": records, "size": size, "all": all_rows}
                while len(self.locators) > MAX_LOCATORS:
                    self.locators.popitem(last=False)
            self.locators[cursor_id]["used"] = self.org.now()
            self.locators.move_to_end(cursor_id)
            kind = "queryAll" if all_rows else "query"
            page["nextRecordsUrl"] = f"/services/data/v{version}/{kind}/{cursor_id}-{end}"
        elif cursor_id is not None:
            self.locators.pop(cursor_id, None)
        return page

    def _expire(self) -> None:
        limit = self.org.now() - timedelta(minutes=LOCATOR_MINUTES)
        for key in [k for k, c in self.locators.items() if c.get("used", limit) < limit]:
            del self.locators[key]

    # -- evaluation ----------------------------------------------------------------------------

    def select(self, query: Query, obj: ObjectDef, include_deleted: bool) -> list[Row]:
        if obj.name == "ContentDocumentLink" and not _link_filtered(query.where):
            raise malformed(LINK_RESTRICTION)
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise SfError(400, "NUMBER_OUTSIDE_VALID_RANGE",
                          f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        keep = self.condition(obj, query.where) if query.where is not None else None
        rows = [r for r in self.engine.rows(obj.name, include_deleted)
                if keep is None or keep(r)]
        rows.sort(key=lambda r: r["Id"])
        for item in reversed(query.order):
            path = self.resolve(obj, item.path)
            if path.leaf.type == "base64":
                raise invalid_field(f"field '{path.leaf.name}' can not be sorted in a query call")
            first, last = (2, 0) if item.descending else (0, 2)
            null_rank = last if item.nulls_last else first

            def key(row: Row, path: Path = path, null_rank: int = null_rank) -> tuple[int, Any]:
                value = _comparable(path.leaf, self.value(row, path))
                return (null_rank, 0) if value is None else (1, value)

            rows.sort(key=key, reverse=item.descending)
        start = query.offset or 0
        end = None if query.limit is None else start + query.limit
        return rows[start:end]

    def resolve(self, obj: ObjectDef, text: str) -> Path:
        parts = text.split(".")
        current, hops = [obj], []
        for rel in parts[:-1]:
            found = [f for o in current if (f := o.relationship(rel)) is not None
                     and self.engine.visible_field(o, f.name) is not None]
            if not found:
                raise invalid_field(
                    f"Didn't understand relationship '{rel}' in field path. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' after "
                    "the custom relationship name. Please reference your WSDL or the describe "
                    "call for the appropriate names.")
            hops.append(found[0])
            current = [self.engine.object(t) for t in targets(self.engine, found[0])]
        leaves = [f for o in current if (f := self.engine.visible_field(o, parts[-1]))]
        if not leaves:
            raise invalid_field(
                f"No such column '{parts[-1]}' on entity '{current[0].name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the custom "
                "field name. Please reference your WSDL or the describe call for the "
                "appropriate names.")
        return Path(hops, leaves[0])

    def parent(self, row: Row | None, hop: FieldDef) -> tuple[ObjectDef, Row] | None:
        pid = row.get(hop.name) if row else None
        owner = self.engine.schema.object_for_id(pid) if pid else None
        found = self.engine.tables.get(owner.table, {}).get(pid) if owner else None
        return (owner, found) if owner is not None and found is not None else None

    def value(self, row: Row, path: Path) -> Any:
        current: Row | None = row
        for hop in path.hops:
            step = self.parent(current, hop)
            current = step[1] if step else None
        return current.get(path.leaf.name) if current else None

    def render(self, obj: ObjectDef, row: Row, paths: list[Path], version: str) -> Row:
        out: Row = {"attributes": _attributes(obj, row["Id"], version)}
        for path in paths:
            container, current, owner = out, row, obj
            for hop in path.hops:
                rel = hop.relationship_name or hop.name
                step = self.parent(current, hop)
                if step is None:
                    container.setdefault(rel, None)
                    break
                owner, current = step
                if not isinstance(container.get(rel), dict):
                    container[rel] = {"attributes": _attributes(owner, current["Id"], version)}
                container = container[rel]
            else:
                leaf = path.leaf
                value = current.get(leaf.name)
                if leaf.type == "base64" and value is not None:
                    value = f"/services/data/v{version}/sobjects/{owner.name}/{current['Id']}/" \
                            f"{leaf.name}"
                container[leaf.name] = value
        return out

    def condition(self, obj: ObjectDef, node: Comparison | Logic) -> Callable[[Row], bool]:
        if isinstance(node, Logic):
            parts = [self.condition(obj, p) for p in node.parts]
            if node.op == "NOT":
                return lambda r: not parts[0](r)
            if node.op == "AND":
                return lambda r: all(p(r) for p in parts)
            return lambda r: any(p(r) for p in parts)
        path = self.resolve(obj, node.path)
        leaf = path.leaf
        if leaf.type == "base64":
            raise invalid_field(f"field '{leaf.name}' can not be filtered in a query call")
        get = self.value
        if node.op in ("IN", "NOT IN"):
            assert isinstance(node.value, list)
            wanted = {_literal(leaf, lit, node.op) for lit in node.value}
            inside = node.op == "IN"
            return lambda r: (_comparable(leaf, get(r, path)) in wanted) == inside
        assert isinstance(node.value, Literal)
        lit = node.value
        if lit.kind == "null":
            if node.op not in ("=", "!="):
                raise malformed(f"invalid operator {node.op} with null")
            return lambda r: (get(r, path) is None) == (node.op == "=")
        if node.op == "LIKE":
            if leaf.type not in TEXT_TYPES or lit.kind != "string":
                raise invalid_field(f"invalid operator on field '{leaf.name}': LIKE")
            pattern = _like(lit.value)
            return lambda r: isinstance(v := get(r, path), str) and bool(pattern.fullmatch(v))
        if leaf.type == "boolean" and node.op not in ("=", "!="):
            raise invalid_field(f"invalid operator on boolean field '{leaf.name}': {node.op}")
        if lit.kind == "dateword":
            low, high = _date_range(leaf, lit.value, self.org.now())
            return _range_test(node.op, low, high, lambda r: _comparable(leaf, get(r, path)))
        target = _literal(leaf, lit, node.op)
        return _compare(node.op, target, lambda r: _comparable(leaf, get(r, path)))


def _attributes(obj: ObjectDef, rid: str, version: str) -> Row:
    return {"type": obj.name, "url": f"/services/data/v{version}/sobjects/{obj.name}/{rid}"}


def _link_filtered(node: Comparison | Logic | None) -> bool:
    if isinstance(node, Comparison):
        return (node.path.lower() in ("contentdocumentid", "linkedentityid")
                and node.op in ("=", "IN"))
    if isinstance(node, Logic) and node.op == "AND":
        return any(_link_filtered(p) for p in node.parts)
    return False


def _comparable(leaf: FieldDef, value: Any) -> Any:
    if isinstance(value, str) and leaf.type in TEXT_TYPES:
        return value.casefold()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _type_error(leaf: FieldDef, kind: str, quoted: bool) -> SfError:
    how = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
    return invalid_field(f"value of filter criterion for field '{leaf.name}' must be of type "
                         f"{kind} and {how}")


def _literal(leaf: FieldDef, lit: Literal, op: str) -> Any:
    kind = leaf.type
    if lit.kind == "null":
        return None
    if kind in ("id", "reference"):
        canonical = ids.normalize(lit.value) if lit.kind == "string" else None
        if canonical is None:
            raise SfError(400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {lit.value}")
        return canonical
    if kind in TEXT_TYPES:
        if lit.kind != "string":
            raise _type_error(leaf, "string", True)
        return lit.value.replace("\\%", "%").replace("\\_", "_").casefold()
    if kind == "boolean":
        if lit.kind != "boolean":
            raise _type_error(leaf, "boolean", False)
        return lit.value
    if kind in NUMBERS:
        if lit.kind != "number":
            raise _type_error(leaf, "double" if kind != "int" else "int", False)
        return float(lit.value)
    if kind == "date":
        if lit.kind != "date":
            raise _type_error(leaf, "date", False)
        return lit.value
    if kind == "datetime":
        moment = parse_datetime(lit.value) if lit.kind == "datetime" else None
        if moment is None:
            raise _type_error(leaf, "dateTime", False)
        return format_datetime(moment)
    raise invalid_field(f"field '{leaf.name}' can not be filtered with {op}")


def _compare(op: str, target: Any, get: Callable[[Row], Any]) -> Callable[[Row], bool]:
    if op == "=":
        return lambda r: get(r) == target
    if op == "!=":
        return lambda r: get(r) != target

    def ordered(row: Row) -> bool:
        value = get(row)
        if value is None:
            return False
        return {"<": value < target, "<=": value <= target, ">": value > target,
                ">=": value >= target}[op]
    return ordered


def _range_test(op: str, low: Any, high: Any, get: Callable[[Row], Any]) -> Callable[[Row], bool]:
    def test(row: Row) -> bool:
        value = get(row)
        if value is None:
            return op == "!="
        inside = low <= value < high
        return {"=": inside, "!=": not inside, "<": value < low, "<=": value < high,
                ">": value >= high, ">=": value >= low}[op]
    return test


def _date_range(leaf: FieldDef, word: str, now: datetime) -> tuple[str, str]:
    """[start, end) of a date literal such as TODAY or LAST_N_DAYS:7, in the field's form."""
    if leaf.type not in ("date", "datetime"):
        raise _type_error(leaf, leaf.type, leaf.type in TEXT_TYPES)
    name, _, count = word.partition(":")
    today = now.astimezone(UTC).date()
    n = int(count or 0)
    spans = {
        "TODAY": (today, today + timedelta(days=1)),
        "YESTERDAY": (today - timedelta(days=1), today),
        "TOMORROW": (today + timedelta(days=1), today + timedelta(days=2)),
        "LAST_N_DAYS": (today - timedelta(days=n), today + timedelta(days=1)),
        "NEXT_N_DAYS": (today + timedelta(days=1), today + timedelta(days=n + 1)),
        "THIS_MONTH": (today.replace(day=1), (today.replace(day=28) + timedelta(days=4))
                       .replace(day=1)),
        "LAST_MONTH": ((today.replace(day=1) - timedelta(days=1)).replace(day=1),
                       today.replace(day=1)),
        "THIS_YEAR": (today.replace(month=1, day=1), today.replace(year=today.year + 1,
                                                                    month=1, day=1)),
    }
    low, high = spans[name]
    if leaf.type == "date":
        return low.isoformat(), high.isoformat()
    return (format_datetime(datetime(low.year, low.month, low.day, tzinfo=UTC)),
            format_datetime(datetime(high.year, high.month, high.day, tzinfo=UTC)))


def _like(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "%_":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)
