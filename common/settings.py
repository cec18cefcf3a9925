"""Configuration: environment variables first, then `.dlt/secrets.toml` / `.dlt/config.toml`.

Names (env var = top-level key in the `.dlt` TOML files, lower-cased):

* ``BIZSTIM_BASE_URL``   default ``https://www.bizstim.com/api``
* ``BIZSTIM_API_KEYS``   one or more keys, comma-separated (secret)
* ``BIZSTIM_RATE_LIMIT`` / ``BIZSTIM_RATE_WINDOW``  GET budget per key (default 1000 per 3600 s)
* ``BIZMIG_DUCKDB``      staging file, default ``bizmig.duckdb`` in the working directory
* ``BIZMIG_CLIENT_DETAILS`` (auto | all | skip) and ``BIZMIG_DETAIL_SAMPLE`` (25): whether
  ``client/{id}`` is fetched for every client, decided by a probe (:mod:`ingest.detail_probe`)
* ``TWENTY_API_URL`` / ``TWENTY_API_KEY`` (secret)
* ``SALESFORCE_INSTANCE_URL`` (the org's My Domain URL; ``SALESFORCE_LOGIN_URL`` is read when it
  is unset), ``SALESFORCE_CLIENT_ID``, ``SALESFORCE_CLIENT_SECRET`` (secret: the External Client
  App's OAuth client-credentials pair, run as the integration user),
  ``SALESFORCE_BULK_THRESHOLD`` (records per object from which Bulk API 2.0 is used, default
  2000) and ``SALESFORCE_LIMIT_SHARE`` (share of the org's daily API requests the load may
  reach before it stops, default 0.8)
* ``PIPEDRIVE_API_URL`` (the account's ``https://<company>.pipedrive.com``, or a stand-in's
  base URL) and ``PIPEDRIVE_API_TOKEN`` (secret, sent as header ``x-api-token``); the token
  budget's settings (``PIPEDRIVE_PLAN``, ``PIPEDRIVE_SEATS``, ``PIPEDRIVE_DAILY_TOKENS``,
  ``PIPEDRIVE_BUDGET_SHARE``) are read by :mod:`load.pipedrive.budget`
* ``FRESHSALES_API_URL`` (the bundle's ``https://<bundle>.myfreshworks.com/crm/sales``, a
  Classic ``https://<domain>.freshsales.io``, or a stand-in's; the loader appends ``/api/...``)
  and ``FRESHSALES_API_KEY`` (secret, sent as ``Authorization: Token token=<key>``); the hourly
  budget's settings (``FRESHSALES_PLAN``, ``FRESHSALES_HOURLY_REQUESTS``,
  ``FRESHSALES_BUDGET_SHARE``, ``FRESHSALES_PER_MINUTE``, ``FRESHSALES_MAX_WAIT_S``) are read by
  :mod:`load.freshsales.budget`, the unconfirmed paths' flags by the modules they switch
* ``MONDAY_API_URL`` (default ``https://api.monday.com/v2``, or a stand-in's ``.../v2``),
  ``MONDAY_API_TOKEN`` (secret, sent as ``Authorization: <token>``) and ``MONDAY_API_VERSION``
  (default 2026-10); the budgets' settings (``MONDAY_PLAN``, ``MONDAY_DAILY_CALLS``,
  ``MONDAY_BUDGET_SHARE``, ``MONDAY_COMPLEXITY_PER_MINUTE``, ``MONDAY_INGEST_ITEMS_PER_HOUR``,
  ``MONDAY_MAX_WAIT_S``) are read by :mod:`load.monday.budget`

Resolution goes through dlt's own provider chain (env, then `.dlt/secrets.toml`, then
`.dlt/config.toml`), so the keys never need to be written anywhere else. Values are checked
here, before any request (URLs by :func:`common.addresses.check_url`; numbers must be
positive): a bad value is one ``ConfigError`` line, exit 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt

from common.addresses import check_url
from common.errors import ConfigError

DEFAULT_BIZSTIM_URL = "https://www.bizstim.com/api"


def _lookup(name: str, secret: bool = False) -> Any:
    provider = dlt.secrets if secret else dlt.config
    value = provider.get(name)
    if value is None and not secret:
        value = dlt.secrets.get(name)
    return value


def setting(name: str) -> Any:
    """A non-secret setting by its lower-case name (env var, then the `.dlt` files), or None."""
    return _lookup(name)


def split_keys(raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return [str(k).strip() for k in items if str(k).strip()]


@dataclass(frozen=True)
class BizstimSettings:
    base_url: str
    api_keys: tuple[str, ...]
    rate_limit: int
    rate_window: float

    def __repr__(self) -> str:  # never print the keys
        return (
            f"BizstimSettings(base_url={self.base_url!r}, api_keys=<{len(self.api_keys)} keys>, "
            f"rate_limit={self.rate_limit}, rate_window={self.rate_window})"
        )


def positive(name: str, value: Any, kind: type[int] | type[float]) -> Any:
    """``value`` as a positive int / float, or a ConfigError naming the setting."""
    try:
        number = kind(str(value).strip())
    except ValueError:
        number = None
    if number is None or number <= 0 or number != number:  # NaN
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {what} above 0; got {str(value)!r}")
    return number


def bizstim_keys() -> list[str]:
    """The configured Bizstim keys (also for masking them in reports)."""
    return split_keys(_lookup("bizstim_api_keys", secret=True))


def bizstim_settings(
    base_url: str | None = None,
    api_keys: list[str] | None = None,
    rate_limit: int | None = None,
    rate_window: float | None = None,
) -> BizstimSettings:
    url = base_url or _lookup("bizstim_base_url") or DEFAULT_BIZSTIM_URL
    name = "--base-url" if base_url else "BIZSTIM_BASE_URL"
    url = check_url(name, str(url), "bizstim")
    keys = api_keys or bizstim_keys()
    if not keys:
        raise ConfigError(
            "no Bizstim API key: set BIZSTIM_API_KEYS (comma-separated) or "
            "bizstim_api_keys in .dlt/secrets.toml"
        )
    limit = positive(
        "--rate-limit" if rate_limit is not None else "BIZSTIM_RATE_LIMIT",
        rate_limit if rate_limit is not None else _lookup("bizstim_rate_limit") or 1000,
        int,
    )
    window = positive(
        "--rate-window" if rate_window is not None else "BIZSTIM_RATE_WINDOW",
        rate_window if rate_window is not None else _lookup("bizstim_rate_window") or 3600,
        float,
    )
    return BizstimSettings(url, tuple(keys), limit, window)


def duckdb_path(explicit: str | None = None) -> Path:
    raw = explicit or _lookup("bizmig_duckdb") or "bizmig.duckdb"
    return Path(str(raw)).expanduser().resolve()


def dbt_project_dir(explicit: str | None = None) -> Path | None:
    """The dbt project holding the mapping (``BIZMIG_DBT_PROJECT``); None = the tool's own."""
    raw = explicit or _lookup("bizmig_dbt_project")
    if not raw:
        return None
    path = Path(str(raw)).expanduser().resolve()
    if not (path / "dbt_project.yml").is_file():
        raise ConfigError(f"{path} is not a dbt project (no dbt_project.yml)")
    return path


