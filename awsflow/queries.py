"""Queries by replay: read a workflow's state from outside, without writing to its history.

A ``@query`` method of a workflow reads the instance's attributes. Asked from outside
(``instance.status()`` on an instance returned by starting the workflow, or
:func:`query_workflow`), awsflow fetches the execution's history (GetWorkflowExecutionHistory,
every page), replays it in this process with a fresh :class:`~awsflow.decider.ExecutionReplay`,
and calls the method on the replayed instance. Nothing is sent to SWF but the history reads:
no decision, no signal, no event. Plain SWF has no query API; this is how a client answers one.

What the answer reflects:

- the state of the workflow as of its last *completed* decision task: the state the workflow
  workers decided from. Events recorded since (a signal not yet handled by a decision task, an
  activity result still to be decided on) are not applied: applying them would run the workflow
  code's next step for the first time, here, and a query must not do that (its ``side_effect``
  calls would run, its patches would be chosen). To see a signal's effect, query after the
  decision task that handled it completed;
- for a closed execution, its final state;
- after continue-as-new, the newest run's state: the query follows the chain of runs.

Query arguments and results are plain Python values, passed and returned in this process (no
data converter is involved: nothing crosses the wire). The query method runs outside workflow
code: it should read state, not call activities, timers or ``workflow_time``.

A replay that diverges from the history (the code changed incompatibly) raises
NondeterminismError, as the workers would; an execution with no completed decision task yet
raises QueryError.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ._runtime import DecisionContext, current, starter_of
from ._swf import EVENTS, attributes_of, read_history
from .decider import ExecutionReplay
from .exceptions import QueryError, WorkflowDefinitionError
from .workflow_definition import execute_methods
from .workflow_execution import WorkflowExecution

__all__ = ["QueryFunc", "query", "query_workflow"]

_PAGE_SIZE = 1000


def query_workflow(
    caller: Any,
    definition: type,
    workflow_execution: WorkflowExecution,
    method_name: str,
    /,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Answer a ``@query`` of ``definition`` for ``workflow_execution`` by replaying its history.

    Example::

        with workflow_starter(session, "us-east-1", "domain1", "tasklist1") as starter:
            status = query_workflow(starter, OrderWorkflow, execution, "status")

    Args:
        caller: what reaches SWF: a worker or a ``workflow_starter`` (of the execution's domain).
        definition: the WorkflowDefinition subclass whose code the execution runs.
        workflow_execution: the execution (workflow id and run id).
        method_name: the name of the ``@query`` method.
        *args: passed to the method.
        **kwargs: passed to the method.

    Returns:
        What the method returns on the replayed instance.

    Raises:
        WorkflowDefinitionError: ``method_name`` is not a ``@query`` of ``definition``, or the
            execution's workflow type is not one of ``definition``'s.
        NondeterminismError: the history does not replay with this code.
        QueryError: no decision task of the execution has completed yet.
        ValueError: ``workflow_execution`` lacks a run id.

    .. versionadded:: 0.1
    """
    if not isinstance(inspect.getattr_static(definition, method_name, None), QueryFunc):
        raise WorkflowDefinitionError(f"{definition.__name__}.{method_name} is not a @query method")
    if not workflow_execution.workflow_id or not workflow_execution.run_id:
        raise ValueError(f"a query needs the execution's workflow id and run id, not {workflow_execution}")
    execution = workflow_execution
    while True:
        events = _history(caller, execution)
        continued = _continued_as(events)
        if continued is None:
            break
        execution = WorkflowExecution(execution.workflow_id, continued)
    table = {
        (workflow_type.name, workflow_type.version): (definition, workflow_type, method)
        for workflow_type, method in execute_methods(definition).items()
    }
    named = attributes_of(events[0]).get("workflowType", {})
    if (named.get("name"), named.get("version")) not in table:
        raise WorkflowDefinitionError(
            f"{tuple(execution)} runs workflow {named.get('name')} {named.get('version')}, which "
            f"{definition.__name__} does not define (it defines {sorted(table)}): query it with "
            "the WorkflowDefinition its workers run"
        )
    replay = ExecutionReplay(table, execution, caller.task_list)
    replay.apply(decided_part(events, execution))
    return getattr(replay.workflow_instance, method_name)(*args, **kwargs)


