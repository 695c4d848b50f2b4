"""The folder layout is the architecture: each subpackage of server/shkg owns one concern, and
imports only run downward (README, "The code").

    floor 0  shkg: errors, formats, graphstore, manifest, namespaces, project, settings
    floor 1  shkg.build (reading, checking, publishing a release), shkg.query (answering SPARQL)
    floor 2  shkg.run (where queries run), shkg.render (descriptions and pages)
    floor 3  shkg.web (the HTTP application)
    floor 4  shkg.cli

A module imports from its own subpackage, the floor below it and floor 0; never upward, never
sideways into another subpackage of its floor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shkg

PACKAGE = Path(shkg.__file__).resolve().parent
FLOORS = {"": 0, "build": 1, "query": 1, "run": 2, "render": 2, "web": 3, "cli": 4}


def part_of(module: str) -> str:
    """The subpackage of a module name (``shkg.query.sparql`` -> ``query``), "" for floor 0."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in FLOORS:
        return parts[1]
    return ""


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports_of(path: Path, typing_too: bool = True) -> set[str]:
    """The shkg modules a file imports, anywhere in it (function-level imports too; those under
    ``if TYPE_CHECKING:`` only with ``typing_too``, as they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not typing_too:
        for block in [n for n in ast.walk(tree) if isinstance(n, ast.If)]:
            if isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING":
                block.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shkg"):
            assert node.level == 0, f"{path}: relative import; the code imports by absolute name"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("shkg"))
    return found


def test_every_subpackage_is_on_a_floor() -> None:
    subpackages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert subpackages == set(FLOORS) - {"", "cli"}


def test_imports_only_run_downward() -> None:
    known = modules()
    wrong = []
    for name, path in known.items():
        mine = part_of(name)
        for target in imports_of(path):
            if target not in known:
                continue  # a name imported from a module, already counted as the module
            theirs = part_of(target)
            if theirs == mine or FLOORS[theirs] == 0:
                continue
            if FLOORS[theirs] >= FLOORS[mine]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_cycle_between_modules() -> None:
    known = modules()
    graph = {
        name: {t for t in imports_of(path, typing_too=False) if t in known and t != name}
        for name, path in known.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    # The rule is not vacuous: a query module importing the web layer is caught.
    module = tmp_path / "probe.py"
    module.write_text("from shkg.web.app import release_app\n", encoding="utf-8")
    assert "shkg.web.app" in imports_of(module)
    assert FLOORS[part_of("shkg.web.app")] > FLOORS[part_of("shkg.query.probe")]
