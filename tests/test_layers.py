"""Imports run downward only, and no modules import each other in a circle.

Layers, bottom to top: ``common`` → ``ingest`` / ``load`` / ``sandbox`` → ``report`` →
``bizmig`` (the CLI) → ``benchmarks`` → ``tests``. Found when the layout landed (issue 13):
``common/addresses.py`` imported ``ingest.transport``, ``load/core/build_state.py`` imported
``report.db``, ``benchmarks/load.py`` imported ``tests.load.conftest``, and
``sandbox/bizstim/hostile.py`` imported the two modules that import it back (registration
depended on which of the three Python happened to load first). Every ``import`` counts, also
the ones inside functions: a function-level import is still a dependency, only a later one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    "common": 0,
    "ingest": 1,
    "load": 1,
    "sandbox": 1,
    "report": 2,
    "bizmig": 3,
    "benchmarks": 4,
    "tests": 5,
}
CHECKED = ("common", "ingest", "load", "sandbox", "report", "bizmig", "benchmarks")

# Upward imports in files this change may not edit; each names the fix. An entry that no
# longer occurs fails the test, so the list shrinks as they are fixed.
PENDING: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def first_party_files(packages: tuple[str, ...]) -> dict[str, Path]:
    return {
        module_name(path): path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if ".venv" not in path.parts
    }


def _resolve(name: str, known: set[str]) -> str:
    """The longest known module that ``name`` starts with (``a.b.Name`` → ``a.b``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return name


def imports_of(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """(imported first-party module, line) for every import statement anywhere in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in LAYERS:
                yield _resolve(name, known), node.lineno


def import_graph(packages: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """module → {imported module: first line}; modules outside ``packages`` are leaves."""
    files = first_party_files(tuple(LAYERS))
    known = set(files)
    graph: dict[str, dict[str, int]] = {}
    for module, path in files.items():
        if module.split(".")[0] not in packages:
            continue
        edges = graph.setdefault(module, {})
        for target, line in imports_of(module, path, known):
            if target != module:
                edges.setdefault(target, line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, {})))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, {}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward_imports(graph: dict[str, dict[str, int]]) -> dict[tuple[str, str], str]:
    found = {}
    for module, edges in graph.items():
        for target, line in edges.items():
            if LAYERS[target.split(".")[0]] > LAYERS[module.split(".")[0]]:
                found[(module, target)] = f"{module} (line {line}) imports {target}"
    return found


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "import json\n"
        "import common.settings as settings\n"
        "from common.exits import ExitCode\n"
        "from sandbox.bizstim import hostile_wire\n"
        "from . import sibling\n"
        "from .sibling import name\n"
        "def later():\n"
        "    from report.db import open_report_db\n"
    )
    known = {"common.settings", "common.exits", "sandbox.bizstim.hostile_wire",
             "load.core.sibling", "report.db"}
    found = list(imports_of("load.core.mod", source, known))
    assert found == [
        ("common.settings", 2),
        ("common.exits", 3),  # `from pkg.mod import Name` → pkg.mod
        ("sandbox.bizstim.hostile_wire", 4),  # `from pkg import mod` → pkg.mod
        ("load.core.sibling", 5),  # relative
        ("load.core.sibling", 6),
        ("report.db", 8),  # inside a function
    ]
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [
        ["a", "b", "c"]
    ]
    assert cycles({"a": {"b": 1}, "b": {}}) == []
    assert upward_imports({"load.x": {"report.db": 8, "common.exits": 1}}) == {
        ("load.x", "report.db"): "load.x (line 8) imports report.db"
    }


def test_imports_never_run_upward() -> None:
    found = upward_imports(import_graph(CHECKED))
    unexpected = [line for key, line in sorted(found.items()) if key not in PENDING]
    assert not unexpected, "imports that run upward:\n" + "\n".join(unexpected)
    stale = [f"{a} -> {b}" for a, b in PENDING if (a, b) not in found]
    assert not stale, f"fixed, remove from PENDING: {stale}"


def test_no_import_cycles() -> None:
    found = cycles(import_graph(CHECKED))
    assert not found, "modules importing each other in a circle: " + "; ".join(
        " ↔ ".join(component) for component in found
    )
