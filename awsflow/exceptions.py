"""The errors awsflow raises, under one root.

::

    AwsflowError (BotoflowError is the same class, for code written for botoflow)
    ├── ScheduleActivityTaskFailedError     SWF refused to schedule an activity (cause)
    ├── StartChildWorkflowExecutionFailedError
    ├── StartTimerFailedError
    ├── NondeterminismError                 replayed code diverged from the history
    ├── NotInWorkflowError (TypeError)      a workflow-only helper called outside workflow code
    ├── AsyncioInWorkflowError (RuntimeError) workflow code used asyncio's event loop
    ├── QueryError                          a query cannot be answered (no decided state yet)
    ├── ActivityCancelledError              inside an activity: SWF asked to cancel its task
    │                                       (also a core CancellationError)
    ├── AttemptUnknownError (LookupError)   an activity's attempt number cannot be known
    ├── PayloadTooLargeError (ValueError)   an input/result over SWF's limit, before sending
    ├── MalformedSignalError (ValueError)   a signal's input does not fit its @signal handler
    ├── RemoteExceptionStandIn              a link of a remote failure that could not cross SWF
    │                                       as itself (its class name, message and traceback)
    ├── WorkflowDefinitionError (TypeError) a workflow/activity class or call is malformed
    ├── DecisionException                   outcomes recorded in a history, with event_id
    │   ├── ActivityTaskError
    │   │   ├── ActivityTaskFailedError     the activity raised; .cause is its exception
    │   │   ├── ActivityTaskTimedOutError   .timeout_type
    │   │   └── ActivityTaskCanceledError   (also a core CancelledError)
    │   ├── RequestCancelActivityTaskFailedError
    │   ├── WorkflowError                   seen from outside (wait_for_completion)
    │   │   ├── WorkflowFailedError, WorkflowTimedOutError, WorkflowTerminatedError
    │   │   └── WorkflowCanceledError       (also a core CancelledError)
    │   └── ChildWorkflowError
    │       ├── ChildWorkflowFailedError, ChildWorkflowTimedOutError,
    │       └── ChildWorkflowTerminatedError, ChildWorkflowCanceledError (a CancelledError)
    └── ExternalWorkflowError
        ├── SignalExternalWorkflowExecutionFailedError
        └── RequestCancelExternalWorkflowExecutionFailedError

SWF's own faults are in :mod:`awsflow.swf_exceptions` (also under ``AwsflowError``).
``CancelledError`` keeps botoflow's spelling and lives in :mod:`awsflow.core`.
"""

from __future__ import annotations

import traceback as _traceback_module
from typing import IO, Any

from .core.exceptions import CancellationError, CancelledError

__all__ = [
    "ActivityCancelledError",
    "ActivityTaskCanceledError",
    "ActivityTaskError",
    "ActivityTaskFailedError",
    "ActivityTaskTimedOutError",
    "AsyncioInWorkflowError",
    "AttemptUnknownError",
    "AwsflowError",
    "BotoflowError",
    "CancellationError",
    "CancelledError",
    "ChildWorkflowCanceledError",
    "ChildWorkflowError",
    "ChildWorkflowFailedError",
    "ChildWorkflowTerminatedError",
    "ChildWorkflowTimedOutError",
    "DecisionException",
    "DecisionExceptionWithTracebackMixIn",
    "ExternalWorkflowError",
    "MalformedSignalError",
    "NondeterminismError",
    "NotInWorkflowError",
    "PayloadTooLargeError",
    "QueryError",
    "RemoteExceptionStandIn",
    "RequestCancelActivityTaskFailedError",
    "RequestCancelExternalWorkflowExecutionFailedError",
    "ScheduleActivityTaskFailedError",
    "SignalExternalWorkflowExecutionFailedError",
    "StartChildWorkflowExecutionFailedError",
    "StartTimerFailedError",
    "WorkflowCanceledError",
    "WorkflowDefinitionError",
    "WorkflowError",
    "WorkflowFailedError",
    "WorkflowTerminatedError",
    "WorkflowTimedOutError",
]


