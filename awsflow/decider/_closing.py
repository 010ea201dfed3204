"""How a workflow run ends: its close decision, and what cancelling does before it.

The rules are botoflow 0.8's, kept so that its programs behave the same and its histories replay:

- The execute method returns: CompleteWorkflowExecution, or ContinueAsNewWorkflowExecution if it
  asked to continue as new. It raises CancelledError (``self.cancel(details)``, or an activity it
  waited on was canceled): the workflow is *canceled*. It raises anything else:
  FailWorkflowExecution.
- WorkflowExecutionCancelRequested (RequestCancelWorkflowExecution from anyone): the workflow is
  canceled at once, in the decision task that sees the request, whatever its code waits on — an
  activity that does not heartbeat never learns of a cancel, so waiting for it could take its
  whole timeout. The execute method is not resumed again: it stays suspended where it waits (no
  CancelledError is thrown into it), so clean up in ``cancellation_handler``. A request that comes
  once the code has decided to close (complete, fail, continue as new) changes nothing.
  AWS Flow for Java instead cancels the code's task tree and closes when the tree is done.

Cancelling runs ``cancellation_handler`` — a plain method, a generator, an ``async def`` or a
``@coroutine``; the close waits for what it yields, awaits or returns — then asks SWF to cancel
every activity still open (RequestCancelActivityTask; an activity not sent yet is withdrawn), then
decides CancelWorkflowExecution with the details ``str(error.cause)`` (botoflow's rule:
``self.cancel(None)`` records ``'None'``; an activity canceled before it started records why).
Timers and child workflows are left as botoflow left them: SWF drops a closed run's timers, and
children keep running (cancel them in ``cancellation_handler`` if they must stop).

A close SWF refuses (a ``*Failed`` event) is decided again in the next decision task, after the
events that caused the refusal (UNHANDLED_DECISION: they came in while the decision task was out)
have reached the code: botoflow re-sent it too. A continue-as-new refused for a reason that
sending it again cannot cure (its workflow type is missing or deprecated, a default is missing)
fails the workflow with that reason instead of being sent forever.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any

from .._swf import check_size, encode_failure
from ..core import BaseFuture, CancelledError
from ..core.async_task import AsyncTask
from ..core.decorators import start_task
from ..exceptions import WorkflowDefinitionError
from ._calls import ActivityCall
from ._commands import PACKAGE_DIR, Command
from ._making import DecisionMaking

if TYPE_CHECKING:
    from collections.abc import Generator

    from ..core import AsyncEventLoop

__all__ = ["Closing", "cancel_details"]

# ContinueAsNewWorkflowExecutionFailed causes that the same decision may get past later.
_CURABLE_CAUSES = frozenset(
    {"UNHANDLED_DECISION", "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED", "OPERATION_NOT_PERMITTED"}
)


def cancel_details(error: BaseException) -> str:
    """The details of the CancelWorkflowExecution that ``error`` causes: ``str(error.cause)``.

    >>> cancel_details(CancelledError(None)), cancel_details(CancelledError(0)), cancel_details(CancelledError())
    ('None', '0', '')
    """
    return str(getattr(error, "cause", error))


class Closing(DecisionMaking):
    """The end of the run (a base of ExecutionReplay; see the module docstring)."""

    _loop: AsyncEventLoop
    _instance: Any
    _root: AsyncTask | None
    _candidate: list[Command] | None
    _closed_by: Command | None
    _cancelling: bool

    # -- why the run ends -----------------------------------------------------------------------
    def _on_workflow_done(self, future: Any) -> None:
        assert self._workflow_type is not None
        converter = self._workflow_type.data_converter
        result, error = future.outcome()
        if error is None:
            if self._continue_as_new is not None:
                self._close(
                    "ContinueAsNewWorkflowExecution",
                    "continueAsNewWorkflowExecutionDecisionAttributes",
                    self._continue_as_new,
                )
                return
            result = converter.dumps(result)
            try:
                check_size("result of the workflow", result, self.limits.payload)
            except ValueError as too_large:
                self._fail(too_large)
                return
            self._close(
                "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes", {"result": result}
            )
        elif isinstance(error, CancelledError):
            self._cancel(error)
        else:
            self._fail(error)

    def _on_cancel_requested(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        if self._closed_by is not None or self._cancelling or self._root is None:
            return  # the code already decided how the run ends
        self._root.abandon()
        self._cancel(CancelledError())

    # -- cancelling -----------------------------------------------------------------------------
    def _cancel(self, error: CancelledError) -> None:
        self._cancelling = True
        details = cancel_details(error)
        handler = getattr(self._instance, "cancellation_handler", None)
        if handler is None:
            self._close_canceled(details)
            return
        cleanup = AsyncTask(
            self._loop,
            lambda: _cleanup_steps(handler),
            parent=None,
            name=f"{type(self._instance).__name__}.cancellation_handler",
        )
        cleanup.future.add_done_callback(lambda done: self._after_cleanup(done, details))

    def _after_cleanup(self, done: BaseFuture, details: str) -> None:
        error = None if done.cancelled() else done.exception()
        if error is not None and not isinstance(error, CancelledError):
            self._fail(error)  # the handler failed: say so rather than close as if it ran
            return
        self._close_canceled(details)

    def _close_canceled(self, details: str) -> None:
        try:
            check_size("details of the workflow's cancellation", details, self.limits.payload)
        except ValueError as too_large:
            self._fail(too_large)
            return
        for call in self._open_activities():
            call.request_cancel()
        self._close(
            "CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes", {"details": details}
        )

    def _open_activities(self) -> list[ActivityCall]:
        """Activities not closed yet, in the order the code scheduled them (botoflow's order)."""
        recorded = list(self.calls.by_scheduled.values())  # in the order SWF recorded them
        # Then those sent and not recorded yet, then those not sent: no older than the recorded.
        later = [*(self._candidate or ()), *self._awaiting, *self._pending]
        return recorded + [
            c for c in later if isinstance(c, ActivityCall) and c.future and not c.future.done()
        ]

    # -- closing --------------------------------------------------------------------------------
    def _fail(self, error: BaseException) -> None:
        assert self._workflow_type is not None
        converter = self._workflow_type.data_converter
        # The user's frames only: the scheduler's own frames say nothing about the failure.
        frames = [
            tuple(frame)
            for frame in traceback.extract_tb(error.__traceback__)
            if not frame.filename.startswith(PACKAGE_DIR)
        ]
        # The chain intact, within SWF's limit; the reason is a summary, the details say it all.
        details = encode_failure(converter, error, frames, self.limits.payload)
        reason = f"{type(error).__name__}: {error}"[: self.limits.reason]
        self._close(
            "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes",
            {"reason": reason, "details": details},
        )

    def _close(self, decision_type: str, member: str, attributes: dict[str, Any]) -> None:
        command = Command(
            (decision_type, ""),
            {"decisionType": decision_type, member: attributes},
            origin="the end of the workflow",
            is_close=True,
        )
        self._closed_by = command
        self.emit(command)

    def _on_close_failed(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        closed_by = self._closed_by
        if closed_by is None:
            return
        cause = attributes.get("cause", "")
        if event["eventType"] == "ContinueAsNewWorkflowExecutionFailed" and cause not in _CURABLE_CAUSES:
            assert self._workflow_type is not None
            self._fail(
                WorkflowDefinitionError(
                    f"SWF refused to continue {self._workflow_type.name} as new: {cause}. Register the "
                    "workflow type version it continues as (with the defaults it lacks), or pass them "
                    "in workflow_options around the continue-as-new call."
                )
            )
            return
        self.emit(closed_by)  # decide the same close again, in the next decision task


def _cleanup_steps(handler: Any) -> Generator[Any, Any, None]:
    """Run ``cancellation_handler`` in any of its forms, then wait for the Future it returned.

    The handler runs as a task of its own, which drives a generator or ``async def`` body (and
    waits for the tasks a ``@coroutine`` handler starts); a plain method that returns a Future
    (an activity it scheduled, say) is waited for too, as botoflow yielded whatever it returned.
    """
    outcome = yield start_task(handler, (), {}, daemon=False).future
    if isinstance(outcome, BaseFuture):
        yield outcome
