"""How awsflow is layered, read from its source with ``ast``: each rule fails the day the code breaks it.

A *unit* is a first-level package or root module (``awsflow.decider``, ``awsflow.options``); the
root ``awsflow/__init__.py`` is the unit ``awsflow``. The rules:

- **Allowlist**: each unit imports only the units listed for it in :data:`ALLOWED`. Every import
  statement counts, those inside functions too; only imports under ``if TYPE_CHECKING:`` do not
  (they never run).
- **Checked transitively**: the pure units (``core``, ``decider``, ``_runtime``, ``_swf``, ...)
  reach, through any chain of imports, only pure units and no module that imports I/O, a clock,
  randomness or threads; the workflow-code API and the declarations never reach the decider, the
  workers or any I/O shell; ``awsflow.local`` reaches nothing of the framework.
- **No cycles** between units, and no import inside a function that reaches another unit (the
  way a cycle used to be hidden). None between modules either, counting imports under
  ``if TYPE_CHECKING:``: a module that names another only for a type still leans on it, so the
  lower one declares what it needs as a ``Protocol`` (``core.async_task.Scheduler``).
- **Counts** (issue 12's "what must hold"): accesses ``x._name`` where ``x`` is not ``self``,
  ``cls`` or ``super()`` at most 20; import statements naming a private module inside another
  unit (``awsflow.decider._calls`` from outside the decider) at most 10; no module over 600
  lines; the ``ActivityWorker`` class at most 250; every public name's ``__module__`` is public.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import awsflow

PACKAGE = Path(__file__).resolve().parents[1] / "awsflow"

# Standard modules that mean I/O, a clock, randomness or threads.
FORBIDDEN = {
    "asyncio",
    "botocore",
    "http",
    "multiprocessing",
    "random",
    "socket",
    "sqlite3",
    "subprocess",
    "threading",
    "time",
    "urllib",
}

# The units that run inside replay or below it: pure values and rules.
PURE = {
    "awsflow._runtime",  # the seam: the WorkflowRuntime protocol and the decision context
    "awsflow._swf",  # SWF's events, decisions, limits and encodings
    "awsflow.constants",
    "awsflow.core",
    "awsflow.data_converter",
    "awsflow.decider",
    "awsflow.decision_failures",
    "awsflow.exceptions",
    "awsflow.workflow_execution",
}

# What each unit may import (directly). Read bottom-up: values and rules, the seam, the replay
# behind it and the workflow-code API in front of it, the declarations, then the I/O shells.
ALLOWED: dict[str, set[str]] = {
    # -- pure: no I/O, clock, randomness or threads ------------------------------------------------
    "awsflow.constants": set(),
    "awsflow.core": set(),
    "awsflow.data_converter": set(),
    "awsflow.workflow_execution": set(),
    "awsflow.exceptions": {"awsflow.core"},
    "awsflow._swf": {"awsflow.exceptions"},
    "awsflow._runtime": {"awsflow.exceptions", "awsflow.workflow_execution"},
    # What a failed decision task records, and reading it back (workers write, readers read it).
    "awsflow.decision_failures": {"awsflow._swf"},
    # The replay: core, the SWF table, exceptions, and its side of the seam. Nothing else.
    "awsflow.decider": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.core",
        "awsflow.decision_failures",
        "awsflow.exceptions",
        "awsflow.workflow_execution",
    },
    # -- wire objects (botoflow's classes) --------------------------------------------------------
    "awsflow.history_events": {"awsflow._swf"},
    "awsflow.decisions": {"awsflow._swf"},
    # -- declarations: what workflow and activity code is made of; they call the runtime -----------
    "awsflow.retry_policy": {"awsflow.core", "awsflow.exceptions"},
    "awsflow.activity_retrying": {"awsflow.exceptions"},
    "awsflow.options": {"awsflow._runtime", "awsflow.retry_policy"},
    "awsflow.flow_types": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.constants",
        "awsflow.data_converter",
        "awsflow.workflow_execution",
    },
    "awsflow.decorator_descriptors": {"awsflow._runtime", "awsflow.flow_types"},
    "awsflow.decorators": {
        "awsflow._swf",
        "awsflow.activity_retrying",
        "awsflow.constants",
        "awsflow.data_converter",
        "awsflow.decorator_descriptors",
        "awsflow.exceptions",
        "awsflow.flow_types",
        "awsflow.options",
        "awsflow.retry_policy",
    },
    "awsflow.workflow_definition": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.core",
        "awsflow.decorator_descriptors",
        "awsflow.flow_types",
        "awsflow.workflow_execution",
    },
    # -- the workflow-code API: reaches the replay only through the runtime protocol -------------
    # (fan-out declares a built-in workflow, so it uses the declarations too)
    "awsflow._workflow": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.core",
        "awsflow.data_converter",
        "awsflow.decorators",
        "awsflow.exceptions",
        "awsflow.flow_types",
        "awsflow.retry_policy",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
    },
    "awsflow.workflow_time": {"awsflow._workflow"},  # botoflow's path
    "awsflow.logging_filters": {"awsflow._runtime"},
    # -- the contexts outside workflow code: the activity context holds threads -------------------
    "awsflow.context": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.exceptions",
        "awsflow.workflow_execution",
    },
    # -- I/O shells and clients ---------------------------------------------------------------------
    "awsflow.swf_exceptions": {"awsflow.exceptions"},
    "awsflow.manual_activity_completion_client": {
        "awsflow._swf",
        "awsflow.data_converter",
        "awsflow.exceptions",
        "awsflow.swf_exceptions",
    },
    "awsflow.queries": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.decider",
        "awsflow.exceptions",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
    },
    "awsflow._clock": set(),
    # Execution handles: SWF calls about one execution, from outside workflow code.
    "awsflow.handles": {
        "awsflow._swf",
        "awsflow.data_converter",
        "awsflow.decision_failures",
        "awsflow.exceptions",
        "awsflow.queries",
        "awsflow.swf_exceptions",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
    },
    # The workers' lean wire path: botocore's signer, retry handler and errors, nothing of awsflow.
    "awsflow._wire": set(),
    "awsflow.workers": {
        "awsflow._wire",
        "awsflow.handles",
        "awsflow._clock",
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow._workflow",
        "awsflow.context",
        "awsflow.core",
        "awsflow.data_converter",
        "awsflow.decider",
        "awsflow.decision_failures",
        "awsflow.decorator_descriptors",
        "awsflow.exceptions",
        "awsflow.flow_types",
        "awsflow.logging_filters",
        "awsflow.swf_exceptions",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
    },
    "awsflow.workflow_starting": {"awsflow._runtime", "awsflow.workers"},
    "awsflow.utils": {"awsflow.workers"},  # botoflow's path for extract_workflows_dict
    "awsflow.local": set(),  # a product of its own: nothing of the framework
    "awsflow.test": {
        "awsflow._runtime",
        "awsflow._swf",
        "awsflow.core",
        "awsflow.decider",
        "awsflow.decision_failures",  # a raising decider is answered as the worker answers it
        "awsflow.decorator_descriptors",
        "awsflow.exceptions",
        "awsflow.local",
        "awsflow.workers",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
    },
    # Replaying saved or fetched histories against workflow classes (awsflow.testing's Replayer).
    "awsflow.replaying": {
        "awsflow._swf",
        "awsflow.decider",
        "awsflow.exceptions",
        "awsflow.handles",
        "awsflow.queries",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
    },
    # The awsflow command: a shell over the handles, the replayer and awsflow.local's entry point.
    "awsflow.cli": {
        "awsflow._swf",
        "awsflow.data_converter",
        "awsflow.exceptions",
        "awsflow.handles",
        "awsflow.local",
        "awsflow.replaying",
        "awsflow.swf_exceptions",
        "awsflow.ui",
        "awsflow.workflow_definition",
    },
    # The web timeline: a pure timeline model and an HTTP shell over the handles and SWF's lists.
    "awsflow.ui": {
        "awsflow._swf",
        "awsflow.decision_failures",
        "awsflow.exceptions",
        "awsflow.handles",
        "awsflow.replaying",
        "awsflow.swf_exceptions",
    },
    # The testing kit for users' workflows: real workers on an in-process awsflow.local.
    "awsflow.testing": {
        "awsflow.context",
        "awsflow.data_converter",
        "awsflow.decorator_descriptors",
        "awsflow.handles",
        "awsflow.local",
        "awsflow.options",
        "awsflow.workers",
        "awsflow.workflow_definition",
        "awsflow.workflow_execution",
        "awsflow.replaying",
        "awsflow.workflow_starting",
    },
    # -- the public face: it may import anything -----------------------------------------------------
    "awsflow": {"*"},
}

# Units that must never be reached, through any chain of imports, from the units named.
NEVER_REACHED: dict[str, set[str]] = {
    unit: {
        "awsflow.context",
        "awsflow.decider",
        "awsflow.local",
        "awsflow.queries",
        "awsflow.test",
        "awsflow.workers",
        "awsflow.workflow_starting",
    }
    for unit in (
        "awsflow._workflow",
        "awsflow.decorator_descriptors",
        "awsflow.decorators",
        "awsflow.flow_types",
        "awsflow.options",
        "awsflow.workflow_definition",
    )
}


@dataclass(frozen=True)
class Import:
    """One imported awsflow module, as a statement of ``source`` names it."""

    source: str
    target: str
    line: int
    in_function: bool
    typing_only: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def unit_of(module: str) -> str:
    parts = module.split(".")
    return module if len(parts) == 1 else f"{parts[0]}.{parts[1]}"


def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text())


def _inside(nodes: list[ast.AST]) -> set[int]:
    return {id(child) for node in nodes for child in ast.walk(node)}


def _in_functions(tree: ast.AST) -> set[int]:
    """ids of the nodes inside a function's body."""
    return _inside(
        [
            part
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for part in node.body
        ]
    )


