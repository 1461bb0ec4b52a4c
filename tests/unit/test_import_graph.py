"""No import circle anywhere in the project's packages.

Every import counts, at module level, inside functions and under `TYPE_CHECKING`: a circle
that only type checking closes still ties the modules into one knot a reader must take in at
once.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "connector_kit": REPO / "connector-kit" / "connector_kit",
    "tap_impact_crm": REPO / "tap-impact-crm" / "tap_impact_crm",
    "tap_tracksale": REPO / "tap-tracksale" / "tap_tracksale",
    "tap_trackfinity": REPO / "tap-trackfinity" / "tap_trackfinity",
    "target_tracksale": REPO / "target-tracksale" / "target_tracksale",
    "api_sandbox": REPO / "sandbox" / "api_sandbox",
}


def module_files() -> dict[str, Path]:
    modules = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that `module` imports, anywhere in its file."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            target = name
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another, directly or round a circle."""
    reach = {node: reachable(graph, node) for node in graph}
    groups = {
        tuple(sorted({node} | {other for other in reach[node] if node in reach[other]}))
        for node in graph
        if node in reach[node]
    }
    return [list(group) for group in sorted(groups)]


def test_no_module_imports_itself_round_a_circle():
    modules = module_files()
    known = set(modules)
    graph = {module: imports_of(module, path, known) for module, path in modules.items()}
    # A package's __init__ importing its own modules is how a package exposes them, not a knot.
    for module, imported in graph.items():
        if modules[module].name == "__init__.py":
            imported.difference_update({m for m in imported if m.startswith(module + ".")})
    found = circles(graph)
    assert not found, "Import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_check_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
