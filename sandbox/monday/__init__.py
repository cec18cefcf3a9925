"""The monday stand-in (`bizmig sandbox monday`): monday's GraphQL API as a migration meets it,
served locally so the loader is tested against monday's refusals, not a kinder server.

Every numbered rule of destinations-2.md §4.11 is enforced by one module here and tested by
tests/sandbox_monday (HTTP: test_mo_core.py; in process: test_mo_limits.py, test_mo_jobs.py):

* app.py: ``POST /v2``, the token (no ``Bearer``), ``API-Version``, the order of the checks
  (rules 1, 2); sdl.py: monday's own SDL, read at start, every document validated against it;
* complexity.py, limits.py, idempotency.py: prices, the minute, the day, create_board's minute,
  ``Idempotency-Key`` (rules 3, 4, 5, 8);
* service.py, values.py, store.py: items, names, column values per type, relations, states,
  updates, SQLite persistence (rules 6, 7, 10, 12, 13);
* resolvers.py and the read shaping beside it: root fields, pages, cursors (rule 11);
* jobs.py, bulk_jobs.py, ingest_csv.py, upload.py, job_fields.py: ``ingest_items``,
  ``backfill_items``, bulk delete/archive, ``undo_action`` (rules 9, 10, 12);
* hooks.py: ``/_sandbox/*`` for tests; cli.py: the command and its options.

Where the reference is silent the stand-in chose, and each choice is written in the docstring of
the module that makes it (the loader's modules document the same). The ones a loader meets first:

* an unknown or missing token → HTTP 401 ``{"errors":[{"message":"Not Authenticated",
  "extensions":{"code":"UNAUTHORIZED"}}]}``, not counted; every other ``/v2`` request counts
  against the day, refused ones too; one schema (2026-10) serves every ``API-Version``;
* the complexity prices (complexity.py) — monday publishes budgets, not prices;
* ``column_values`` only as a JSON string; ``name`` inside it renames the item; JSON null
  clears a column; an item name over 255 characters is ``ItemNameTooLongException``;
* status labels from ``defaults {"labels": {"0": "Active"}}``, dropdown labels from
  ``{"settings": {"labels": [{"id": 1, "name": "A"}]}}``; relation columns need
  ``{"boardIds": [...]}``; custom column ids ``^[a-z][a-z0-9_]{0,19}$``, unique per board; a new
  board has one group ``topics``;
* ``items_page`` limit past 500 refused (not cut), pages list active items in id order, the
  cursor is base64 of the page's query (it outlives a restart); root fields of the SDL the
  stand-in does not serve answer ``UnsupportedByStandIn``;
* the ingest CSV format (ingest_csv.py, values.py), the job states and the shuffled report
  (jobs.py); bulk jobs' polls (bulk_jobs.py);
* boards, items and updates persist in ``--data-dir``; the day, the minute, jobs and idempotent
  answers live in memory (a restart starts them afresh).
"""
