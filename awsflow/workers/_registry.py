"""What a worker serves: workflow types by (name, version), activity methods by name."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from ..decorator_descriptors import ActivityFunc
from ..flow_types import ActivityType, WorkflowType
from ..workflow_definition import execute_methods

WorkflowTable = dict[tuple[str, str], tuple[type, WorkflowType, str]]


def extract_workflows_dict(workflow_definitions: Iterable[type]) -> WorkflowTable:
    """The workflow types of WorkflowDefinition classes, by ``(name, version)``.

    Returns ``{(name, version): (definition class, workflow type, @execute method name)}``:
    what a ``get_workflow(name, version)`` for
    :class:`~awsflow.workers.GenericWorkflowWorker` returns for each type (botoflow's
    ``botoflow.utils.extract_workflows_dict``; also importable as
    ``awsflow.utils.extract_workflows_dict``).

    Raises:
        TypeError: an item is not a WorkflowDefinition subclass.
    """
    table: WorkflowTable = {}
    for definition in workflow_definitions:
        for workflow_type, method in execute_methods(definition).items():  # TypeError if not one
            assert workflow_type.name is not None
            table[(workflow_type.name, workflow_type.version)] = (definition, workflow_type, method)
    return table


def extract_activities(instances: Iterable[Any]) -> dict[str, tuple[Any, ActivityType]]:
    """``activity name -> (bound method, activity type)`` from activity class instances."""
    table: dict[str, tuple[Any, ActivityType]] = {}
    for instance in instances:
        if inspect.isclass(instance):
            raise TypeError(f"Activity definition must be an instance, not a class: {instance!r}")
        for klass in type(instance).__mro__:
            for value in vars(klass).values():
                if isinstance(value, ActivityFunc):
                    name = value.activity_type.name
                    assert name is not None
                    table.setdefault(name, (value.func.__get__(instance), value.activity_type))
    return table
