"""The retry loops of :class:`~awsflow.retry_policy.RetryPolicy`: attempts and backoff timers.

Each loop is a coroutine of the workflow (a task on the deterministic scheduler): it schedules
an attempt, waits for it, and on a retryable failure starts an SWF timer for the backoff and
schedules the next attempt. Everything is a decision recorded in the history, so a replay —
after a decider crash mid-backoff, say — rebuilds the loop exactly where it was.

Ids: the call takes one number ``n`` from the decider's counter when it is made (as a plain
call would), and every attempt and timer is named after it: activity ``n-attempt-k``, timer
``n-backoff-k`` (the wait before attempt ``k``), child workflow ``<id>-attempt-k`` where
``<id>`` is the generated child id ``<runId>:n`` (or the id the code chose, whose timers are
then ``<id>-backoff-k``). So the counter advances the same way however many attempts the
history holds. awsflow 0.1.0.dev0 named a generated child ``sha1(runId)[:20]-n`` and its timers
after that; those ids are generated, so a replay adopts them as recorded.

Cancelling the call's Future cancels the attempt running (or the backoff timer) and ends the
loop with CancelledError.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from ..core import CancelledError, Future, coroutine
from ..workflow_execution import WorkflowExecution

if TYPE_CHECKING:
    from ..flow_types import ActivityType, WorkflowType
    from ..retry_policy import RetryPolicy
    from ._making import DecisionMaking

__all__ = ["schedule_activity_retrying", "start_child_retrying"]


def schedule_activity_retrying(
    decider: DecisionMaking,
    activity_type: ActivityType,
    policy: RetryPolicy,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    overrides: dict[str, Any],
    origin: Any,
) -> Future:
    """Schedule the activity under ``policy``; a Future of the first successful attempt's result."""
    base = decider.next_id()

    def attempt_once(attempt: int) -> Generator[Any, Any, Any]:
        scheduled = decider.schedule_activity(
            activity_type,
            args,
            kwargs,
            activity_id=f"{base}-attempt-{attempt}",
            overrides=overrides,
            origin=origin,
        )
        return (yield scheduled)

    future: Future = _attempts(decider, policy, base, attempt_once)
    return future


@coroutine
def _attempts(
    decider: DecisionMaking,
    policy: RetryPolicy,
    base: str,
    attempt_once: Callable[[int], Generator[Any, Any, Any]],
    ids_generated: bool = False,
) -> Generator[Any, Any, Any]:
    """Run ``attempt_once(1)``, ``attempt_once(2)``, ... with the policy's backoff timers between."""
    salt = f"{decider.workflow_execution.run_id}|{base}"
    started_at = decider._context._workflow_time
    attempt = 1
    while True:
        try:
            return (yield from attempt_once(attempt))
        except Exception as error:  # only what the policy says is retried; the rest re-raised
            elapsed = decider._context._workflow_time - started_at
            delay = policy.next_delay(attempt, error, elapsed, salt)
            if delay is None:
                error.attempts = attempt  # type: ignore[attr-defined]
                raise
        attempt += 1
        if delay > 0:
            yield decider.start_timer(delay, timer_id=f"{base}-backoff-{attempt}", id_generated=ids_generated)


def start_child_retrying(
    decider: DecisionMaking,
    workflow_type: WorkflowType,
    instance: Any,
    policy: RetryPolicy,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Future:
    """Start the child workflow under ``policy``; a Future of ``instance`` once the first attempt started.

    ``instance.workflow_result`` is the Future of the first successful attempt's result, and
    ``instance.workflow_execution`` follows the latest attempt.
    """
    overrides = {
        key: value
        for key, value in decider._context._workflow_options_overrides.items()
        if key not in ("workflow_id", "retry_policy")
    }
    chosen = decider._context._workflow_options_overrides.get("workflow_id")
    sequence = "" if chosen else decider.next_id()
    base = str(chosen) if chosen else decider._child_workflow_id(sequence)
    started = Future()

    def attempt_once(attempt: int) -> Generator[Any, Any, Any]:
        proxy = type(instance)(WorkflowExecution(None, None))
        proxy._data_converter = workflow_type.data_converter
        child = yield decider.start_child_workflow(
            workflow_type,
            proxy,
            args,
            kwargs,
            workflow_id=f"{base}-attempt-{attempt}",
            overrides=overrides,
            id_generated=not chosen,
        )  # StartChildWorkflowExecutionFailedError is not retryable: the policy gives up on it
        instance.workflow_execution = child.workflow_execution
        if not started.done():
            started.set_result(instance)
        return (yield child.workflow_result)

    # A generated id holds ':' (and '/' from the run id), which timer ids may not: those
    # timers are named after the call's number, as an activity's are.
    result: Future = _attempts(decider, policy, str(chosen) if chosen else sequence, attempt_once, not chosen)
    instance._workflow_result = result

    def settle_started(done: Any) -> None:
        # The loop ended before any attempt started (refused, or cancelled): say so to the waiter.
        if not started.done():
            error = done._exception
            if error is None:
                started.set_result(instance)
            elif isinstance(error, CancelledError):
                started._set_cancelled(error)
            else:
                started.set_exception(error)

    result.add_done_callback(settle_started)

    def cancel() -> bool:
        if started.done():  # an attempt started: cancelling the result cancels the loop
            return started.cancelled()
        return bool(result.cancel())

    started._canceller = cancel
    return started
