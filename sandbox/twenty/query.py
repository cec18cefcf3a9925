"""REST list query parameters: filter, order_by, limit, depth and cursors (reference §3.2)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from sandbox.twenty.errors import ApiError, bad_request
from sandbox.twenty.schema import ObjectDef
from sandbox.twenty.values import normalise_date_time

Row = dict[str, Any]
Predicate = Callable[[Row], bool]
COMPARATORS = {"eq", "neq", "in", "containsAny", "is", "gt", "gte", "lt", "lte", "startsWith",
               "endsWith", "like", "ilike"}
DIRECTIONS = {"AscNullsFirst": (True, True), "AscNullsLast": (True, False),
              "DescNullsFirst": (False, True), "DescNullsLast": (False, False)}
CONJUNCTIONS = ("and(", "or(", "not(")


def get_path(row: Row, path: str) -> Any:
    if "." not in path:
        return row.get(path)
    head, sub = path.split(".", 1)
    value = row.get(head)
    return value.get(sub) if isinstance(value, dict) else None


class _Parser:
    def __init__(self, text: str, obj: ObjectDef) -> None:
        self.text, self.pos, self.obj = text, 0, obj
        self.paths: set[str] = set()

    def error(self, why: str = "") -> ApiError:
        suffix = f" ({why})" if why else ""
        return bad_request(f"'filter' invalid for '{self.text}'. eg: price[gte]:10{suffix}")

    def parse_list(self, closing: str | None) -> list[Predicate]:
        items = [self.parse_node()]
        while self.pos < len(self.text) and self.text[self.pos] == ",":
            self.pos += 1
            items.append(self.parse_node())
        if closing is not None:
            if self.pos >= len(self.text) or self.text[self.pos] != closing:
                raise self.error("unbalanced parentheses")
            self.pos += 1
        elif self.pos != len(self.text):
            raise self.error("unexpected text")
        return items

    def parse_node(self) -> Predicate:
        rest = self.text[self.pos:]
        for conj in CONJUNCTIONS:
            if rest.startswith(conj):
                self.pos += len(conj)
                items = self.parse_list(")")
                if conj == "and(":
                    return lambda r, items=items: all(p(r) for p in items)
                if conj == "or(":
                    return lambda r, items=items: any(p(r) for p in items)
                if len(items) != 1:
                    raise self.error("not() takes one condition")
                return lambda r, p=items[0]: not p(r)
        match = re.match(r"([A-Za-z0-9_.]+)\[([A-Za-z]+)\]:", rest)
        if not match:
            raise self.error()
        path, op = match.group(1), match.group(2)
        self.pos += match.end()
        if op not in COMPARATORS:
            raise self.error(f"unknown comparator '{op}'")
        kind = self.obj.paths.get(path)
        if kind is None or kind == "LIST":
            raise bad_request(f"field '{path}' does not exist in '{self.obj.singular}' object")
        self.paths.add(path)
        raw: Any = self.read_list() if op in ("in", "containsAny") else self.read_value()
        return _predicate(path, op, kind, raw, self.error)

    def read_value(self) -> str:
        text = self.text
        if self.pos < len(text) and text[self.pos] == '"':
            end = self.pos + 1
            out = []
            while end < len(text) and text[end] != '"':
                if text[end] == "\\" and end + 1 < len(text):
                    end += 1
                out.append(text[end])
                end += 1
            if end >= len(text):
                raise self.error("unterminated quote")
            self.pos = end + 1
            return "".join(out)
        end = self.pos
        while end < len(text) and text[end] not in ",)":
            end += 1
        value, self.pos = text[self.pos:end], end
        return value

    def read_list(self) -> list[str]:
        if self.pos >= len(self.text) or self.text[self.pos] != "[":
            raise self.error("expected [v1,v2]")
        self.pos += 1
        values: list[str] = []
        while True:
            value = self.read_value_in_list()
            values.append(value)
            if self.pos >= len(self.text):
                raise self.error("unterminated list")
            char = self.text[self.pos]
            self.pos += 1
            if char == "]":
                return [v for v in values if v != ""] if values == [""] else values
            if char != ",":
                raise self.error()

    def read_value_in_list(self) -> str:
        if self.pos < len(self.text) and self.text[self.pos] == '"':
            return self.read_value()
        end = self.pos
        while end < len(self.text) and self.text[end] not in ",]":
            end += 1
        value, self.pos = self.text[self.pos:end], end
        return value


def _convert(kind: str, raw: str, error: Callable[[str], ApiError]) -> Any:
    if kind in ("NUMBER", "NUMERIC", "POSITION", "RATING_NUM"):
        try:
            return float(raw)
        except ValueError:
            raise error(f"'{raw}' is not a number") from None
    if kind == "BOOLEAN":
        if raw not in ("true", "false"):
            raise error(f"'{raw}' is not a boolean")
        return raw == "true"
    if kind == "DATE_TIME":
        try:
            return normalise_date_time(raw if "T" in raw else raw + "T00:00:00Z", "filter")
        except ApiError:
            raise error(f"'{raw}' is not a date-time") from None
    if kind == "UUID":
        return raw.lower()
    return raw


def _like(pattern: str, flags: int) -> re.Pattern[str]:
    body = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", flags | re.DOTALL)


def _predicate(
    path: str, op: str, kind: str, raw: Any, error: Callable[[str], ApiError]
) -> Predicate:
    get = (lambda r: r.get(path)) if "." not in path else (lambda r: get_path(r, path))
    if op == "is":
        if raw not in ("NULL", "NOT_NULL"):
            raise error("'is' takes NULL or NOT_NULL")
        return (lambda r: get(r) is None) if raw == "NULL" else (lambda r: get(r) is not None)
    if op in ("in", "containsAny"):
        wanted = {_convert("TEXT" if kind == "MULTI_SELECT" else kind, v, error) for v in raw}
        if kind == "MULTI_SELECT" or op == "containsAny":
            return lambda r: bool(wanted.intersection(get(r) or ()))
        return lambda r: get(r) in wanted
    if kind == "MULTI_SELECT":
        raise error(f"'{op}' is not supported on multi-select fields; use containsAny")
    value = _convert(kind, raw, error)
    if op == "eq":
        return lambda r: get(r) == value
    if op == "neq":
        return lambda r: get(r) is not None and get(r) != value
    if op in ("startsWith", "endsWith", "like", "ilike"):
        if not isinstance(value, str):
            raise error(f"'{op}' needs a text field")
        if op == "startsWith":
            return lambda r: isinstance(get(r), str) and get(r).startswith(value)
        if op == "endsWith":
            return lambda r: isinstance(get(r), str) and get(r).endswith(value)
        regex = _like(value, re.IGNORECASE if op == "ilike" else 0)
        return lambda r: isinstance(get(r), str) and bool(regex.match(get(r)))
    compare = {"gt": lambda a: a > value, "gte": lambda a: a >= value,
               "lt": lambda a: a < value, "lte": lambda a: a <= value}[op]
    return lambda r: get(r) is not None and compare(get(r))


def parse_filter(text: str | None, obj: ObjectDef) -> tuple[Predicate | None, set[str]]:
    """Returns the predicate and the set of paths it mentions (``deletedAt`` matters)."""
    if text is None or text == "":
        return None, set()
    parser = _Parser(text, obj)
    items = parser.parse_list(None)
    if len(items) == 1:
        return items[0], parser.paths
    return (lambda r: all(p(r) for p in items)), parser.paths


def parse_order(text: str | None, obj: ObjectDef) -> list[tuple[str, bool, bool]]:
    specs: list[tuple[str, bool, bool]] = []
    for part in (text or "").split(","):
        if not part:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.]+)(?:\[([A-Za-z]+)\])?", part)
        if not match:
            raise bad_request(f"'order_by' invalid for '{text}'. eg: name[DescNullsLast]")
        path, direction = match.group(1), match.group(2) or "AscNullsFirst"
        if direction not in DIRECTIONS:
            raise bad_request(f"'order_by' direction '{direction}' invalid. Allowed values are "
                              + ", ".join(DIRECTIONS))
        if obj.paths.get(path) in (None, "LIST"):
            raise bad_request(f"field '{path}' does not exist in '{obj.singular}' object")
        specs.append((path, *DIRECTIONS[direction]))
    # Rule 10 (add-default-order-by-id.util.ts): no order_by means id ascending, so new rows
    # land anywhere in a list, not at its end; id is also every order's last tiebreaker.
    if all(path != "id" for path, _, _ in specs):
        specs.append(("id", True, True))
    return specs


def sort_rows(rows: list[Row], specs: list[tuple[str, bool, bool]]) -> list[Row]:
    out = list(rows)
    for path, asc, nulls_first in reversed(specs):
        null_high = asc != nulls_first  # where nulls go in the (possibly reversed) sort

        def key(r: Row, path: str = path, null_high: bool = null_high) -> tuple[Any, ...]:
            value = get_path(r, path)
            if value is None:
                return (1,) if null_high else (0,)
            return (0, value) if null_high else (1, value)

        out.sort(key=key, reverse=not asc)
    return out


def encode_cursor(row: Row, specs: list[tuple[str, bool, bool]]) -> str:
    payload = json.dumps([[path, get_path(row, path)] for path, _, _ in specs])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        pairs = json.loads(raw)
        return {str(path): value for path, value in pairs}
    except (ValueError, TypeError, binascii.Error):
        raise bad_request(f"Invalid cursor '{cursor}'") from None


def cursor_index(rows: list[Row], cursor: str, specs: list[tuple[str, bool, bool]],
                 positions: dict[str, int] | None = None) -> float:
    """Position of the cursor row: an index, or x.5 when that row is gone (between rows).
    ``positions`` (id → index in ``rows``) spares the scan when the caller has it."""
    values = decode_cursor(cursor)
    if set(values) != {p for p, _, _ in specs}:
        raise bad_request(f"Invalid cursor '{cursor}' for this order")
    if positions is not None:
        found = positions.get(values.get("id"))  # type: ignore[arg-type]
        if found is not None:
            return found
    else:
        for i, row in enumerate(rows):
            if row.get("id") == values.get("id"):
                return i
    phantom: Row = {}
    for path, value in values.items():
        if "." in path:
            head, sub = path.split(".", 1)
            phantom.setdefault(head, {})[sub] = value
        else:
            phantom[path] = value
    ordered = sort_rows([*rows, phantom], specs)
    return next(i for i, r in enumerate(ordered) if r is phantom) - 0.5


def parse_limit(text: str | None, cap: int, default: int = 60) -> int:
    if text is None:
        return min(default, cap)
    if not re.fullmatch(r"\d+", text):
        raise bad_request(f"limit '{text}' is invalid. Should be an integer")
    return min(int(text), cap)


def parse_depth(text: str | None) -> int:
    if text is None:
        return 0
    if text not in ("0", "1"):
        raise bad_request(f"'depth={text}' parameter invalid. Allowed values are 0, 1")
    return int(text)
