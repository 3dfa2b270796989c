"""The import graph of the project's own packages: no circle, and storage/ stays below bot/.

Imports are read from the source with ast, so imports under `if TYPE_CHECKING:` and those
inside functions count as much as the others: a circle of type-only imports still ties the
modules together.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` refers to (a module, or a name defined in one)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.AST, importer: str, modules: dict[str, Path]) -> set[str | None]:
    if isinstance(node, ast.Import):
        return {_owner(alias.name, modules) for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: resolved against the importing package
            package = importer.split(".")
            package = package[: len(package) - node.level + (1 if _is_package(importer) else 0)]
            base = ".".join([*package, base] if base else package)
        return {_owner(f"{base}.{a.name}", modules) or _owner(base, modules) for a in node.names}
    return set()


def _is_package(module: str) -> bool:
    return (ROOT / Path(*module.split(".")) / "__init__.py").exists()


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets |= {t for t in _targets(node, name, modules) if t and t != name}
        graph[name] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_finder_sees_a_circle_of_type_only_imports() -> None:
    # The check below can fail: a circle closed only by TYPE_CHECKING imports is found.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import X\n"
    modules = _modules()
    found = set()
    for node in ast.walk(ast.parse(source)):
        found |= _targets(node, "bot.replies", modules)
    assert found == {"bot.app", None}  # None: typing is not the project's


def test_no_import_circle_among_the_projects_modules() -> None:
    graph = import_graph()
    assert "bot.context" in graph and "handlers.start" in graph  # the walk found the code
    assert circles(graph) == []


def test_storage_imports_nothing_from_bot_or_handlers() -> None:
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("storage")
        for target in targets
        if not target.startswith("storage")
    }
    assert upward == set()


def test_only_the_composition_root_assigns_application_services() -> None:
    # Services receive what they need; bot/app.py builds them and keeps them in bot_data.
    allowed = {Path("bot/app.py")}
    assigning = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                targets = node.targets if isinstance(node, ast.Assign) else []
                if isinstance(node, ast.AnnAssign | ast.AugAssign):
                    targets = [node.target]
                for target in targets:
                    for part in ast.walk(target):
                        if (
                            isinstance(part, ast.Attribute)
                            and isinstance(part.value, ast.Attribute)
                            and part.value.attr == "bot_data"
                        ):
                            assigning.add(path.relative_to(ROOT))
    assert assigning <= allowed, sorted(map(str, assigning - allowed))
