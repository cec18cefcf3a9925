"""The org: everything one Salesforce stand-in instance holds, in one object every API shares.

Why one object: REST, Collections, query, Bulk (``bulk.py``) and Metadata (``metadata.py``)
must see the same records, schema, allocations and clock, and write under the same lock,
or a rule could be enforced on one path and missed on another. ``Org`` owns:

* ``settings`` — the CLI's choices (``org_settings.Settings``);
* ``store`` (SQLite, ``store.py``), ``schema`` (``schema.py``), ``engine`` (``records.py``),
  ``limits`` (``limits.py``), ``faults`` (``httpbase.FaultPlan``), ``rng`` (seeded by
  ``--seed``: the Bulk result shuffle and lock simulation draw from it);
* ``sessions`` (``oauth.py``) and ``session_valid(token)``;
* ``lock`` — a re-entrant lock; ``Engine.save`` takes it itself;
* ``now()`` — the org clock: real UTC time plus an offset that ``advance_clock`` moves
  (``POST /_sandbox/clock/advance?hours=H``) and the store keeps, so tests can cross rolling
  24-hour windows, the 15-day Recycle Bin and the 7-day Bulk job purge without waiting;
* the integration user (the run-as user of the client-credentials app, always active), the
  other Users from ``--user`` / ``--inactive-user`` (the loader maps owners to them by
  e-mail; it may not create Users) and the Standard Price Book (``IsStandard = true``).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.httpbase import FaultPlan
from sandbox.salesforce import ids, recycle
from sandbox.salesforce.limits import Limits
from sandbox.salesforce.oauth import Sessions
from sandbox.salesforce.org_settings import Settings
from sandbox.salesforce.records import Engine
from sandbox.salesforce.schema import Schema
from sandbox.salesforce.standard import standard_objects
from sandbox.salesforce.store import Store

INTEGRATION_USERNAME = "integration@bizmig-sandbox.example.com"
PROFILE_ID = ids.make_id("00e", 1)


@dataclass(frozen=True)
class UserSpec:
    email: str
    first: str
    last: str
    active: bool = True


def parse_user(text: str, active: bool = True) -> UserSpec:
    """``email:First Last`` (the name part is optional)."""
    email, _, name = text.strip().partition(":")
    email = email.strip()
    if "@" not in email:
        raise ValueError(f"user {text!r} should look like 'email:First Last'")
    first, _, last = name.strip().rpartition(" ")
    if not last:
        last = email.split("@")[0]
    return UserSpec(email, first.strip(), last.strip(), active)


class Org:
    def __init__(self, db_path: Path, settings: Settings, users: list[UserSpec] | None = None,
                 faults: FaultPlan | None = None) -> None:
        self.settings = settings
        self.faults = faults or FaultPlan()
        self.lock = threading.RLock()
        self.rng = random.Random(settings.seed)
        self.store = Store(db_path)
        self._offset = float(self.store.get_kv("clock_offset") or 0)
        self.schema = Schema(self.store, standard_objects())
        stored_user = self.store.get_kv("integration_user_id")
        self.integration_user_id = stored_user or ids.make_id(
            "005", self.store.counters().get("005", 0) + 1)
        self.engine = Engine(self)
        self.limits = Limits(self.store, self.now, settings.daily_api_limit,
                             settings.bulk_batch_limit)
        self.org_id = self._org_id()
        if stored_user is None:
            self._add_user(UserSpec(INTEGRATION_USERNAME, "Integration", "User"))
            self.store.set_kv("integration_user_id", self.integration_user_id)
        for user in users or []:
            self._add_user(user)
        self.standard_pricebook_id = self._standard_pricebook()
        self.sessions = Sessions(self)
        recycle.purge(self.engine)

    def session_valid(self, token: str) -> bool:
        """Whether an access token (Bearer header or SOAP SessionHeader) is a live session."""
        return self.sessions.valid(token)

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def advance_clock(self, hours: float) -> datetime:
        with self.lock:
            self._offset += hours * 3600
            self.store.set_kv("clock_offset", repr(self._offset))
            recycle.purge(self.engine)
            return self.now()

    def _org_id(self) -> str:
        found = self.store.get_kv("org_id")
        if found is None:
            found = ids.make_id("00D", random.SystemRandom().randrange(1, 62 ** 6))
            self.store.set_kv("org_id", found)
        return found

    def _add_user(self, user: UserSpec) -> None:
        """Create the User, or (re)set its active flag if the Username exists already."""
        with self.lock:
            existing = self.engine.match(self.engine.object("User"),
                                         self.engine.object("User").fields["Username"],
                                         user.email)
            if existing:
                row = self.engine.tables["User"][existing[0]]
                if bool(row.get("IsActive")) != user.active:
                    self.engine.begin()
                    self.engine.put(self.engine.object("User"), {**row, "IsActive": user.active})
                    self.engine.commit()
                return
            alias = ((user.first[:1] + user.last) or "user")[:8].lower()
            name = " ".join(p for p in (user.first, user.last) if p)
            self.engine.seed("User", {
                "Username": user.email, "Email": user.email, "FirstName": user.first or None,
                "LastName": user.last, "Name": name, "Alias": alias, "IsActive": user.active,
                "TimeZoneSidKey": "Europe/London", "LocaleSidKey": "en_GB",
                "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
                "ProfileId": PROFILE_ID, "UserType": "Standard"})

    def _standard_pricebook(self) -> str:
        found = self.store.get_kv("standard_pricebook_id")
        if found is None:
            found = self.engine.seed("Pricebook2", {"Name": "Standard Price Book",
                                                    "IsActive": True, "IsStandard": True})
            self.store.set_kv("standard_pricebook_id", found)
        return found

    def close(self) -> None:
        self.store.close()
