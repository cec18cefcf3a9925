"""`bizmig scope`: what the account holds, and what extracting it will cost.

The cheapest question Bizstim answers is ``/api/{method}/0/1``: one record plus the envelope's
``total``. Scope asks that once per list endpoint, spreading the calls over the keys so every
key is validated without spending an extra request. The request budget of an extraction is then
exact for lists (``ceil(total / max page)`` each) and for client details (one per client).
Availability needs one call per distinct ``avail_id``, which only the client and practitioner
lists reveal: by default scope gives an upper bound (one per client + up to three per
practitioner, the documented default + alternatives is open-ended, so it reads the first
practitioner page to measure); ``exact=True`` reads those two lists in full through the
extraction's spool, so ``extract`` later answers them from disk instead of spending budget twice.

Client details: ``client/{id}`` is fetched for every client only when details hold more than
the list (:mod:`ingest.detail_probe`). Scope reads the first clients page whole (the same one
request, and the extraction's first page, read from the spool later), probes 25 details spread
over it and prints both budgets and which one applies; the verdict is recorded for the next
cycle (``raw_bizstim._bizmig_detail_probes``, probed_by scope). The extraction probes again
over the whole listing and decides.

The same ``/0/1`` request probes the optional (undocumented) lists ``users`` and
``customfields``; ``/timezone`` is asked once (spooled, so ``extract`` does not ask again).
Refused ones (:mod:`ingest.availability`) are shown as unavailable with the status and reason,
cost nothing in the budget and the ETA, and are recorded in ``raw_bizstim._bizmig_endpoints``
for the cycle the next ``extract`` runs, which then skips them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dlt.sources.helpers.rest_client import RESTClient

from common.settings import BizstimSettings
from ingest import availability, detail_probe
from ingest.availability import Availability, judge
from ingest.bookkeeping import id_order
from ingest.endpoints import AVAILABILITY, CLIENT_DETAIL, LIST_ENDPOINTS, TIMEZONE, pages_needed
from ingest.expected_columns import ColumnCheck, check_record
from ingest.pacer import KeyPool
from ingest.paginator import PathOffsetPaginator
from ingest.transport import PacedAdapter, Spool, TransportStats, paced_session

CLIENTS = next(e for e in LIST_ENDPOINTS if e.method == "clients")


@dataclass
class ScopeLine:
    endpoint: str
    table: str
    records: int
    page_size: int
    requests: int
    exact: bool = True
    documented: bool = True
    available: bool = True
    http_status: int = 200
    reason: str = ""  # why unavailable


@dataclass
class ScopeReport:
    lines: list[ScopeLine]
    keys: int
    rate_limit: int
    rate_window: float
    scope_requests: int
    probes: list[Availability] = field(default_factory=list)
    columns: list[ColumnCheck] = field(default_factory=list)  # per list, its probed record
    cycle: int | None = None  # the extraction cycle the probes were recorded for
    client_details: detail_probe.Verdict | None = None  # which client/{id} budget applies

    @property
    def unavailable(self) -> list[Availability]:
        return [p for p in self.probes if not p.available]

    @property
    def total_requests(self) -> int:
        return sum(line.requests for line in self.lines)

    @property
    def exact(self) -> bool:
        return all(line.exact for line in self.lines)

    def eta_seconds(self) -> float:
        """Time the extraction needs at the budget's pace, starting from a fresh budget:
        each key sends ``rate_limit`` at once, then one per ``window / limit`` seconds."""
        per_key = self.total_requests / self.keys
        return max(0.0, per_key - self.rate_limit) * self.rate_window / self.rate_limit

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoints": [asdict(line) for line in self.lines],
            "keys": self.keys,
            "rate_limit": self.rate_limit,
            "rate_window_seconds": self.rate_window,
            "total_requests": self.total_requests,
            "exact": self.exact,
            "eta_seconds": round(self.eta_seconds(), 1),
            "scope_requests": self.scope_requests,
            "unavailable": [p.as_json() for p in self.unavailable],
            "columns": [c.as_json() for c in self.columns],
            "cycle": self.cycle,
            "client_details": self.client_details.as_json() if self.client_details else None,
        }


def run_scope(
    settings: BizstimSettings,
    work_dir: Path,
    exact: bool = False,
    duckdb_path: Path | None = None,
    client_details: detail_probe.Policy | None = None,
) -> ScopeReport:
    """Probe and count the account; with ``duckdb_path``, record which endpoints it serves
    and the client-detail verdict for the cycle the next ``extract`` runs."""
    stats = TransportStats()
    # One pool for all keys: it hands out the least-used key, so the first requests validate
    # every key with calls we need anyway. Its journal is the extraction's, so the budget
    # scope spends is known to the extract that follows.
    pool = KeyPool(
        settings.api_keys, settings.rate_limit, settings.rate_window, journal_dir=work_dir / "pacer"
    )
    adapter = PacedAdapter(
        pool, urlsplit(settings.base_url).path, spool=Spool(work_dir / "spool"), stats=stats
    )
    client = RESTClient(base_url=settings.base_url, session=paced_session(adapter))
    try:
        chosen = client_details or detail_probe.policy()
        report = _scope(settings, client, adapter, stats, exact, chosen)
    finally:
        pool.close()
    if duckdb_path is not None:
        report.cycle = availability.upcoming_cycle(duckdb_path)
        availability.record(duckdb_path, report.cycle, report.probes, "scope")
        if report.client_details is not None:
            detail_probe.record(duckdb_path, report.cycle, report.client_details, "scope")
    return report


def _scope(
    settings: BizstimSettings,
    client: RESTClient,
    adapter: PacedAdapter,
    stats: TransportStats,
    exact: bool,
    chosen: detail_probe.Policy,
) -> ScopeReport:
    lines: list[ScopeLine] = []
    probes: list[Availability] = []
    columns: list[ColumnCheck] = []
    totals: dict[str, int] = {}
    first_clients: list[dict[str, Any]] = []
    for endpoint in LIST_ENDPOINTS:
        # clients: the whole first page (the same one request; extract reads it from the
        # spool), because the detail probe samples its records
        size = endpoint.max_limit if endpoint is CLIENTS else 1
        path = f"/{endpoint.method}/0/{size}"
        response = client.get(path)
        probes.append(judge(endpoint, response, path))
        if not probes[-1].available:
            lines.append(_unavailable_line(probes[-1], endpoint.max_limit))
            continue
        body = response.json()
        total = int(body.get("total", 0))
        totals[endpoint.method] = total
        if endpoint is CLIENTS and isinstance(body.get("response"), list):
            first_clients = [r for r in body["response"] if isinstance(r, dict) and "id" in r]
        columns.append(check_record(endpoint.table, _first_record(body)))
        lines.append(
            ScopeLine(
                endpoint.method,
                endpoint.table,
                total,
                endpoint.max_limit,
                pages_needed(total, endpoint.max_limit),
                documented=endpoint.documented,
            )
        )
    probes.append(judge(TIMEZONE, client.get(f"/{TIMEZONE.method}"), f"/{TIMEZONE.method}"))
    if probes[-1].available:  # answered, and spooled: extract will not ask again
        lines.append(ScopeLine(TIMEZONE.method, TIMEZONE.table, 1, 1, 1, documented=False))
    else:
        lines.append(_unavailable_line(probes[-1], 1))
    verdict = _probe_details(client, adapter, first_clients, totals["clients"], chosen)
    lines.append(
        ScopeLine(
            CLIENT_DETAIL.method, CLIENT_DETAIL.table, totals["clients"], 1,
            verdict.requests() if verdict else totals["clients"],
        )
    )  # fmt: skip
    avail, is_exact = _availability_ids(client, totals, exact)
    lines.append(ScopeLine(AVAILABILITY.method, AVAILABILITY.table, avail, 1, avail, is_exact))
    return ScopeReport(
        lines,
        len(settings.api_keys),
        settings.rate_limit,
        settings.rate_window,
        scope_requests=sum(stats.status.values()),
        probes=probes,
        columns=columns,
        client_details=verdict,
    )


def _probe_details(
    client: RESTClient,
    adapter: PacedAdapter,
    first_page: list[dict[str, Any]],
    total: int,
    chosen: detail_probe.Policy,
) -> detail_probe.Verdict | None:
    """The detail probe over the first clients page (the extraction probes over the whole
    listing; for an account of up to 1 000 clients both pick the same ids, and extract reads
    the answers from the spool)."""
    if not first_page:
        return None
    ordered = sorted(first_page, key=lambda r: id_order(str(r["id"])))

    def get_ahead(path: str) -> Any:
        with adapter.ahead():
            return client.get(path)

    return detail_probe.probe(get_ahead, ordered, chosen, total)


def _first_record(body: dict[str, Any]) -> dict[str, Any] | None:
    records = body.get("response")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        return records[0]
    return None


def _unavailable_line(probe: Availability, page_size: int) -> ScopeLine:
    return ScopeLine(
        probe.endpoint, probe.table, 0, page_size, 0, documented=probe.documented,
        available=False, http_status=probe.http_status, reason=probe.reason,
    )  # fmt: skip


def _availability_ids(client: RESTClient, totals: dict[str, int], exact: bool) -> tuple[int, bool]:
    if not exact:
        # practitioners carry a default schedule plus alternatives; sample the first page
        page = client.get("/practitioners/0/100")
        page.raise_for_status()
        sample = page.json().get("response", [])
        per_pract = (
            sum(
                len([a for a in str(p.get("avail_id", "")).split(",") if a.strip()]) for p in sample
            )
            / len(sample)
            if sample
            else 0
        )
        estimate = totals["clients"] + round(per_pract * totals["practitioners"])
        return estimate, False
    ids: set[str] = set()
    for method, limit in (("clients", 1000), ("practitioners", 100)):
        paginator = PathOffsetPaginator(f"/{method}", limit)
        for page in client.paginate(f"/{method}", paginator=paginator, data_selector="response"):
            for record in page:
                ids |= {a.strip() for a in str(record.get("avail_id", "")).split(",") if a.strip()}
    return len(ids), True
