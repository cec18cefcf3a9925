"""`bizmig demo --to freshsales`: its stand-in, and the admin the demo plays for the checklist.

Freshsales lets no API create custom fields on its standard modules (destinations-2.md §3.5,
unconfirmed, so off by default), so a first load stops at the checklist of fields an admin must
create in the UI (exit 7) and writes nothing. A real migration waits for that admin; the demo
has none, so after the checklist it does what the admin would, through the stand-in's admin
hook (``POST /_sandbox/accounts/{account}/fields``, the UI's stand-in, no API key), says so, and
runs the migration again, which resumes at the load and finds every field.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

from common.settings import FreshsalesSettings
from load.freshsales.schema import Field

FRESHSALES_KEY = "demo-freshsales-api-key"
DEMO_ACCOUNT = "demo"
DEMO_PLAN = "enterprise"  # 5 000 requests an hour: the demo's few hundred are paced, not stopped
BUNDLE_PATH = "/crm/sales"


def freshsales_args(workdir: Path, people: list[str]) -> tuple[list[str], str]:
    """The stand-in's options (an account with the demo's key, users for the Bizstim staff)
    and the plan the loader is told too."""
    plan = os.environ.setdefault("FRESHSALES_PLAN", DEMO_PLAN)
    args = ["--account", f"{DEMO_ACCOUNT}:{FRESHSALES_KEY}", "--plan", plan]
    args += ["--data-dir", str(workdir / "freshsales-standin")]
    for person in people:
        args += ["--user", person]
    return args, plan


def settings_for(server_url: str) -> FreshsalesSettings:
    return FreshsalesSettings(server_url.rstrip("/") + BUNDLE_PATH, FRESHSALES_KEY)


def create_as_admin(server_url: str, account: str, field: Field) -> None:
    """One field created the way an admin does in the UI (the stand-in's hook)."""
    body = {
        "module": field.module,
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "choices": field.choices,
        "unique": field.unique,
    }
    request = urllib.request.Request(
        f"{server_url.rstrip('/')}/_sandbox/accounts/{account}/fields",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        response.read()


def play_admin(settings: FreshsalesSettings, staging: Path, say: Callable[[str], None]) -> int:
    """Create what the load's checklist named; the number of fields created."""
    from load.freshsales.session import open_freshsales

    destination = open_freshsales(settings, staging)
    try:
        missing = destination.missing_fields()
    finally:
        destination.ledger.close()
        destination.close()
    fields = {(f.module, f.name): f for f, _line in missing}
    server_url = settings.api_url[: -len(BUNDLE_PATH)]
    say(
        f"demo: playing the Freshsales admin — creating the checklist's {len(fields)} custom "
        "field(s) in the stand-in's UI hook (a real account waits for its admin here):"
    )
    for field in fields.values():
        create_as_admin(server_url, DEMO_ACCOUNT, field)
        say(f"  created {field.module}.{field.name} ({field.type})")
    return len(fields)
