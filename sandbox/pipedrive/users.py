"""v1 users (§2.11 rule 8): list, read, invite (``POST /v1/users``) and (de)activate.

Users exist only in v1 and carry no custom fields (destinations-2.md §2.1, §2.5). Any token
may read them (the loader maps owners by e-mail from ``GET /v1/users``); only an admin's
token may add one or change one: 403 otherwise. ``POST`` requires ``email`` and takes
``access`` and ``active_flag``; ``PUT /v1/users/{id}`` accepts only ``active_flag``.

Choices where the reference is silent: a second user with an e-mail already in the company
(compared case-insensitively) is 400; the new user's name is the e-mail's local part and
``activated`` is false until they accept the invitation (never, here); any key other than
``active_flag`` in a PUT is 400 naming the key; ``GET /v1/users`` is one page (no
pagination, as the v1 spec has none for it); ``GET /v1/users/me`` answers the token's user.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.pipedrive.accounts import Account
from sandbox.pipedrive.errors import PdError, v1_bad, v1_not_found

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
APPS = ("global", "sales", "campaigns", "projects", "account_settings", "partnership")


def render(user: dict[str, Any], me: int) -> dict[str, Any]:
    return {
        "id": user["id"],
        "name": user["name"],
        "default_currency": "EUR",
        "locale": "en_US",
        "lang": 1,
        "email": user["email"],
        "phone": None,
        "activated": user["activated"],
        "created": user["created"],
        "modified": user["modified"],
        "has_created_company": user["is_admin"],
        "access": user["access"],
        "active_flag": user["active_flag"],
        "timezone_name": "UTC",
        "timezone_offset": "+00:00",
        "role_id": 1,
        "icon_url": None,
        "is_you": user["id"] == me,
        "is_deleted": False,
    }


def route(
    account: Account, me: int, method: str, rest: list[str], body: Any
) -> dict[str, Any] | list[dict[str, Any]]:
    """The ``data`` of an answer to ``/v1/users[/...]``; raises PdError for refusals."""
    if method == "GET" and not rest:
        return [render(u, me) for u in account.users()]
    if method == "GET" and rest == ["me"]:
        return render(_user(account, me), me)
    if method == "GET" and len(rest) == 1:
        return render(_user(account, rest[0]), me)
    if method in ("POST", "PUT") and not _user(account, me)["is_admin"]:
        raise PdError(403, "You do not have permissions to perform this action", v1=True)
    if method == "POST" and not rest:
        return render(_add(account, body), me)
    if method == "PUT" and len(rest) == 1:
        return render(_activate(account, rest[0], body), me)
    raise PdError(404, "Unknown method .", v1=True)


def _user(account: Account, user_id: Any) -> dict[str, Any]:
    found = account.user(int(user_id)) if str(user_id).isdigit() else None
    if found is None:
        raise v1_not_found("User")
    return found


def _add(account: Account, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise v1_bad("provided dataset is not valid", '"value" must be an object')
    email = body.get("email")
    if not isinstance(email, str) or not EMAIL.match(email.strip()):
        raise v1_bad(
            "provided dataset is not valid", '"email" is required and must be a valid email'
        )
    if any(u["email"].lower() == email.strip().lower() for u in account.users()):
        raise v1_bad("User with this email already exists in the company")
    active = body.get("active_flag", True)
    if not isinstance(active, bool):
        raise v1_bad("provided dataset is not valid", '"active_flag" must be a boolean')
    access = body.get("access", [{"app": "sales", "admin": False}])
    if (
        not isinstance(access, list)
        or not access
        or not all(isinstance(a, dict) and a.get("app") in APPS for a in access)
    ):
        raise v1_bad("provided dataset is not valid", f'"access" items need "app" in {APPS}')
    user = account.add_user(email.strip(), email.split("@")[0], active=active, admin=False)
    user["activated"] = False
    user["access"] = [
        {
            "app": a["app"],
            "admin": bool(a.get("admin", False)),
            **({"permission_set_id": a["permission_set_id"]} if "permission_set_id" in a else {}),
        }
        for a in access
    ]
    account.store.save("user", user["id"], user)
    return user


def _activate(account: Account, user_id: str, body: Any) -> dict[str, Any]:
    user = _user(account, user_id)
    if not isinstance(body, dict) or "active_flag" not in body:
        raise v1_bad("provided dataset is not valid", '"active_flag" is required')
    extra = sorted(set(body) - {"active_flag"})
    if extra:
        raise v1_bad("provided dataset is not valid", f'"{extra[0]}" is not allowed')
    if not isinstance(body["active_flag"], bool):
        raise v1_bad("provided dataset is not valid", '"active_flag" must be a boolean')
    user["active_flag"] = body["active_flag"]
    user["modified"] = account.v1_now()
    account.store.save("user", user["id"], user)
    return user