class AwsflowError(Exception):
    """The root of every error awsflow raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle rebuilds an exception as cls(*args); most of ours take other arguments than
        # they keep in args, so they are rebuilt as the JSON converter does: args and __dict__
        # restored without __init__ (PickleDataConverter can then carry awsflow's failures).
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(cls: type[AwsflowError], args: tuple[Any, ...]) -> AwsflowError:
    error = cls.__new__(cls)
    error.args = args
    return error


BotoflowError = AwsflowError


class ScheduleActivityTaskFailedError(AwsflowError):
    """SWF could not schedule the activity; ``cause`` is SWF's cause (e.g. ACTIVITY_TYPE_DOES_NOT_EXIST)."""

    def __init__(self, cause: str, activity_type: Any = None, activity_id: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.activity_type = activity_type
        self.activity_id = activity_id

    def __str__(self) -> str:
        name = getattr(self.activity_type, "name", None)
        return f"SWF could not schedule activity {name} (id {self.activity_id}): {self.cause}"


class StartChildWorkflowExecutionFailedError(AwsflowError):
    """SWF could not start the child workflow; ``cause`` is SWF's cause."""

    def __init__(self, cause: str, workflow_id: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.workflow_id = workflow_id

    def __str__(self) -> str:
        return f"SWF could not start child workflow {self.workflow_id}: {self.cause}"


class StartTimerFailedError(AwsflowError):
    """SWF could not start a timer (``workflow_time.sleep``); ``cause`` is SWF's cause."""

    def __init__(self, cause: str, timer_id: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.timer_id = timer_id


class NondeterminismError(AwsflowError):
    """Replaying the workflow code did not reproduce the decisions its history recorded.

    ``source`` is ``(file, line)`` of the workflow code's call that no longer matches the
    history (or where the code waits, if it makes no call the history has), when known.
    """

    source: tuple[str, int] | None = None


class NotInWorkflowError(AwsflowError, TypeError):
    """A helper that only workflow code may call (``awsflow.patched``, ``awsflow.random``, ...)
    was called elsewhere. A TypeError, as ``workflow_time`` raised before it existed.

    .. versionadded:: 0.1
    """


class AsyncioInWorkflowError(AwsflowError, RuntimeError):
    """Workflow code called an asyncio primitive that needs asyncio's event loop.

    ``async def`` workflows run on awsflow's deterministic scheduler, not on an asyncio loop:
    ``asyncio.sleep``, ``gather``, ``wait_for``, ``create_task``... would use a wall clock and a
    scheduler that replay cannot reproduce. The message names the awsflow equivalent
    (``workflow_time.sleep``, ``AllFuture``, ``AnyFuture``, ``@coroutine``). A RuntimeError, as
    asyncio's own "no running event loop" was.

    .. versionadded:: 0.1
    """


class QueryError(AwsflowError):
    """A query could not be answered, e.g. no decision task of the execution has completed yet.

    .. versionadded:: 0.1
    """


class ActivityCancelledError(CancellationError, AwsflowError):
    """Raised in activity code, at a heartbeat or ``yield``, once SWF has asked to cancel its task.

    Let it escape and the worker answers RespondActivityTaskCanceled (the workflow's Future then
    raises :class:`~awsflow.core.CancelledError`); catch it to clean up or to carry on. It is a
    :class:`~awsflow.core.exceptions.CancellationError`, so code written for botoflow that
    catches that name keeps working. The spelling follows botoflow's ``CancelledError``.
    """


class AttemptUnknownError(AwsflowError, LookupError):
    """An activity asked which attempt it is, and its task does not say.

    SWF's activity task carries no attempt number; awsflow names the attempts of a
    :class:`~awsflow.retry_policy.RetryPolicy` ``<n>-attempt-<k>`` so the worker can read it.
    botoflow's ``@retry_activity`` gives every attempt a plain id ("1", "2", ...), which awsflow
    keeps so botoflow 0.8's histories replay: its attempts cannot tell their number.

    .. versionadded:: 0.1
    """


class PayloadTooLargeError(AwsflowError, ValueError):
    """An encoded value is over SWF's size limit for its field; raised before the call is sent."""

    def __init__(self, field: str, size: int, limit: int) -> None:
        super().__init__(
            f"{field} is {size} characters once encoded; SWF accepts at most {limit}. "
            "Pass a reference (an S3 key, a database id) instead of the data."
        )
        self.field = field
        self.size = size
        self.limit = limit


class MalformedSignalError(AwsflowError, ValueError):
    """A signal's input is not awsflow's ``[args, kwargs]`` encoding of arguments its handler takes.

    Any SWF client can signal an execution with any string. By default such a signal is logged,
    recorded in the history as an ``awsflow.malformed-signal`` marker, and otherwise ignored;
    with ``@signal(strict=True)`` it fails the workflow with this error (see
    :func:`awsflow.decorators.signal`).

    Attributes:
        signal_name: the signal's name.
        event_id: the id of its ``WorkflowExecutionSignaled`` event.
        problem: what is wrong with the input.

    .. versionadded:: 0.1
    """

    def __init__(self, signal_name: str, event_id: int | None, problem: str) -> None:
        super().__init__(signal_name, event_id, problem)
        self.signal_name = signal_name
        self.event_id = event_id
        self.problem = problem

    def __str__(self) -> str:
        return f"signal {self.signal_name!r} (event {self.event_id}) is malformed: {self.problem}"


class WorkflowDefinitionError(AwsflowError, TypeError):
    """A workflow or activity definition, or a call to one, is malformed."""


class _RemoteTracebackMixIn:
    """Formatting for errors that carry a traceback captured in another process."""

    cause: BaseException | None
    _traceback: Any

    def format_exc(self, limit: int | None = None) -> list[str]:
        """The remote traceback and the cause, formatted like ``traceback.format_exc``."""
        lines = ["Traceback (most recent call last):\n"]
        frames = list(self._traceback or [])
        if limit is not None:
            frames = frames[-limit:]
        for frame in frames:
            if isinstance(frame, str):
                lines.append(frame)
            else:
                filename, lineno, name, line = (list(frame) + [None] * 4)[:4]
                lines.append(f'  File "{filename}", line {lineno}, in {name}\n')
                if line:
                    lines.append(f"    {line}\n")
        if self.cause is not None:
            lines.extend(_traceback_module.format_exception_only(type(self.cause), self.cause))
        return lines

    def print_exc(self, limit: int | None = None, file: IO[str] | None = None) -> None:
        import sys

        (file or sys.stderr).write("".join(self.format_exc(limit)))


DecisionExceptionWithTracebackMixIn = _RemoteTracebackMixIn  # botoflow's name


class RemoteExceptionStandIn(AwsflowError, _RemoteTracebackMixIn):
    """Stands in for one link of a failure chain that could not cross SWF as itself.

    A failure travels as ``[exception, traceback]`` in an event's details, its chain intact: the
    workflow's error, the activity's (or child's) error it carries as ``cause``, the exception
    the activity raised, each with the traceback of where it was raised. A link the data
    converter cannot write (an exception holding a socket, say) or read back (written by another
    program) is replaced by this stand-in, which keeps what can always be kept: the class name,
    the message, the traceback and the rest of the chain; ``problem`` says why it stands in.
    Details over SWF's 32,768 characters are shortened the same way, the cuts said.

    Attributes:
        class_name: the original's class, ``"module:QualName"`` (empty if unknown).
        message: ``str()`` of the original.
        problem: why the original could not be sent or read.
        cause: the next link of the chain (the original's ``cause``), or None.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        class_name: str,
        message: str,
        problem: str,
        cause: BaseException | None = None,
        _traceback: Any = None,
    ) -> None:
        super().__init__(class_name, message, problem)
        self.class_name = class_name
        self.message = message
        self.problem = problem
        self.cause = cause
        self._traceback = _traceback

    def __str__(self) -> str:
        name = self.class_name or "remote error"
        return f"{name}: {self.message} [stand-in: {self.problem}]"


def _type_name(flow_type: Any) -> Any:
    """An activity or workflow type's name: from the type, or from the ``(name, version)`` a
    failure read back from SWF carries instead (see :mod:`awsflow._swf._failures`)."""
    if isinstance(flow_type, tuple) and len(flow_type) == 2:
        return flow_type[0]
    return getattr(flow_type, "name", flow_type)


def _describe(cause: Any) -> str:
    # A user's exception shows as its repr (its type and args); awsflow's chained errors, whose
    # args are ids, as their type and message, which name the next link.
    if isinstance(cause, AwsflowError):
        return f"{type(cause).__name__}: {cause}"
    return repr(cause)


class DecisionException(AwsflowError):
    """An outcome recorded in the workflow history; ``event_id`` names its event."""

    def __init__(self, event_id: int | None, *args: Any) -> None:
        super().__init__(event_id, *args)
        self.event_id = event_id


class ActivityTaskError(DecisionException):
    """Base of the failures of one activity call (``activity_type``, ``activity_id``)."""

    def __init__(self, event_id: int | None, activity_type: Any, activity_id: str | None) -> None:
        super().__init__(event_id, activity_type, activity_id)
        self.activity_type = activity_type
        self.activity_id = activity_id

    def _what(self) -> str:
        return f"activity {_type_name(self.activity_type)} (id {self.activity_id})"


class ActivityTaskFailedError(ActivityTaskError, _RemoteTracebackMixIn):
    """The activity raised; ``cause`` is its exception, ``format_exc()`` its remote traceback."""

    def __init__(
        self,
        event_id: int | None,
        activity_type: Any,
        activity_id: str | None,
        cause: Any,
        _traceback: Any = None,
    ) -> None:
        super().__init__(event_id, activity_type, activity_id)
        self.cause = cause
        self._traceback = _traceback

    def __str__(self) -> str:
        return f"{self._what()} failed: {_describe(self.cause)}"


class ActivityTaskTimedOutError(ActivityTaskError):
    """SWF timed the activity out; ``timeout_type`` is SCHEDULE_TO_START, START_TO_CLOSE, ..."""

    def __init__(
        self, event_id: int | None, activity_type: Any, activity_id: str | None, timeout_type: str
    ) -> None:
        super().__init__(event_id, activity_type, activity_id)
        self.timeout_type = timeout_type

    def __str__(self) -> str:
        return f"{self._what()} timed out ({self.timeout_type})"


class ActivityTaskCanceledError(CancelledError, ActivityTaskError, _RemoteTracebackMixIn):
    """The activity was canceled (SWF spelling); a CancelledError for workflow code."""

    def __init__(
        self,
        event_id: int | None,
        activity_type: Any,
        activity_id: str | None,
        cause: Any,
        latest_cancel_requested_event_id: int | None,
        scheduled_event_id: int | None,
        started_event_id: int | None,
        _traceback: Any = None,
    ) -> None:
        ActivityTaskError.__init__(self, event_id, activity_type, activity_id)
        self._cause = cause
        self._traceback = _traceback
        self.latest_cancel_requested_event_id = latest_cancel_requested_event_id
        self.scheduled_event_id = scheduled_event_id
        self.started_event_id = started_event_id

    @property
    def cause(self) -> Any:  # type: ignore[override]
        return self._cause

    def __str__(self) -> str:
        return f"{self._what()} was canceled"


class RequestCancelActivityTaskFailedError(DecisionException):
    """SWF refused to request the cancel of an activity (``cause``, e.g. ACTIVITY_ID_UNKNOWN)."""

    def __init__(
        self, event_id: int | None, activity_id: str, cause: str, decision_task_completed_event_id: int | None
    ) -> None:
        super().__init__(event_id, activity_id, decision_task_completed_event_id)
        self.activity_id = activity_id
        self.cause = cause
        self.decision_task_completed_event_id = decision_task_completed_event_id

    def __str__(self) -> str:
        return f"SWF refused to cancel activity {self.activity_id}: {self.cause}"


class WorkflowError(DecisionException):
    """Base of the outcomes of a workflow execution, as seen by whoever waits for it."""

    def __init__(self, event_id: int | None, workflow_type: Any, workflow_execution: Any) -> None:
        super().__init__(event_id)
        self.workflow_type = workflow_type
        self.workflow_execution = workflow_execution

    def __str__(self) -> str:
        return f"workflow {self.workflow_type} {tuple(self.workflow_execution or ())} {self._outcome()}"

    def _outcome(self) -> str:
        return "closed"


class WorkflowFailedError(WorkflowError, _RemoteTracebackMixIn):
    """The workflow raised; ``cause`` is its exception."""

    def __init__(
        self,
        event_id: int | None,
        workflow_type: Any,
        workflow_execution: Any,
        cause: Any,
        _traceback: Any = None,
    ) -> None:
        super().__init__(event_id, workflow_type, workflow_execution)
        self.cause = cause
        self._traceback = _traceback

    def _outcome(self) -> str:
        return f"failed: {_describe(self.cause)}"


class WorkflowTimedOutError(WorkflowError):
    """SWF closed the workflow at its execution start-to-close timeout."""

    def _outcome(self) -> str:
        return "timed out"


class WorkflowTerminatedError(WorkflowError):
    """The workflow was terminated."""

    def _outcome(self) -> str:
        return "was terminated"


class WorkflowCanceledError(CancelledError, WorkflowError):
    """The workflow was canceled (botoflow had no error for this and waited forever)."""

    def __init__(
        self, event_id: int | None, workflow_type: Any, workflow_execution: Any, details: Any = None
    ) -> None:
        WorkflowError.__init__(self, event_id, workflow_type, workflow_execution)
        self.details = details

    def _outcome(self) -> str:
        return "was canceled"


class ChildWorkflowError(DecisionException):
    """Base of the outcomes of a child workflow, raised in its parent."""

    def __init__(self, event_id: int | None, workflow_type: Any, workflow_execution: Any) -> None:
        super().__init__(event_id)
        self.workflow_type = workflow_type
        self.workflow_execution = workflow_execution

    def __str__(self) -> str:
        name = _type_name(self.workflow_type)
        return f"child workflow {name} {tuple(self.workflow_execution or ())} {self._outcome()}"

    def _outcome(self) -> str:
        return "closed"


class ChildWorkflowFailedError(ChildWorkflowError, _RemoteTracebackMixIn):
    """The child workflow raised; ``cause`` is its exception."""

    def __init__(
        self,
        event_id: int | None,
        workflow_type: Any,
        workflow_execution: Any,
        cause: Any,
        _traceback: Any = None,
    ) -> None:
        super().__init__(event_id, workflow_type, workflow_execution)
        self.cause = cause
        self._traceback = _traceback

    def _outcome(self) -> str:
        return f"failed: {_describe(self.cause)}"


class ChildWorkflowTimedOutError(ChildWorkflowError):
    """The child workflow timed out."""

    def _outcome(self) -> str:
        return "timed out"


class ChildWorkflowTerminatedError(ChildWorkflowError):
    """The child workflow was terminated."""

    def _outcome(self) -> str:
        return "was terminated"


class ChildWorkflowCanceledError(CancelledError, ChildWorkflowError):
    """The child workflow was canceled; a CancelledError for the parent's code."""

    def __init__(
        self, event_id: int | None, workflow_type: Any, workflow_execution: Any, details: Any = None
    ) -> None:
        ChildWorkflowError.__init__(self, event_id, workflow_type, workflow_execution)
        self.details = details

    @property
    def cause(self) -> CancelledError:
        """The child's reason, as botoflow raised it: ``CancelledError(details)``.

        A parent that lets it escape is canceled with the same details.
        """
        return CancelledError("" if self.details is None else self.details)

    def _outcome(self) -> str:
        return "was canceled"


class ExternalWorkflowError(AwsflowError):
    """Base of failures to act on another workflow execution."""

    def __init__(
        self,
        decision_task_completed_event_id: int | None,
        initiated_event_id: int | None,
        run_id: str | None,
        workflow_id: str,
        cause: str,
        *args: Any,
    ) -> None:
        super().__init__(decision_task_completed_event_id, initiated_event_id, run_id, workflow_id, *args)
        self.decision_task_completed_event_id = decision_task_completed_event_id
        self.initiated_event_id = initiated_event_id
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.cause = cause

    def __str__(self) -> str:
        return f"request to workflow {self.workflow_id} ({self.run_id}) failed: {self.cause}"


class SignalExternalWorkflowExecutionFailedError(ExternalWorkflowError):
    """SWF could not deliver a signal to another execution; ``cause`` is SWF's, e.g.
    ``UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION`` (no such open execution)."""


class RequestCancelExternalWorkflowExecutionFailedError(ExternalWorkflowError):
    """SWF could not deliver a cancel request to another execution (e.g. it is unknown)."""
