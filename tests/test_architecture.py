"""The package's shape (issue 14): imports point one way, down the stages

    config, core  ->  sources  ->  canonical  ->  audience  ->  (dbt)  ->  quality  ->  reports
                                                                        defs (Dagster)  ->  cli

read from the source with `ast` (every import, at module level or inside a function),
so no import hidden in a function can close a cycle or reach up a layer. The checker
proves it can fail on a copy of the package with a planted cycle and upward imports."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "pipelines"

# Library code: never imports Dagster orchestration, the CLI or the code location.
LIBRARY = (
    "pipelines.config",
    "pipelines.core",
    "pipelines.raw",
    "pipelines.sources",
    "pipelines.canonical",
    "pipelines.audience",
    "pipelines.quality",
    "pipelines.reports",
)
ORCHESTRATION = ("pipelines.defs", "pipelines.cli", "pipelines.definitions")
# Development tooling (needs the `bench` extra): only the CLI's bench command loads it.
BENCH = "pipelines.bench"
BENCH_IMPORTERS = ("pipelines.bench", "pipelines.cli.bench")

# The stages, low to high: a module may import its own stage or a lower one.
STAGES = (
    ("pipelines.config", "pipelines.core"),
    ("pipelines.raw",),
    ("pipelines.sources",),
    ("pipelines.canonical",),
    ("pipelines.audience",),
    ("pipelines.quality",),
    ("pipelines.reports",),
    ("pipelines.defs",),
    ("pipelines.cli", "pipelines.definitions", "pipelines.bench"),
)


def within(module: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def module_names(package_dir: Path) -> dict[str, Path]:
    root = package_dir.parent
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """module -> the package's modules it imports (anywhere in the file)."""
    modules = module_names(package_dir)
    top = package_dir.name
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against this module's package
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name and within(t, top)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
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
    return sorted(found)


def stage(module: str) -> int | None:
    for n, prefixes in enumerate(STAGES):
        if within(module, prefixes):
            return n
    return None


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points the wrong way, as 'importer -> imported: why'."""
    out = []
    for importer, imported in sorted(graph.items()):
        for target in sorted(imported):
            if within(importer, LIBRARY) and within(target, ORCHESTRATION):
                out.append(f"{importer} -> {target}: library code imports orchestration")
            elif within(target, "pipelines.definitions"):
                out.append(f"{importer} -> {target}: only entry points load the definitions")
            elif within(importer, "pipelines.defs") and within(target, "pipelines.cli"):
                out.append(f"{importer} -> {target}: Dagster definitions import the CLI")
            elif within(target, BENCH) and not within(importer, BENCH_IMPORTERS):
                out.append(f"{importer} -> {target}: the benchmark is development tooling")
            else:
                low, high = stage(importer), stage(target)
                upward = low is not None and high is not None and high > low
                if upward:
                    out.append(f"{importer} -> {target}: imports a higher stage")
    return out


def test_the_package_has_no_import_cycle():
    assert cycles(import_graph(PACKAGE_DIR)) == []


def test_imports_point_down_the_stages():
    assert violations(import_graph(PACKAGE_DIR)) == []


def test_the_package_root_holds_only_the_code_location():
    assert sorted(p.name for p in PACKAGE_DIR.glob("*.py")) == ["__init__.py", "definitions.py"]


def test_every_module_is_in_a_stage():
    assert [m for m in import_graph(PACKAGE_DIR) if m != "pipelines" and stage(m) is None] == []


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    """A copy of the package with a cycle through a function-level import and two
    upward imports planted."""
    copy = tmp_path / "pipelines"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def append(relative: str, text: str) -> None:
        path = copy / relative
        path.write_text(path.read_text() + text)

    append("core/locking.py", "\nfrom pipelines.core import secrets  # noqa\n")
    append("core/secrets.py", "\n\ndef _late():\n    import pipelines.core.locking  # noqa\n")
    append("quality/outcome.py", "\n\ndef _up():\n    from pipelines.defs.launcher import launch\n")
    append("sources/records.py", "\nfrom ..canonical import tables  # noqa\n")
    return copy


def test_the_checker_reports_a_planted_cycle_and_upward_imports(broken_copy: Path):
    graph = import_graph(broken_copy)
    assert ["pipelines.core.locking", "pipelines.core.secrets"] in cycles(graph)
    found = violations(graph)
    assert (
        "pipelines.quality.outcome -> pipelines.defs.launcher: library code imports orchestration"
    ) in found
    assert (
        "pipelines.sources.records -> pipelines.canonical.tables: imports a higher stage"
    ) in found
    # and the real package is clean, so these come from the planted lines alone
    assert cycles(import_graph(PACKAGE_DIR)) == [] and violations(import_graph(PACKAGE_DIR)) == []
