"""Importing the user's workflow classes named ``module:Class`` on the command line."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from ..workflow_definition import WorkflowDefinition
from ._errors import CliError

__all__ = ["load_classes"]


def load_classes(specs: Sequence[str]) -> list[type]:
    """The WorkflowDefinition subclasses ``module:Class`` names (``module`` found from the current
    directory too, as ``python -m`` would).

    Raises:
        CliError: a spec is malformed, its module does not import, or it names no
            WorkflowDefinition subclass.
    """
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    classes = []
    for spec in specs:
        module_name, _, qualname = spec.partition(":")
        if not module_name or not qualname:
            raise CliError(f"--workflows {spec!r}: expected MODULE:CLASS, e.g. shop.workflows:OrderWorkflow")
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise CliError(f"--workflows {spec}: cannot import {module_name}: {error}") from error
        value: object = module
        for part in qualname.split("."):
            value = getattr(value, part, None)
            if value is None:
                raise CliError(f"--workflows {spec}: {module_name} has no {qualname}")
        if not (isinstance(value, type) and issubclass(value, WorkflowDefinition)):
            raise CliError(f"--workflows {spec}: {qualname} is not a WorkflowDefinition subclass")
        classes.append(value)
    return classes