@dataclass(frozen=True)
class TwentySettings:
    api_url: str
    api_key: str

    def __repr__(self) -> str:
        return f"TwentySettings(api_url={self.api_url!r}, api_key=<hidden>)"


def twenty_key() -> str | None:
    """The configured Twenty key (also for masking it in reports)."""
    key = _lookup("twenty_api_key", secret=True)
    return str(key) if key else None


def twenty_settings(api_url: str | None = None, api_key: str | None = None) -> TwentySettings:
    url = api_url or _lookup("twenty_api_url")
    key = api_key or twenty_key()
    if not url or not key:
        raise ConfigError(
            "Twenty is not configured: set TWENTY_API_URL and TWENTY_API_KEY "
            "(or twenty_api_url / twenty_api_key in .dlt/config.toml / secrets.toml)"
        )
    name = "--twenty-url" if api_url else "TWENTY_API_URL"
    return TwentySettings(check_url(name, str(url), "twenty"), str(key))


DEFAULT_BULK_THRESHOLD = 2000  # Salesforce's LDV guide: jobs over ~2 000 records belong on Bulk
DEFAULT_LIMIT_SHARE = 0.8  # third-party loaders stop at 80 % of api-usage (destinations-2 §1.4)


@dataclass(frozen=True)
class SalesforceSettings:
    instance_url: str
    client_id: str
    client_secret: str
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD
    limit_share: float = DEFAULT_LIMIT_SHARE

    def __repr__(self) -> str:  # never print the secret
        return (
            f"SalesforceSettings(instance_url={self.instance_url!r}, client_id=<hidden>, "
            f"client_secret=<hidden>, bulk_threshold={self.bulk_threshold}, "
            f"limit_share={self.limit_share})"
        )


def salesforce_secret() -> str | None:
    """The configured client secret (also for masking it in reports)."""
    secret = _lookup("salesforce_client_secret", secret=True)
    return str(secret) if secret else None


