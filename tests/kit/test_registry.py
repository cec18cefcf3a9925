"""Every built destination runs the kit: a new adapter cannot skip it by having no harness."""

from __future__ import annotations

from load.destinations import KNOWN
from tests.kit.harness import HARNESSES


def test_every_built_destination_has_a_kit_harness_and_no_other_does():
    built = {name for name, known in KNOWN.items() if known.issue is None}
    assert set(HARNESSES) == built
    assert built  # the kit runs on at least one destination
