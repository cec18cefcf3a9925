"""Which endpoints this Bizstim account serves, and the table that records it.

The reference documents nine lists, six single-record GETs and nothing else; ``users``,
``customfields`` and ``timezone`` are optional (:data:`ingest.endpoints.OPTIONAL`). Each is
probed once per extraction cycle with its cheapest request, which is always one the run needs
anyway, so probing costs nothing extra: ``scope`` asks ``/{list}/0/1`` for the ``total`` and
``/timezone`` (its good answer is spooled, ``extract`` reuses it); ``extract`` without a
prior ``scope`` treats the first page it asks as the probe. The answer is judged by
:func:`judge`:

* 200 → available;
* 403, 404, 405, 410 on an optional endpoint → **unavailable**, recorded with the status and the
  server's message, and extraction goes on without it (what degrades is named by the endpoint's
  ``impact``). 5xx were already retried by the transport, so an endpoint answering 500 and then
  404 is unavailable too;
* the same on a *documented* endpoint → :class:`EndpointRefused` (exit 11): the account or its
  plan does not give API access (Bizstim's API needs a trial or Enterprise account) or
  ``BIZSTIM_BASE_URL`` is wrong; no partial migration is attempted;
* anything else → :class:`~ingest.transport.ExtractError` naming the request and the answer.

``raw_bizstim._bizmig_endpoints`` holds one row per cycle and probed endpoint (every list and
the time zone): cycle, endpoint, table_name, documented, available, http_status, reason,
impact, probed_by (scope / extract), checked_at. ``scope`` writes the rows of the cycle the
next ``extract`` will run (the open one, else the next number); ``extract`` skips what they mark
unavailable and adds its own probes. dbt reads the table as ``stg_bizstim__endpoints``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import requests

from common.addresses import bizstim_http_error, is_bizstim_body
from common.exits import ExitCode
from ingest.endpoints import CYCLES_TABLE, PROBED, RAW_SCHEMA, AccountEndpoint, ListEndpoint
from ingest.transport import ExtractError

ENDPOINTS_TABLE = "_bizmig_endpoints"
UNAVAILABLE_STATUSES = frozenset({403, 404, 405, 410})
Endpoint = ListEndpoint | AccountEndpoint


class EndpointRefused(ExtractError):
    """A documented endpoint refused (403/404/405/410): no API access, or a wrong base URL."""

    exit_code = ExitCode.BIZSTIM_ENDPOINT_REFUSED


@dataclass(frozen=True)
class Availability:
    endpoint: str  # API method
    table: str
    documented: bool
    available: bool
    http_status: int
    reason: str = ""  # why unavailable: status and the server's message
    impact: str = ""  # what degrades without it

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint, "table": self.table, "documented": self.documented,
            "available": self.available, "http_status": self.http_status,
            "reason": self.reason, "impact": self.impact,
        }  # fmt: skip


def server_message(response: requests.Response) -> str:
    """The failure envelope's message, else the start of the body on one line."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("response"), str):
        return body["response"][:200]
    return " ".join(response.content[:120].decode("utf-8", "replace").split()) or "empty body"


def available(endpoint: Endpoint) -> Availability:
    return Availability(endpoint.method, endpoint.table, endpoint.documented, True, 200)


def wrong_address(response: requests.Response) -> bool:
    """The answer is not Bizstim's API talking: not its envelope, or its "Unknown method"
    for a documented list (the base URL misses ``/api`` or points elsewhere)."""
    try:
        body = response.json()
    except ValueError:
        return True
    if not is_bizstim_body(body):
        return True
    return response.status_code == 404 and body.get("response") == "Unknown method"


