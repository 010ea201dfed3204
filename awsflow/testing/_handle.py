"""A started execution, as a test sees it: its result, signals, queries, cancel, history.

Minimal and internal on purpose (not in ``awsflow.testing.__all__``): the execution handles of
``awsflow.handles`` (issue 15, built on another branch) are the general ones, and replace this
class when they land — made with :meth:`WorkflowEnvironment.wait_step` as their waiter, so that
``result`` keeps skipping time. Its methods are named as theirs are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..workflow_execution import WorkflowExecution

if TYPE_CHECKING:
    from ._environment import WorkflowEnvironment

__all__ = ["WorkflowHandle"]


class WorkflowHandle:
    """An execution started by :meth:`WorkflowEnvironment.start`.

    Attributes:
        workflow_execution: the execution's ``(workflow_id, run_id)``.
        instance: the workflow instance botoflow's API returns when starting: its ``@signal``
            methods send signals and its ``@query`` methods answer queries.
    """

    def __init__(self, env: WorkflowEnvironment, instance: Any) -> None:
        self._env = env
        self.instance = instance
        self.workflow_execution: WorkflowExecution = instance.workflow_execution

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.workflow_execution.workflow_id} {self.workflow_execution.run_id}>"

    def result(self, timeout: float | None = None) -> Any:
        """The workflow's result, or its failure raised (WorkflowFailedError & co.).

        While it waits, the environment skips time (unless ``auto_time_skipping=False``).
        ``timeout`` bounds the wait in real seconds (TimeoutError).
        """
        return self._env.wait_for_result(self.instance, timeout=timeout)

    def signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Send the workflow's ``@signal`` method ``name`` with these arguments."""
        with self._env.starting():
            getattr(self.instance, name)(*args, **kwargs)

    def query(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Ask the workflow's ``@query`` method ``name`` (answered by replaying the history)."""
        return getattr(self.instance, name)(*args, **kwargs)

    def request_cancel(self) -> None:
        """Ask SWF to cancel the execution (RequestCancelWorkflowExecution)."""
        self._env.client.request_cancel_workflow_execution(domain=self._env.domain, **self._ids())

    def terminate(self, reason: str | None = None) -> None:
        """Terminate the execution (TerminateWorkflowExecution)."""
        extra = {} if reason is None else {"reason": reason}
        self._env.client.terminate_workflow_execution(domain=self._env.domain, **self._ids(), **extra)

    def wire_history(self) -> list[dict[str, Any]]:
        """Every event of this run, oldest first, as GetWorkflowExecutionHistory gives them."""
        return self._env.history(self.workflow_execution)

    def _ids(self) -> dict[str, str]:
        return {
            "workflowId": str(self.workflow_execution.workflow_id),
            "runId": str(self.workflow_execution.run_id),
        }
