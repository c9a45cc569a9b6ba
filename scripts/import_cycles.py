#!/usr/bin/env python3
"""Lists import cycles between the app's parts (app/<part>/ packages and app/<module>.py),
counting module-level and function-level imports alike. Exit status 1 when there is one.

    python scripts/import_cycles.py [--modules]

--modules looks at modules instead of parts. Used by tests/test_import_cycles.py."""
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "app"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, modules: set[str] | frozenset = frozenset()) -> set[str]:
    """The app.* modules this file imports, at any depth of the file. `from app.x import y`
    imports the module app.x.y when there is one (not app.x's __init__ as well)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("app")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("app"):
            named = {f"{node.module}.{a.name}" for a in node.names}
            submodules = named & set(modules)
            found |= submodules
            if len(submodules) < len(named):  # some name is the package's own
                found.add(node.module)
    return found


def part_of(module: str) -> str:
    bits = module.split(".")
    return ".".join(bits[:2]) if len(bits) > 1 else module


def graph(by_module: bool = False) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        src = name if by_module else part_of(name)
        for target in imports(path, set(modules)):
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target not in modules or target == "app":
                continue
            dst = target if by_module else part_of(target)
            if dst != src:
                edges.setdefault(src, set()).add(dst)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    found = cycles(graph(by_module="--modules" in sys.argv))
    for comp in found:
        print("cycle:", " ↔ ".join(comp))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
