"""The GraphQL documents the monday loader sends, as text with variables, validated against the SDL.

monday's API is one GraphQL endpoint whose 2026-10 SDL is public (destinations-2.md §4.9), and
the stand-in refuses any document the SDL does not allow, as the real API does. So every
document lives here, written by hand with variables (no templated values, §4.8), and
tests/load_monday validate each against ``../shared/contracts/monday-schema.graphql``; an
aliased document is built by one function per shape so the test validates the same builder
the loader calls.

Write path (load/monday/ingest.py, mutations.py, updates.py):

* ``INGEST_ITEMS``: one ``ingest_items`` job per board *group* (``group_id`` is required),
  ``on_match`` UPSERT on the ``bizstim_id`` text column;
* ``FETCH_JOB_STATUS``: the job's state, counts, failure and report URL;
* ``ITEMS_BY_COLUMN``: items whose ``bizstim_id`` is one of a list (a job's rows the report
  gave no id for, a create whose answer was lost);
* ``ITEM_UPDATES``: the updates of up to 100 items, to find a note by its ``[bizstim:<id>]``
  marker before sending it (again);
* :func:`aliased_items` / :func:`aliased_updates`: N ``create_item`` /
  ``change_multiple_column_values`` / ``create_update`` root fields under aliases ``r0``…,
  each with its own variables, so one partial failure names its alias in ``errors[].path``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MATCH_COLUMN = "bizstim_id"

INGEST_ITEMS = """
mutation IngestItems($board: ID!, $group: ID!, $match: String!) {
  ingest_items(
    board_id: $board
    group_id: $group
    on_match: {match_column_id: $match, behaviour: UPSERT}
  ) {
    job_id
    upload_url
  }
}
"""

FETCH_JOB_STATUS = """
query FetchJobStatus($job: ID!) {
  fetch_job_status(job_id: $job) {
    ... on ItemsJobStatus {
      status
      counts { submitted invalid skipped created updated failed }
      failure_reason
      failure_message
      report_created
      report_url
    }
  }
}
"""

ITEMS_BY_COLUMN = """
query ItemsByColumn($board: ID!, $column: String!, $values: [String]!, $cursor: String) {
  items_page_by_column_values(
    board_id: $board
    columns: [{column_id: $column, column_values: $values}]
    limit: 500
    cursor: $cursor
  ) {
    cursor
    items { id name column_values { id text } }
  }
}
"""

ITEM_UPDATES = """
query ItemUpdates($ids: [ID!], $page: Int!) {
  items(ids: $ids, limit: 100) {
    id
    updates(limit: 100, page: $page) { id body created_at }
  }
}
"""


@dataclass(frozen=True)
class ItemWrite:
    """One root field of an aliased item document: a create (``item_id`` None) or a change."""

    column_values: str  # the JSON *string* monday takes
    name: str = ""
    group_id: str | None = None
    item_id: str | None = None


def aliased_items(writes: Sequence[ItemWrite]) -> tuple[str, dict[str, object]]:
    """One mutation with ``r<i>: create_item`` / ``change_multiple_column_values`` per write,
    and its variables; ``$board`` is left for the caller to set."""
    params = ["$board: ID!"]
    fields: list[str] = []
    variables: dict[str, object] = {}
    for i, write in enumerate(writes):
        variables[f"v{i}"] = write.column_values
        if write.item_id is None:
            params += [f"$n{i}: String!", f"$g{i}: String", f"$v{i}: JSON"]
            variables[f"n{i}"] = write.name
            variables[f"g{i}"] = write.group_id
            fields.append(
                f"r{i}: create_item(board_id: $board, group_id: $g{i}, item_name: $n{i}, "
                f"column_values: $v{i}) {{ id }}"
            )
        else:
            params += [f"$i{i}: ID", f"$v{i}: JSON!"]
            variables[f"i{i}"] = write.item_id
            fields.append(
                f"r{i}: change_multiple_column_values(board_id: $board, item_id: $i{i}, "
                f"column_values: $v{i}) {{ id }}"
            )
    body = "\n  ".join(fields)
    return f"mutation WriteItems({', '.join(params)}) {{\n  {body}\n}}\n", variables


@dataclass(frozen=True)
class NoteWrite:
    item_id: str
    body: str
    original_creation_date: str | None = None


def aliased_updates(notes: Sequence[NoteWrite]) -> tuple[str, dict[str, object]]:
    """One mutation with ``r<i>: create_update`` per note, and its variables."""
    params: list[str] = []
    fields: list[str] = []
    variables: dict[str, object] = {}
    for i, note in enumerate(notes):
        params += [f"$i{i}: ID", f"$b{i}: String!", f"$d{i}: String"]
        variables.update(
            {f"i{i}": note.item_id, f"b{i}": note.body, f"d{i}": note.original_creation_date}
        )
        fields.append(
            f"r{i}: create_update(item_id: $i{i}, body: $b{i}, "
            f"original_creation_date: $d{i}) {{ id }}"
        )
    body = "\n  ".join(fields)
    return f"mutation WriteUpdates({', '.join(params)}) {{\n  {body}\n}}\n", variables


# -- reads, owners, rollback (load/monday/reads.py, adapter.py, session.py) ---------------------
ITEM_FIELDS = """
      id name state board { id } group { id title }
      column_values { id type text value ... on BoardRelationValue { linked_item_ids } }
"""
ITEMS_PAGE = (
    "query ItemsPage($board: [ID!], $limit: Int!) {\n"
    "  boards(ids: $board) { items_page(limit: $limit) { cursor items {"
    + ITEM_FIELDS
    + "} } }\n}\n"
)
NEXT_ITEMS_PAGE = (
    "query NextItemsPage($cursor: String!, $limit: Int!) {\n"
    "  next_items_page(cursor: $cursor, limit: $limit) { cursor items {" + ITEM_FIELDS + "} }\n}\n"
)
ITEMS_BY_ID = (
    "query ItemsById($ids: [ID!]) {\n  items(ids: $ids, limit: 100) {" + ITEM_FIELDS + "}\n}\n"
)
UPDATES_OF_ITEMS = """
query UpdatesOfItems($ids: [ID!], $page: Int!) {
  items(ids: $ids, limit: 100) { id updates(limit: 100, page: $page) { id body created_at } }
}
"""
ME = """
query Me { me { id name email } }
"""
DAILY_USAGE = """
query DailyUsage {
  platform_api { daily_limit { total } daily_analytics { by_day { day usage } } }
}
"""
USERS = """
query Users($page: Int!) { users(limit: 500, page: $page) { id name email status } }
"""
BULK_DELETE = """
mutation BulkDelete($board: ID!, $ids: [ID!]!) {
  bulk_delete_items(board_id: $board, item_ids: $ids) { job_id }
}
"""
BULK_ARCHIVE = """
mutation BulkArchive($board: ID!, $ids: [ID!]!) {
  bulk_archive_items(board_id: $board, item_ids: $ids) { job_id }
}
"""
JOB_STATUS = """
query JobStatus($job: ID!) { job_status(job_id: $job) { id status error } }
"""
CHANGE_VALUES = """
mutation ChangeValues($board: ID!, $item: ID, $values: JSON!) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values) { id }
}
"""
DELETE_UPDATE = """
mutation DeleteUpdate($id: ID!) { delete_update(id: $id) { id } }
"""
EDIT_UPDATE = """
mutation EditUpdate($id: ID!, $body: String!) { edit_update(id: $id, body: $body) { id } }
"""
