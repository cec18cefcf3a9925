"""HTTP to a Salesforce org: OAuth login, one pinned API version, the org's daily allocation.

Salesforce does not throttle per minute: it counts API requests per org per rolling 24 hours
(an Enterprise org with 15 licences has 115 000, a Developer Edition 15 000;
destinations.md §1.4), reports the count on every answer (``Sforce-Limit-Info:
api-usage=used/max``) and, once it is spent, answers **403 ``REQUEST_LIMIT_EXCEEDED``** with no
``Retry-After``: nothing to wait for within a run. So that answer is a clean stop
(:class:`LimitReached`, a :class:`~load.core.pacing.BudgetExhausted`: exit 14, rerun later, the
load resumes from its ledger), and the client stops by itself before it gets there, at a share
of the allocation (``SALESFORCE_LIMIT_SHARE``, default 80 %, what third-party loaders do to
leave the customer's other integrations room, destinations-2.md §1.4). Every answer's usage
is kept in the run's stats. 5xx, timeouts and dropped connections are retried by the core's
loop (:mod:`load.core.transport`).

The org's second daily allowance, **15 000 Bulk API batches** per rolling 24 h (one per
10 000 records, destinations-2.md §1.2), is reported nowhere but ``GET /limits``
(``DailyBulkApiBatches``), and once spent the org fails the next job with ``ExceededQuota``
and every row unprocessed. A loader that falls back to sObject Collections then pays 50
requests per 10 000 rows instead of about 8: the batch cap silently turns into burning the
request allocation. So the same stop covers both allowances (:meth:`SalesforceClient.
spend_bulk_batches`): ``/limits`` is read once per load, the count kept locally as jobs spend
``⌈rows / 10 000⌉`` each (read again when the count says a job would not fit), and a job
that would take the org past the same share of its batches, or that the org refuses with
``ExceededQuota``, stops the load exactly like the request allocation does (exit 14).

Login is the OAuth 2.0 client-credentials flow of an External Client App run as the
integration user (the username-password flow stops working on 20 Feb 2027): the token lives in
this object only, never in a file, the ledger or a log; an expired session (401
``INVALID_SESSION_ID``) logs in again once. One API version is pinned (:data:`API_VERSION`)
and used for every path, REST, Bulk and SOAP alike.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from load.core.pacing import Budget, BudgetExhausted
from load.core.run import SchemaRefused
from load.core.transport import DestinationError, DestinationUnavailable, PacedHttp

API_VERSION = "66.0"  # Spring '26; one version for REST, Bulk 2.0 and the Metadata API
DATA = f"/services/data/v{API_VERSION}"
SOAP = f"/services/Soap/m/{API_VERSION}"
TOKEN_PATH = "/services/oauth2/token"
USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
TRANSIENT_FAULTS = (b"UNKNOWN_EXCEPTION", b"SERVER_UNAVAILABLE")
ID_SEGMENT = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")


class SalesforceError(DestinationError):
    """A refusal in Salesforce's error shape: ``[{"message", "errorCode", "fields"}]``."""

    def __init__(
        self, status: int, errors: list[dict[str, Any]], method: str = "", path: str = ""
    ) -> None:
        self.errors = errors
        self.codes = [str(e.get("errorCode") or e.get("statusCode") or "") for e in errors]
        messages = [
            f"{code}: {e.get('message', '')}" for code, e in zip(self.codes, errors, strict=True)
        ]
        super().__init__(status, messages or ["no message"], method, path)


class SalesforceUnavailable(DestinationUnavailable):
    """5xx, timeouts or dropped connections outlasted the retries."""


class LimitReached(BudgetExhausted):
    """One of the org's daily allowances (API requests, Bulk batches) is spent, or the share
    of it this load may use."""


REQUESTS_WORDS = "daily API requests"
BATCHES_WORDS = "daily Bulk API batches"


def share_spent(used: int, most: int, words: str, share: float, need: int = 1) -> LimitReached:
    """The load stops by itself: ``need`` more of ``words`` would take it past its share."""
    asked = f" and the next Bulk job needs {need}" if need > 1 else ""
    return LimitReached(
        f"the org has used {used} of its {most} {words}{asked}; this load stops at {share:.0%} "
        "so the org's other integrations keep room (SALESFORCE_LIMIT_SHARE changes the share). "
        f"Run the same command again once the rolling 24-hour window frees {words}: the load "
        "resumes from its ledger"
    )


def org_refused(words: str, answer: str) -> LimitReached:
    """The org itself refused: the allowance is spent (its other integrations spent it)."""
    return LimitReached(
        f"Salesforce refused the request: the org's {words} are spent ({answer}). Run the same "
        "command again once the rolling 24-hour window frees them (Setup → System Overview "
        "shows them): the load resumes from its ledger"
    )


