"""The one retry loop: attempts and backoff timers, for every kind of retry policy.

The loop is a coroutine of the workflow (a task on the deterministic scheduler): it makes an
attempt, waits for it, asks the policy what the outcome means, and on a retry starts an SWF
timer for the backoff before the next attempt. Everything is a decision recorded in the history,
so a replay — after a decider crash mid-backoff, say — rebuilds the loop exactly where it was.

The *policy* says what to retry and how long to wait: after each attempt the loop calls
``policy.retry_delay(attempt, value, error, elapsed, salt)``, which returns the seconds to wait
before the next attempt, or None when the attempt's outcome stands (its value is returned, its
error raised), or raises the error that ends the retries. Two policies exist:
:class:`~awsflow.retry_policy.RetryPolicy` and botoflow's
:class:`~awsflow.activity_retrying.Retrying` (``@retry_activity``).

The *naming* (:class:`Naming`) says how attempts and timers are named in the history, how
elapsed time is measured, and whether a zero wait still gets a timer. It is what keeps each
policy's histories replaying:

- a RetryPolicy call takes one number ``n`` from the decider's counter when it is made (as a
  plain call would), and every attempt and timer is named after it: activity ``n-attempt-k``,
  timer ``n-backoff-k`` (the wait before attempt ``k``), child workflow ``<id>-attempt-k`` where
  ``<id>`` is the generated child id ``<runId>:n`` (or the id the code chose, whose timers are
  then ``<id>-backoff-k``). The counter advances the same way however many attempts the history
  holds. A zero wait retries at once, without a timer. awsflow 0.1.0.dev0 named a generated child
  ``sha1(runId)[:20]-n`` and its timers after that; those ids are generated, so a replay adopts
  them as recorded;
- botoflow's ``Retrying`` takes a plain id from the counter for every attempt and every timer
  ("1", "2", ... as botoflow 0.8 did), measures time in whole seconds (botoflow's
  ``workflow_time.time()``), and starts a timer between any two attempts, a zero wait too, so
  botoflow 0.8's histories replay.

Cancelling the call's Future cancels the attempt running (or the backoff timer) and ends the
loop with CancelledError.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol

from .._runtime import ActivityOverrides, WorkflowOverrides
from ..core import Future, coroutine
from ..workflow_execution import WorkflowExecution

__all__ = ["Naming", "RetryingDecider", "retry_activity", "retry_child_workflow"]


class RetryingDecider(Protocol):
    """What the retry loop needs of the decider: its clock and id counter, and the primitives
    that make one attempt or one backoff timer (:class:`~._making.DecisionMaking` is one)."""

    workflow_execution: WorkflowExecution

    def now(self) -> float: ...

    def next_id(self) -> str: ...

    def schedule_activity_task(
        self,
        activity_type: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: ActivityOverrides,
        *,
        activity_id: str | None = None,
        origin: Any = None,
    ) -> Future: ...

    def start_timer(
        self, seconds: float, *, timer_id: str | None = None, id_generated: bool = False
    ) -> Future: ...

    def child_workflow_id(self, sequence: str) -> str: ...

    def child_instance(self, workflow_type: Any, definition: type) -> Any: ...

    def start_child_workflow_execution(
        self,
        workflow_type: Any,
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides,
        *,
        workflow_id: str | None = None,
        id_generated: bool = False,
    ) -> Future: ...


@dataclass(frozen=True, slots=True)
class Naming:
    """How a retry loop's attempts and timers appear in the history (see the module docstring).

    ``base`` None: every attempt and timer takes the next id from the decider's counter
    (botoflow's naming); otherwise attempt ``k`` is ``<base>-attempt-<k>`` and the timer before
    it ``<base>-backoff-<k>``.
    """

    base: str | None
    salt: str
    whole_seconds: bool = False  # elapsed time in whole seconds, as botoflow measured it
    timer_for_zero_wait: bool = False
    ids_generated: bool = False  # the ids derive from a generated one another writer may differ in

    def attempt_id(self, attempt: int) -> str | None:
        return None if self.base is None else f"{self.base}-attempt-{attempt}"

    def timer_id(self, attempt: int) -> str | None:
        return None if self.base is None else f"{self.base}-backoff-{attempt}"

    def elapsed(self, started_at: float, now: float) -> float:
        return float(int(now) - int(started_at)) if self.whole_seconds else now - started_at


def retry_activity(
    decider: RetryingDecider,
    activity_type: Any,
    policy: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    overrides: ActivityOverrides,
    origin: Any,
    botoflow_naming: bool = False,
) -> Future:
    """Schedule the activity under ``policy``; a Future of the first successful attempt's result.

    Attempts are named after an id taken now, or, with ``botoflow_naming`` (botoflow's
    ``@retry_activity``), take plain ids as they go.
    """
    run_id = decider.workflow_execution.run_id
    if botoflow_naming:
        naming = Naming(None, f"{run_id}:{activity_type.name}", whole_seconds=True, timer_for_zero_wait=True)
    else:
        base = decider.next_id()
        naming = Naming(base, f"{run_id}|{base}")

    def attempt_once(attempt: int) -> Generator[Any, Any, Any]:
        scheduled = decider.schedule_activity_task(
            activity_type, args, kwargs, overrides, activity_id=naming.attempt_id(attempt), origin=origin
        )
        return (yield scheduled)

    future: Future = _attempts(decider, policy, naming, attempt_once)
    return future


@coroutine
def _attempts(
    decider: RetryingDecider,
    policy: Any,
    naming: Naming,
    attempt_once: Callable[[int], Generator[Any, Any, Any]],
) -> Generator[Any, Any, Any]:
    """Run ``attempt_once(1)``, ``attempt_once(2)``, ... with the policy's backoff timers between."""
    started_at = decider.now()
    attempt = 1
    while True:
        value: Any = None
        error: BaseException | None = None
        try:
            value = yield from attempt_once(attempt)
        except Exception as failure:  # the policy says whether it is retried; if not, re-raised
            error = failure
        delay = policy.retry_delay(
            attempt, value, error, naming.elapsed(started_at, decider.now()), naming.salt
        )
        if delay is None:
            if error is not None:
                raise error
            return value
        attempt += 1
        if delay > 0 or naming.timer_for_zero_wait:
            yield decider.start_timer(
                delay, timer_id=naming.timer_id(attempt), id_generated=naming.ids_generated
            )


def retry_child_workflow(
    decider: RetryingDecider,
    workflow_type: Any,
    instance: Any,
    policy: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    overrides: WorkflowOverrides,
) -> Future:
    """Start the child workflow under ``policy``; a Future of ``instance`` once the first attempt started.

    ``instance.workflow_result`` is the Future of the first successful attempt's result, and
    ``instance.workflow_execution`` follows the latest attempt.
    """
    chosen = overrides.get("workflow_id")
    overrides = overrides.without("workflow_id", "retry_policy")
    sequence = "" if chosen else decider.next_id()
    base = str(chosen) if chosen else decider.child_workflow_id(sequence)
    started = Future()

    def attempt_once(attempt: int) -> Generator[Any, Any, Any]:
        proxy = decider.child_instance(workflow_type, type(instance))
        child = yield decider.start_child_workflow_execution(
            workflow_type,
            proxy,
            args,
            kwargs,
            overrides,
            workflow_id=f"{base}-attempt-{attempt}",
            id_generated=not chosen,
        )  # StartChildWorkflowExecutionFailedError is not retryable: the policy gives up on it
        instance.workflow_execution = child.workflow_execution
        if not started.done():
            started.set_result(instance)
        return (yield child.workflow_result)

    # A generated id holds ':' (and '/' from the run id), which timer ids may not: those
    # timers are named after the call's number, as an activity's are.
    timers = str(chosen) if chosen else sequence
    naming = Naming(timers, f"{decider.workflow_execution.run_id}|{timers}", ids_generated=not chosen)
    result: Future = _attempts(decider, policy, naming, attempt_once)
    instance.workflow_result = result

    def settle_started(done: Any) -> None:
        # The loop ended before any attempt started (refused, or cancelled): say so to the waiter.
        if not started.done():
            if done.cancelled():
                started.set_cancelled(done.outcome()[1])
                return
            error = done.outcome()[1]
            if error is None:
                started.set_result(instance)
            else:
                started.set_exception(error)

    result.add_done_callback(settle_started)

    def cancel() -> bool:
        if started.done():  # an attempt started: cancelling the result cancels the loop
            return started.cancelled()
        return bool(result.cancel())

    started.canceller = cancel
    return started
