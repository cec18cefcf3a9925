"""Mart values in Salesforce's wire forms (Bulk CSV cells, JSON), and back as it stores them.

Bulk API 2.0 reads an **empty cell as "leave the field as it is"** and ``#N/A`` as null
(destinations-2.md §1.2, pitfall 7): a delta run that clears a phone number must send
``#N/A``, or the old number stays. Values are not trimmed and a stray character around a
quoted value fails the row, so a cell is quoted only when it must be (a comma, a quote, a line
break) — and always when it holds a carriage return: Python's ``csv`` module with ``LF``
line endings leaves a lone ``\\r`` unquoted, which Salesforce then reads as a line end.
Numbers are written in plain notation (``0.00001``, never ``1e-05``), booleans as
``true``/``false``.

Salesforce answers date-times as ``2026-03-01T09:00:00.000+0000`` where the mart has
``2026-03-01T09:00:00Z``, and numbers as JSON floats: :func:`stored` turns its answer into the
mart's spelling before the core compares them (:func:`load.core.values.same_value`).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Sequence
from typing import Any

NULL_CELL = "#N/A"
KEEP_CELL = ""  # Bulk: leave the field unchanged (an owner we could not match)
MUST_QUOTE = re.compile(r'[",\r\n]')
SF_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


def cell(value: Any) -> str:
    """A value as a Bulk CSV cell (unquoted text; :func:`csv_line` quotes)."""
    if value is None:
        return NULL_CELL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(decimal.Decimal(repr(value)), "f")
    return str(value)


def quoted(text: str) -> str:
    if MUST_QUOTE.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(cells: Iterable[str]) -> str:
    return ",".join(quoted(c) for c in cells) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A whole Bulk upload: header, then one LF-ended line per row (``lineEnding=LF``)."""
    return csv_line(header) + "".join(csv_line(row) for row in rows)


def stored(value: Any) -> Any:
    """A value Salesforce answered, in the mart's spelling (UTC date-times with ``Z``)."""
    if isinstance(value, str):
        match = SF_DATETIME.match(value)
        if match and match.group(3) in ("Z", "+0000", "+00:00"):
            return match.group(1) + "Z"
    return value
