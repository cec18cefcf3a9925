"""Every price the loader charges is the one Pipedrive's own OpenAPI files state.

The specs are read here, at test time, from ``PIPEDRIVE_OPENAPI_DIR`` (default
``<repo>/../shared/contracts``), never copied into the project: a new spec that changes a price
fails this test instead of silently changing what the pacer and ``scope`` count.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from load.pipedrive.token_costs import TOKEN_COSTS, V1, V2, UnpricedCall, cost_of

ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = Path(os.environ.get("PIPEDRIVE_OPENAPI_DIR", ROOT.parent / "shared" / "contracts"))


def spec_costs(version: str) -> dict[tuple[str, str], int]:
    path = SPEC_DIR / f"pipedrive-{version}-openapi.yml"
    if not path.exists():
        pytest.skip(f"{path} is not there (set PIPEDRIVE_OPENAPI_DIR)")
    spec = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    prefix = V2 if version == "v2" else V1
    return {
        (method.upper(), prefix + template): int(operation["x-token-cost"])
        for template, operations in spec["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "x-token-cost" in operation
    }


def test_every_price_is_the_specs_x_token_cost() -> None:
    stated = {**spec_costs("v2"), **spec_costs("v1")}
    wrong = {
        call: (ours, stated.get(call))
        for call, ours in TOKEN_COSTS.items()
        if stated.get(call) != ours
    }
    assert not wrong, f"(ours, the spec's) where they differ or the spec has no such call: {wrong}"


def test_concrete_paths_are_priced_by_their_template_and_unknown_calls_refused() -> None:
    code = "0f" * 20
    assert cost_of("GET", "/api/v2/persons?limit=500&cursor=abc") == 10
    assert cost_of("PATCH", "https://acme.pipedrive.com/api/v2/deals/77") == 5
    assert cost_of("POST", f"/api/v2/productFields/{code}/options") == 5
    assert cost_of("DELETE", "/api/v1/notes/9") == 6  # v1 under /api/v1 as well as /v1
    with pytest.raises(UnpricedCall):
        cost_of("GET", "/api/v2/persons/search")  # 20 tokens a record: never planned
