"""One list of exit codes (issue 19): the enum in common/exits.py, and README's table naming
exactly its codes; the modules that raise them use the enum, not literals."""

from __future__ import annotations

import re
from pathlib import Path

from common.exits import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def test_readme_lists_exactly_the_codes_of_the_enum():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = [int(code) for code in re.findall(r"^\| `(\d+)` \|", section, re.MULTILINE)]
    assert documented == sorted(int(code) for code in ExitCode)


def test_no_command_module_exits_with_a_literal_code():
    literal = re.compile(r"(typer\.Exit|sys\.exit|exit_code =)\((?:[1-9]\d*)\)|exit_code = [1-9]")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("bizmig", "ingest", "load")
        for path in sorted((ROOT / folder).glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []
