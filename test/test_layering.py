"""The pure parts stay pure: core and decider import no I/O, clock, randomness or threads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "awsflow"
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
PURE = sorted([*PACKAGE.joinpath("core").glob("*.py"), *PACKAGE.joinpath("decider").glob("*.py")])


@pytest.mark.parametrize("path", PURE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pure_modules_import_no_io_clock_randomness_or_threads(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_core_imports_nothing_else_from_awsflow() -> None:
    for path in PACKAGE.joinpath("core").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name} reaches outside awsflow.core"
                assert not (node.module or "").startswith("awsflow"), f"{path.name} imports {node.module}"
