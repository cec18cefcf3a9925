"""A SOQL parser for the subset a loader reads back with (destinations-2.md §1.7).

Why a real parser and not string matching: reconciliation and rollback queries are written by
hand in the loader (``SELECT Id, Bizstim_Id__c FROM Contact WHERE Bizstim_Id__c != null``,
``... WHERE LinkedEntityId IN ('003…', …)``), and SOQL differs from SQL in ways a loader gets
wrong: ``AND`` and ``OR`` may not be mixed without parentheses, strings need single quotes
and backslash escapes, dates are bare literals (``2026-01-31``, ``TODAY``, ``LAST_N_DAYS:7``)
and must *not* be quoted, ``COUNT()`` is its own form. Each mistake is a 400
``MALFORMED_QUERY`` here as on an org.

Grammar: ``SELECT (COUNT() | path[, path…]) FROM Object [WHERE cond] [ORDER BY path [ASC|DESC]
[NULLS FIRST|LAST][, …]] [LIMIT n] [OFFSET n]``; ``cond`` is comparisons (``= != <> < <= >
>=``, ``LIKE``, ``IN (…)``, ``NOT IN (…)``) joined by one kind of ``AND``/``OR`` per level,
``NOT``, parentheses. Keywords are case-insensitive. Type checks against fields happen in
``query.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.salesforce.errors import SfError

TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\dT]))
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::\d+)?)
""", re.VERBOSE)
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"',
           "\\": "\\", "%": "\\%", "_": "\\_"}
DATE_WORDS = {"TODAY", "YESTERDAY", "TOMORROW", "LAST_N_DAYS", "NEXT_N_DAYS", "THIS_MONTH",
              "LAST_MONTH", "THIS_YEAR"}
KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC",
            "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE"}


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, boolean, null, date, datetime, dateword
    value: Any


@dataclass
class Comparison:
    path: str
    op: str  # = != < <= > >= LIKE IN NOT IN
    value: Literal | list[Literal]


@dataclass
class Logic:
    op: str  # AND, OR, NOT
    parts: list[Any]


@dataclass
class Order:
    path: str
    descending: bool
    nulls_last: bool


@dataclass
class Query:
    sobject: str
    fields: list[str] | None  # None: SELECT COUNT()
    where: Comparison | Logic | None = None
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def malformed(message: str) -> SfError:
    return SfError(400, "MALFORMED_QUERY", message)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        found = TOKEN.match(text, pos)
        if not found:
            raise malformed(f"unexpected token: '{text[pos:pos + 20]}'")
        pos = found.end()
        kind = found.lastgroup or ""
        if kind != "space":
            tokens.append((kind, found.group()))
    return tokens


def unquote(token: str) -> str:
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt not in ESCAPES:
                raise malformed(f"Invalid string literal '{token}'. Illegal character sequence "
                                f"'\\{nxt}' in string literal.")
            out.append(ESCAPES[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def word(self) -> str:
        kind, text = self.peek()
        return text.upper() if kind == "word" else ""

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end":
            raise malformed("unexpected end of query")
        self.pos += 1
        return token

    def expect(self, keyword: str) -> None:
        kind, text = self.take()
        if kind not in ("word", "punct") or text.upper() != keyword:
            raise malformed(f"unexpected token: '{text}'")

    def path(self) -> str:
        kind, text = self.take()
        if kind != "word" or text.upper() in KEYWORDS:
            raise malformed(f"unexpected token: '{text}'")
        return text

    def query(self) -> Query:
        self.expect("SELECT")
        fields: list[str] | None
        if self.word() == "COUNT" and self.tokens[self.pos + 1:self.pos + 3] == [
                ("punct", "("), ("punct", ")")]:
            self.pos += 3
            fields = None
        else:
            fields = [self.path()]
            while self.peek() == ("punct", ","):
                self.take()
                fields.append(self.path())
        self.expect("FROM")
        query = Query(self.path(), fields)
        if self.word() == "WHERE":
            self.take()
            query.where = self.condition()
        if self.word() == "ORDER":
            self.take()
            self.expect("BY")
            query.order.append(self.order_item())
            while self.peek() == ("punct", ","):
                self.take()
                query.order.append(self.order_item())
        for clause in ("LIMIT", "OFFSET"):
            if self.word() == clause:
                self.take()
                kind, text = self.take()
                if kind != "number" or "." in text or text.startswith("-"):
                    raise malformed(f"unexpected token: '{text}'")
                setattr(query, clause.lower(), int(text))
        if self.peek()[0] != "end":
            raise malformed(f"unexpected token: '{self.peek()[1]}'")
        return query

    def order_item(self) -> Order:
        path, descending = self.path(), False
        if self.word() in ("ASC", "DESC"):
            descending = self.take()[1].upper() == "DESC"
        nulls_last = descending
        if self.word() == "NULLS":
            self.take()
            which = self.take()[1].upper()
            if which not in ("FIRST", "LAST"):
                raise malformed(f"unexpected token: '{which}'")
            nulls_last = which == "LAST"
        return Order(path, descending, nulls_last)

    def condition(self) -> Comparison | Logic:
        parts = [self.unary()]
        joiner = None
        while self.word() in ("AND", "OR"):
            op = self.take()[1].upper()
            if joiner is not None and op != joiner:
                raise malformed(f"unexpected token: '{op}' (use parentheses to mix AND and OR)")
            joiner = op
            parts.append(self.unary())
        return parts[0] if joiner is None else Logic(joiner, parts)

    def unary(self) -> Comparison | Logic:
        if self.word() == "NOT":
            self.take()
            return Logic("NOT", [self.unary()])
        if self.peek() == ("punct", "("):
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.path()
        kind, text = self.take()
        op = text.upper()
        if kind == "op":
            return Comparison(path, "!=" if op == "<>" else op, self.literal())
        if op == "LIKE":
            return Comparison(path, op, self.literal())
        if op == "NOT" and self.word() == "IN":
            self.take()
            return Comparison(path, "NOT IN", self.literal_list())
        if op == "IN":
            return Comparison(path, op, self.literal_list())
        raise malformed(f"unexpected token: '{text}'")

    def literal_list(self) -> list[Literal]:
        self.expect("(")
        values = [self.literal()]
        while self.peek() == ("punct", ","):
            self.take()
            values.append(self.literal())
        self.expect(")")
        return values

    def literal(self) -> Literal:
        kind, text = self.take()
        if kind == "string":
            return Literal("string", unquote(text))
        if kind == "number":
            return Literal("number", float(text) if "." in text else int(text))
        if kind in ("date", "datetime"):
            return Literal(kind, text)
        upper = text.upper() if kind == "word" else ""
        if upper in ("TRUE", "FALSE"):
            return Literal("boolean", upper == "TRUE")
        if upper == "NULL":
            return Literal("null", None)
        if upper.split(":")[0] in DATE_WORDS:
            return Literal("dateword", upper)
        raise malformed(f"unexpected token: '{text}'")


def parse(text: str) -> Query:
    if not text or not text.strip():
        raise malformed("The query string is empty")
    return Parser(text).query()
