"""Every exit code `bizmig` returns, in one place (README's "Exit codes" table lists the same).

Before this enum the codes lived as literals in five modules (``ingest/cli.py`` 2-4,
``load/core/run.py`` 1/2/5/6/7, ``bizmig/migrate.py`` 8, ``bizmig/cli.py`` 9/10); a test now checks
that the README table and this enum name the same codes. Scripts branch on them, so a code's
meaning never changes; new situations get new numbers.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # a failure without a more specific code, or a reconciliation mismatch
    CONFIG = 2  # configuration / usage: a bad option, a missing setting, a wrong address
    BIZSTIM_KEY_REJECTED = 3
    BIZSTIM_BUDGET_EXHAUSTED = 4  # rerun later: the extraction resumes
    UNMATCHED_OWNERS = 5  # rerun with --allow-unmatched-owners, or invite the users
    UNCONFIRMED_MAPPING = 6
    SCHEMA_CONFLICT = 7
    GATE_FAILED = 8  # `bizmig migrate`: a phase's gate failed (--force goes past it)
    TWENTY_KEY_REJECTED = 9
    UNREACHABLE = 10  # Bizstim or Twenty did not answer: rerun when it is back (it resumes)
    # 11: Bizstim refused a documented endpoint (issue 11's ingest/availability.py, on main)
    BIZSTIM_ENDPOINT_REFUSED = 11
    NOT_BUILT = 12  # the marts are not built, or their last `dbt build` failed / is partial / stale
    DESTINATION_NOT_BUILT = 13  # `--to` names a destination this version has no adapter for
    # a destination's daily API budget (or the share of it the load may use) is spent: rerun
    # after the destination's reset, the load resumes from its ledger
    DESTINATION_BUDGET_EXHAUSTED = 14
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, the shell's convention): rerun to resume