def _typing_only(tree: ast.AST) -> set[int]:
    """ids of the nodes inside an ``if TYPE_CHECKING:`` block."""
    return _inside(
        [
            part
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for part in node.body
        ]
    )


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    tree = _tree(module)
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    in_function = _in_functions(tree)
    typing_only = _typing_only(tree)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                named = ".".join([*base, node.module] if node.module else base)
            else:
                named = node.module or ""
            # One statement, one import of each module it names (``from x import a, b``: one of x).
            targets = list(
                dict.fromkeys(
                    f"{named}.{alias.name}" if f"{named}.{alias.name}" in MODULES else named
                    for alias in node.names
                )
            )
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "awsflow" or target.split(".")[0] in FORBIDDEN:
                found.append(
                    Import(module, target, node.lineno, id(node) in in_function, id(node) in typing_only)
                )
    return tuple(found)


def unit_imports() -> Iterator[Import]:
    """Every running import (not typing-only) from one unit into another."""
    for module in MODULES:
        for imported in imports_of(module):
            if (
                imported.target.startswith("awsflow")
                and not imported.typing_only
                and unit_of(imported.target) != unit_of(module)
            ):
                yield imported


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {unit_of(module): set() for module in MODULES}
    for imported in unit_imports():
        graph[unit_of(imported.source)].add(unit_of(imported.target))
    return graph


