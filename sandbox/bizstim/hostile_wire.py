"""Wire classes of the bad-input corpus: the API misbehaving while it is being read.

:func:`prepare` picks the records at generation time (stored in the manifest's ``wire``
section); :class:`HostileWire` acts on them while the sandbox answers. Every trigger fires
once, on the first request that matches it (list triggers only on pages of the endpoint's
maximum size, which is what the extraction asks for: ``bizmig scope`` asks ``/0/1``), and
records what it did (the ids it duplicated, skipped, deleted or added) so tests can read it
back from ``GET /_sandbox/hostile``.

* ``deleted_mid_extraction``: right after the first ``payments`` page at start 0 was served,
  one payment on that page is deleted: ``total`` shrinks by one and every later row moves one
  position up, so the row at position ``limit`` is never served by the following page.
* ``added_mid_extraction``: right after the first ``payments`` page at start ``limit`` was
  served, a payment with a low (unused) id is inserted: ``total`` grows and rows move down.
* ``duplicate_id_across_pages``: the first ``payments`` page at start ``2 * limit`` starts one
  row early (what MySQL's ``LIMIT/OFFSET`` does when the sort is not unique): the last row of
  the previous page comes again and the last row of this page is skipped; ``total`` is right.
* ``client_deleted_before_detail``: right after the ``clients`` list was served, one client is
  deleted, so its ``client/{id}`` answers 404.
* ``html_instead_of_json``: the first full ``services`` page is a 200 ``text/html`` maintenance
  page (a proxy or a PHP notice), not JSON.
* ``html_error_page_502``: the first ``client/{id}`` of one client is a 502 ``text/html``
  gateway error page.
* ``unknown_extra_fields``: one client's row in the ``clients`` list carries fields the
  reference does not know, one of them not even a string (an array).
"""

from __future__ import annotations

import threading
from typing import Any

from sandbox.bizstim.hostile_base import Account, Check, Touch, payment, person, wire_class
from sandbox.bizstim.store import LISTS, Store
from sandbox.httpbase import Response

MAINTENANCE = (b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>We'll "
               b"be right back</h1><p>Bizstim is being updated.</p></body></html>")
BAD_GATEWAY = (b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
               b"Gateway</h1></center><hr><center>nginx</center></body></html>")
EXTRA_FIELDS = {"legacy_portal_pin": "0042", "x_tags": ["vip", "sibling"]}

wire_class("deleted_mid_extraction", "a payment deleted between two pages (total shrinks)",
           "recovered", "re-listed: the deleted row excluded (not_in_current_snapshot), "
           "the shifted row loaded")
wire_class("added_mid_extraction", "a payment added between two pages (total grows)",
           "recovered", "re-listed: the new row loaded, no row twice")
wire_class("duplicate_id_across_pages", "one id on two pages, another id on none",
           "recovered", "re-listed when the pass holds fewer distinct ids than total")
wire_class("client_deleted_before_detail", "client deleted between the list and client/{id}",
           "quarantined", "client_detail_missing")
wire_class("html_instead_of_json", "a list page answered 200 text/html", "recovered",
           "retried as a transient fault")
wire_class("html_error_page_502", "client/{id} answered 502 text/html", "recovered",
           "retried as a transient fault")
wire_class("unknown_extra_fields", "unknown fields (one an array) in a listed client",
           "loaded", "extra fields landed raw, ignored by the mapping")


def prepare(a: Account, name: str) -> tuple[list[Touch], list[Check]]:
    """Pick the records a wire class acts on; store them in ``a.wire``."""
    if name == "deleted_mid_extraction":
        pid = a.take("payments")
        a.wire[name] = {"id": pid}
        return [payment(pid)], []
    if name == "added_mid_extraction":
        new = str(a.free_id("payments"))
        a.wire[name] = {"id": new, "values": {
            "client_id": a.anchor_client, "revenue_amount": "75.00",
            "revenue_date": "2024-05-15", "revenue_credit": "0", "revenue_tax": "0.00",
            "qb_payment_id": "0", "revenue_note": "added while the extraction ran"}}
        return [payment(new)], [("payments", f"payment:{new}", "amount.amountMicros", 75000000)]
    if name == "duplicate_id_across_pages":
        a.wire[name] = {}
        return [], []  # the ids are known when it fires: see HostileWire.events
    if name in ("client_deleted_before_detail", "html_error_page_502",
                "unknown_extra_fields"):
        cid = a.take("clients")
        a.wire[name] = {"id": cid}
        return [person(cid)], []
    if name == "html_instead_of_json":
        a.wire[name] = {}
        ids = [str(r[0]) for r in a._sql("SELECT id FROM services WHERE service_status = '1' "
                                         "ORDER BY id") if ("services", r[0]) not in a.used]
        return [("tutoringService", "services", sid) for sid in ids], []
    raise ValueError(name)


class HostileWire:
    def __init__(self, store: Store, config: dict[str, Any]) -> None:
        self.store = store
        self.config = config
        self.fired: set[str] = set()
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _once(self, name: str) -> bool:
        with self._lock:
            if name not in self.config or name in self.fired:
                return False
            self.fired.add(name)
            return True

    @staticmethod
    def _split(path: str) -> tuple[str, list[str]]:
        method, *params = path.rstrip("/")[len("/api/"):].split("/")
        return method, params

    @staticmethod
    def _full_page(method: str, params: list[str]) -> int | None:
        """The start of a list request for a page of the endpoint's maximum size, else None."""
        spec = LISTS.get(method)
        if spec is None or len(params) != 2 or not all(p.isdigit() for p in params):
            return None
        return int(params[0]) if int(params[1]) >= spec.max_limit else None

    def _event(self, name: str, touches: list[Touch], **detail: Any) -> None:
        with self._lock:
            self.events.append({"class": name, "touches": touches, **detail})

    def intercept(self, path: str) -> Response | None:
        """An answer replacing the real one, or None."""
        method, params = self._split(path)
        start = self._full_page(method, params)
        if method == "services" and start is not None and self._once("html_instead_of_json"):
            self._event("html_instead_of_json", [], path=path)
            return Response(200, MAINTENANCE, content_type="text/html; charset=UTF-8")
        target = self.config.get("html_error_page_502", {}).get("id")
        if method == "client" and params == [target] and self._once("html_error_page_502"):
            self._event("html_error_page_502", [], path=path)
            return Response(502, BAD_GATEWAY, content_type="text/html")
        if method == "payments" and start is not None:
            spec = LISTS["payments"]
            limit = spec.max_limit
            if start == 2 * limit and self._once("duplicate_id_across_pages"):
                total, rows = self.store.page(spec, start - 1, limit)
                _, after = self.store.page(spec, start - 1 + limit, 1)
                touches = [payment(rows[0]["id"])] + [payment(r["id"]) for r in after]
                self._event("duplicate_id_across_pages", touches, duplicated=rows[0]["id"],
                            skipped=[r["id"] for r in after])
                return Response(200, {"status": "success", "total": total, "response": rows},
                                records=len(rows))
        return None

    def after(self, path: str, response: Response) -> None:
        """Side effects once an answer is ready (it is sent after this returns)."""
        if response.status != 200 or not path.startswith("/api/"):
            return
        method, params = self._split(path)
        start = self._full_page(method, params)
        limit = LISTS["payments"].max_limit
        if method == "payments" and start == 0 and self._once("deleted_mid_extraction"):
            gone = self.config["deleted_mid_extraction"]["id"]
            _, shifted = self.store.page(LISTS["payments"], limit, 1)
            self.store.mutate("payments", "delete", gone, {})
            self._event("deleted_mid_extraction", [payment(r["id"]) for r in shifted],
                        deleted=gone, shifted=[r["id"] for r in shifted])
        if method == "payments" and start == limit and self._once("added_mid_extraction"):
            added = self.config["added_mid_extraction"]
            self.store.mutate("payments", "insert", added["id"], added["values"])
            self._event("added_mid_extraction", [], added=added["id"])
        if method == "clients" and start is not None \
                and self._once("client_deleted_before_detail"):
            gone = self.config["client_deleted_before_detail"]["id"]
            self.store.mutate("clients", "delete", gone, {})
            self._event("client_deleted_before_detail", [], deleted=gone)
        extra = self.config.get("unknown_extra_fields", {}).get("id")
        if method == "clients" and isinstance(response.body, dict):
            for row in response.body.get("response", []):
                if row.get("id") == extra:
                    row.update(EXTRA_FIELDS)
