"""Company accounts, their users and API tokens, and the stand-in clock.

Pipedrive's API token belongs to one user of one company; the company's data, field codes
and token budget are shared by all its users (destinations.md §2.4). The stand-in serves
several companies at once (``--account NAME:ADMIN_TOKEN[:USER_TOKEN]``, repeatable), so a
test can prove that field codes are per account, which is why the loader must look them up
by name at run time (destinations-2.md §2.10 pitfall 2).

Choices where the reference is silent:

* Every account is seeded once (a restart keeps what it holds, and only adds a ``--user``
  whose e-mail it lacks): one admin user (the admin token's owner, ``access`` with
  ``admin: true`` for ``global``) and the regular users given by ``--user`` /
  ``--inactive-user`` (``email:Full Name``); the optional user token belongs to
  the first regular user (give an active one first), and is the token rule 8's 403 is seen
  with. A deactivated user's token answers 401, as a deactivated user cannot sign in.
* Tokens are kept only in memory as sha256 digests (they come from the command line at
  every start); the request log shows a fingerprint, never a token.
* The clock is the machine's UTC clock plus an offset shared by every account, persisted in
  ``<data dir>/clock.json`` so a restart keeps an advanced day (the token day and the 30-day
  purge both read it).
* Times are written as v2 does, ``YYYY-MM-DDTHH:MM:SSZ``; v1 notes and users show
  ``YYYY-MM-DD HH:MM:SS``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.pipedrive.store import Doc, Store

V1_TIME = "%Y-%m-%d %H:%M:%S"
V2_TIME = "%Y-%m-%dT%H:%M:%SZ"


class Clock:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.offset = 0.0
        if path is not None and path.exists():
            self.offset = float(json.loads(path.read_text())["offset_seconds"])

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def epoch(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self.offset += seconds
            self._persist()
        return self.now()

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            self.offset = (moment - datetime.now(UTC)).total_seconds()
            self._persist()
        return self.now()

    def _persist(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps({"offset_seconds": self.offset}))


@dataclass(frozen=True)
class UserSpec:
    email: str
    name: str
    active: bool = True


def parse_user(text: str, active: bool = True) -> UserSpec:
    """``email:Full Name`` -> UserSpec (the name defaults to the e-mail's local part)."""
    email, _, name = text.strip().partition(":")
    if "@" not in email:
        raise ValueError(f"user {text!r} should look like 'email:Full Name'")
    return UserSpec(email.strip(), name.strip() or email.split("@")[0], active)


@dataclass(frozen=True)
class AccountSpec:
    name: str
    admin_token: str
    user_token: str | None = None


def parse_account(text: str) -> AccountSpec:
    """``NAME:ADMIN_TOKEN[:USER_TOKEN]`` -> AccountSpec."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(parts) or not parts[0].isidentifier():
        raise ValueError(f"account {text!r} should look like 'name:admin_token[:user_token]'")
    return AccountSpec(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Account:
    """One company: its store, its lock (held for a whole request) and its users."""

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
        self.last_purge: str | None = None  # stand-in date of the last 30-day purge
        self._admin_email = admin_email
        self._users = users
        self.seed()

    def seed(self) -> None:
        """A new account gets its admin and users; a restarted one only the users given now
        that it lacks (by e-mail), so nothing it holds is changed by a restart."""
        if self.store.get_kv("seeded") is None:
            self.add_user(self._admin_email, "Account Admin", active=True, admin=True)
            self.store.set_kv("seeded", self.v2_now())
        known = {u["email"].lower() for u in self.users()}
        for user in self._users:
            if user.email.lower() not in known:
                self.add_user(user.email, user.name, active=user.active, admin=False)

    def reset(self) -> None:
        self.last_purge = None
        self.store.wipe()
        self.seed()

    def add_user(self, email: str, name: str, active: bool, admin: bool) -> Doc:
        user_id = self.store.next_id("user")
        now = self.v1_now()
        doc = {
            "id": user_id,
            "name": name,
            "email": email,
            "active_flag": active,
            "is_admin": admin,
            "activated": active,
            "created": now,
            "modified": now,
            "access": [{"app": "global" if admin else "sales", "admin": admin}],
        }
        self.store.save("user", user_id, doc)
        return doc

    def users(self) -> list[Doc]:
        return sorted(self.store.kind("user").values(), key=lambda u: u["id"])

    def user(self, user_id: int) -> Doc | None:
        return self.store.get("user", user_id)

    def admin_id(self) -> int:
        return next(u["id"] for u in self.users() if u["is_admin"])

    def token_user_id(self) -> int | None:
        """The regular user the optional user token belongs to: the first regular user at
        seeding, for good (deactivating them makes their token answer 401)."""
        regular = [u for u in self.users() if not u["is_admin"]]
        return regular[0]["id"] if regular else None

    def v2_now(self) -> str:
        return self.clock.now().strftime(V2_TIME)

    def v1_now(self) -> str:
        return self.clock.now().strftime(V1_TIME)

    def close(self) -> None:
        self.store.close()


class Accounts:
    """Every account, and which (account, user) each token stands for."""

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
        self._tokens: dict[str, tuple[str, str]] = {}  # digest -> (account, "admin"|"user")
        for spec in specs:
            if spec.name in self.by_name:
                raise ValueError(f"account {spec.name!r} given twice")
            self.by_name[spec.name] = Account(spec, data_dir, clock, admin_email, users)
            self._tokens[digest(spec.admin_token)] = (spec.name, "admin")
            if spec.user_token:
                self._tokens[digest(spec.user_token)] = (spec.name, "user")

    def resolve(self, token: str) -> tuple[Account, int] | None:
        """The account and user id a token stands for; None for an unknown token."""
        found = self._tokens.get(digest(token)) if token else None
        if found is None:
            return None
        account = self.by_name[found[0]]
        with account.lock:  # users change under this lock (POST/PUT /v1/users)
            user_id = account.admin_id() if found[1] == "admin" else account.token_user_id()
            user = account.user(user_id) if user_id is not None else None
        if user is None or not user["active_flag"]:
            return None
        return account, user["id"]

    def close(self) -> None:
        for account in self.by_name.values():
            account.close()