class LoginRefused(DestinationError):
    """The token endpoint refused the client id / secret (exit 2 with the reason)."""


def field_not_visible(exc: SalesforceError) -> SchemaRefused | None:
    """A refusal naming a field the integration user cannot see (or that is gone): the load
    stops with the field named (exit 7) instead of quarantining every record for it."""
    words = "; ".join(exc.messages)
    if "INVALID_FIELD" in exc.codes or "No such column" in words:
        return SchemaRefused(
            f"Salesforce does not let the integration user see a field the mart needs ({words})."
            " Run `bizmig load --setup-schema --to salesforce` (it grants Read/Edit through "
            "permission set Bizstim_Migration), or find out who removed the field or its "
            "permission"
        )
    return None


def error_list(response: httpx.Response) -> list[dict[str, Any]]:
    """Salesforce's error array, whatever shape the body has (an object, text, HTML)."""
    try:
        body = response.json()
    except ValueError:
        return [{"errorCode": "UNKNOWN", "message": response.text[:300]}]
    if isinstance(body, list):
        return [e if isinstance(e, dict) else {"message": str(e)} for e in body]
    if isinstance(body, dict):
        if "error" in body:  # the OAuth endpoint: {"error", "error_description"}
            return [{"errorCode": body["error"], "message": body.get("error_description", "")}]
        return [body]
    return [{"errorCode": "UNKNOWN", "message": str(body)[:300]}]


