"""An unmatched Bizstim user is named in the destination's own word for its users: a Twenty
workspace member, a Salesforce active User (not Twenty's word for every destination)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from load.core.destination import OwnerMatch
from load.core.run import LoadOptions, UnmatchedOwners, perform_load
from load.salesforce.adapter import SalesforceDestination
from load.twenty.adapter import TwentyDestination


@dataclass
class Unmatched:
    """Just enough of a destination for the owner check that comes before any write."""

    display_name: str
    user_noun: str
    specs: tuple = ()
    owners: list[dict[str, Any]] = field(
        default_factory=lambda: [{"name": "Ada Lovelace", "email": "ada@example.com"}]
    )

    def unconfirmed_mappings(self) -> list[str]:
        return []

    def match_owners(self, run_id: str | None = None) -> OwnerMatch:
        return OwnerMatch([], self.owners)


@pytest.mark.parametrize(
    ("adapter", "wording"),
    [
        (TwentyDestination, "1 Bizstim user(s) without a workspace member: Ada Lovelace"),
        (SalesforceDestination, "1 Bizstim user(s) without an active User: Ada Lovelace"),
    ],
)
def test_unmatched_owners_are_named_in_the_destinations_word(adapter: Any, wording: str):
    destination = Unmatched(adapter.display_name, adapter.user_noun)
    with pytest.raises(UnmatchedOwners) as refused:
        perform_load(destination, LoadOptions())  # type: ignore[arg-type]
    assert wording in str(refused.value)
    assert f"Add them in {adapter.display_name}" in str(refused.value)
