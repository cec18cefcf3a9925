"""What one GraphQL document costs in the monday stand-in, in complexity points.

monday publishes budgets (10 000 000 points a minute for a personal token, at most 5 000 000
for one query; destinations-2.md §4.3, §4.11 rule 3) and one price, "about 10 000 per
``create_item``" (its best-practices page), but no per-field price list. The stand-in therefore
charges the model issue 17's helpers decided together (notes/mo_common.md), so the loader's
planner (``load/monday/cost.py``) and this stand-in count the same way. A document costs the sum
over its root fields, aliases counted separately:

* every mutation: 10 000 (create_item, change_multiple_column_values, create_update, the
  deletes and archives, create_group/column/board, ingest_items, backfill_items, the bulk jobs,
  undo_action and, a stand-in choice, any other mutation the SDL allows);
* ``items_page`` / ``next_items_page`` / ``items_page_by_column_values``: 10 per item of
  ``limit`` (default 25), 10 more per item when ``updates`` is selected under it;
* ``items(ids)``: 10 per id (``limit``, default 25, without ids), 10 more with ``updates``;
* ``boards``: 100 per board, its columns and groups included, plus what an ``items_page``
  under it costs, for each board. A choice: the cost is known when the document is admitted,
  before it runs, so "per board returned" is read as ``len(ids)`` when ``ids`` is given,
  else ``limit`` (default 25);
* ``me``, ``users``, ``complexity``, ``fetch_job_status``, ``job_status`` and any other query
  field: 10.

Arguments given as variables are read from the request's variables. A document over 5 000 000
is refused before it runs (``limits.py`` answers ``maxComplexityExceeded``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from graphql.utilities import value_from_ast_untyped

MAX_PER_QUERY = 5_000_000
PER_MUTATION = 10_000
PER_PAGE_ITEM = 10
PER_BOARD = 100
PER_SMALL_QUERY = 10
DEFAULT_LIMIT = 25
PAGE_FIELDS = frozenset({"items_page", "next_items_page", "items_page_by_column_values"})


@dataclass(frozen=True)
class Cost:
    """A document's price: ``total`` points, ``per_field`` by response key (alias or name),
    and how many ``create_board`` root fields it holds (rule 5 counts those apart)."""

    total: int
    per_field: dict[str, int] = field(default_factory=dict)
    create_boards: int = 0


Fragments = dict[str, FragmentDefinitionNode]


def document_cost(
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> Cost:
    """The cost of the operation the request runs (a validated document is assumed)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Cost(0)
    fragments: Fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = variables or {}
    per_field: dict[str, int] = {}
    boards = 0
    for node in _fields(operation.selection_set, fragments):
        key = node.alias.value if node.alias else node.name.value
        per_field[key] = per_field.get(key, 0) + _root_cost(operation, node, fragments, values)
        boards += node.name.value == "create_board"
    return Cost(sum(per_field.values()), per_field, boards)


def _root_cost(
    operation: OperationDefinitionNode,
    node: FieldNode,
    fragments: Fragments,
    values: dict[str, Any],
) -> int:
    if operation.operation == OperationType.MUTATION:
        return PER_MUTATION
    name = node.name.value
    if name in PAGE_FIELDS:
        return _page_cost(node, fragments, values)
    if name == "items":
        ids = _argument(node, "ids", values)
        count = len(ids) if isinstance(ids, list) else _limit(node, values)
        return count * PER_PAGE_ITEM * (2 if _selects(node, "updates", fragments) else 1)
    if name == "boards":
        ids = _argument(node, "ids", values)
        count = len(ids) if isinstance(ids, list) else _limit(node, values)
        nested = sum(
            _page_cost(inner, fragments, values)
            for inner in _descendants(node, fragments)
            if inner.name.value == "items_page"
        )
        return count * (PER_BOARD + nested)
    return PER_SMALL_QUERY


def _page_cost(node: FieldNode, fragments: Fragments, values: dict[str, Any]) -> int:
    per_item = PER_PAGE_ITEM * (2 if _selects(node, "updates", fragments) else 1)
    return _limit(node, values) * per_item


def _limit(node: FieldNode, values: dict[str, Any]) -> int:
    limit = _argument(node, "limit", values)
    return limit if isinstance(limit, int) and limit > 0 else DEFAULT_LIMIT


def _argument(node: FieldNode, name: str, values: dict[str, Any]) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value, values)
    return None


def _selects(node: FieldNode, name: str, fragments: Fragments) -> bool:
    return any(inner.name.value == name for inner in _descendants(node, fragments))


def _descendants(node: FieldNode, fragments: Fragments) -> Iterator[FieldNode]:
    if node.selection_set is None:
        return
    for inner in _fields(node.selection_set, fragments):
        yield inner
        yield from _descendants(inner, fragments)


def _fields(
    selection_set: SelectionSetNode, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments spread in (a cycle is cut, not followed)."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from _fields(fragment.selection_set, fragments, seen | {name})