class SalesforceClient(PacedHttp):
    unavailable = SalesforceUnavailable

    def __init__(
        self,
        login_url: str,
        client_id: str,
        client_secret: str,
        rate_limit: int = 100,
        rate_window: float = 60.0,
        limit_share: float = 0.8,
        timeout: float = 120.0,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            login_url,
            {"Accept": "application/json"},
            Budget(rate_limit, rate_window),
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            transport=transport,
        )
        self._client_id = client_id
        self._client_secret = client_secret
        self.limit_share = limit_share
        self.user_id: str | None = None  # the integration user the token runs as
        self.org_id: str | None = None
        self.stop_at: int | None = None  # api-usage at which this load stops by itself
        self.batches_max: int | None = None  # DailyBulkApiBatches Max, once /limits was read
        self.batches_used = 0  # of them in the window: /limits' count plus this load's jobs

    # -- login ------------------------------------------------------------------------------
    def login(self) -> None:
        """Client-credentials token; the instance URL it names is where every call goes."""
        self._http.headers.pop("Authorization", None)
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        try:
            body = super().request(
                "POST",
                TOKEN_PATH,
                content=str(httpx.QueryParams(form)),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        except SalesforceError as exc:
            raise LoginRefused(exc.status, exc.messages, "POST", TOKEN_PATH) from exc
        self._http.headers["Authorization"] = f"Bearer {body['access_token']}"
        instance = str(body.get("instance_url") or self.base_url).rstrip("/")
        self.base_url = instance
        self._http.base_url = httpx.URL(instance)
        identity = str(body.get("id") or "").rstrip("/").split("/")
        if len(identity) >= 2 and ID_SEGMENT.match(identity[-1]):
            self.org_id, self.user_id = identity[-2], identity[-1]

    # -- hooks ------------------------------------------------------------------------------
    def throttle_of(self, response: httpx.Response) -> None:
        """Salesforce has no "slow down" answer: its 403 is the end of the day's budget."""
        return None

    def session_id(self) -> str:
        """The OAuth token, which the Metadata API takes as its SOAP session id."""
        return str(self._http.headers.get("Authorization", "")).removeprefix("Bearer ")

    def is_refusal(self, response: httpx.Response) -> bool:
        """A SOAP fault (HTTP 500 by the SOAP standard) is the org's answer, not an outage —
        except the server-side ones (``UNKNOWN_EXCEPTION``, ``SERVER_UNAVAILABLE``), which are
        retried as any 5xx."""
        head = response.content[:4000]
        return (
            response.request.url.path.startswith("/services/Soap/")
            and b"Fault>" in head
            and not any(code in head for code in TRANSIENT_FAULTS)
        )

    def observe(self, response: httpx.Response) -> None:
        match = USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            used, most = int(match.group(1)), int(match.group(2))
            self.stats.daily_used, self.stats.daily_max = used, most
            self.stop_at = int(most * self.limit_share)

    def error_of(self, response: httpx.Response, method: str, path: str) -> Exception:
        errors = error_list(response)
        codes = {str(e.get("errorCode") or "") for e in errors}
        if response.status_code == 403 and "REQUEST_LIMIT_EXCEEDED" in codes:
            answer = f"403 REQUEST_LIMIT_EXCEEDED: {errors[0].get('message', '')}"
            return org_refused(REQUESTS_WORDS, answer)
        if path.startswith("/services/Soap/"):
            fault = re.search(r"<faultstring>(.*?)</faultstring>", response.text, re.S)
            words = fault.group(1) if fault else response.text[:300]
            return SalesforceError(
                response.status_code, [{"errorCode": "SOAP_FAULT", "message": words}], method, path
            )
        return SalesforceError(response.status_code, errors, method, path)

    def kind_of(self, path: str) -> str:
        """``/composite/sobjects``, ``/jobs/ingest/{id}/batches``, ``/sobjects/{Obj}/{id}`` ..."""
        rest = path.split("?", 1)[0]
        for prefix in (DATA, "/services/data"):
            if rest.startswith(prefix):
                rest = rest[len(prefix) :]
                break
        parts = [p for p in rest.strip("/").split("/") if p]
        if parts[:2] == ["jobs", "ingest"]:
            return "/" + "/".join(["jobs", "ingest"] + ["{id}" for _ in parts[2:3]] + parts[3:4])
        if parts[:2] == ["composite", "sobjects"]:
            return "/composite/sobjects"
        if parts[:1] == ["sobjects"]:
            tail = ["{Obj}"] if len(parts) > 1 else []
            if len(parts) > 2:
                tail.append("describe" if parts[2] == "describe" else "{id}")
            return "/" + "/".join(["sobjects", *tail])
        return "/" + "/".join(parts[:2])

    # -- the budget -------------------------------------------------------------------------
    def check_budget(self) -> None:
        """Stop before the request that would take the org past the share this load may use."""
        used, most = self.stats.daily_used, self.stats.daily_max
        if self.stop_at is not None and used is not None and used >= self.stop_at:
            raise share_spent(used, most or 0, REQUESTS_WORDS, self.limit_share)

    def spend_bulk_batches(self, need: int) -> None:
        """Before a Bulk job of ``need`` batches: count them, or stop if they would take the
        org past the load's share of ``DailyBulkApiBatches``. ``/limits`` is read on the first
        job of the load and again only when the local count says the job would not fit (the
        window may have freed batches since, or other integrations spent more)."""
        if self.batches_max is None or not self._batches_fit(need):
            self.read_bulk_batches()
        if self.batches_max is None:
            return  # an org whose /limits does not report batches: its ExceededQuota still stops
        if not self._batches_fit(need):
            raise share_spent(
                self.batches_used, self.batches_max, BATCHES_WORDS, self.limit_share, need
            )
        self.batches_used += need

    def read_bulk_batches(self) -> None:
        entry = (self.data("GET", "/limits/") or {}).get("DailyBulkApiBatches")
        if not entry:
            return
        most = int(entry.get("Max", 0))
        self.batches_max, self.batches_used = most, most - int(entry.get("Remaining", most))

    def _batches_fit(self, need: int) -> bool:
        most = self.batches_max or 0
        return self.batches_used + need <= int(most * self.limit_share)

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry_writes: bool = True,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        self.check_budget()
        try:
            return super().request(method, path, params, json, retry_writes, content, headers)
        except SalesforceError as exc:
            if exc.status != 401 or "INVALID_SESSION_ID" not in exc.codes:
                raise
        self.login()  # the session expired during a long load: one new token, one more try
        return super().request(method, path, params, json, retry_writes, content, headers)

    def decode(self, response: httpx.Response) -> Any:
        kind = response.headers.get("Content-Type", "")
        if not response.content:
            return None
        if "json" in kind:
            return response.json()
        return response.text  # Bulk result files (CSV) and SOAP envelopes (XML)

    # -- helpers ----------------------------------------------------------------------------
    def data(self, method: str, path: str, **kwargs: Any) -> Any:
        """A REST call under the pinned version (``/sobjects/...``, ``/query``, ``/jobs/...``)."""
        return self.request(method, f"{DATA}{path}", **kwargs)

    def query(self, soql: str, all_rows: bool = False) -> list[dict[str, Any]]:
        """Every row of a SOQL query, following ``nextRecordsUrl`` (2 000 rows a page);
        ``all_rows``: ``queryAll``, which also returns rows in the Recycle Bin."""
        records: list[dict[str, Any]] = []
        for page in self.query_pages(soql, all_rows):
            records += page
        return records

    def query_pages(self, soql: str, all_rows: bool = False) -> Any:
        endpoint = "/queryAll" if all_rows else "/query"
        body = self.data("GET", endpoint, params={"q": soql})
        while True:
            yield [_plain(r) for r in body.get("records", [])]
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) or not next_url:
                return
            body = self.request("GET", next_url)


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A SOQL row without its ``attributes`` (nested relationship rows too)."""
    return {
        k: _plain(v) if isinstance(v, dict) else v for k, v in record.items() if k != "attributes"
    }
