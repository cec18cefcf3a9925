"""The end-to-end mapping test reuses the dbt tests' real sandbox extraction."""

from tests.dbt.conftest import (
    documented_warehouse,
    planted_warehouse,
    undefined_custom_fields_warehouse,
    warehouse,
)

__all__ = [
    "documented_warehouse",
    "planted_warehouse",
    "undefined_custom_fields_warehouse",
    "warehouse",
]
