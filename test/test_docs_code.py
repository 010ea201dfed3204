"""Every code block in the docs runs in CI: the rules, and the test that enforces them.

The pages under ``docs/`` (but not ``docs/_build`` nor the generated ``docs/reference``) may show
code only in these forms:

- ``.. literalinclude:: ../examples/<path>.py`` (with ``:pyobject:``, ``:lines:``... as wanted):
  the file must exist under ``examples/`` (a subfolder such as ``examples/cookbook/`` too) and the
  suite must run it — a test file under ``test/`` or ``examples/testing/`` names it by its path
  below ``examples/`` (``"<file>.py"``, ``"cookbook/<file>.py"``, as a subprocess argument does),
  or it is itself a test module the suite collects (``examples/testing/test_*.py``) or a module
  of ``examples/testing/`` those import, or its output is shown in the docs: the documented-output
  test (``test_each_documented_output_is_what_the_example_prints`` in
  ``test/e2e/test_examples_tutorial.py``) runs every example whose output a page shows and
  compares the two, so the examples it runs (its own list, read here) need no second run. The
  tutorial's examples are run by ``test/e2e/test_examples_tutorial.py``, which also checks what
  they print; the cookbook's by ``test/e2e/test_examples_cookbook.py``.
- ``.. code-block:: python``: a complete program. This test runs each one in a subprocess
  (``PYTHONPATH`` = the repository, a timeout) and requires exit status 0.
- ``.. code-block:: text`` with ``:caption: Output of examples/<path>.py``: what that example
  prints. Not run here: ``test/e2e/test_examples_tutorial.py`` runs the example and compares its
  output with the block (``...`` on a line of its own stands for any lines).
- ``.. code-block:: console`` (or ``shell``): commands. Not executed, except that a command
  ``python examples/<file>.py`` must name an example the suite runs. Keep them few.
- ``.. code-block:: none``: figures (history diagrams). Not executed.

Refused: bare ``::`` literal blocks (Sphinx would highlight them as Python; say what they are),
doctest paragraphs (``>>>``), ``doctest``/``testcode``/``parsed-literal`` directives, any other
language, and any non-executed block that parses as Python defining or importing something
(Python shown must be Python that runs).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
GENERATED = ("_build", "reference")

PYTHON = {"python", "python3", "py"}
COMMANDS = {"console", "shell", "bash", "sh"}
OUTPUT = {"text"}
FIGURE = {"none"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
REFUSED_DIRECTIVES = {"doctest", "testcode", "testoutput", "parsed-literal"}
OUTPUT_CAPTION = re.compile(r"^Output of examples/([\w/.-]+\.py)$")
RUN_COMMAND = re.compile(r"^\$?\s*python\s+examples/([\w/.-]+\.py)\b")
DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w-]+)::\s*(.*)$")


@dataclass
class Block:
    """One code block of a page: the directive, its argument, options and body."""

    source: str  # "page.rst:line"
    kind: str  # "code-block", "literalinclude", "literal" (a bare ::), "doctest", ...
    argument: str
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _take_indented(lines: list[str], start: int, parent_indent: int) -> tuple[list[str], int]:
    """The lines after ``start`` indented deeper than ``parent_indent`` (blank lines included)."""
    index = start
    taken: list[str] = []
    while index < len(lines):
        line = lines[index]
        if line.strip() and _indent(line) <= parent_indent:
            break
        taken.append(line)
        index += 1
    while taken and not taken[-1].strip():
        taken.pop()
    return taken, index


def _dedent(lines: list[str]) -> str:
    depth = min((_indent(line) for line in lines if line.strip()), default=0)
    return "\n".join(line[depth:] for line in lines) + ("\n" if lines else "")


def parse_blocks(text: str, name: str = "<rst>") -> list[Block]:
    """The code blocks of an rst page (directives, bare ``::`` literal blocks, ``>>>`` paragraphs)."""
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        where = f"{name}:{index + 1}"
        directive = DIRECTIVE.match(line)
        if directive:
            indent, kind, argument = len(directive.group(1)), directive.group(2), directive.group(3).strip()
            content, after = _take_indented(lines, index + 1, indent)
            options: dict[str, str] = {}
            body_start = 0
            for body_start, option_line in enumerate(content):  # noqa: B007  (used after the loop)
                option = re.match(r"^\s*:([\w-]+):\s*(.*)$", option_line)
                if not option:
                    break
                options[option.group(1)] = option.group(2).strip()
            else:
                body_start = len(content)
            if kind in CODE_DIRECTIVES or kind in REFUSED_DIRECTIVES or kind == "literalinclude":
                blocks.append(
                    Block(where, kind, argument, options, _dedent(content[body_start:]).strip("\n"))
                )
                index = after
                continue
            index += 1  # other directives (toctree, note...) may hold literal blocks: look inside
            continue
        stripped = line.strip()
        if stripped.startswith(">>>"):
            blocks.append(Block(where, "doctest", "", {}, stripped))
        elif stripped.endswith("::") and not stripped.startswith(".."):
            content, after = _take_indented(lines, index + 1, _indent(line))
            if any(part.strip() for part in content):
                blocks.append(Block(where, "literal", "", {}, _dedent(content).strip("\n")))
                index = after
                continue
        index += 1
    return blocks


def _tested_sources() -> str:
    files = list((ROOT / "test").rglob("test_*.py")) + list((EXAMPLES / "testing").rglob("test_*.py"))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def _documented_output_runs() -> frozenset[tuple[str, str]]:
    """``(page:line, example)`` of each output block the documented-output test compares.

    Read from that test's own parameters rather than parsed again here: an output block it does
    not pick up, or a change that stops it running the examples, then counts for nothing here.
    """
    path = ROOT / "test" / "e2e" / "test_examples_tutorial.py"
    spec = importlib.util.spec_from_file_location("_documented_output_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runner = module.test_each_documented_output_is_what_the_example_prints
    (parameters,) = (mark for mark in runner.pytestmark if mark.name == "parametrize")
    assert parameters.args[0] == ("where", "example", "lines"), parameters.args[0]
    return frozenset((where, example) for where, example, _ in parameters.args[1])


def _is_run_by_suite(example: str, tests: str, shown: frozenset[str] = frozenset()) -> bool:
    """Whether a test names ``example`` (its path below ``examples/``), pytest collects it, or
    the documented-output test runs it (``shown``: the examples it runs)."""
    if example in shown:
        return True
    testing = EXAMPLES / "testing"
    if (EXAMPLES / example).parent == testing and example.endswith(".py"):
        name = Path(example).stem
        return name.startswith("test_") or f"from {name} import" in tests or f"import {name}" in tests
    return f'"{example}"' in tests or f"'{example}'" in tests


def _defines_python(body: str) -> bool:
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return False
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return any(isinstance(node, definitions) for node in ast.walk(tree))


def check_block(block: Block, page: Path, tests: str, shown: frozenset[str] = frozenset()) -> str | None:
    """Why ``block`` breaks the rules (None if it keeps them). ``tests`` is the suite's source,
    ``shown`` the examples the documented-output test runs."""
    kind, where = block.kind, block.source
    if kind == "literal":
        return f"{where}: a bare '::' literal block; use a code-block with a language (python runs)"
    if kind == "doctest" or kind in REFUSED_DIRECTIVES:
        return f"{where}: {kind} blocks are not run; show Python as a code-block python or an example"
    if kind == "literalinclude":
        target = (page.parent / block.argument).resolve()
        if not target.is_relative_to(EXAMPLES) or target.suffix != ".py":
            return f"{where}: literalinclude only includes examples/<path>.py, not {block.argument}"
        if not target.is_file():
            return f"{where}: {block.argument} does not exist"
        example = target.relative_to(EXAMPLES).as_posix()
        if not _is_run_by_suite(example, tests, shown):
            return f"{where}: no test runs examples/{example}"
        return None
    language = block.argument.lower()
    if language in PYTHON:
        return None  # run by test_python_code_blocks_run
    if language in OUTPUT:
        caption = OUTPUT_CAPTION.match(block.options.get("caption", ""))
        if caption is None:
            return f"{where}: a text block is an example's output: caption it 'Output of examples/<file>.py'"
        if not (EXAMPLES / caption.group(1)).is_file():
            return f"{where}: examples/{caption.group(1)} does not exist"
    elif language in COMMANDS:
        for line in block.body.splitlines():
            command = RUN_COMMAND.match(line.strip())
            if command is None or command.group(1) in shown:
                continue
            if not _is_run_by_suite(Path(command.group(1)).name, tests):
                return f"{where}: the command runs examples/{command.group(1)}, which no test runs"
    elif language not in FIGURE:
        return f"{where}: code-block {language or '(no language)'} is neither run nor allowed"
    if _defines_python(block.body):
        return f"{where}: Python in a {language} block is not run; use code-block python"
    return None


def doc_pages() -> list[Path]:
    return sorted(path for path in DOCS.rglob("*.rst") if path.relative_to(DOCS).parts[0] not in GENERATED)


def _page_blocks() -> list[tuple[Path, Block]]:
    return [
        (page, block)
        for page in doc_pages()
        for block in parse_blocks(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT)))
    ]


def test_every_code_block_in_the_docs_is_run_or_allowed() -> None:
    tests, shown = _tested_sources(), frozenset(example for _, example in _documented_output_runs())
    problems = [
        problem for page, block in _page_blocks() if (problem := check_block(block, page, tests, shown))
    ]
    assert not problems, "\n".join(problems)


def test_every_output_block_is_compared_with_what_its_example_prints() -> None:
    runs = _documented_output_runs()
    shown = [
        (block.source, caption.group(1))
        for _, block in _page_blocks()
        if block.argument.lower() in OUTPUT
        and (caption := OUTPUT_CAPTION.match(block.options.get("caption", ""))) is not None
    ]
    assert shown, "the docs show no example's output: is the caption pattern still right?"
    assert [output for output in shown if output not in runs] == []


PYTHON_BLOCKS = [
    block for _, block in _page_blocks() if block.kind in CODE_DIRECTIVES and block.argument in PYTHON
]


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[block.source for block in PYTHON_BLOCKS])
def test_python_code_blocks_run(block: Block, tmp_path: Path) -> None:
    script = tmp_path / "block.py"
    script.write_text(block.body + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, f"{block.source} exited {done.returncode}:\n{done.stderr}"


# -- the checker itself ---------------------------------------------------------------------------
PAGE = DOCS / "tutorial" / "page.rst"
SUITE = 'subprocess.run([sys.executable, ROOT / "examples" / "hello_world.py"])'


def problems_of(rst: str, tests: str = SUITE, shown: frozenset[str] = frozenset()) -> list[str]:
    return [p for block in parse_blocks(rst, "page.rst") if (p := check_block(block, PAGE, tests, shown))]


def test_the_checker_allows_what_is_run() -> None:
    rst = """
