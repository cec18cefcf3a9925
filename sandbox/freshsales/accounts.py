"""Freshsales accounts in the stand-in: their users, API keys, stores and seeded fields.

A Freshsales API key is a user's own ("Profile Settings → API Settings") and carries that
user's permissions, with no scopes (destinations.md §3.1, destinations-2.md §3.2); the data,
the fields and the hourly request count belong to the whole account (§3.3). The stand-in serves
several accounts at once (``--account NAME:ADMIN_KEY[:USER_KEY]``) so a test can prove the
loader reads field ids and owner ids per account at run time.

Choices where the reference is silent:

* A new account is seeded once (a restart keeps what it holds and only adds a ``--user`` whose
  e-mail it lacks): an admin user (the admin key's owner), the users given by ``--user`` /
  ``--inactive-user`` (``email:Full Name``), or, when none is given, two active sales users and
  one deactivated one (``DEFAULT_USERS``), so owners can be matched by e-mail out of the box;
  and the standard fields of every module (``fields.STANDARD``), without any ``cf_*`` field.
* There is no API to create users (§3.1: practitioners are pre-provisioned by an admin), so
  users come only from the command line. A deactivated user is listed by
  ``/api/selector/owners`` with ``is_active: false`` and cannot own a record.
* The optional user key belongs to the first regular user; a deactivated user's key is 401.
* Keys are kept in memory only as sha256 digests; the request log shows a fingerprint.
* Storage, the clock and the command-line forms are Pipedrive's stand-in's (one SQLite file
  per account under the data dir, ``sandbox.pipedrive.store``; the clock offset persisted in
  ``<data dir>/clock.json``): reused, not copied.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sandbox.freshsales import fields
from sandbox.pipedrive.accounts import AccountSpec, Clock, UserSpec, digest
from sandbox.pipedrive.store import Doc, Store

DEFAULT_USERS = (
    UserSpec("ana.sales@example.com", "Ana Sales"),
    UserSpec("ben.sales@example.com", "Ben Sales"),
    UserSpec("former.sales@example.com", "Former Sales", active=False),
)
TIME = "%Y-%m-%dT%H:%M:%S+00:00"


class Account:
    """One Freshsales account: its store, its lock (held for a whole request), its users."""

    def __init__(
        self,
        spec: AccountSpec,
        data_dir: Path,
        clock: Clock,
        admin_email: str,
        users: list[UserSpec],
    ) -> None:
        self.name = spec.name
        self.clock = clock
        self.store = Store(data_dir / f"{spec.name}.sqlite")
        self.lock = threading.RLock()
        self._admin_email = admin_email
        self._users = users or list(DEFAULT_USERS)
        self.seed()

    def seed(self) -> None:
        store = self.store
        if store.get_kv("seeded") is None:
            self.add_user(self._admin_email, "Account Admin", active=True, admin=True)
            for module in fields.STANDARD:
                fields.seed(store, module)
            store.set_kv("seeded", self.now())
        known = {u["email"].lower() for u in self.users()}
        for user in self._users:
            if user.email.lower() not in known:
                self.add_user(user.email, user.name, active=user.active, admin=False)

    def reset(self) -> None:
        self.store.wipe()
        self.seed()

    def add_user(self, email: str, name: str, active: bool, admin: bool) -> Doc:
        user_id = self.store.next_id("user")
        doc = {
            "id": user_id,
            "display_name": name,
            "email": email,
            "is_active": active,
            "is_admin": admin,
        }
        self.store.save("user", user_id, doc)
        return doc

    def users(self) -> list[Doc]:
        return sorted(self.store.kind("user").values(), key=lambda u: u["id"])

    def active_user(self, user_id: object) -> Doc | None:
        user = self.store.get("user", str(user_id)) if isinstance(user_id, int) else None
        return user if user is not None and user["is_active"] else None

    def now(self) -> str:
        return self.clock.now().strftime(TIME)

    def close(self) -> None:
        self.store.close()


class Accounts:
    """Every account, and which (account, user) each key stands for."""

    def __init__(
        self,
        specs: list[AccountSpec],
        data_dir: Path,
        clock: Clock,
        admin_email: str,
        users: list[UserSpec],
    ) -> None:
        if not specs:
            raise ValueError("at least one account is needed")
        self.by_name: dict[str, Account] = {}
        self._keys: dict[str, tuple[str, str]] = {}  # digest -> (account, "admin"|"user")
        self._data_dir, self._clock, self._admin_email = data_dir, clock, admin_email
        for spec in specs:
            self.add(spec, users)

    def add(self, spec: AccountSpec, users: list[UserSpec]) -> Account:
        """One more account (at start, or by the ``POST /_sandbox/accounts`` hook)."""
        if spec.name in self.by_name:
            raise ValueError(f"account {spec.name!r} given twice")
        if digest(spec.admin_token) in self._keys or (
            spec.user_token and digest(spec.user_token) in self._keys
        ):
            raise ValueError("a key may open one account only")
        account = Account(spec, self._data_dir, self._clock, self._admin_email, users)
        self.by_name[spec.name] = account
        self._keys[digest(spec.admin_token)] = (spec.name, "admin")
        if spec.user_token:
            self._keys[digest(spec.user_token)] = (spec.name, "user")
        return account

    def resolve(self, key: str) -> tuple[Account, int] | None:
        found = self._keys.get(digest(key)) if key else None
        if found is None:
            return None
        account = self.by_name[found[0]]
        with account.lock:
            people = account.users()
            admin = found[1] == "admin"
            user = next((u for u in people if u["is_admin"] == admin), None)
        if user is None or not user["is_active"]:
            return None
        return account, user["id"]

    def names(self) -> list[str]:
        return list(self.by_name)

    def close(self) -> None:
        for account in self.by_name.values():
            account.close()
