"""The plain data the HTML templates draw: sections, tables, badges (no markup in here).

Every cell, badge and note is a Python value; ``report/templates/macros.html.j2`` turns it into
markup with Jinja's autoescape on. Until issue 13 these helpers returned HTML strings and a
``Raw`` subclass of ``str`` told the table which ones were "already escaped": one mislabelled
string and a quarantine reason (Bizstim text quoted verbatim) became live markup. Data that is
never markup cannot be mislabelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

HTML_ROW_CAP = 500
DETAIL_ROW_CAP = 60  # rows of one list inside a phase's detail (the spot checks: 50)
SECTIONS = (
    ("objects", "Records per object"),
    ("source", "What this account's API serves"),
    ("phases", "Phase timeline"),
    ("budget", "Request budget"),
    ("quarantine", "Quarantine"),
    ("reconciliation", "Reconciliation & spot checks"),
    ("users", "Unmatched users"),
    ("not-migrated", "Not migrated"),
    ("automation", "Automations to rebuild"),
    ("lineage", "Lineage"),
)


@dataclass(frozen=True)
class Badge:
    """A coloured label (kind: ok, bad, warn, muted); usable as a table cell."""

    text: str
    kind: str


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    numeric: frozenset[int] = frozenset()
    bad_rows: Sequence[bool] = field(default_factory=tuple)

    def is_bad(self, index: int) -> bool:
        return index < len(self.bad_rows) and bool(self.bad_rows[index])


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    numeric: Iterable[int] = (),
    bad_rows: Sequence[bool] = (),
) -> Table:
    return Table(list(headers), [list(r) for r in rows], frozenset(numeric), list(bad_rows))
