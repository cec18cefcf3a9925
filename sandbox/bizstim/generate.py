"""Deterministic, streaming generator of a synthetic tutoring-business Bizstim account.

Every table has its own ``random.Random`` seeded by ``"{seed}:{table}"`` and rows are produced
by generators and written with ``executemany`` straight into SQLite, so memory stays flat
whatever ``--clients`` is. Cross references are computed, not looked up: client ``i`` has id
:func:`client_id` and is deleted iff :func:`client_deleted`, so sessions and payments can
refer to any client (deleted ones included) without holding the client table.

Volumes (exact): see :func:`expected_counts`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from sandbox.bizstim import fake
from sandbox.bizstim.store import (
    AVAIL_FIELDS,
    LISTS,
    create_indexes,
    create_schema,
    q,
    read_meta,
    table_columns,
)

GEN_VERSION = "1"
TODAY = fake.TODAY
ACCOUNT_TZ = {"TimeZone": "America/Toronto", "label": "(GMT-05:00) Eastern Time (Toronto)"}
def client_id(i: int, seed: int) -> int:
    """Ascending ids with gaps: 21 + 3i + r(i), r in 0..2."""
    return 21 + 3 * i + ((i * 2654435761 + seed) >> 4) % 3


def client_deleted(i: int, seed: int) -> bool:
    return (i * 7 + seed) % 50 == 17  # exactly 2 % of generated clients


def sizes(clients: int, seed: int) -> dict[str, int]:
    practs = max(5, clients // 25)
    return {"practitioners": practs, "staffs": practs // 3 + 3,
            "shared": -(-3 * practs // 10), "services": 30 + clients // 1000,
            "locations": 5 + clients // 10000, "discounts": 10, "sessions": 12 * clients,
            "payments": 6 * clients, "customfields": 4 + seed % 5, "admins": 3}


def expected_counts(clients: int, seed: int) -> dict[str, int]:
    """The `total` of every list endpoint for these parameters (before any mutation)."""
    s = sizes(clients, seed)
    live = sum(1 for i in range(clients) if not client_deleted(i, seed))
    return {"clients": live, "practitioners": s["practitioners"], "staffs": s["staffs"],
            "services": s["services"], "payments": s["payments"], "locations": s["locations"],
            "sessions": s["sessions"], "discounts": s["discounts"],
            "customfields": s["customfields"],
            "users": s["admins"] + s["practitioners"] + s["staffs"] - s["shared"]}


def _rng(seed: int, table: str) -> random.Random:
    return random.Random(f"{seed}:{table}")


def _insert(conn: sqlite3.Connection, table: str, cols: list[str],
            rows: Iterator[dict[str, str]], with_pos: bool = True) -> None:
    names = (["pos"] if with_pos else []) + cols
    sql = (f"INSERT INTO {table} ({', '.join(q(c) for c in names)}) "
           f"VALUES ({', '.join('?' for _ in names)})")
    if with_pos:
        data = ((pos, *(r[c] for c in cols)) for pos, r in enumerate(rows))
    else:
        data = (tuple(r[c] for c in cols) for r in rows)
    conn.executemany(sql, data)


class Generator:
    def __init__(self, conn: sqlite3.Connection, seed: int, clients: int) -> None:
        self.conn, self.seed, self.n = conn, seed, clients
        self.size = sizes(clients, seed)
        self.avail_next = 500
        self.pract_ids: list[int] = []
        self.service_ids: list[int] = []
        self.location_ids: list[int] = []
        self.custom: list[tuple[int, str, str, str]] = []  # id, name, type, options
        self.user_base = 0

    def rows(self, table: str, it: Iterator[dict[str, str]]) -> None:
        _insert(self.conn, table, table_columns(LISTS[table]), it)

    def new_avail(self, rng: random.Random, label: str) -> int:
        self.avail_next += 1 + (rng.random() < 0.1) * rng.randrange(1, 4)
        aid = self.avail_next
        _insert(self.conn, "availability", AVAIL_FIELDS,
                iter([fake.availability(rng, aid, label)]), with_pos=False)
        return aid

    def run(self) -> None:
        self.customfields()
        self.people()
        self.services()
        self.locations()
        self.discounts()
        self.rows("clients", self.clients())
        self.rows("sessions", self.sessions())
        self.rows("payments", self.payments())

    # ---- small tables ----------------------------------------------------------------------
    def customfields(self) -> None:
        rng = _rng(self.seed, "customfields")
        picks = rng.sample(fake.CUSTOM_POOL, self.size["customfields"])
        cid = 20
        for name, typ, opts in picks:
            cid += rng.randrange(1, 4)
            self.custom.append((cid, name, typ, opts))
        self.rows("customfields", iter(
            {"id": str(c), "name": n, "type": t, "options": o,
             "required": "1" if rng.random() < 0.3 else "0"} for c, n, t, o in self.custom))

    def people(self) -> None:
        """users, practitioners (+ availability), staffs and meetourstaff."""
        rng = _rng(self.seed, "people")
        s = self.size
        users: list[dict[str, str]] = []
        uid = 0

        def user(role: str, first: str, last: str) -> str:
            nonlocal uid
            uid += 1 + (rng.random() < 0.3) * rng.randrange(1, 20)
            name = f"{fake.ascii_fold(first)[:1]}{fake.ascii_fold(last)}" or f"user{uid}"
            users.append({"id": str(uid), "username": f"{name}{uid}",
                          "email": f"{name}@tutorco.example" if rng.random() > 0.05 else "",
                          "first_name": first, "last_name": last, "role": role,
                          "status": "active" if role == "admin" or rng.random() < 0.85
                          else "inactive",
                          "last_login": "" if rng.random() < 0.15 else
                          f"{TODAY - dt.timedelta(days=rng.randrange(400))} "
                          f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:"
                          f"{rng.randrange(60):02d}"})
            return str(uid)

        for first, last in [("Admin", "Owner"), ("Office", "Manager"), ("Brigitte", "Côté")]:
            user("admin", first, last)
        practs, pid = [], 80
        shared = set(rng.sample(range(s["practitioners"]), s["shared"]))
        for j in range(s["practitioners"]):
            country = "Canada" if rng.random() < 0.8 else fake.pick_country(rng)
            p = fake.person(rng, country)
            pid += 1 + rng.randrange(4)
            self.pract_ids.append(pid)
            avail = [self.new_avail(rng, "Default")]
            for _ in range(rng.choice([0, 0, 1, 2])):
                avail.append(self.new_avail(rng, rng.choice(
                    ["Summer 2024", "Exam season", "Fall term", "Holidays", "Online only"])))
            p.update({"id": str(pid), "pract_settings_id": str(120 + 2 * j),
                      "users_id": user("practitioner", p["first_name"], p["last_name"]),
                      "avail_id": ",".join(map(str, avail)),
                      "email": fake.email_for(rng, p["first_name"], p["last_name"], 0)
                      if rng.random() < 0.9 else "",
                      "status": rng.choice(["active"] * 6 + ["inactive", "contactList",
                                                             "doNotHire"]),
                      "wage_tier": rng.choice("0001122"),
                      "hire_date": "" if rng.random() < 0.1 else
                      str(TODAY - dt.timedelta(days=rng.randrange(30, 3000))),
                      "add_value": rng.choice(["", "", "1.25", "2.00", "0.50", "0"]),
                      "shared": "1" if j in shared else ""})
            practs.append(p)
        staff = [dict(p) for p in practs if p["shared"]]
        for _ in range(s["staffs"] - len(staff)):
            p = fake.person(rng, "Canada")
            p["users_id"] = user("staff", p["first_name"], p["last_name"])
            staff.append(p)
        sid = 30
        for j, st in enumerate(rng.sample(staff, len(staff))):
            sid += 1 + rng.randrange(3)
            st.update({"id": str(sid), "staff_settings_id": str(35 + j)})
        staff.sort(key=lambda r: int(r["id"]))
        self.rows("practitioners", iter(practs))
        self.rows("staffs", iter(staff))
        self.rows("users", iter(sorted(users, key=lambda r: int(r["id"]))))
        self.user_base = uid + 100
        shown = [p for p in practs if p["status"] == "active"] + staff[:2]
        self.rows("meetourstaff", iter(
            {"id": str(k + 1), "users_id": p["users_id"], "first_name": p["first_name"],
             "last_name": p["last_name"],
             "title": rng.choice(["Math Tutor", "Lead Tutor", "Office Manager",
                                  "Science Specialist", "Reading Coach", ""]),
             "bio": rng.choice(["", "Loves helping students succeed.",
                                "B.Sc. (Hons) — 10 years' experience.\nFluent in French."]),
             "display_order": str(k)} for k, p in enumerate(shown)))

    def services(self) -> None:
        rng = _rng(self.seed, "services")
        out, sid, gid, left, group = [], 10, 0, 0, ("0", "0", "")
        for k in range(self.size["services"]):
            if left == 0:
                if rng.random() < 0.35 or k == 0:
                    group, left = ("0", "0", ""), 1
                else:
                    gid += 1 + rng.randrange(3)
                    group = (str(gid), rng.choice(["5", "10", "20", "1"]), rng.choice(fake.PLANS))
                    left = rng.randrange(2, 5)
            left -= 1
            sid += 1 + rng.randrange(2)
            self.service_ids.append(sid)
            lo = rng.choice([30, 45, 60, 60, 90])
            status = "2" if k % 9 == 4 else rng.choice("1111110")
            out.append({"id": str(sid), "group_id": group[0], "group_num": group[1],
                        "service_description": rng.choice(fake.SUBJECTS)
                        + rng.choice(["", " (Online)", " — Grade 9-12", " Group"]),
                        "service_cost": "" if rng.random() < 0.05 else
                        f"{rng.randrange(2000, 12000) / 100:.2f}",
                        "service_default_wage": f"{rng.randrange(1500, 5000) / 100:.2f}",
                        "service_taxable": rng.choice("01"), "service_type": rng.choice("001"),
                        "service_status": status, "online_booking": rng.choice("01"),
                        "min_duration": str(lo), "max_duration": str(lo * rng.choice([1, 1, 2])),
                        "start_interval": rng.choice("012"), "name": group[2]})
        self.rows("services", iter(out))

    def locations(self) -> None:
        rng = _rng(self.seed, "locations")
        out, lid = [], 10
        for k in range(self.size["locations"]):
            lid += 1 + rng.randrange(4)
            self.location_ids.append(lid)
            if k == 2:  # a deleted test location, empty like the reference example
                out.append({"id": str(lid), "location_status": "2",
                            "location_name": "TestLocation", **dict.fromkeys(
                                ["location_address", "location_zipcode", "location_city",
                                 "location_state", "location_country", "location_p_phone",
                                 "location_s_phone", "location_email", "practs"], ""),
                            "online_booking": "0"})
                continue
            a = fake.address(rng, "Canada" if k % 4 else "United States")
            booking = rng.choice("011")
            practs = rng.sample(self.pract_ids, min(len(self.pract_ids), rng.randrange(0, 4)))
            kind = rng.choice(["Centre", "Learning Hub", "Campus", "Online Room"])
            out.append({"id": str(lid), "location_status": rng.choice("1110"),
                        "location_name": f"{a['city'] or 'Main'} {kind}",
                        "location_address": f"{a['address1']} {a['address2']}".strip(),
                        "location_zipcode": a["zipcode"], "location_city": a["city"],
                        "location_state": a["state"], "location_country": a["country"],
                        "location_p_phone": fake.phone(rng, "Canada"),
                        "location_s_phone": "" if rng.random() < 0.6 else
                        fake.phone(rng, "Canada"),
                        "location_email": rng.choice(["", "info@tutorco.example",
                                                      "Front.Desk@TutorCo.example"]),
                        "online_booking": booking,
                        "practs": ",".join(map(str, sorted(practs))) if booking == "1" else ""})
        self.rows("locations", iter(out))

    def discounts(self) -> None:
        rng = _rng(self.seed, "discounts")
        codes = ["10%OFF", "10%CRED", "SUMMER25", "WELCOME", "FALL15", "SIBLING10", "EXAM20",
                 "FREEHOUR", "VIP50", "SPRING5"]
        self.rows("discounts", iter(
            {"id": str(11 + 2 * k), "uses": rng.choice("0012"), "secret": rng.choice("001"),
             "expires": "" if rng.random() < 0.1 else
             str(TODAY + dt.timedelta(days=rng.randrange(-500, 400))),
             "code": code, "fixed": rng.choice("01"), "type": rng.choice("01"),
             "amount": rng.choice(["10.00", "25.00", "5.00", "15.50", "50.00"]),
             "services": ",".join(map(str, rng.sample(self.service_ids, rng.randrange(0, 4))))}
            for k, code in enumerate(codes)))

    # ---- the big streams -------------------------------------------------------------------
    def clients(self) -> Iterator[dict[str, str]]:
        rng = _rng(self.seed, "clients")
        pool = max(1, self.n // 30)  # families sharing a parent's e-mail
        for i in range(self.n):
            if client_deleted(i, self.seed):
                continue
            country = fake.pick_country(rng)
            rec = fake.person(rng, country)
            rec["email"] = fake.email_for(rng, rec["first_name"], rec["last_name"], pool)
            has_avail = rng.random() >= 0.1
            r = rng.random()
            lo = rng.choice([480, 540, 600, 900, 0])
            hi = rng.choice([1260, 1320, 1440, 1080]) if r > 0.03 else lo - 60 * (lo > 0)
            rec.update({
                "id": str(client_id(i, self.seed)), "users_id": str(self.user_base + 2 * i),
                "client_settings_id": str(40 + i),
                "avail_id": str(self.new_avail(rng, "Default")) if has_avail else "",
                "status": "active" if r < 0.75 else ("inactive" if r < 0.9 else "prospect"),
                "notes": "" if r < 0.6 else rng.choice(
                    ["Prefers mornings.", "Mom: call after 5pm\nDad: text only",
                     'Needs "extra" help with fractions', "Paid cash; no receipts."]),
                "start_date": "" if r < 0.05 else "0000-00-00" if r > 0.99 else
                str(TODAY - dt.timedelta(days=rng.randrange(1500))),
                "timezone": rng.choice(fake.ZONES[country]) if rng.random() < 0.4 else "",
                "meeting_url": "" if rng.random() < 0.7 else
                f"https://zoom.us/j/{rng.randrange(10**9, 10**10)}",
                "service_id": ",".join(map(str, rng.sample(self.service_ids, rng.randrange(4)))),
                "minTime": fake.hhmm(lo), "maxTime": fake.hhmm(max(hi, 0)),
                "slotDuration": rng.choice(["30", "60", "60", "45", ""]),
                "sessionLimit": rng.choice(["", "", "1", "2", "5"]),
                "custom_json": json.dumps({f"custom_{c}": fake.custom_value(rng, t, o)
                                           for c, _, t, o in self.custom}),
            })
            yield rec

    def sessions(self) -> Iterator[dict[str, str]]:
        rng = _rng(self.seed, "sessions")
        rnd, rr = rng.random, rng.randrange
        start_day, span = TODAY - dt.timedelta(days=1000), 1100
        days = [str(start_day + dt.timedelta(days=d)) for d in range(span)]
        n, practs, servs, locs = self.n, self.pract_ids, self.service_ids, self.location_ids
        sid, recurr = 400000, 0
        for _ in range(self.size["sessions"]):
            sid += 1 if rnd() > 0.05 else 2 + rr(5)
            day = rr(span)
            dur = (30, 45, 60, 60, 60, 90, 120)[rr(7)]
            start = 1440 - dur if rnd() < 0.01 else 420 + 15 * rr((1380 - 420 - dur) // 15)
            past = day < 1000
            r = rnd()
            status = ("1" if r < 0.85 else "2" if r < 0.95 else "3") if past else (
                "0" if r < 0.9 else "2")
            multi = rnd() < 0.1
            cancel = ""
            if multi and rnd() < 0.2:
                cancel = f"{client_id(rr(n), self.seed)}|{rr(1000, 9999)}|{sid - rr(1, 99)}"
                if rnd() < 0.5:
                    cancel += f",{client_id(rr(n), self.seed)}|{rr(1000, 9999)}|{sid - 1}"
            recurring = rnd() < 0.3
            if recurring and rnd() < 0.2:
                recurr += 1
            yield {"id": str(sid), "confirmed": "1" if rnd() < 0.8 else "0",
                   "multi": "1" if multi else "0", "slots": str(rr(4, 9)) if multi else "1",
                   "class_id": str(rr(1, 60)) if multi else "0", "display": "1" if multi
                   else "0", "pract_d": str(practs[rr(len(practs))]),
                   "wage_id": str(sid * 2 + 7) if status == "1" else "0",
                   "client_id": str(client_id(rr(n), self.seed)),
                   "client_due_id": str(sid * 3 + 1) if status != "0" else "0",
                   "cancel_clients": cancel, "temp": str(sid - rr(1, 50)) if rnd() < 0.02
                   else "0", "service_id": str(servs[rr(len(servs))]),
                   "location_id": str(locs[rr(len(locs))]) if rnd() < 0.7 else "0",
                   "recurr_id": str(recurr) if recurring else "0",
                   "recurr_on": "1" if recurring else "0",
                   "qb_invoice_id": str(rr(1000, 99999)) if status == "1" and rnd() < 0.3
                   else "", "session_status": status, "session_date": days[day],
                   "start_time": fake.hhmm(start), "end_time": fake.hhmm(start + dur),
                   "duration": "" if rnd() < 0.01 else str(dur),
                   "session_notes": "" if rnd() < 0.8 else ("Worked on chapter 4.",
                                                            "Student late 10 min.",
                                                            "Reviewed test — 85%")[rr(3)],
                   "ondemand_link": f"https://www.bizstim.com/ondemand/{sid:x}{rr(10**6)}"
                   if rnd() < 0.05 else ""}

    def payments(self) -> Iterator[dict[str, str]]:
        rng = _rng(self.seed, "payments")
        rnd, rr = rng.random, rng.randrange
        start_day = TODAY - dt.timedelta(days=1000)
        days = [str(start_day + dt.timedelta(days=d)) for d in range(1001)]
        pid = 60
        for _ in range(self.size["payments"]):
            pid += 1 if rnd() > 0.1 else 2 + rr(3)
            r = rnd()
            yield {"id": str(pid), "client_id": str(client_id(rr(self.n), self.seed)),
                   "qb_payment_id": str(rr(100, 99999)) if r < 0.1 else "0",
                   "revenue_amount": "" if r > 0.99 else f"{rr(500, 200000) / 100:.2f}",
                   "revenue_tax": "0.00", "revenue_date": days[rr(1001)],
                   "revenue_credit": "0" if r < 0.8 else str(1 + rr(3)),
                   "revenue_note": "" if rnd() < 0.85 else ("e-transfer", "Cash", "Refund — "
                                                            "cancelled", "Package top-up")[rr(4)]}


def generate(path: Path, seed: int, clients: int,
             log: Callable[[str], None] = lambda _m: None) -> None:
    """Write a complete account to ``path`` (via a temp file renamed at the end)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-65536"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN")
        create_schema(conn)
        Generator(conn, seed, clients).run()
        conn.executemany("INSERT INTO deleted_clients VALUES (?)",
                         ((client_id(i, seed),) for i in range(clients)
                          if client_deleted(i, seed)))
        log("indexing")
        create_indexes(conn)
        meta = {"seed": str(seed), "clients": str(clients), "version": GEN_VERSION,
                "timezone": json.dumps(ACCOUNT_TZ)}
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
    finally:
        conn.close()
    os.replace(tmp, path)


def ensure_db(path: Path, seed: int, clients: int,
              log: Callable[[str], None] = lambda _m: None,
              hostile: list[str] | None = None) -> bool:
    """Reuse ``path`` if it holds this seed+clients account (made hostile with the same
    classes), else (re)generate. True = generated."""
    meta = read_meta(path)
    wanted = ",".join(hostile or [])
    if meta.get("seed") == str(seed) and meta.get("clients") == str(clients) \
            and meta.get("version") == GEN_VERSION and meta.get("hostile_classes", "") == wanted:
        return False
    log(f"generating {clients} clients (seed {seed}) into {path}")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    generate(path, seed, clients, log)
    if hostile:
        from sandbox.bizstim.hostile import apply_all

        log(f"applying hostile classes {wanted}")
        apply_all(path, hostile)
        with sqlite3.connect(path) as conn:
            conn.execute("INSERT INTO meta VALUES ('hostile_classes', ?)", (wanted,))
    return True
