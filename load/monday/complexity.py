"""What a monday document costs in complexity points, by the model the stand-in charges.

monday prices every document against a per-minute budget (10 000 000 points for a personal
token, destinations.md §4.4) and refuses one over 5 000 000 outright, but publishes budgets,
not a price list; the one figure it gives is ~10 000 points per ``create_item`` (the
best-practices page). Issue 17 fixed one model on that figure and both sides use it
(sandbox/monday/complexity.py charges it, documented there): 10 000 a mutation root field;
10 a requested item for ``items_page`` / ``next_items_page`` / ``items_page_by_column_values``
(20 with their updates), 10 an id for ``items``; 100 a board; 10 any other query field. The
loader plans with it (``scope``, dry runs), sizes aliased documents under the 5M cap, and paces
the minute with it; where the account answers ``complexity { after reset_in_x_seconds }`` the
account's figure is believed instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from graphql import FieldNode, OperationDefinitionNode, parse

MUTATION = 10_000
PER_ITEM = 10
PER_BOARD = 100
QUERY_FIELD = 10
MAX_PER_DOCUMENT = 5_000_000
PAGE_FIELDS = ("items_page", "next_items_page", "items_page_by_column_values")


@cache
def _operation(document: str) -> OperationDefinitionNode:
    parsed = parse(document)
    return next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))


def document_cost(document: str, variables: Mapping[str, Any] | None = None) -> int:
    """The points ``document`` (with ``variables``) costs by the model above."""
    operation = _operation(document)
    values = variables or {}
    if operation.operation.value == "mutation":
        return MUTATION * len(operation.selection_set.selections)
    return sum(_query_cost(node, values) for node in _fields(operation))


def _fields(operation: OperationDefinitionNode) -> list[FieldNode]:
    return [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]


def _argument(node: FieldNode, name: str, values: Mapping[str, Any]) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if value.kind == "variable":
                return values.get(value.name.value)  # type: ignore[attr-defined]
            if value.kind == "list_value":
                return list(value.values)  # type: ignore[attr-defined]
            return getattr(value, "value", None)
    return None


def _selects(node: FieldNode, name: str) -> bool:
    stack = list(node.selection_set.selections) if node.selection_set else []
    while stack:
        child = stack.pop()
        if isinstance(child, FieldNode):
            if child.name.value == name:
                return True
            if child.selection_set:
                stack.extend(child.selection_set.selections)
    return False


def _page_cost(node: FieldNode, values: Mapping[str, Any]) -> int:
    limit = int(_argument(node, "limit", values) or 25)
    per_item = PER_ITEM * (2 if _selects(node, "updates") else 1)
    return limit * per_item


def _query_cost(node: FieldNode, values: Mapping[str, Any]) -> int:
    name = node.name.value
    if name in PAGE_FIELDS:
        return _page_cost(node, values)
    if name == "items":
        ids = _argument(node, "ids", values) or []
        return len(ids) * PER_ITEM * (2 if _selects(node, "updates") else 1)
    if name == "boards":
        ids = _argument(node, "ids", values)
        boards = len(ids) if ids else int(_argument(node, "limit", values) or 25)
        inner = [
            child
            for child in (node.selection_set.selections if node.selection_set else [])
            if isinstance(child, FieldNode) and child.name.value == "items_page"
        ]
        return boards * (PER_BOARD + sum(_page_cost(child, values) for child in inner))
    return QUERY_FIELD
