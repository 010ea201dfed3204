"""awsflow keeps botoflow 0.8's public API: every name, with compatible signatures and defaults.

``botoflow_0_8_api.json`` lists botoflow 0.8's public names per module and each callable's
parameters (name, kind, default), read off botoflow 0.8 itself; of the modules botoflow marked
internal it lists the one name programs use (``botoflow.utils.extract_workflows_dict``). A
botoflow user's code must work after replacing ``botoflow`` by ``awsflow``: the names exist,
botoflow's parameters come first in the same order with the same defaults, and anything awsflow
adds is optional.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import awsflow

API = json.loads((Path(__file__).parent / "botoflow_0_8_api.json").read_text())

# Names botoflow's modules exposed only because they imported them (helpers, debug switches).
NOT_API = {
    "botoflow.core.future": {"DEBUG", "WeakSet", "AsyncTask"},
    "botoflow.core.base_future": {"DEBUG"},
    "botoflow.workflow_starting": {
        "StartWorkflowContext",
        "WorkflowFailedError",
        "WorkflowTerminatedError",
        "WorkflowTimedOutError",
        "get_context",
        "set_context",
        "random_sha1_hash",
        "swf_exception_wrapper",
    },
    "botoflow.manual_activity_completion_client": {
        "CancellationError",
        "JSONDataConverter",
        "swf_exception_wrapper",
    },
}

CASES = [
    (module, name, spec)
    for module, names in sorted(API.items())
    for name, spec in sorted(names.items())
    if name not in NOT_API.get(module, set())
]


def awsflow_module(botoflow_module: str) -> Any:
    return importlib.import_module("awsflow" + botoflow_module[len("botoflow") :])


def parameters(obj: Any) -> list[inspect.Parameter]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    return [p for p in inspect.signature(target).parameters.values() if p.name != "self"]


@pytest.mark.parametrize(("module", "name", "spec"), CASES, ids=[f"{m}.{n}" for m, n, _ in CASES])
def test_every_botoflow_name_exists_with_a_compatible_signature(
    module: str, name: str, spec: dict[str, Any]
) -> None:
    ours = getattr(awsflow_module(module), name, None)
    assert ours is not None, f"awsflow lacks {module}.{name}"
    if spec["signature"] is None or spec["kind"] == "value":
        return
    theirs = spec["signature"]
    mine = parameters(ours)
    if [kind for _, kind, _ in theirs] == ["VAR_POSITIONAL", "VAR_KEYWORD"]:
        return  # botoflow took anything here
    for index, (param_name, kind, default) in enumerate(theirs):
        assert index < len(mine), f"{name} lacks botoflow's parameter {param_name}"
        assert mine[index].name == param_name, (
            f"{name}: parameter {index} is {mine[index].name}, not {param_name}"
        )
        assert mine[index].kind.name == kind, f"{name}.{param_name} is {mine[index].kind.name}, not {kind}"
        if default is not None:
            assert mine[index].default is not inspect.Parameter.empty, f"{name}.{param_name} lost its default"
            if not default.startswith("<"):  # object reprs (converters) cannot be compared
                assert repr(mine[index].default) == default, f"{name}.{param_name} default differs"
    for extra in mine[len(theirs) :]:
        optional = extra.default is not inspect.Parameter.empty or extra.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        )
        assert optional, f"{name} adds a required parameter {extra.name}"


def test_the_package_root_lists_exactly_what_it_exports() -> None:
    import __future__

    exported = {
        name
        for name in dir(awsflow)
        if not name.startswith("_")
        and not isinstance(getattr(awsflow, name), (type(awsflow), __future__._Feature))
    }
    assert set(awsflow.__all__) - {"__version__"} == exported


# The submodules that are attributes of the package right after ``import botoflow`` (botoflow 0.8's
# __init__ imports them on the way); botoflow code uses them without importing them itself.
BOTOFLOW_SUBMODULE_ATTRIBUTES = [
    "activity_retrying",
    "constants",
    "context",
    "core",
    "data_converter",
    "decider",
    "decisions",
    "decorator_descriptors",
    "decorators",
    "exceptions",
    "flow_types",
    "history_events",
    "options",
    "swf_exceptions",
    "test",
    "utils",
    "workers",
    "workflow_definition",
    "workflow_execution",
    "workflow_starting",
    "workflow_time",
]


def test_botoflows_submodules_are_attributes_right_after_import_awsflow() -> None:
    import subprocess
    import sys

    program = (
        "import awsflow, types\n"
        f"names = {BOTOFLOW_SUBMODULE_ATTRIBUTES!r}\n"
        "missing = [n for n in names if not isinstance(getattr(awsflow, n, None), types.ModuleType)]\n"
        "print(missing)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
