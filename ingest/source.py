"""The ``bizstim`` dlt source: one resource per Bizstim endpoint, landing raw strings.

* list endpoints are paginated by :class:`~ingest.paginator.PathOffsetPaginator` at each
  endpoint's maximum page size; the next offset lives in dlt resource state, which dlt commits
  in the same load as the rows, so a resumed run starts exactly at the first page not landed;
* per-record calls (``client/{id}``, ``availability/{id}``) are parallelised dlt transformers
  fed with the ids still missing from DuckDB (see :mod:`ingest.pipeline`), so no id is fetched
  twice; an id the API no longer knows (404) is landed in ``detail_misses`` instead of vanishing;
* every table merges on ``id``; values are never parsed: what Bizstim sends is what lands;
* the first request of an optional (undocumented) endpoint is its probe: refused with
  403/404/405/410, the endpoint is done for the cycle with ``unavailable`` in its resource state
  (see :mod:`ingest.availability`); a documented one refusing stops the run (exit 11);
* offset pages of a live table are not a snapshot: a row deleted or added between two pages
  moves every later row, so one is skipped or served twice. A listing is therefore read in
  *passes*: when ``total`` changes between pages of a pass, or (checked by
  :mod:`ingest.pipeline` once a pass is done) the pass landed a different number of distinct
  ids than ``total``, the endpoint is listed again from offset 0 in a new pass, at most
  :data:`MAX_PASSES` times. The rows of the last pass are the endpoint's snapshot (its
  ``pass_started`` is written to ``raw_bizstim._bizmig_list_passes``); rows landed by an
  earlier pass and not by the last one were deleted in Bizstim meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from requests import HTTPError

from ingest.availability import EndpointRefused, judge
from ingest.endpoints import (
    AVAILABILITY,
    CLIENT_DETAIL,
    LIST_ENDPOINTS,
    TIMEZONE,
    ListEndpoint,
    pages_needed,
)
from ingest.paginator import PathOffsetPaginator
from ingest.transport import ExtractError

SOURCE_NAME = "bizstim"
MISSES_TABLE = "detail_misses"
MAX_PASSES = 5  # listings of one endpoint per cycle before the extraction gives up


def restart_pass(state: dict[str, Any], method: str, reason: str) -> None:
    """Start a new pass of a listing (from offset 0); rows come in the next dlt run, whose
    load id is newer than ``pass_started``."""
    if state.get("pass", 1) >= MAX_PASSES:
        raise ExtractError(
            f"/{method}: the listing changed under the extraction {MAX_PASSES} times (last: "
            f"{reason}); nothing was lost, rerun `bizmig extract` when Bizstim is quieter"
        )
    state.update({
        "next_start": 0, "done": False, "total": None, "pass_total": None,
        "pass": state.get("pass", 1) + 1, "pass_started": time.time(),
        "relisted": [*state.get("relisted", []), reason],
    })


def _list_resource(
    client: RESTClient,
    endpoint: ListEndpoint,
    cycle: int,
    cycle_started: float,
    max_pages: int,
    on_total: Callable[[str, int], None] | None,
    relist: str | None = None,
) -> Any:
    @dlt.resource(
        name=endpoint.table,
        primary_key="id",
        write_disposition="merge",
        parallelized=True,
    )
    def pages() -> Iterator[list[dict[str, Any]]]:
        state = dlt.current.resource_state()
        if state.get("cycle") != cycle:
            state.clear()
            state.update({"cycle": cycle, "next_start": 0, "done": False, "total": None,
                          "pass": 1, "pass_started": cycle_started, "pass_total": None})
        if relist is not None and state["done"]:
            restart_pass(state, endpoint.method, relist)
            return
        if state["done"]:
            return
        if on_total is not None and state["total"] is not None:
            on_total(endpoint.method, pages_needed(state["total"], endpoint.max_limit))
        paginator = PathOffsetPaginator(
            f"/{endpoint.method}",
            endpoint.max_limit,
            start=state["next_start"],
            max_pages=max_pages,
        )
        try:
            yield from _pages(client, endpoint, paginator, state, on_total)
        except HTTPError as exc:
            path = f"/{endpoint.method}/{paginator.next_start}/{endpoint.max_limit}"
            if exc.response is None:
                raise
            if paginator.next_start != 0:  # a listing that started cannot vanish midway
                raise ExtractError(f"GET {path} answered {exc.response.status_code} midway "
                                   "through the listing") from exc
            gone = judge(endpoint, exc.response, path)
            state.update({"done": True, "total": 0,
                          "unavailable": {"status": gone.http_status, "reason": gone.reason}})

    return pages


def _pages(
    client: RESTClient,
    endpoint: ListEndpoint,
    paginator: PathOffsetPaginator,
    state: dict[str, Any],
    on_total: Callable[[str, int], None] | None,
) -> Iterator[list[dict[str, Any]]]:
    for page in client.paginate(
        f"/{endpoint.method}", paginator=paginator, data_selector="response"
    ):
        if on_total is not None and state["total"] is None:
            on_total(endpoint.method, pages_needed(paginator.total or 0, endpoint.max_limit))
        if state.get("pass_total") is None:
            state["pass_total"] = paginator.total
        yield list(page)
        if paginator.total != state["pass_total"]:
            restart_pass(state, endpoint.method, f"total changed from {state['pass_total']} "
                         f"to {paginator.total} between pages")
            return
        state["next_start"] = paginator.next_start
        state["total"] = paginator.total
        state["done"] = paginator.complete


def _timezone_resource(client: RESTClient, cycle: int) -> Any:
    @dlt.resource(name=TIMEZONE.table, write_disposition="replace")
    def account_timezone() -> Iterator[dict[str, Any]]:
        state = dlt.current.resource_state()
        if state.get("cycle") == cycle and state.get("done"):
            return
        response = client.get(f"/{TIMEZONE.method}")
        found = judge(TIMEZONE, response, f"/{TIMEZONE.method}")
        if not found.available:
            state.clear()
            state.update({"cycle": cycle, "done": True,
                          "unavailable": {"status": found.http_status, "reason": found.reason}})
            return
        yield response.json()["response"]
        state.clear()
        state.update({"cycle": cycle, "done": True})

    return account_timezone


def _detail_transformer(client: RESTClient, method: str, table: str) -> Any:
    @dlt.transformer(name=table, primary_key="id", write_disposition="merge", parallelized=True)
    def detail(record_id: str) -> Iterator[Any]:
        response = client.get(f"/{method}/{record_id}")
        if response.status_code == 404:
            yield dlt.mark.with_table_name(
                {
                    "id": f"{method}:{record_id}",
                    "method": method,
                    "record_id": record_id,
                    "status": "404",
                    "body": response.text[:500],
                },
                MISSES_TABLE,
            )
            return
        if response.status_code in (403, 405, 410):  # documented: no API access
            raise EndpointRefused(
                f"GET /{method}/{record_id} answered {response.status_code}: the account's plan "
                "does not give API access to a documented endpoint"
            )
        try:
            response.raise_for_status()
        except HTTPError as exc:
            raise RuntimeError(f"GET /{method}/{record_id} -> {response.status_code}") from exc
        yield response.json()["response"]

    return detail


def _ids(name: str, ids: Sequence[str]) -> Any:
    @dlt.resource(name=name, selected=False)
    def feed() -> Iterable[str]:
        yield from ids

    return feed


@dlt.source(name=SOURCE_NAME, max_table_nesting=0, root_key=False)
def bizstim_lists(
    client: RESTClient,
    cycle: int,
    cycle_started: float,
    only: Sequence[str] | None = None,
    max_pages: int = 200,
    on_total: Callable[[str, int], None] | None = None,
    relist: dict[str, str] | None = None,
) -> Any:
    """Phase 1: every list endpoint and the account time zone; ``relist`` (table → reason)
    starts a new pass of finished listings that did not add up."""
    wanted = set(only) if only is not None else None
    resources = [
        _list_resource(client, endpoint, cycle, cycle_started, max_pages, on_total,
                       (relist or {}).get(endpoint.table))
        for endpoint in LIST_ENDPOINTS
        if wanted is None or endpoint.table in wanted
    ]
    if wanted is None or TIMEZONE.table in wanted:
        resources.append(_timezone_resource(client, cycle))
    return resources


@dlt.source(name=SOURCE_NAME, max_table_nesting=0, root_key=False)
def bizstim_details(client: RESTClient, client_ids: Sequence[str], avail_ids: Sequence[str]) -> Any:
    """Phase 2: the per-record calls for the given ids (404s land in ``detail_misses``, which
    inherits the transformer's merge-on-``id`` hints)."""
    resources = []
    if client_ids:
        resources.append(
            _ids("pending_client_ids", client_ids)
            | _detail_transformer(client, CLIENT_DETAIL.method, CLIENT_DETAIL.table)
        )
    if avail_ids:
        resources.append(
            _ids("pending_avail_ids", avail_ids)
            | _detail_transformer(client, AVAILABILITY.method, AVAILABILITY.table)
        )
    return resources


def raw_schema_settings(source: Any) -> Any:
    """Keep values exactly as delivered: no timestamp detection on the all-string payloads."""
    source.schema.remove_type_detection("iso_timestamp")
    return source
