"""The tree shows the data flow: package imports form no cycle, ``kb`` and ``indexer`` stay low, modules stay small.

Read with ``ast`` from the source, not by importing it: every ``import`` counts, at module level, inside a function
(lazy) or under ``TYPE_CHECKING``; only a script's ``if __name__ == "__main__":`` block is left out, because it
runs when the file is the program, never when another module imports it (``python app.py`` is ``kyodo serve``).
Tests are not modules of the tree and are not counted, for imports or for length. The README's map must name
every module (``app.py`` and each package's files but ``__init__.py``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS = ("kb", "indexer", "cli", "ui", "trainer", "evals", "bench", "app")
# kb is the read-path library: it knows nothing of the command, the page, the trainers, the evals or the benchmarks.
KB_MUST_NOT_IMPORT = {"cli", "app", "ui", "trainer", "evals", "bench"}
MAX_LINES = 300

Edge = tuple[str, str, str]  # importing unit, imported unit, "file:line imports module"


def modules(root: Path) -> Iterator[Path]:
    """Every source module of the tree's units (``app.py`` and the packages' ``.py`` files)."""
    for unit in UNITS:
        if (root / f"{unit}.py").is_file():
            yield root / f"{unit}.py"
        elif (root / unit).is_dir():
            yield from sorted(p for p in (root / unit).rglob("*.py") if "__pycache__" not in p.parts)


def _is_main_block(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) for each import, outside ``if __name__ == "__main__":`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_main_block(node):
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
        stack.extend(ast.iter_child_nodes(node))


def edges(root: Path) -> list[Edge]:
    """Every import from one unit into another, with where it is."""
    found = []
    for path in modules(root):
        unit = path.relative_to(root).parts[0].removesuffix(".py")
        for line, module in imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = module.split(".")[0]
            if target in UNITS and target != unit:
                found.append((unit, target, f"{path.relative_to(root)}:{line} imports {module}"))
    return found


def cycles(found: list[Edge]) -> list[str]:
    """Each import direction ``a -> b`` that lies on a cycle (``b`` reaches ``a`` again), with one import making it."""
    direct: dict[str, set[str]] = {}
    by_pair: dict[tuple[str, str], list[str]] = {}
    for source, target, where in found:
        direct.setdefault(source, set()).add(target)
        by_pair.setdefault((source, target), []).append(where)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in direct.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reached = {unit: reach(unit) for unit in UNITS}
    return [f"{a} -> {b} is on a cycle: {wheres[0]}" + (f" (and {len(wheres) - 1} more)" if len(wheres) > 1 else "")
            for (a, b), wheres in sorted(by_pair.items()) if a in reached[b]]


def long_modules(root: Path) -> list[str]:
    lengths = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in modules(root)}
    return [f"{path.relative_to(root)}: {n} lines (at most {MAX_LINES}: split it in two)"
            for path, n in lengths.items() if n > MAX_LINES]


def test_no_import_cycle_between_packages() -> None:
    problems = cycles(edges(ROOT))
    assert not problems, "\n".join(problems)


def test_kb_imports_nothing_above_it() -> None:
    problems = [where for source, target, where in edges(ROOT) if source == "kb" and target in KB_MUST_NOT_IMPORT]
    assert not problems, "kb is the library under everything; it must not import:\n" + "\n".join(problems)


def test_indexer_imports_only_kb() -> None:
    problems = [where for source, target, where in edges(ROOT) if source == "indexer" and target != "kb"]
    assert not problems, "the write path builds on kb alone:\n" + "\n".join(problems)


def test_no_module_is_over_300_lines() -> None:
    problems = long_modules(ROOT)
    assert not problems, "\n".join(problems)


def test_the_readme_map_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## How it works"):].split("\n## ", 1)[0]
    missing = [str(path.relative_to(ROOT)) for path in modules(ROOT)
               if path.name != "__init__.py" and not re.search(rf"[`/]{re.escape(path.name)}`", section)]
    assert not missing, "README.md's 'How it works' names no line for: " + ", ".join(missing)


def test_the_checks_see_a_cycle_a_lazy_import_and_skip_a_script_block(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "service.py").write_text("def ask():\n    from ui.backend import Backend\n", encoding="utf-8")
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "backend.py").write_text("from kb.service import ask\n", encoding="utf-8")
    (tmp_path / "app.py").write_text("import ui.backend\nif __name__ == '__main__':\n    import cli.main\n",
                                     encoding="utf-8")
    found = edges(tmp_path)
    assert sorted(where for *_, where in found) == ["app.py:1 imports ui.backend", "kb/service.py:2 imports ui.backend",
                                                     "ui/backend.py:1 imports kb.service"]
    assert len(cycles(found)) == 2
