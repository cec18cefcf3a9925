"""What the migration does not carry over, and what people must rebuild (sections 7 and 8).

Counted from the raw Bizstim tables (``raw_bizstim``, every value the API string) in the
current snapshot: rows whose ``_dlt_load_id`` is at or after the start of the latest completed
extraction cycle, the rule staging uses. A table or column dlt never created (a tiny account)
gives ``count: null`` and a note rather than an error.
"""

from __future__ import annotations

from typing import Any

from report.db import ReportDb

RAW = "raw_bizstim"
CYCLES = "_bizmig_extract_cycles"
# the address shape dbt's int_people__email_addresses accepts (lower-cased, trimmed tokens)
EMAIL_PATTERN = (
    r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?"
    r"(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}"
)
ATTACHMENT_CHECKLIST: tuple[str, ...] = (
    "Client documents uploaded to client profiles (intake forms, report cards, IEPs)",
    "Practitioner files (contracts, certifications, background checks, résumés)",
    "Invoice and receipt PDFs (Bizstim invoices and the QuickBooks copies)",
    "Session attachments (worksheets, homework, recordings linked from session notes)",
    "Signed agreements and consent forms",
    "Profile photos, the business logo and e-mail letterhead images",
)


def is_set(column: str) -> str:
    """SQL: a raw string value that carries a setting (not empty, not the API's "0")."""
    return f"coalesce(trim({column}), '') not in ('', '0')"


def not_empty(column: str) -> str:
    return f"coalesce(trim({column}), '') <> ''"


class RawCounter:
    """Counts over raw tables of the current snapshot; None when a table or column is absent."""

    def __init__(self, db: ReportDb) -> None:
        self.db = db
        self.snapshot_start: float | None = None
        if db.has(RAW, CYCLES):
            started = db.scalar(
                f"select max(started_at) from {RAW}.{CYCLES} where completed_at is not null"
            )
            self.snapshot_start = float(started) if started is not None else None

    def available(self, table: str, *columns: str) -> bool:
        if not self.db.has(RAW, table):
            return False
        return set(columns) <= set(self.db.columns(RAW, table))

    def _where(self, table: str, condition: str) -> str:
        clauses = [f"({condition})"]
        if self.snapshot_start is not None and "_dlt_load_id" in self.db.columns(RAW, table):
            clauses.append(f"try_cast(_dlt_load_id as double) >= {self.snapshot_start!r}")
        return " and ".join(clauses)

    def rows(self, table: str, columns: tuple[str, ...], condition: str = "true") -> int | None:
        if not self.available(table, *columns):
            return None
        return int(
            self.db.scalar(
                f"select count(*) from {RAW}.{table} where {self._where(table, condition)}"
            )
            or 0
        )

    def distinct(
        self, table: str, key: str, columns: tuple[str, ...], condition: str = "true"
    ) -> set[str] | None:
        """Distinct non-empty values of `key` over the matching rows."""
        if not self.available(table, key, *columns):
            return None
        rows = self.db.rows(
            f"select distinct {key} as k from {RAW}.{table} "
            f"where {self._where(table, condition)} and {not_empty(key)}"
        )
        return {str(r["k"]) for r in rows}


def _size(values: set[str] | None) -> int | None:
    return None if values is None else len(values)


def _clients(known: set[str] | None, *parts: set[str] | None) -> int | None:
    """Distinct client ids over `parts` that are clients of the current snapshot (sessions and
    payments still name deleted clients)."""
    present = [p for p in parts if p is not None]
    if not present:
        return None
    ids = set().union(*present)
    return len(ids & known if known is not None else ids)


def _item(key: str, title: str, rebuild: str, clients: int | None, **details: Any) -> dict:
    return {"key": key, "title": title, "rebuild": rebuild, "clients": clients, "details": details}


