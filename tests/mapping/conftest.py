"""The end-to-end mapping test reuses the dbt tests' real sandbox extraction."""

from tests.dbt.conftest import warehouse

__all__ = ["warehouse"]
