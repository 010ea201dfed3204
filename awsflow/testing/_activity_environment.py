"""``ActivityEnvironment``: one activity run in this thread, with a task context and no SWF.

The activity runs as a worker would run it — ``get_context()`` is an
:class:`~awsflow.context.ActivityContext` for a made-up task, ``heartbeat()`` checks its
details' size, a generator activity heartbeats at each ``yield`` and gets a heartbeat's error
thrown in at it — but the heartbeats go to the environment, which records them and answers
"cancel requested" when the test asks it to. The activity's own return value is returned and
its own exception raised (no encoding round trip), so a test asserts on real objects.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

from ..context import ActivityContext, ActivityTask, peek_context, set_context
from ..data_converter import JSONDataConverter
from ..decorator_descriptors import ActivityFunc
from ..workflow_execution import WorkflowExecution

__all__ = ["ActivityEnvironment"]


class ActivityEnvironment:
    """Run activities in-process with a fake task context, recording heartbeats.

    Args:
        attempt: what ``get_context().attempt`` says (1 for a first attempt).
        task_token: the task's token (``get_context().task.token``).
        activity_id: the task's activity id (default: ``"1"``, or ``"1-attempt-<k>"`` as a
            :class:`~awsflow.retry_policy.RetryPolicy` names attempt ``k > 1``).
        workflow_execution: the execution the task pretends to belong to.
        cancel_at_heartbeat: request cancellation when the activity sends its n-th heartbeat
            (1-based): that heartbeat raises ActivityCancelledError, as SWF's answer would
            make it.
        on_heartbeat: called with each heartbeat's details (in the activity's thread).

    Attributes:
        heartbeats: the details of every heartbeat the activity sent, in order (None for a
            heartbeat without details; a generator's yields, encoded with its data converter).

    Example::

        env = ActivityEnvironment(cancel_at_heartbeat=2)
        with pytest.raises(ActivityCancelledError):
            env.run(FileActivities().copy, "a", "b")
        assert env.heartbeats == ['"1/3"', '"2/3"']

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        *,
        attempt: int = 1,
        task_token: str = "awsflow-testing-task-token",
        activity_id: str | None = None,
        workflow_execution: WorkflowExecution | None = None,
        cancel_at_heartbeat: int | None = None,
        on_heartbeat: Callable[[str | None], None] | None = None,
    ) -> None:
        if attempt < 1:
            raise ValueError(f"attempt numbers start at 1, not {attempt}")
        if cancel_at_heartbeat is not None and cancel_at_heartbeat < 1:
            raise ValueError(f"cancel_at_heartbeat counts heartbeats from 1, not {cancel_at_heartbeat}")
        self.attempt = attempt
        self.task_token = task_token
        self.activity_id = activity_id or ("1" if attempt == 1 else f"1-attempt-{attempt}")
        self.workflow_execution = workflow_execution or WorkflowExecution("awsflow-testing", "run-1")
        self.cancel_at_heartbeat = cancel_at_heartbeat
        self.on_heartbeat = on_heartbeat
        self.heartbeats: list[str | None] = []
        self._lock = threading.Lock()
        self._cancel_requested = False
        self._context: ActivityContext | None = None
        self._background = False  # the context's heartbeats now stand for a worker's automatic one
        self._auto_heartbeated = False  # the activity running would get automatic heartbeats

    # -- what the test calls --------------------------------------------------------------------
    def request_cancel(self) -> None:
        """Ask to cancel the activity: its next heartbeat (or ``yield``) raises ActivityCancelledError.

        Safe from any thread. An activity whose type has a heartbeat timeout learns it at once,
        as a worker's automatic heartbeat would tell it (``get_context().cancel_requested``,
        ``wait_for_cancel_request``).
        """
        with self._lock:
            self._cancel_requested = True
            context = self._context if self._auto_heartbeated else None
        if context is not None:
            self._background = True
            try:
                context.background_heartbeat()
            finally:
                self._background = False

    def run(self, activity: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``activity`` (``MyActivities().method``, or a plain function) with these arguments.

        Returns its result (a generator activity's return value); raises its exception. The
        result must be one its data converter can encode, as a worker would require.
        """
        activity_type = _activity_type_of(activity)
        converter = getattr(activity_type, "data_converter", None) or JSONDataConverter()
        task = ActivityTask(
            id=self.activity_id,
            name=str(getattr(activity_type, "name", None) or getattr(activity, "__name__", repr(activity))),
            version=str(getattr(activity_type, "version", None) or "testing"),
            input=None,
            started_event_id=1,
            token=self.task_token,
            workflow_execution=self.workflow_execution,
        )
        context = ActivityContext(self, task, activity_type=activity_type, attempt=self.attempt)
        previous = peek_context()
        set_context(context)
        with self._lock:
            self._context = context
            # As in a worker: plain functions of a type with a heartbeat timeout get automatic
            # heartbeats; generators heartbeat at their yields only.
            self._auto_heartbeated = _auto_heartbeats(activity_type) and not inspect.isgeneratorfunction(
                activity
            )
        try:
            result = activity(*args, **kwargs)
            if inspect.isgenerator(result):
                result = context.drive(result, converter)
            converter.dumps(result)  # a worker fails the task on a result it cannot encode
            return result
        finally:
            with self._lock:
                self._context = None
            set_context(previous)

    # -- what the activity context calls (the worker's side) ----------------------------------
    def request_heartbeat(self, task: ActivityTask, details: str | None = None) -> dict[str, Any]:
        """Record a heartbeat; answer as SWF does, with whether a cancel was requested."""
        if self._background:  # an automatic heartbeat: not the activity's own, not recorded
            return {"cancelRequested": self._cancel_requested}
        with self._lock:
            self.heartbeats.append(details)
            if self.cancel_at_heartbeat is not None and len(self.heartbeats) >= self.cancel_at_heartbeat:
                self._cancel_requested = True
            cancel = self._cancel_requested
        if self.on_heartbeat is not None:
            self.on_heartbeat(details)
        return {"cancelRequested": cancel}

    def __getattr__(self, name: str) -> Any:
        # The context's other calls reach SWF (starting or signalling workflows): refuse clearly.
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(
            f"ActivityEnvironment has no SWF service, so an activity cannot use {name!r} here; "
            "test such an activity in a WorkflowEnvironment"
        )


def _auto_heartbeats(activity_type: Any) -> bool:
    return bool(getattr(activity_type, "heartbeat_timeout", None)) and bool(
        getattr(activity_type, "auto_heartbeat", False)
    )


def _activity_type_of(activity: Any) -> Any:
    """The ActivityType behind ``instance.method`` (a partial), an ActivityFunc, or None."""
    if isinstance(activity, ActivityFunc):
        raise TypeError(
            f"{activity.activity_type.name} is an activity method taken from its class; pass it from an "
            "instance (MyActivities().method) so that it has its self"
        )
    if isinstance(activity, functools.partial) and activity.args:
        owner = type(activity.args[0])
        for klass in owner.__mro__:
            for value in vars(klass).values():
                if isinstance(value, ActivityFunc) and value.func is activity.func:
                    return value.activity_type
    return None
