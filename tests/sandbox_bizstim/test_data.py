"""The synthetic account: contract, realistic mess, referential facts, determinism."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sandbox.bizstim.generate import expected_counts
from sandbox.bizstim.store import counts, iter_records
from tests.sandbox_bizstim.conftest import call, ok, run

NA_FORMATS = [r"\(\d{3}\) \d{3}-\d{4}", r"\d{3}\.\d{3}\.\d{4}", r"\+1 \d{3} \d{3} \d{4}",
              r"1\d{10}", r"\+44[\d ]+|0\d{3,4} [\d ]+", r"\+61[\d ]+|\(0\d\) \d{4} \d{4}"]


def test_http_matches_store_api(account, bizstim_db):
    assert counts(bizstim_db) == {k: len(v) for k, v in account.items()}
    for endpoint, rows in account.items():
        assert list(iter_records(bizstim_db, endpoint)) == rows, endpoint


def test_volumes_follow_the_formula(account):
    for method, n in expected_counts(300, 42).items():
        assert len(account[method]) == n, method


def test_email_mess(account):
    emails = [c["email"] for c in account["clients"]]
    lists = [e for e in emails if "," in e]
    assert any(", " in e for e in lists), "comma list with spaces"
    assert any(any(ch.isupper() for ch in e) for e in lists), "upper case in a list"
    assert any(len({p.strip().lower() for p in e.split(",")}) < len(e.split(","))
               for e in lists), "duplicate inside one list"
    shared = [e for e, n in Counter(e for e in emails if e and "," not in e).items() if n > 1]
    assert shared, "one email shared by several clients"
    assert {"john@", "n/a"} & set(emails), "invalid e-mails"
    assert "" in emails


def test_phone_mess(account):
    phones = [c[f] for c in account["clients"] for f in ("p_phone", "s_phone")]
    for pattern in NA_FORMATS:
        assert any(re.fullmatch(pattern, p) for p in phones), pattern
    assert {"n/a", "555-01"} & set(phones) and "" in phones
    assert any("," in c["text_phone"] for c in account["clients"])
    by_country = {c["country"]: c["p_phone"] for c in account["clients"]}
    assert by_country["United Kingdom"] and by_country["Australia"]


def test_names_and_addresses(account):
    names = " ".join(c["first_name"] + c["last_name"] for c in account["clients"])
    for ch in "éüñ李ø":
        assert ch in names.lower(), ch
    countries = {c["country"] for c in account["clients"]}
    assert {"Canada", "United States", "United Kingdom", "Australia"} <= countries


def test_times_and_numbers_mess(account):
    avail = account["availability"]
    days = ["m", "t", "w", "r", "f", "sat", "sun"]
    windows = [(a[f"{d}Availf"], a[f"{d}Availt"]) for a in avail for d in days]
    assert any(t == "24:00" for _, t in windows)
    assert any(f and t and f >= t for f, t in windows), "start >= end window"
    assert ("", "") in windows
    assert all(len(a["label"]) <= 20 for a in avail)
    assert any(s["end_time"] == "24:00" for s in account["sessions"])
    assert any(p["revenue_amount"] == "" for p in account["payments"])
    assert any(s["service_cost"] == "" for s in account["services"])
    assert any(s["duration"] == "" for s in account["sessions"])
    assert {s["session_status"] for s in account["sessions"]} == {"0", "1", "2", "3"}


def test_deleted_status_rows_and_service_groups(account):
    assert "2" in {loc["location_status"] for loc in account["locations"]}
    assert "2" in {s["service_status"] for s in account["services"]}
    alone = [s for s in account["services"] if s["group_id"] == "0"]
    assert alone and all(s["name"] == "" for s in alone)
    groups = Counter(s["group_id"] for s in account["services"] if s["group_id"] != "0")
    assert any(n > 1 for n in groups.values())
    assert all(s["name"] for s in account["services"] if s["group_id"] != "0")


def test_people_references(account):
    practs, staff = account["practitioners"], account["staffs"]
    both = {p["users_id"] for p in practs} & {s["users_id"] for s in staff}
    assert 0.2 <= len(both) / len(practs) <= 0.4
    users = {u["id"] for u in account["users"]}
    assert {p["users_id"] for p in practs + staff} <= users
    assert {u["role"] for u in account["users"]} == {"admin", "staff", "practitioner"}
    ids = [a for r in account["clients"] + practs for a in r["avail_id"].split(",") if a]
    assert len(ids) == len(set(ids)), "avail ids are never shared"
    assert sum(c["avail_id"] == "" for c in account["clients"]) > 0
    assert any(p["avail_id"].count(",") >= 1 for p in practs)


def test_payments_and_sessions_reference_deleted_clients(bizstim, account):
    listed = {c["id"] for c in account["clients"]}
    orphans = {p["client_id"] for p in account["payments"]} - listed
    assert orphans
    for cid in sorted(orphans)[:3]:
        assert call(bizstim, f"/api/client/{cid}").status == 404
    assert {s["client_id"] for s in account["sessions"]} - listed


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    same = run(tmp_path_factory.mktemp("bizstim_same"))
    other = run(tmp_path_factory.mktemp("bizstim_other"), seed=7)
    servers = (next(same), next(other))
    yield servers
    for gen in (same, other):
        gen.close()


def test_same_seed_same_account_other_seed_differs(bizstim, bizstim_db, twins):
    same, other = twins
    for path in ["/api/clients/0/1000", "/api/sessions/2000/1000", "/api/client/23",
                 "/api/users", "/api/customfields", "/api/availability/501"]:
        assert call(same, path).raw == call(bizstim, path).raw, path
    for endpoint in ["clients", "client_details", "availability", "payments"]:
        assert list(iter_records(same.db, endpoint)) == list(iter_records(bizstim_db, endpoint))
    assert ok(other, "/api/clients/0/50") != ok(bizstim, "/api/clients/0/50")
    assert ok(other, "/api/sessions/0/50") != ok(bizstim, "/api/sessions/0/50")
