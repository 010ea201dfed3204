"""The three contexts and the thread-local slot that holds the current one."""

from __future__ import annotations

import threading
from typing import Any

from .._swf import LIMITS
from ..workflow_execution import WorkflowExecution

_local = threading.local()


class NoContextError(AttributeError):
    """No awsflow context is set on this thread (an AttributeError, as botoflow raised)."""


class ContextBase:
    """Base of the contexts; ``get_context``/``set_context`` act on the current thread."""

    @classmethod
    def get_context(cls) -> Any:
        context = getattr(_local, "context", None)
        if context is None:
            raise NoContextError(
                "No awsflow context on this thread: workflow code runs in a WorkflowWorker, "
                "activities in an ActivityWorker, and workflows are started inside "
                "'with worker:' or 'with workflow_starter(...)'"
            )
        return context

    @classmethod
    def set_context(cls, context: Any) -> None:
        _local.context = context


def get_context() -> Any:
    """The context of the current thread; AttributeError if there is none."""
    return ContextBase.get_context()


def set_context(context: Any) -> None:
    """Make ``context`` current on this thread (None clears it)."""
    ContextBase.set_context(context)


def peek_context() -> Any:
    """The current context or None, without raising."""
    return getattr(_local, "context", None)


class DecisionContext(ContextBase):
    """Set while workflow code runs; ``decider`` is the replay driving it."""

    def __init__(self, decider: Any) -> None:
        self.decider = decider
        self._time = 0.0
        self._length = 0
        # Set by the decider when the time (and history length) of the decision task is known
        # only by looking ahead in the history; resolved on the first read (most code never
        # reads them). It returns (time, length).
        self._time_resolver: Any = None
        self._replaying = True
        self._activity_options_overrides: dict[str, Any] = {}
        self._workflow_options_overrides: dict[str, Any] = {}
        self._workflow_instance: Any = None
        self._workflow_execution = WorkflowExecution(None, None)

    def _resolve(self) -> None:
        if self._time_resolver is not None:
            self._time, self._length = self._time_resolver()
            self._time_resolver = None

    @property
    def _workflow_time(self) -> float:
        """The time of the decision task being decided (use ``awsflow.workflow_time.time``)."""
        if self._time_resolver is not None:
            self._resolve()
        return self._time

    @property
    def _history_length(self) -> int:
        """Events in the history up to the decision task being decided (its Started event's id)."""
        if self._time_resolver is not None:
            self._resolve()
        return self._length

    def _at_decision_task(self, time: float, started_event_id: int) -> None:
        """The code now runs in the decision task started at ``started_event_id``."""
        self._time = time
        self._length = started_event_id
        self._time_resolver = None

    @property
    def workflow_execution(self) -> WorkflowExecution:
        """The execution being decided."""
        return self._workflow_execution

    @workflow_execution.setter
    def workflow_execution(self, value: WorkflowExecution) -> None:
        self._workflow_execution = value


HEARTBEAT_DETAILS_LIMIT = LIMITS.heartbeat_details  # RecordActivityTaskHeartbeat's details
HEARTBEAT_CANCEL_MESSAGE = "Cancel was requested during activity heartbeat"


class ActivityContext(ContextBase):
    """Set while an activity runs: its task, ``heartbeat`` and what SWF said about cancelling it."""

    def __init__(self, worker: Any, task: Any) -> None:
        self.worker = worker
        self.task = task
        self._details: str | None = None
        self._cancel_requested = threading.Event()
        # Set by the worker while it heartbeats in the background, so that a heartbeat the
        # activity sends itself postpones the next automatic one.
        self._on_heartbeat: Any = None

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
        from ..exceptions import ActivityCancelledError, PayloadTooLargeError

        if details is not None:
            details = str(details)
            if len(details) > HEARTBEAT_DETAILS_LIMIT:
                raise PayloadTooLargeError(
                    f"heartbeat details of activity {self.task.name}", len(details), HEARTBEAT_DETAILS_LIMIT
                )
            self._details = details
        response = self.worker.request_heartbeat(self.task, details)
        if self._on_heartbeat is not None:
            self._on_heartbeat()
        if response.get("cancelRequested"):
            self._cancel_requested.set()
            # botoflow's text, word for word: escaping the activity, it is what the
            # ActivityTaskCanceled event's details (and the workflow's error.cause) say.
            raise ActivityCancelledError(HEARTBEAT_CANCEL_MESSAGE)

    def _background_heartbeat(self) -> None:
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
    def workflow_execution(self) -> WorkflowExecution:
        """The execution that scheduled this activity."""
        execution: WorkflowExecution = self.task.workflow_execution
        return execution


class StartWorkflowContext(ContextBase):
    """Set inside ``with worker:`` and ``with workflow_starter(...)``: calls start executions."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        self._workflow_options_overrides: dict[str, Any] = {}