def salesforce_settings(instance_url: str | None = None) -> SalesforceSettings:
    url = instance_url or _lookup("salesforce_instance_url") or _lookup("salesforce_login_url")
    client_id = _lookup("salesforce_client_id")
    secret = salesforce_secret()
    if not url or not client_id or not secret:
        raise ConfigError(
            "Salesforce is not configured: set SALESFORCE_INSTANCE_URL, SALESFORCE_CLIENT_ID and "
            "SALESFORCE_CLIENT_SECRET (the External Client App's client-credentials pair; or "
            "the same names lower-cased in .dlt/config.toml / secrets.toml)"
        )
    name = "--url" if instance_url else "SALESFORCE_INSTANCE_URL"
    threshold = _lookup("salesforce_bulk_threshold")
    share = _lookup("salesforce_limit_share")
    limit_share = positive("SALESFORCE_LIMIT_SHARE", share, float) if share is not None else None
    if limit_share is not None and limit_share > 1:
        raise ConfigError(f"SALESFORCE_LIMIT_SHARE is a share from 0 to 1; got {share!r}")
    return SalesforceSettings(
        check_url(name, str(url), "salesforce"),
        str(client_id),
        secret,
        positive("SALESFORCE_BULK_THRESHOLD", threshold, int)
        if threshold is not None
        else DEFAULT_BULK_THRESHOLD,
        limit_share if limit_share is not None else DEFAULT_LIMIT_SHARE,
    )


@dataclass(frozen=True)
class PipedriveSettings:
    api_url: str
    api_token: str

    def __repr__(self) -> str:  # never print the token
        return f"PipedriveSettings(api_url={self.api_url!r}, api_token=<hidden>)"


def pipedrive_token() -> str | None:
    """The configured API token (also for masking it in reports)."""
    token = _lookup("pipedrive_api_token", secret=True)
    return str(token) if token else None


def pipedrive_settings(api_url: str | None = None) -> PipedriveSettings:
    url = api_url or _lookup("pipedrive_api_url")
    token = pipedrive_token()
    if not url or not token:
        raise ConfigError(
            "Pipedrive is not configured: set PIPEDRIVE_API_URL (https://<company>.pipedrive.com) "
            "and PIPEDRIVE_API_TOKEN (Settings → Personal preferences → API; or the same names "
            "lower-cased in .dlt/config.toml / secrets.toml)"
        )
    name = "--url" if api_url else "PIPEDRIVE_API_URL"
    return PipedriveSettings(check_url(name, str(url), "pipedrive"), token)


@dataclass(frozen=True)
class FreshsalesSettings:
    api_url: str
    api_key: str

    def __repr__(self) -> str:  # never print the key
        return f"FreshsalesSettings(api_url={self.api_url!r}, api_key=<hidden>)"


def freshsales_key() -> str | None:
    """The configured API key (also for masking it in reports)."""
    key = _lookup("freshsales_api_key", secret=True)
    return str(key) if key else None


def freshsales_settings(api_url: str | None = None) -> FreshsalesSettings:
    url = api_url or _lookup("freshsales_api_url")
    key = freshsales_key()
    if not url or not key:
        raise ConfigError(
            "Freshsales is not configured: set FRESHSALES_API_URL "
            "(https://<bundle>.myfreshworks.com/crm/sales) and FRESHSALES_API_KEY (Profile "
            "settings → API settings; or the same names lower-cased in .dlt/config.toml / "
            "secrets.toml)"
        )
    name = "--url" if api_url else "FRESHSALES_API_URL"
    return FreshsalesSettings(check_url(name, str(url), "freshsales"), key)


@dataclass(frozen=True)
class MondaySettings:
    api_url: str
    api_token: str
    api_version: str = "2026-10"

    def __repr__(self) -> str:  # never print the token
        return f"MondaySettings(api_url={self.api_url!r}, api_token=<hidden>)"


def monday_settings(api_url: str | None = None) -> MondaySettings:
    """MONDAY_API_URL (default monday's own endpoint), MONDAY_API_TOKEN (secret),
    MONDAY_API_VERSION (default 2026-10: the SDL the project validates against)."""
    url = api_url or _lookup("monday_api_url") or "https://api.monday.com/v2"
    token = _lookup("monday_api_token", secret=True)
    if not token:
        raise ConfigError(
            "monday is not configured: set MONDAY_API_TOKEN (Profile → Developers → My access "
            "tokens, or Administration → Connections → API; or monday_api_token in "
            ".dlt/secrets.toml) and, for another endpoint than https://api.monday.com/v2, "
            "MONDAY_API_URL"
        )
    version = str(_lookup("monday_api_version") or "2026-10")
    name = "--url" if api_url else "MONDAY_API_URL"
    return MondaySettings(check_url(name, str(url), "monday"), str(token), version)
