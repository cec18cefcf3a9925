"""Is a configured URL the address of the system we expect, and is that system up?

Seen on a fresh clone: ``BIZSTIM_BASE_URL`` without ``/api``, on another server, without a
scheme (``www.bizstim.com/api``) or with a wrong one (``htp://``) gave 47-line tracebacks; an
unreachable Bizstim 68 s of retries and then a raw connection error; ``TWENTY_API_URL=
localhost:3000`` 64 s of retries and then "could not be reached… rerun when it is back" (exit
10): a typo reported as an outage; a Twenty URL ending in ``/rest`` ``400: object 'rest' not
found``. So, before the first request:

1. :func:`check_url` reads the URL itself: scheme ``http``/``https``, a host, a valid port,
   no query, and the path each system expects (Bizstim's API base ends in ``/api``; Twenty's
   base URL is the workspace root, the client appends ``/rest/…`` itself).
2. :func:`check_reachable` opens a TCP connection (no HTTP request, so no request budget is
   spent and no server logs a request): a host name that does not resolve is a wrong address
   (exit 2); a refused or timed-out connection after three quick tries is "down" (exit 10) —
   in ~2 s instead of a minute of retries. Skipped when a proxy is configured for the URL.
3. What the server *answers* tells "wrong address" from a refusal: Bizstim always answers
   JSON ``{"status": "success"|"failure", …}`` and Twenty errors are JSON with ``statusCode`` /
   ``messages`` / ``error``; an HTML page, a 404 from some other web server or another API's
   JSON means the URL points elsewhere (:func:`bizstim_http_error`, :func:`is_twenty_error`).
"""

from __future__ import annotations

import socket
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from common.errors import ConfigError, ExtractError


class WrongAddress(ConfigError):
    """The URL is malformed or points at something that is not the expected system."""


class Unreachable(RuntimeError):
    """Nothing answered at the URL's host and port."""


def check_url(name: str, url: str, system: str) -> str:
    """The URL without a trailing slash, or :class:`WrongAddress` naming what is wrong.
    ``system`` is ``"bizstim"``, ``"twenty"``, ``"salesforce"``, ``"pipedrive"`` or
    ``"freshsales"`` or ``"monday"``."""
    example = {
        "bizstim": "https://www.bizstim.com/api",
        "twenty": "https://crm.example.com",
        "salesforce": "https://mycompany.my.salesforce.com",
        "pipedrive": "https://mycompany.pipedrive.com",
        "freshsales": "https://mycompany.myfreshworks.com/crm/sales",
        "monday": "https://api.monday.com/v2",
    }[system]
    raw = str(url).strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if "://" not in raw:
            raise WrongAddress(
                f"{name}={raw!r} has no scheme: write it with http:// or https:// (e.g. {example})"
            )
        raise WrongAddress(
            f"{name}={raw!r}: the scheme {parts.scheme!r} is neither http nor https "
            f"(e.g. {example})"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or any(c.isspace() for c in raw):
        raise WrongAddress(f"{name}={raw!r} has no valid host[:port] (e.g. {example})")
    if parts.query or parts.fragment:
        raise WrongAddress(f"{name}={raw!r} must not carry a query or fragment (e.g. {example})")
    path = parts.path.rstrip("/")
    if system == "bizstim" and not path.endswith("/api"):
        raise WrongAddress(
            f"{name}={raw!r} is not the Bizstim API base: it ends in /api (e.g. {example})"
        )
    if system == "twenty":
        segments = [s for s in path.lower().split("/") if s]
        if set(segments) & {"rest", "graphql", "metadata"}:
            raise WrongAddress(
                f"{name}={raw!r}: give the workspace's base URL without /rest, /graphql or "
                f"/metadata (e.g. {example}); bizmig adds those paths itself"
            )
    if system == "salesforce" and "services" in path.lower().split("/"):
        raise WrongAddress(
            f"{name}={raw!r}: give the org's My Domain (or login) URL without /services/... "
            f"(e.g. {example}); bizmig adds the API paths itself"
        )
    if system == "pipedrive" and {"api", "v1", "v2"} & set(path.lower().split("/")):
        raise WrongAddress(
            f"{name}={raw!r}: give the company's base URL without /api/v2 or /v1 "
            f"(e.g. {example}); bizmig adds both API paths itself"
        )
    if system == "freshsales" and "api" in path.lower().split("/"):
        raise WrongAddress(
            f"{name}={raw!r}: give the account's base URL without /api (e.g. {example}, or "
            "https://<domain>.freshsales.io for Classic); bizmig adds /api/... itself"
        )
    if system == "monday" and not path.endswith("/v2"):
        raise WrongAddress(
            f"{name}={raw!r} is not monday's GraphQL endpoint: it ends in /v2 (e.g. {example})"
        )
    return raw.rstrip("/")


def _proxied(url: str) -> bool:
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not proxies.get(parts.scheme):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def check_reachable(
    name: str, url: str, attempts: int = 3, timeout: float = 5.0, pause: float = 0.5
) -> None:
    """A TCP connection to the URL's host and port, or :class:`WrongAddress` (the host does not
    resolve) / :class:`Unreachable` (nothing accepts the connection)."""
    if _proxied(url):
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise WrongAddress(
            f"{name}={url}: the host {host!r} does not resolve ({exc.strerror}): check the address"
        ) from exc
    error: OSError | None = None
    for attempt in range(attempts):
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            return
        except OSError as exc:
            error = exc
            if attempt + 1 < attempts:
                time.sleep(pause * 2**attempt)
    reason = error.strerror or type(error).__name__ if error else "no answer"
    raise Unreachable(
        f"nothing answers at {name}={url} ({reason}, {attempts} tries): is the server running "
        "and is the port right? Rerun when it is back"
    )


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def answer_summary(response: Any) -> str:
    text = " ".join(str(getattr(response, "text", ""))[:100].split())
    kind = response.headers.get("Content-Type", "no Content-Type")
    return f"{response.status_code} {kind.split(';')[0]}" + (f" ({text!r})" if text else "")


def is_bizstim_body(body: Any) -> bool:
    return isinstance(body, dict) and body.get("status") in ("success", "failure")


def bizstim_http_error(response: Any) -> Exception:
    """One-line error for a Bizstim answer the extraction cannot use (a ``requests``
    response): :class:`WrongAddress` when it is not Bizstim talking, or when a documented
    list answers "Unknown method"; otherwise a plain refusal."""
    parts = urlsplit(str(response.url))
    url = f"{parts.scheme}://{parts.netloc}{parts.path}"
    body = _body(response)
    if not is_bizstim_body(body):
        return WrongAddress(
            f"BIZSTIM_BASE_URL does not point at the Bizstim API: GET {url} answered "
            f"{answer_summary(response)}"
        )
    message = body.get("response")
    if response.status_code == 404 and message == "Unknown method":
        return WrongAddress(
            f"BIZSTIM_BASE_URL reaches Bizstim but not its API: GET {url} answered 404 "
            "'Unknown method' (the base is https://www.bizstim.com/api)"
        )
    return ExtractError(f"Bizstim answered {response.status_code} to GET {url}: {message}")


def is_twenty_error(response: Any) -> bool:
    """Twenty's errors are JSON objects with ``statusCode``, ``messages`` or ``error``."""
    body = _body(response)
    return isinstance(body, dict) and bool({"statusCode", "messages", "error"} & set(body))


def twenty_wrong_address(url: str, what: str) -> WrongAddress:
    return WrongAddress(f"TWENTY_API_URL={url} does not point at a Twenty workspace: {what}")
