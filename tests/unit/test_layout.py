"""The code's layout: feature packages inside fedi/ (twenty-four entries at most), each saying its
job, no module over ~400 lines, and no import cycle between any two modules (import-linter's
acyclic_siblings contract, run by CI, sees cycles between siblings; this also sees a package
whose __init__ and children import each other)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
OURS = ("fedi", "inbox", "outbox", "keys")
MAX_ENTRIES = 24
MAX_LINES = 400


def _packages() -> list[Path]:
    return sorted(
        init.parent
        for name in OURS
        for init in (ROOT / name).rglob("__init__.py")
        if "__pycache__" not in init.parts
    )


def test_fedi_keeps_at_most_twenty_four_entries() -> None:
    entries = [p.name for p in (ROOT / "fedi").iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MAX_ENTRIES, sorted(entries)


def test_every_package_opens_with_a_docstring_saying_its_job() -> None:
    for package in _packages():
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        assert docstring and docstring.strip(), f"{package.relative_to(ROOT)} has no docstring"


def test_no_module_is_over_four_hundred_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for name in OURS
        for path in (ROOT / name).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, "split these along a seam"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
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
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_modules_import_each_other_even_indirectly() -> None:
    graph = grimp.build_graph(*OURS)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []
