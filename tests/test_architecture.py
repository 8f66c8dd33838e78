"""The layout ARCHITECTURE.md promises, checked on the source: no import cycle between
files (``TYPE_CHECKING`` imports and imports inside functions included), the edge never
importing a vendor, the origin and the edge never importing each other, vendors using only
the edge's public modules, ``common`` depending on nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "imaging", "origin", "edge", "vendors", "cdnsim", "scenarios")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module file ``name`` lives in (``a.b.C`` → ``a.b`` when C is not a module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1])
                    base = f"{base}.{child.module}" if child.module else base
                # ``from pkg import sub`` imports the module ``pkg.sub``; ``from mod import x``
                # imports ``mod``.
                names = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                    for a in child.names
                ]
            for name in names:
                target = _resolve(name)
                if target is not None and target != module:
                    out.append((target, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return out


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in {t for t, _, _ in GRAPH[v]}:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            connect(module)
    return out


def test_no_import_cycle_between_files() -> None:
    assert _cycles() == []


# Modules that may import ours inside a function, and why.
LAZY = {
    # A pytest11 plugin is imported by every pytest run wherever cdnsim is installed: it
    # imports the stack (0.6 s) only when a test first asks for the fixture.
    "cdnsim.pytest_plugin",
}


def test_no_import_of_our_own_modules_inside_a_function() -> None:
    inside = [
        f"{m}:{line} imports {t}"
        for m, es in GRAPH.items()
        for t, line, f in es
        if f and m not in LAZY
    ]
    assert inside == []


def _edges(source: str, target: str) -> list[str]:
    return [
        f"{m}:{line} imports {t}"
        for m, es in GRAPH.items()
        if m == source or m.startswith(source + ".")
        for t, line, _ in es
        if t == target or t.startswith(target + ".")
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("edge", "vendors"),
        ("edge", "origin"),
        ("edge", "cdnsim"),
        ("origin", "edge"),
        ("origin", "vendors"),
        ("origin", "cdnsim"),
        ("vendors", "origin"),
        ("vendors", "cdnsim"),
        ("common", "edge"),
        ("common", "origin"),
        ("common", "vendors"),
        ("common", "cdnsim"),
        ("common", "imaging"),
        ("imaging", "edge"),
        ("imaging", "origin"),
        ("imaging", "vendors"),
        ("imaging", "cdnsim"),
    ],
)
def test_layers_import_only_what_the_architecture_allows(source: str, target: str) -> None:
    assert _edges(source, target) == []


def test_vendors_use_only_the_edges_public_modules_and_not_each_other() -> None:
    private = [e for e in _edges("vendors", "edge") if "._" in e.rsplit(" imports ", 1)[1]]
    assert private == []
    assert _edges("vendors.akamai", "vendors.imgix") == []
    assert _edges("vendors.imgix", "vendors.akamai") == []
