"""§3.11 rules 9-11 in process: views paged by at most 100 with ``meta.total_pages``, DELETE to
the recycle bin (hidden, 404) and ``/forget`` erasing, settings and selectors read-only unless
the stand-in's field option; and what the loader reads back (a contact's includes, a restart
keeping every record)."""

from __future__ import annotations

from pathlib import Path

from sandbox.freshsales.records import Options
from tests.sandbox_freshsales.fs_helpers import InProcess


def _contact(fs: InProcess, key: str) -> int:
    body = {"unique_identifier": {"cf_bizstim_id": key}, "contact": {"last_name": key}}
    return fs.api("POST", "/contacts/upsert", body).body["contact"]["id"]


def _all_contacts_view(fs: InProcess) -> int:
    views = fs.api("GET", "/contacts/filters").body["filters"]
    return next(v["id"] for v in views if v["name"] == "All Contacts")


def test_rule9_views_page_at_most_a_hundred_with_total_pages(fs: InProcess) -> None:
    before = fs.api("GET", f"/contacts/view/{_all_contacts_view(fs)}").body["meta"]["total"]
    for i in range(150 - before):
        _contact(fs, f"paged:{i}")
    view = f"/contacts/view/{_all_contacts_view(fs)}"
    first = fs.api("GET", f"{view}?page=1&per_page=150").body
    assert len(first["contacts"]) == 100
    assert first["meta"]["total_pages"] == 2 and first["meta"]["total"] == 150
    second = fs.api("GET", f"{view}?page=2&per_page=100").body["contacts"]
    assert len(second) == 50
    ids = [c["id"] for c in first["contacts"] + second]
    assert len(set(ids)) == 150
    assert fs.api("GET", f"{view}?page=0").status == 400


def test_rule10_delete_sends_to_the_recycle_bin_and_forget_erases(fs: InProcess) -> None:
    kept, binned = _contact(fs, "bin:kept"), _contact(fs, "bin:gone")
    assert fs.api("DELETE", f"/contacts/{binned}").status == 204
    assert fs.api("GET", f"/contacts/{binned}").status == 404
    assert fs.api("DELETE", f"/contacts/{binned}").status == 404  # already in the bin
    listed = fs.api("GET", f"/contacts/view/{_all_contacts_view(fs)}?per_page=100&page=1")
    pages = listed.body["meta"]["total_pages"]
    seen = {c["id"] for p in range(1, pages + 1) for c in _page(fs, p)}
    assert kept in seen and binned not in seen
    snapshot = fs.call("GET", "/_sandbox/snapshot?account=acme", key=None).body["acme"]
    assert binned in snapshot["recycle_bin"]["contacts"]
    again = fs.api(
        "POST",
        "/contacts/upsert",
        {"unique_identifier": {"cf_bizstim_id": "bin:gone"}, "contact": {"last_name": "Back"}},
    )
    assert again.status == 201 and again.body["contact"]["id"] != binned  # the bin is not matched
    assert fs.api("DELETE", f"/contacts/{binned}/forget").status == 204
    after = fs.call("GET", "/_sandbox/snapshot?account=acme", key=None).body["acme"]
    assert binned not in after["recycle_bin"]["contacts"]
    assert fs.api("DELETE", f"/contacts/{binned}/forget").status == 404


def _page(fs: InProcess, page: int) -> list[dict]:
    view = _all_contacts_view(fs)
    return fs.api("GET", f"/contacts/view/{view}?per_page=100&page={page}").body["contacts"]


def test_rule11_settings_and_selectors_are_read_only_unless_the_field_option(
    fs: InProcess, tmp_path: Path
) -> None:
    spec = {"field": {"label": "Wage", "type": "number"}}
    assert fs.api("POST", "/settings/contacts/fields", spec).status == 403
    names = {f["name"] for f in fs.api("GET", "/settings/contacts/fields").body["fields"]}
    assert "cf_wage" not in names and "cf_bizstim_id" in names
    assert fs.api("POST", "/selector/owners", {}).status == 405
    open_account = InProcess(tmp_path, Options(allow_field_create=True))
    try:
        created = open_account.api("POST", "/settings/contacts/fields", spec)
        assert created.status == 201 and created.body["field"]["name"] == "cf_wage"
        fields = open_account.api("GET", "/settings/contacts/fields").body["fields"]
        assert [f["default"] for f in fields if f["name"] == "cf_wage"] == [False]
    finally:
        open_account.close()


def test_a_contact_is_looked_up_and_reads_back_its_notes_appointments_account(
    fs: InProcess,
) -> None:
    household = fs.api("POST", "/sales_accounts", {"sales_account": {"name": "Home"}})
    account_id = household.body["sales_account"]["id"]
    link = [{"id": account_id, "is_primary": True}]
    person = {"last_name": "I", "sales_accounts": link, "email": "ida@example.com"}
    contact_id = fs.api("POST", "/contacts", {"contact": person}).body["contact"]["id"]
    found = fs.api("GET", "/lookup?q=IDA@example.com&f=email&entities=contact").body
    assert [c["id"] for c in found["contacts"]["contacts"]] == [contact_id]
    target = {"targetable_type": "Contact", "targetable_id": contact_id}
    fs.api("POST", "/notes", {"note": {"description": "n [bizstim:note:1]", **target}})
    times = {"from_date": "2026-03-02T09:00:00+00:00", "end_date": "2026-03-02T10:00:00+00:00"}
    sent = {"title": "T", "description": "a [bizstim:session:1]", **times, **target}
    assert fs.api("POST", "/appointments", {"appointment": sent}).status == 200
    late = {**sent, "end_date": "2026-03-02T08:00:00+00:00"}
    assert fs.api("POST", "/appointments", {"appointment": late}).status == 400
    read = fs.api("GET", f"/contacts/{contact_id}?include=notes,appointments,sales_accounts")
    assert [n["description"] for n in read.body["notes"]] == ["n [bizstim:note:1]"]
    assert [a["description"] for a in read.body["appointments"]] == ["a [bizstim:session:1]"]
    assert [a["id"] for a in read.body["sales_accounts"]] == [account_id]


def test_a_restart_keeps_records_fields_and_ids(tmp_path: Path) -> None:
    first = InProcess(tmp_path)
    first.admin_field("products", "cf_bizstim_id", unique=True)
    prices = [{"currency_code": "EUR", "unit_price": 40}]
    product = {"name": "Maths", "product_pricings": prices, "custom_field": {"cf_bizstim_id": "s"}}
    doubled = {**product, "product_pricings": prices * 2}
    assert first.api("POST", "/cpq/products", {"product": doubled}).status == 400
    made = first.api("POST", "/cpq/products", {"product": product}).body["product"]["id"]
    first.close()
    again = InProcess(tmp_path)
    try:
        read = again.api("GET", f"/cpq/products/{made}?include=product_pricings").body["product"]
        assert read["product_pricings"] == prices and read["custom_field"] == {"cf_bizstim_id": "s"}
        other = {"name": "Art", "custom_field": {"cf_bizstim_id": "t"}}
        assert again.api("POST", "/cpq/products", {"product": other}).body["product"]["id"] > made
    finally:
        again.close()