def judge(endpoint: Endpoint, response: requests.Response, path: str) -> Availability:
    """What the answer to ``endpoint``'s probe at ``path`` says (raises for a hard refusal)."""
    status = response.status_code
    if status == 200:
        return available(endpoint)
    message = server_message(response)
    if response.url:  # the full path, with the base URL's /api
        path = urlsplit(response.url).path or path
    if endpoint.documented and wrong_address(response):
        raise bizstim_http_error(response)
    if status in UNAVAILABLE_STATUSES and endpoint.documented:
        raise EndpointRefused(
            f"GET {path} answered {status} ({message}) although the Bizstim reference documents "
            f"/{endpoint.method}: check BIZSTIM_BASE_URL (it ends in /api) and that the "
            "account's plan includes API access (trial or Enterprise accounts only)"
        )
    if status in UNAVAILABLE_STATUSES:
        return Availability(
            endpoint.method, endpoint.table, False, False, status,
            f"{status} {message} (not in the Bizstim reference; this account does not serve it)",
            endpoint.impact,
        )  # fmt: skip
    raise ExtractError(f"GET {path} answered {status}: {message}")


# -- the table --------------------------------------------------------------------------------
def raw_table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, table],
    ).fetchone()
    return bool(row and row[0])


def upcoming_cycle(path: Path) -> int:
    """The cycle the next ``extract`` works on: the unfinished one, else the next number."""
    if not path.exists():
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        if not raw_table_exists(con, CYCLES_TABLE):
            return 1
        row = con.execute(
            f"select max(cycle) filter (where completed_at is null), coalesce(max(cycle), 0) + 1 "
            f"from {RAW_SCHEMA}.{CYCLES_TABLE}"
        ).fetchone()
    return int(row[0] if row and row[0] is not None else row[1] if row else 1)


def record(path: Path, cycle: int, found: Iterable[Availability], probed_by: str) -> None:
    """Write (replace) this cycle's rows of the given endpoints."""
    rows = list(found)
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{ENDPOINTS_TABLE} (cycle integer not null, "
            "endpoint varchar not null, table_name varchar not null, documented boolean not "
            "null, available boolean not null, http_status integer, reason varchar, impact "
            "varchar, probed_by varchar not null, checked_at timestamptz not null default now(), "
            "primary key (cycle, endpoint))"
        )
        for row in rows:
            con.execute(
                f"delete from {RAW_SCHEMA}.{ENDPOINTS_TABLE} where cycle = ? and endpoint = ?",
                [cycle, row.endpoint],
            )
            con.execute(
                f"insert into {RAW_SCHEMA}.{ENDPOINTS_TABLE} (cycle, endpoint, table_name, "
                "documented, available, http_status, reason, impact, probed_by) values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [cycle, row.endpoint, row.table, row.documented, row.available, row.http_status,
                 row.reason or None, row.impact or None, probed_by],
            )  # fmt: skip


def unavailable(path: Path, cycle: int) -> dict[str, Availability]:
    """Endpoints recorded unavailable in ``cycle``, by raw table name."""
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        if not raw_table_exists(con, ENDPOINTS_TABLE):
            return {}
        rows = con.execute(
            f"select endpoint, table_name, documented, http_status, reason, impact from "
            f"{RAW_SCHEMA}.{ENDPOINTS_TABLE} where cycle = ? and not available order by endpoint",
            [cycle],
        ).fetchall()
    return {
        str(table): Availability(str(e), str(table), bool(d), False, int(s or 0), r or "", w or "")
        for e, table, d, s, r, w in rows
    }


def from_state(endpoint: Endpoint, state: dict[str, Any]) -> Availability:
    """What an endpoint's dlt resource state says (``unavailable`` is set by its probe)."""
    gone = state.get("unavailable")
    if not gone:
        return available(endpoint)
    return Availability(
        endpoint.method, endpoint.table, endpoint.documented, False, int(gone["status"]),
        str(gone["reason"]), endpoint.impact,
    )  # fmt: skip


def probed(tables: Iterable[str]) -> list[Endpoint]:
    wanted = set(tables)
    return [e for e in PROBED if e.table in wanted]
