"""``WorkflowRuntime``: the one protocol between workflow code and whatever runs it.

Everything workflow code can ask for goes through it: the workflow-code API (``workflow_time``,
``patched``, ``side_effect``, ``wait_condition``, ``fanout``, ...), the flow types that calling an
activity or a workflow's ``@execute`` method reaches, and the retry loops. Two things implement
it: :class:`awsflow.decider.ExecutionReplay`, which turns each call into SWF decisions checked
against the history on replay, and :class:`awsflow.test.WorkflowTestingContext`, which runs
workflow code with no service. Workflow-facing code finds the runtime on the current
:class:`~awsflow.context.DecisionContext` (``get_context().runtime``) and never reaches into it
any other way.

Every method is deterministic: called in the same order on a replay, it gives the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..core import Future
    from ..workflow_execution import WorkflowExecution
    from ._overrides import ActivityOverrides, WorkflowOverrides

__all__ = ["WorkflowRuntime"]


class WorkflowRuntime(Protocol):
    """What workflow code can ask of the runtime that runs it (see the module docstring).

    .. versionadded:: 0.1 (unstable: methods may be added)
    """

    @property
    def workflow_execution(self) -> WorkflowExecution:
        """The run being decided."""
        ...

    @property
    def workflow_instance(self) -> Any:
        """The run's workflow instance (its WorkflowDefinition object); None if there is none."""
        ...

    @property
    def task_list(self) -> str:
        """The decision task list: what ``USE_WORKER_TASK_LIST`` means for calls made here."""
        ...

    # -- time and replay ------------------------------------------------------------------------
    def now(self) -> float:
        """Seconds since the epoch at the decision task being decided."""
        ...

    def is_replaying(self) -> bool:
        """True while the code re-runs events an earlier decision task already handled."""
        ...

    def history_length(self) -> int:
        """Events in the history up to the decision task being decided."""
        ...

    # -- work -----------------------------------------------------------------------------------
    def schedule_activity(
        self, activity_type: Any, args: tuple[Any, ...], kwargs: dict[str, Any], overrides: ActivityOverrides
    ) -> Future:
        """Schedule an activity (retried under its policy, if it has one); a Future of its result."""
        ...

    def start_child_workflow(
        self,
        workflow_type: Any,
        definition: type,
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides,
    ) -> Future:
        """Start a child workflow of ``definition`` (``instance``: the object the code called the
        ``@execute`` method on, None on the class); a Future of the child's instance once started."""
        ...

    def continue_as_new(
        self,
        workflow_type: Any | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides,
    ) -> Future:
        """Close this run, once its code finishes, by starting a new run (of ``workflow_type``;
        None: this run's type) with these arguments."""
        ...

    def start_timer(self, seconds: float) -> Future:
        """A Future ready after ``seconds`` (whole seconds, rounded up)."""
        ...

    def wait_condition(self, predicate: Callable[[], Any], timeout: float | None) -> Future:
        """A Future of True once ``predicate()`` holds, of False after ``timeout`` seconds."""
        ...

    def signal_external(self, execution: WorkflowExecution, signal_name: str, encoded: str) -> Future:
        """Signal another execution; a Future of the signal's delivery."""
        ...

    def request_cancel_external(self, execution: WorkflowExecution) -> Future:
        """Ask another execution to cancel; a Future of the request's delivery."""
        ...

    # -- markers --------------------------------------------------------------------------------
    def patched(self, change_id: str) -> bool:
        """Whether to take the new code path of change ``change_id`` (see ``awsflow.patched``)."""
        ...

    def deprecate_patch(self, change_id: str) -> None:
        """Only the new path of ``change_id`` remains (see ``awsflow.deprecate_patch``)."""
        ...

    def side_effect(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` on the first run, its recorded outcome on replays (see ``awsflow.side_effect``)."""
        ...