def query(func: Callable[..., Any] | None = None) -> Any:
    """Declare a query on a workflow: a plain method that reads the instance's state.

    Use bare (``@query``) or called (``@query()``). Called on an instance returned by starting
    the workflow, it answers from a replay of the execution's history, writing nothing to it
    (see :mod:`awsflow.queries`); in workflow code it is the plain method.

    Raises:
        WorkflowDefinitionError: the method is a generator or ``async def`` (a query cannot wait).

    .. versionadded:: 0.1
    """

    def declare(method: Callable[..., Any]) -> QueryFunc:
        if inspect.isgeneratorfunction(method) or inspect.iscoroutinefunction(method):
            raise WorkflowDefinitionError(
                f"@query {getattr(method, '__qualname__', method)} must be a plain method that "
                "returns a value: a query reads the replayed state and cannot wait"
            )
        return QueryFunc(method)

    return declare if func is None else declare(func)


class QueryFunc:
    """A ``@query`` method.

    On an instance returned by starting a workflow (outside workflow code), the method asks
    the execution: :func:`query_workflow` replays its history and calls the method on the
    replayed instance. Anywhere else (workflow code, a replayed instance) it is the plain method.
    """

    def __init__(self, func: Any) -> None:
        self.func = func
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.func
        starter = starter_of(instance)
        if starter is None or isinstance(current(), DecisionContext):
            return functools.partial(self.func, instance)
        ask = functools.partial(
            query_workflow, starter, type(instance), instance.workflow_execution, self.func.__name__
        )
        functools.update_wrapper(ask, self.func)
        return ask


def decided_part(events: list[dict[str, Any]], execution: WorkflowExecution) -> list[dict[str, Any]]:
    """What a query replays: the history as of its last completed decision task.

    That is the events up to the task's start and its result events, without the events that
    arrived while it was out (the next decision task handles those). Two made-up events end it:
    a ``DecisionTaskStarted``, so the replay checks the last task's results against the code's
    decisions, and its ``DecisionTaskCompleted``, so every real event counts as replayed (the
    code never runs anything for the first time in a query).

    Raises:
        QueryError: no decision task has completed.
    """
    last = None
    for index in range(len(events) - 1, -1, -1):
        if events[index]["eventType"] == "DecisionTaskCompleted":
            last = index
            break
    if last is None:
        raise QueryError(
            f"{tuple(execution)} has no completed decision task yet: its workflow code has not run "
            "(is a workflow worker polling its task list?); query again once it has"
        )
    completed = events[last]
    completed_id = completed["eventId"]
    started_id = attributes_of(completed)["startedEventId"]
    end = last + 1
    while end < len(events) and _answers(events[end]) == completed_id:
        end += 1
    decided = [event for event in events[:end] if not started_id < event["eventId"] < completed_id]
    after = events[end - 1]["eventId"]
    timestamp = completed.get("eventTimestamp")
    return [
        *decided,
        {
            "eventId": after + 1,
            "eventType": "DecisionTaskStarted",
            "eventTimestamp": timestamp,
            EVENTS["DecisionTaskStarted"].attributes: {"scheduledEventId": 0},
        },
        {
            "eventId": after + 2,
            "eventType": "DecisionTaskCompleted",
            "eventTimestamp": timestamp,
            EVENTS["DecisionTaskCompleted"].attributes: {"scheduledEventId": 0, "startedEventId": after + 1},
        },
    ]


def _answers(event: dict[str, Any]) -> Any:
    """The DecisionTaskCompleted id a result event names (None for other events)."""
    return attributes_of(event).get("decisionTaskCompletedEventId")


def _continued_as(events: list[dict[str, Any]]) -> str | None:
    if events and events[-1]["eventType"] == "WorkflowExecutionContinuedAsNew":
        run_id: str = attributes_of(events[-1])["newExecutionRunId"]
        return run_id
    return None


def _history(caller: Any, execution: WorkflowExecution) -> list[dict[str, Any]]:
    request = {
        "domain": caller.domain,
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
        "maximumPageSize": _PAGE_SIZE,
    }
    return read_history(caller.call, request)
