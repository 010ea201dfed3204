"""Workflow workers: poll decision tasks, replay, answer with the decisions.

The replay is :class:`~awsflow.decider.ExecutionReplay`, pure; this module only fetches the
history (every page) and sends the answer. An error while deciding — a workflow type this worker
lacks, a nondeterministic change, a bug in a signal handler's encoding — is logged with its
traceback and the decision task is left unanswered: SWF times it out and schedules another, so a
fixed worker can carry the execution on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..decider import replay_decision
from ..logging_filters import silence_replays_on_root_handlers
from ..workflow_execution import WorkflowExecution
from . import _closures
from ._registry import WorkflowTable, extract_workflows_dict
from .base_worker import BaseWorker

__all__ = ["GenericWorkflowWorker", "WorkflowWorker", "get_workflow_entrypoint"]

logger = logging.getLogger(__name__)

_CLOSE_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


def get_workflow_entrypoint(definition_class: type, workflow_name: str, workflow_version: str) -> Any:
    """``(definition, workflow type, method name)`` for a type of ``definition_class``."""
    return extract_workflows_dict([definition_class])[(workflow_name, workflow_version)]


class GenericWorkflowWorker(BaseWorker):
    """A workflow worker that finds workflow code through ``get_workflow(name, version)``.

    ``get_workflow`` returns ``(definition class, workflow type, method name)`` and raises
    KeyError for types it does not serve.
    """

    def __init__(
        self,
        session: Any,
        aws_region: str,
        domain: str,
        task_list: str,
        get_workflow: Callable[[str, str], Any],
        *,
        client: Any = None,
    ) -> None:
        super().__init__(session, aws_region, domain, task_list, client=client)
        self._get_workflow = get_workflow
        # Workflow code re-runs on every decision task; its log lines should not repeat.
        silence_replays_on_root_handlers()

    def _register_workflow_type(self, workflow_type: Any) -> None:
        self._register("RegisterWorkflowType", workflow_type)

    def run_once(self) -> bool:
        task = self._poll()
        if task is None:
            return False
        execution = WorkflowExecution(
            task["workflowExecution"]["workflowId"], task["workflowExecution"]["runId"]
        )
        try:
            outcome = replay_decision(self._get_workflow, execution, self._task_list, task["events"])
        except Exception as error:
            logger.error(
                "decision task for %s (%s) failed; SWF will retry it after its timeout: %s",
                execution.workflow_id,
                execution.run_id,
                error,
                exc_info=error,
            )
            return True
        request: dict[str, Any] = {"taskToken": task["taskToken"], "decisions": outcome.decisions}
        if outcome.execution_context:
            request["executionContext"] = outcome.execution_context[:32_768]
        answered = self._answer(
            "RespondDecisionTaskCompleted", request, f"decision for {execution.workflow_id}"
        )
        if answered and any(d["decisionType"] in _CLOSE_DECISIONS for d in outcome.decisions):
            assert execution.workflow_id is not None and execution.run_id is not None
            _closures.post(execution.workflow_id, execution.run_id)
        return True

    def _poll(self) -> dict[str, Any] | None:
        request = {"domain": self._domain, "taskList": {"name": self._task_list}, "identity": self.identity}
        task: dict[str, Any] = self._call("PollForDecisionTask", request)
        if not task.get("taskToken"):
            return None
        events = list(task.get("events", ()))
        token = task.get("nextPageToken")
        while token:
            page = self._call("PollForDecisionTask", {**request, "nextPageToken": token})
            events.extend(page.get("events", ()))
            token = page.get("nextPageToken")
        task["events"] = events
        return task


class WorkflowWorker(GenericWorkflowWorker):
    """Serves the given WorkflowDefinition classes and registers their workflow types.

    Example::

        with WorkflowWorker(session, "us-east-1", "domain1", "tasklist1", HelloWorldWorkflow):
            HelloWorldWorkflow.hello_world()
    """

    def __init__(
        self,
        session: Any,
        aws_region: str,
        domain: str,
        task_list: str,
        *workflow_definitions: type,
        client: Any = None,
    ) -> None:
        self._workflow_definitions = workflow_definitions
        self._workflows: WorkflowTable = extract_workflows_dict(workflow_definitions)
        table = self._workflows
        super().__init__(
            session,
            aws_region,
            domain,
            task_list,
            lambda name, version: table[(name, version)],
            client=client,
        )
        for _, workflow_type, _ in self._workflows.values():
            self._register_workflow_type(workflow_type)
