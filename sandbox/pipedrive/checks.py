"""Body-key checkers for the v2 record kinds (``entities.py`` says which key uses which).

Each checker takes ``(account, key, value)`` and returns the value to store, or raises a
400 ``ERR_SCHEMA_VALIDATION_FAILED`` naming the key; the formats are ``values.py``'s. The
two with rules of their own: ``contacts`` (e-mails/phones: the first is primary when none
is, the label defaults to ``work``) and ``prices`` (one per currency, §2.11 rule 5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.pipedrive import values
from sandbox.pipedrive.accounts import Account
from sandbox.pipedrive.errors import invalid

Check = Callable[[Account, str, Any], Any]


def ref(account: Account, key: str, value: Any) -> Any:
    return values.reference(account, key, value)


def text(limit: int = 255, empty: bool = True) -> Check:
    return lambda account, key, value: values.string(key, value, limit, empty)


def num(account: Account, key: str, value: Any) -> Any:
    return values.number(key, value)


def integer(account: Account, key: str, value: Any) -> Any:
    if value is not None and not values.is_int(value):
        raise invalid(f"{key}: Expected 'number' as value, got '{type(value).__name__}'")
    return value


def boolean(account: Account, key: str, value: Any) -> Any:
    return values.boolean(key, value)


def date(account: Account, key: str, value: Any) -> Any:
    return values.date(key, value)


def time(account: Account, key: str, value: Any) -> Any:
    return values.clock_time(key, value)


def stamp(account: Account, key: str, value: Any) -> Any:
    return values.timestamp(key, value)


def ints(account: Account, key: str, value: Any) -> Any:
    return values.int_list(key, value)


def address(account: Account, key: str, value: Any) -> Any:
    return values.address(key, value)


def one_of(choices: tuple[Any, ...]) -> Check:
    def check(account: Account, key: str, value: Any) -> Any:
        if value is not None and value not in choices:
            raise invalid(f"{key}: Must be one of {', '.join(map(str, choices))}")
        return value

    return check


def contacts(account: Account, key: str, value: Any) -> Any:
    """``emails``/``phones``: ``[{value, primary, label}]``; the first is primary if none is."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise invalid(f"{key}: Expected an array of objects")
    out = []
    for item in value:
        text = values.string(f"{key}.value", item.get("value"), empty=False)
        if text is None:
            raise invalid(f"{key}.value: Required")
        primary = values.boolean(f"{key}.primary", item.get("primary")) or False
        label = values.string(f"{key}.label", item.get("label")) or "work"
        out.append({"value": text, "primary": primary, "label": label})
    if out and not any(item["primary"] for item in out):
        out[0]["primary"] = True
    return out


def prices(account: Account, key: str, value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise invalid("prices: Expected an array of objects")
    out, seen = [], set()
    for item in value:
        currency = item.get("currency")
        if not isinstance(currency, str) or not values.CURRENCY.match(currency):
            raise invalid("prices.currency: Expected a 3-letter currency code")
        if currency in seen:
            raise invalid(
                f"prices: Only one price per currency is allowed ('{currency}' given twice)"
            )
        seen.add(currency)
        out.append(
            {
                "currency": currency,
                "price": values.number("prices.price", item.get("price", 0)) or 0,
                "cost": values.number("prices.cost", item.get("cost", 0)) or 0,
                "direct_cost": values.number("prices.direct_cost", item.get("direct_cost")),
                "notes": values.string("prices.notes", item.get("notes"), 65535) or "",
            }
        )
    return out


def category(account: Account, key: str, value: Any) -> Any:
    if value is not None:
        raise invalid(f"category: Option with id {value} does not exist for field 'category'")
    return None


def free(account: Account, key: str, value: Any) -> Any:
    if value is not None and not isinstance(value, list):
        raise invalid(f"{key}: Expected an array")
    return value
