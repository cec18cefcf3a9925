"""``POST /services/oauth2/token`` and the access tokens it hands out (destinations.md §1.1,
destinations-2.md §1.12 rule 1).

Why client credentials: the loader runs unattended, and Salesforce's server-to-server options
are the JWT bearer flow and the client-credentials flow with a run-as integration user; the
username-password flow is being retired (20 Feb 2027). The stand-in implements client
credentials only; a JWT assertion would need a certificate the stand-in cannot verify
meaningfully, so every other ``grant_type`` is 400 ``unsupported_grant_type``.

As built: form-encoded ``grant_type=client_credentials&client_id=…&client_secret=…`` (in the
body or the query string); an unknown client id is 400 ``invalid_client_id``, a wrong secret
400 ``invalid_client`` (the two answers real orgs give). The answer carries
``access_token`` (``<org id>!<random>``), ``instance_url`` (the stand-in's own address from
the ``Host`` header), ``id``, ``token_type: Bearer``, ``issued_at`` (ms) and ``signature``
(base64 HMAC-SHA256 of id + issued_at with the client secret, as real). Only the SHA-256 of
each token is stored, so a restarted stand-in still accepts tokens it issued. A session dies
after ``--session-hours`` without use (default 2 h, an org's default timeout) on the org
clock; then every call is 401 ``INVALID_SESSION_ID`` and the client must fetch a new token.

The org builds :class:`Sessions`, so this module sees it through :class:`TokenOrg` (what it
reads of the org) instead of importing ``org.Org``, which closed an import circle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from datetime import datetime
from typing import Protocol
from urllib.parse import parse_qs

from sandbox.httpbase import Request, Response
from sandbox.salesforce.org_settings import Settings
from sandbox.salesforce.store import Store

TOKEN_PATH = "/services/oauth2/token"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenOrg(Protocol):
    """What sessions and the token endpoint read of the org (``org.Org`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def org_id(self) -> str: ...

    @property
    def integration_user_id(self) -> str: ...

    @property
    def sessions(self) -> Sessions: ...

    def now(self) -> datetime: ...  # the org clock


class Sessions:
    def __init__(self, org: TokenOrg) -> None:
        self.org = org
        self._lock = threading.Lock()
        now = org.now().timestamp()
        self._last_used = {h: now for h in org.store.tokens()}  # a restart counts as use

    def issue(self) -> str:
        token = f"{self.org.org_id[:15]}!{secrets.token_urlsafe(72)}"
        now = self.org.now().timestamp()
        with self._lock:
            self._last_used[token_hash(token)] = now
        self.org.store.add_token(token_hash(token), now)
        return token

    def valid(self, token: str) -> bool:
        if not token:
            return False
        key = token_hash(token)
        now = self.org.now().timestamp()
        limit = self.org.settings.session_hours * 3600
        with self._lock:
            last = self._last_used.get(key)
            if last is None:
                return False
            if limit > 0 and now - last > limit:
                del self._last_used[key]
                return False
            self._last_used[key] = now
            return True


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response(status, {"error": error, "error_description": description})


def token_endpoint(org: TokenOrg, request: Request) -> Response:
    if request.method != "POST":
        return _oauth_error("invalid_request", "must use HTTP POST", 405)
    form = {k: v[-1] for k, v in request.query.items()}
    try:
        body = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return _oauth_error("invalid_request", "body is not form-encoded UTF-8")
    form.update({k: v[-1] for k, v in body.items()})
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    settings = org.settings
    if not hmac.compare_digest(form.get("client_id", ""), settings.client_id):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    if not hmac.compare_digest(form.get("client_secret", ""), settings.client_secret):
        return _oauth_error("invalid_client", "invalid client credentials")
    token = org.sessions.issue()
    host = request.headers.get("host", "127.0.0.1")
    instance = f"http://{host}"
    identity = f"{instance}/id/{org.org_id}/{org.integration_user_id}"
    issued = str(int(org.now().timestamp() * 1000))
    signature = base64.b64encode(hmac.new(settings.client_secret.encode(),
                                          (identity + issued).encode(),
                                          hashlib.sha256).digest()).decode()
    return Response(200, {"access_token": token, "signature": signature, "scope": "api",
                          "instance_url": instance, "id": identity, "token_type": "Bearer",
                          "issued_at": issued})
