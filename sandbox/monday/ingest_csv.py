"""The CSV an ``ingest_items`` / ``backfill_items`` job receives, read into rows (§4.11 rule 9).

monday's per-type CSV format sits on a "Column type validation" page nobody retrieved, and the
header convention (column ids or titles, where the item name goes) is [?] in
destinations-2.md §4.2. Issue 17 decided one format and both sides document it (the loader's
``load/monday/ingest.py`` writes it): UTF-8 (a byte-order mark is tolerated), comma, RFC 4180
quoting, a header row of COLUMN IDS with the item name under ``name``; one row per item; an empty
cell is no value. How each type's cell reads (``+14155550100``, ``YYYY-MM-DD``, labels joined by
``, ``, ...) is the value parser's business (S1's ``values.py``); this module only cuts the file.

The whole file is refused, no row written, when:

* it is not UTF-8, has no header, lacks ``name``, repeats a header, or names a column the board
  does not have: ``INVALID_UPLOAD`` (the message names the header);
* it holds more data rows than the job allows (10 000 ingest, 20 000 backfill) or more than
  150 MB: ``FILE_TOO_LARGE``.

A row whose cell count differs from the header's is that row's problem only (it is counted
``invalid`` with the reason); blank lines are skipped and are not rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

MAX_BYTES = 150 * 1024 * 1024
NAME = "name"
INVALID_UPLOAD = "INVALID_UPLOAD"
FILE_TOO_LARGE = "FILE_TOO_LARGE"


@dataclass(frozen=True)
class Row:
    """One data row: ``number`` counts data rows from 1 (the header is not a row)."""

    number: int
    name: str
    cells: dict[str, str]  # column id -> cell text, empty cells left out
    problem: str | None = None


@dataclass(frozen=True)
class Refused:
    """The file as a whole refused: a ``failure_reason`` and its message."""

    reason: str
    message: str


def read_upload(body: bytes, column_ids: Collection[str], max_rows: int) -> list[Row] | Refused:
    """The rows of an uploaded CSV for a board with ``column_ids``, or why it is refused."""
    if len(body) > MAX_BYTES:
        return Refused(FILE_TOO_LARGE, f"the file is {len(body)} bytes, over 150 MB")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Refused(INVALID_UPLOAD, f"the file is not UTF-8 (byte {exc.start})")
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if r]
    except csv.Error as exc:
        return Refused(INVALID_UPLOAD, f"the file is not valid CSV: {exc}")
    if not records:
        return Refused(INVALID_UPLOAD, "the file has no header row")
    header, data = records[0], records[1:]
    problem = _header_problem(header, column_ids)
    if problem is not None:
        return Refused(INVALID_UPLOAD, problem)
    if len(data) > max_rows:
        return Refused(FILE_TOO_LARGE, f"the file has {len(data)} rows, over {max_rows}")
    rows = []
    for number, record in enumerate(data, start=1):
        if len(record) != len(header):
            problem = f"the row has {len(record)} cells, the header {len(header)}"
            name = record[header.index(NAME)] if len(record) > header.index(NAME) else ""
            rows.append(Row(number, name, {}, problem))
            continue
        cells = dict(zip(header, record, strict=True))
        name = cells.pop(NAME)
        rows.append(Row(number, name, {k: v for k, v in cells.items() if v != ""}))
    return rows


def _header_problem(header: list[str], column_ids: Collection[str]) -> str | None:
    if NAME not in header:
        return "the header has no 'name' column (the item name)"
    seen: set[str] = set()
    for title in header:
        if title in seen:
            return f"the header repeats {title!r}"
        seen.add(title)
        if title != NAME and title not in column_ids:
            return f"unknown column id {title!r} in the header (headers are column ids)"
    return None
