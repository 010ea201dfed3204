"""The activity context: set while an activity runs, on the worker's thread (or process).

It is the one context that holds a thread primitive (the cancel request is an Event that an
activity may wait on), which is why it lives apart from the pure decision context.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from .._runtime import ClientContext
from .._swf import LIMITS
from ..exceptions import ActivityCancelledError, AttemptUnknownError, PayloadTooLargeError
from ..workflow_execution import WorkflowExecution

__all__ = ["HEARTBEAT_CANCEL_MESSAGE", "ActivityContext"]

HEARTBEAT_CANCEL_MESSAGE = "Cancel was requested during activity heartbeat"

# How awsflow.decider._retrying names the attempts of a RetryPolicy call: "<n>-attempt-<k>",
# where n is the decider's counter (digits only, so a plain call's id never looks like it).
_RETRY_POLICY_ATTEMPT = re.compile(r"^[0-9]+-attempt-([1-9][0-9]*)$")


def attempt_from_id(activity_id: str) -> int | None:
    """The attempt number a RetryPolicy's activity id encodes, or None if it encodes none.

    >>> attempt_from_id("7-attempt-3"), attempt_from_id("7")
    (3, None)
    """
    match = _RETRY_POLICY_ATTEMPT.match(activity_id)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class ActivityTask:
    """The activity task an activity runs for, as ``get_context().task`` shows it (botoflow's
    attribute names for what PollForActivityTask answers)."""

    id: str
    name: str
    version: str
    input: str | None
    started_event_id: int
    token: str
    workflow_execution: WorkflowExecution

    @classmethod
    def from_swf(cls, task: dict[str, Any]) -> ActivityTask:
        execution = task["workflowExecution"]
        return cls(
            id=task["activityId"],
            name=task["activityType"]["name"],
            version=task["activityType"]["version"],
            input=task.get("input"),
            started_event_id=task["startedEventId"],
            token=task["taskToken"],
            workflow_execution=WorkflowExecution(execution["workflowId"], execution["runId"]),
        )


class ActivityContext(ClientContext):
    """Set while an activity runs: its task, ``heartbeat`` and what SWF said about cancelling it.

    ``on_heartbeat`` is called after each heartbeat the activity sends itself: a worker that
    heartbeats in the background sets it, so that the activity's own heartbeat postpones the
    next automatic one.
    """

    def __init__(
        self, worker: Any, task: Any, *, activity_type: Any = None, attempt: int | None = None
    ) -> None:
        super().__init__(worker)
        self.task = task
        self.activity_type = activity_type
        self._attempt = attempt
        self.on_heartbeat: Callable[[], None] | None = None
        self._details: str | None = None
        self._cancel_requested = threading.Event()

    def drive(self, generator: Generator[Any, Any, Any], converter: Any) -> Any:
        """Run a generator activity as workers do; its return value is the activity's result.

        Each ``yield`` is a heartbeat, with the yielded value (encoded by ``converter``) as its
        details. An error of the heartbeat (the activity was cancelled, details too long) is
        thrown in at that ``yield``, where the activity can handle it; an error escaping the
        generator closes it, so its ``finally`` blocks run. The workers and
        ``awsflow.testing.ActivityEnvironment`` share this so both treat generators alike.
        """
        failure: Exception | None = None
        try:
            while True:
                try:
                    value = next(generator) if failure is None else generator.throw(failure)
                except StopIteration as done:
                    return done.value
                failure = None
                try:
                    self.heartbeat(None if value is None else converter.dumps(value))
                except Exception as error:  # thrown in at the yield: the activity may handle it
                    failure = error
        finally:
            generator.close()

    def heartbeat(self, details: str | None = None) -> None:
        """Record a heartbeat, with ``details`` (a string of at most 2048 characters) if given.

        Automatic heartbeats repeat the last details given here, so they also stand for the
        activity's progress in SWF (they are shown in an ActivityTaskTimedOut event).

        Raises:
            ActivityCancelledError: SWF says the workflow asked to cancel this task. Let it escape
                to have the task recorded as canceled, or catch it to clean up or carry on.
            PayloadTooLargeError: ``details`` is over SWF's 2048 characters; nothing was sent
                (a clear error rather than details silently cut).
        """
        if details is not None:
            details = str(details)
            if len(details) > LIMITS.heartbeat_details:
                raise PayloadTooLargeError(
                    f"heartbeat details of activity {self.task.name}", len(details), LIMITS.heartbeat_details
                )
            self._details = details
        response = self.worker.request_heartbeat(self.task, details)
        if self.on_heartbeat is not None:
            self.on_heartbeat()
        if response.get("cancelRequested"):
            self._cancel_requested.set()
            # botoflow's text, word for word: escaping the activity, it is what the
            # ActivityTaskCanceled event's details (and the workflow's error.cause) say.
            raise ActivityCancelledError(HEARTBEAT_CANCEL_MESSAGE)

    def background_heartbeat(self) -> None:
        """A heartbeat sent by the worker for the activity: repeats the details, never raises cancel."""
        response = self.worker.request_heartbeat(self.task, self._details)
        if response.get("cancelRequested"):
            self._cancel_requested.set()

    @property
    def cancel_requested(self) -> bool:
        """True once a heartbeat (the activity's own or an automatic one) learned of a cancel request."""
        return self._cancel_requested.is_set()

    def wait_for_cancel_request(self, timeout: float | None = None) -> bool:
        """Block until a heartbeat learns that a cancel was requested; False after ``timeout`` s.

        Only heartbeats bring the news: use it in an activity whose type has a heartbeat
        timeout (the worker then heartbeats in the background) or that heartbeats in another
        thread.
        """
        return self._cancel_requested.wait(timeout)

    @property
    def attempt(self) -> int:
        """Which attempt at the call this run of the activity is: 1, then 2, 3... on retries.

        Retries by a :class:`~awsflow.retry_policy.RetryPolicy` are numbered (their activity ids
        say ``<n>-attempt-<k>``); an activity no policy retries is always attempt 1.

        Raises:
            AttemptUnknownError: the activity type is retried by botoflow's ``@retry_activity``,
                whose attempts SWF's history names with plain ids (kept so that botoflow 0.8's
                histories replay): use ``retry_policy=RetryPolicy(...)`` to number them.

        .. versionadded:: 0.1
        """
        if self._attempt is not None:
            return self._attempt
        encoded = attempt_from_id(self.task.id)
        if encoded is not None:
            return encoded
        if getattr(self.activity_type, "retrying", None) is not None:
            raise AttemptUnknownError(
                f"activity {self.task.name} (id {self.task.id}) is retried by @retry_activity, whose "
                "attempts carry no number (botoflow 0.8's plain ids, kept for its histories); "
                "retry it with retry_policy=RetryPolicy(...) to have get_context().attempt"
            )
        return 1

    @property
    def workflow_execution(self) -> WorkflowExecution:
        """The execution that scheduled this activity."""
        execution: WorkflowExecution = self.task.workflow_execution
        return execution