Title
=====

.. literalinclude:: ../../examples/hello_world.py
   :pyobject: HelloWorldWorkflow

.. code-block:: python

   print("runs")

.. code-block:: text
   :caption: Output of examples/hello_world.py

   Hello World!

.. code-block:: console

   $ python examples/hello_world.py

.. code-block:: none

   DecisionTaskStarted ──▶ ScheduleActivityTask
"""
    assert problems_of(rst) == []
    assert [block.kind for block in parse_blocks(rst)] == ["literalinclude"] + ["code-block"] * 4
    assert parse_blocks(rst)[0].options == {"pyobject": "HelloWorldWorkflow"}


@pytest.mark.parametrize(
    ("rst", "complaint"),
    [
        ("Some code::\n\n    x = 1\n", "bare '::'"),
        ("Look:\n\n>>> 1 + 1\n2\n", "doctest"),
        (".. doctest::\n\n   >>> 1\n", "doctest"),
        (".. literalinclude:: ../../examples/retries.py\n", "no test runs"),
        (".. literalinclude:: ../../examples/nowhere.py\n", "does not exist"),
        (".. literalinclude:: ../../awsflow/__init__.py\n", "only includes examples"),
        (".. literalinclude:: ../../examples/cookbook/nowhere.py\n", "does not exist"),
        (".. literalinclude:: ../../examples/testing/conftest.py\n", "does not exist"),
        (".. code-block:: text\n\n   Hello\n", "caption it"),
        (".. code-block:: text\n   :caption: Output of examples/nowhere.py\n\n   Hi\n", "does not exist"),
        (".. code-block:: console\n\n   $ python examples/retries.py\n", "which no test runs"),
        (".. code-block:: yaml\n\n   a: 1\n", "neither run nor allowed"),
        (".. code-block:: none\n\n   import os\n   os.remove('x')\n", "use code-block python"),
        (".. note::\n\n   Inside a note::\n\n      x = 1\n", "bare '::'"),
    ],
)
def test_the_checker_refuses_an_unchecked_block(rst: str, complaint: str) -> None:
    problems = problems_of(rst)
    assert len(problems) == 1 and complaint in problems[0], problems


def test_the_checker_counts_an_example_whose_output_is_compared_as_run() -> None:
    include = ".. literalinclude:: ../../examples/retries.py\n"
    command = ".. code-block:: console\n\n   $ python examples/retries.py\n"
    compared = frozenset({"retries.py"})
    assert problems_of(include, shown=compared) == [] and problems_of(command, shown=compared) == []
    other = frozenset({"timers.py"})  # another example's output is compared: retries.py is still unrun
    assert "no test runs examples/retries.py" in problems_of(include, shown=other)[0]
    assert "which no test runs" in problems_of(command, shown=other)[0]


def test_the_checker_allows_what_pytest_collects_under_examples_testing() -> None:
    collected = ".. literalinclude:: ../../examples/testing/test_example_hello_world.py\n"
    imported = ".. literalinclude:: ../../examples/testing/example_workflows.py\n"
    assert problems_of(collected) == []
    assert problems_of(imported, "from example_workflows import HelloWorkflow") == []
    assert "no test runs examples/testing/example_workflows.py" in problems_of(imported)[0]


def test_the_checker_finds_python_blocks_to_run() -> None:
    blocks = parse_blocks(".. code-block:: python\n   :caption: x\n\n   import sys\n   sys.exit(3)\n")
    assert [(block.argument, block.body) for block in blocks] == [("python", "import sys\nsys.exit(3)")]