def automation_inventory(db: ReportDb) -> list[dict[str, Any]]:
    """Section 8: Bizstim automations to rebuild as Twenty workflows, with clients affected."""
    raw = RawCounter(db)
    known = raw.distinct("clients", "id", ())
    email_ok = (
        "list_has_any(list_transform(string_split(lower(coalesce(email, '')), ','), "
        f"lambda t: regexp_full_match(trim(t), '{EMAIL_PATTERN.replace(chr(39), chr(39) * 2)}') "
        "and not contains(trim(t), '..')), [true])"
    )
    invoiced_sessions = raw.distinct(
        "sessions", "client_id", ("qb_invoice_id",), is_set("qb_invoice_id")
    )
    invoiced_payments = raw.distinct(
        "payments", "client_id", ("qb_payment_id",), is_set("qb_payment_id")
    )
    slot_columns = ("min_time", "max_time", "slot_duration", "session_limit")
    slot_rule = " or ".join(is_set(c) for c in slot_columns)
    recurring = "coalesce(trim(recurr_on), '') = '1'"
    booking = "coalesce(trim(online_booking), '') = '1'"
    return [
        _item(
            "sms_reminders",
            "SMS reminders",
            "Twenty workflow: scheduled trigger before each tutoring session → SMS to the "
            "client's text number (needs an SMS integration such as Twilio via a webhook action)",
            raw.rows("clients", ("text_phone",), not_empty("text_phone")),
            counted="clients with a non-empty text_phone",
        ),
        _item(
            "email_notifications",
            "E-mail notifications",
            "Twenty workflows: session booked / changed / cancelled → send e-mail to the client "
            "and practitioner (connect a mailbox in Twenty first)",
            raw.rows("clients", ("email",), email_ok),
            counted="clients with at least one valid e-mail address (dbt's address rule)",
        ),
        _item(
            "invoicing",
            "Invoicing (QuickBooks link)",
            "Twenty workflow or integration: completed session → invoice in QuickBooks; "
            "payment received → mark paid. The QuickBooks ids are not migrated.",
            _clients(known, invoiced_sessions, invoiced_payments),
            counted="clients with a session carrying qb_invoice_id or a payment carrying "
            "qb_payment_id",
            sessions_with_invoice=raw.rows("sessions", ("qb_invoice_id",), is_set("qb_invoice_id")),
            payments_with_quickbooks_id=raw.rows(
                "payments", ("qb_payment_id",), is_set("qb_payment_id")
            ),
        ),
        _item(
            "session_slot_rules",
            "Session-slot rules",
            "Booking constraints (earliest / latest time, slot length, sessions per period, "
            "service start intervals): validation in a Twenty workflow or the booking tool",
            raw.rows("client_details", slot_columns, slot_rule),
            counted="clients with min_time, max_time, slot_duration or session_limit set",
            services_with_start_interval=raw.rows(
                "services", ("start_interval",), is_set("start_interval")
            ),
        ),
        _item(
            "recurring_sessions",
            "Recurring sessions",
            "Twenty has no recurrence on records: a workflow (or calendar sync) must create "
            "future sessions of each series",
            _clients(known, raw.distinct("sessions", "client_id", ("recurr_on",), recurring)),
            counted="clients with a session where recurr_on = 1",
            recurring_sessions=raw.rows("sessions", ("recurr_on",), recurring),
            series=_size(raw.distinct("sessions", "recurr_id", ("recurr_on",), recurring)),
        ),
        _item(
            "online_booking",
            "Online booking",
            "Bizstim's client booking page does not move: choose a booking tool (form or "
            "scheduler) that creates tutoringSession records through Twenty's API",
            None,
            counted="not per client: services and locations offered for online booking",
            services=raw.rows("services", ("online_booking",), booking),
            locations=raw.rows("locations", ("online_booking",), booking),
        ),
    ]


def not_migrated_inventory(db: ReportDb, reconciliation: list[dict[str, Any]]) -> dict[str, Any]:
    """Section 7: what stays behind, by design, by API limits or by a named rule."""
    raw = RawCounter(db)
    known = raw.distinct("clients", "id", ())
    link = not_empty("ondemand_link")
    excluded = [
        {
            "object": r["object_name"],
            "source_table": r["source_table"],
            "rule": rule,
            "rows": rows,
        }
        for r in reconciliation
        for rule, rows in sorted(r["excluded_by_rule"].items())
        if rows
    ]
    return {
        "ondemand_links": {
            "sessions": raw.rows("sessions", ("ondemand_link",), link),
            "clients": _clients(
                known, raw.distinct("sessions", "client_id", ("ondemand_link",), link)
            ),
            "why": "Bizstim-hosted on-demand session links stop working when the Bizstim "
            "account closes; not portable by design. Replace with your video tool's links.",
        },
        "attachments": {
            "why": "The Bizstim API does not expose files; export them by hand from the "
            "Bizstim web app before the account closes.",
            "checklist": list(ATTACHMENT_CHECKLIST),
        },
        "discount_codes": {
            "codes": raw.rows("discounts", ()),
            "why": "Twenty has no discount object (rule discount_codes_not_migrated); "
            "recreate active codes in the invoicing or booking tool.",
        },
        "excluded_by_rule": excluded,
    }