def reach(unit: str, graph: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    pending = [unit]
    while pending:
        for target in graph.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen - {unit}


def where(source_unit: str, target_unit: str) -> str:
    return ", ".join(
        f"{MODULES[i.source].relative_to(PACKAGE.parent)}:{i.line}"
        for i in unit_imports()
        if unit_of(i.source) == source_unit and unit_of(i.target) == target_unit
    )


# -- the allowlist -------------------------------------------------------------------------------
def test_every_unit_is_in_the_allowlist() -> None:
    assert {unit_of(module) for module in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("unit", sorted(ALLOWED))
def test_each_unit_imports_only_what_its_allowlist_names(unit: str) -> None:
    if ALLOWED[unit] == {"*"}:
        return
    imported = _graph()[unit]
    extra = imported - ALLOWED[unit]
    assert not extra, {target: where(unit, target) for target in extra}


@pytest.mark.parametrize("unit", sorted(PURE))
def test_pure_units_reach_only_pure_units_and_no_io_clock_randomness_or_threads(unit: str) -> None:
    reached = reach(unit, _graph())
    assert reached <= PURE, f"{unit} reaches {sorted(reached - PURE)}"
    for module in MODULES:
        if unit_of(module) in reached | {unit}:
            for imported in imports_of(module):
                assert imported.target.split(".")[0] not in FORBIDDEN, (
                    f"{module}:{imported.line} imports {imported.target}"
                )


@pytest.mark.parametrize("unit", sorted(NEVER_REACHED))
def test_the_workflow_api_and_the_declarations_never_reach_the_replay_or_an_io_shell(unit: str) -> None:
    reached = reach(unit, _graph()) & NEVER_REACHED[unit]
    assert not reached, f"{unit} reaches {sorted(reached)}"


def test_awsflow_local_reaches_nothing_of_the_framework() -> None:
    assert reach("awsflow.local", _graph()) == set()


def test_production_code_never_imports_the_test_package() -> None:
    importers = {unit_of(i.source) for i in unit_imports() if unit_of(i.target) == "awsflow.test"}
    assert importers == set(), importers


def test_production_code_never_imports_the_testing_kit() -> None:
    importers = {unit_of(i.source) for i in unit_imports() if unit_of(i.target) == "awsflow.testing"}
    assert importers - {"awsflow.testing"} == set(), importers


# -- cycles --------------------------------------------------------------------------------------
def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for target in graph.get(unit, ()):
            if target not in index:
                visit(target)
                low[unit] = min(low[unit], low[target])
            elif target in stack:
                low[unit] = min(low[unit], index[target])
        if low[unit] == index[unit]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == unit:
                    break
            if len(component) > 1:
                found.append(component)

    for unit in sorted(graph):
        if unit not in index:
            visit(unit)
    return found


def test_there_are_no_cycles_between_units_counting_imports_inside_functions() -> None:
    assert _cycles(_graph()) == []


def test_no_import_inside_a_function_reaches_another_unit() -> None:
    hidden = [f"{i.source}:{i.line} imports {i.target}" for i in unit_imports() if i.in_function]
    assert hidden == []


def test_the_cycle_check_finds_a_cycle_closed_inside_a_function() -> None:
    # workflow_definition -> workers, as its wait_for_completion once imported inside a function,
    # closes a cycle (workers import workflow_definition): the check must see one.
    graph = {unit: set(targets) for unit, targets in _graph().items()}
    graph["awsflow.workflow_definition"].add("awsflow.workers")
    assert any({"awsflow.workflow_definition", "awsflow.workers"} <= cycle for cycle in _cycles(graph))


def module_graph() -> dict[str, set[str]]:
    """Each module and the awsflow modules it imports: typing-only ones and those in functions too."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module in MODULES:
        for imported in imports_of(module):
            if imported.target in MODULES and imported.target != module:
                graph[module].add(imported.target)
    return graph


def test_the_modules_stand_in_floors_with_no_cycle_even_through_typing_only_imports() -> None:
    assert [sorted(cycle) for cycle in _cycles(module_graph())] == []


def test_the_module_cycle_check_finds_a_cycle_closed_by_a_typing_only_import() -> None:
    # The loop names AsyncTask for a type; the task naming the loop back (as it once did) is a cycle.
    graph = module_graph()
    assert "awsflow.core.async_task" in graph["awsflow.core.async_event_loop"]
    graph["awsflow.core.async_task"].add("awsflow.core.async_event_loop")
    assert {"awsflow.core.async_event_loop", "awsflow.core.async_task"} in _cycles(graph)


# -- counts --------------------------------------------------------------------------------------
def private_accesses() -> Iterator[tuple[str, int, str]]:
    """``(file, line, x._name)`` for each attribute access ``x._name``, x not self/cls/super()."""
    for module, path in MODULES.items():
        for node in ast.walk(_tree(module)):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__") and node.attr.endswith("__"):
                continue  # dunders are Python's protocol, not private names
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            yield str(path.relative_to(PACKAGE.parent)), node.lineno, ast.unparse(node)


def test_at_most_20_accesses_to_another_objects_private_attributes() -> None:
    counted = [f"{path}:{line}: {text}" for path, line, text in private_accesses()]
    assert len(counted) <= 20, "\n".join(counted)


def private_module_imports() -> Iterator[Import]:
    """Imports that name a private module inside another unit (``awsflow.decider._calls``)."""
    for imported in unit_imports():
        inside = imported.target.split(".")[2:]
        if any(part.startswith("_") for part in inside):
            yield imported


def test_at_most_10_imports_of_another_units_private_modules() -> None:
    counted = [f"{i.source}:{i.line} imports {i.target}" for i in private_module_imports()]
    assert len(counted) <= 10, "\n".join(counted)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_600_lines(module: str) -> None:
    assert len(MODULES[module].read_text().splitlines()) <= 600


def test_the_activity_worker_class_is_at_most_250_lines() -> None:
    # Its runners, poll loop, heartbeats and logging live in modules of their own (issue 12).
    (worker,) = [
        node
        for node in _tree("awsflow.workers.activity_worker").body
        if isinstance(node, ast.ClassDef) and node.name == "ActivityWorker"
    ]
    assert worker.end_lineno is not None
    assert worker.end_lineno - worker.lineno + 1 <= 250


def test_every_public_names_module_is_public() -> None:
    private = []
    for info in pkgutil.walk_packages(awsflow.__path__, "awsflow."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            home = getattr(getattr(module, name), "__module__", None)
            if not isinstance(home, str) or not home.startswith("awsflow"):
                continue
            if any(part.startswith("_") for part in home.split(".")):
                private.append(f"{info.name}.{name}: {home}")
    assert private == []


def test_the_counting_sees_what_it_counts() -> None:
    # Guards against a rule that passes because it reads nothing: the counts see known cases.
    assert any(text == "sys._getframe" for _, _, text in private_accesses())
    assert any(i.target == "awsflow.workers._caller" for i in private_module_imports())
    assert any(i.typing_only for module in MODULES for i in imports_of(module))
