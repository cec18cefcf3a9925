"""Fixtures: a real sandbox account extracted, built, loaded into the Twenty stand-in and
reconciled once per session; helpers that read the report back (html.parser, no browser)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from report.command import build_report
from sandbox.staging import BIZSTIM_KEY
from tests.load.conftest import TWENTY_KEY, bizmig, load, start_twenty

# a migrate run's scope phase, its detail nested as the real one is (a list of mappings)
PHASE_DETAIL_ROW = (
    "create table if not exists migration.phase_log (run_id varchar, phase varchar, "
    "started_at timestamptz, finished_at timestamptz, status varchar, gate_ok boolean, "
    "forced boolean, detail json)",
    "insert into migration.phase_log values ('run-d', 'scope', now(), now(), 'done', true, "
    "false, '"
    + json.dumps(
        {
            "endpoints": [
                {"endpoint": "clients", "records": 40, "requests": 1},
                {"endpoint": "sessions", "records": 600, "requests": 6},
            ],
            "total_requests": 7,
            "inputs": {"bizstim_base_url": "http://127.0.0.1:1/api"},
        }
    )
    + "')",
)
SECRETS = (BIZSTIM_KEY, TWENTY_KEY)


@dataclass(frozen=True)
class Migrated:
    """A staging file after load + reconcile, and the reconciliation.json it produced."""

    staging: Path
    reconciliation: Path


@pytest.fixture(scope="session")
def migrated(built_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Migrated:
    tmp = tmp_path_factory.mktemp("report-migrated")
    staging = tmp / "staging.duckdb"
    shutil.copy(built_template, staging)
    twenty = start_twenty(tmp, "--rate-limit", "0")
    try:
        loaded = load(staging, twenty)
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        args = ["reconcile", "--json", "--rate-limit", "100000", "--rate-window", "1"]
        reconciled = bizmig([*args, "--out", str(tmp / "recon")], staging, twenty)
        assert reconciled.returncode == 0, reconciled.stdout[-2000:]
    finally:
        twenty.server.stop()
    return Migrated(staging, tmp / "recon" / "reconciliation.json")


@dataclass
class Report:
    directory: Path
    html: str
    markdown: str
    data: dict[str, Any]
    page: PageReader


def read_report(directory: Path) -> Report:
    html = (directory / "index.html").read_text()
    page = PageReader()
    page.feed(html)
    return Report(
        directory,
        html,
        (directory / "report.md").read_text(),
        json.loads((directory / "report.json").read_text()),
        page,
    )


def make_report(staging: Path, out: Path, **kwargs: Any) -> Report:
    kwargs.setdefault("secrets", SECRETS)
    index = build_report(staging, out, **kwargs)
    assert index == out / "index.html"
    return read_report(out)


@pytest.fixture(scope="session")
def report(migrated: Migrated, tmp_path_factory: pytest.TempPathFactory) -> Report:
    out = tmp_path_factory.mktemp("report") / "migration-report"
    return make_report(migrated.staging, out, reconciliation_json=migrated.reconciliation)


@pytest.fixture
def staging_copy(migrated: Migrated, tmp_path: Path) -> Path:
    """A private copy of the migrated file, for tests that add or drop tables."""
    target = tmp_path / "copy.duckdb"
    shutil.copy(migrated.staging, target)
    return target


def execute(path: Path, *statements: str) -> None:
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


class PageReader(HTMLParser):
    """Sections (by id) with their text and their tables (rows of cell texts); every
    tag with its attributes, to check the page loads nothing from outside."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.row_classes: dict[str, list[str | None]] = {}
        self._section: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._header_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self._section = attributes.get("id")
            self.sections[str(self._section)] = []
            self.tables[str(self._section)] = []
            self.row_classes[str(self._section)] = []
        elif tag == "table" and self._section:
            self.tables[self._section].append([])
        elif tag == "tr" and self._section:
            self._row = []
            self.row_classes[self._section].append(attributes.get("class"))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._section:
            self.tables[self._section][-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._section:
            self.sections[self._section].append(data)
        else:
            self._header_text.append(data)

    def text(self, section: str) -> str:
        return " ".join(" ".join(self.sections[section]).split())

    @property
    def header(self) -> str:
        return " ".join(" ".join(self._header_text).split())

    def table_with(self, section: str, first_header: str, column: str) -> list[dict[str, str]]:
        """The section's first table whose header row starts with `first_header` and has
        `column`, as dicts."""
        for rows in self.tables[section]:
            if rows and rows[0] and rows[0][0] == first_header and column in rows[0]:
                return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        raise AssertionError(f"no table ({first_header}, {column}) in section {section}")
