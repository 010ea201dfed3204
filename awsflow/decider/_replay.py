"""Replaying a workflow execution's history to rebuild its state and make its next decisions.

:class:`ExecutionReplay` is pure: events in, decisions out; no botocore, no clock, no threads.
A cold replay feeds it the whole history; a worker that keeps it between decision tasks can feed
it only the new events and get the same answer (the events it has seen are skipped by id).

How the history is read
-----------------------
Events are delivered in id order. After each one, the workflow's code runs until it waits again
(the scheduler of :mod:`awsflow.core` is deterministic), and the decisions it makes collect in
*pending*. A ``DecisionTaskStarted`` event is a cut: what is pending then is what that decision
task answered, so it becomes the *candidate* list. If that task completed, SWF recorded one result
event per decision right after ``DecisionTaskCompleted``; those are checked, in order, against
the candidate's commands — a mismatch means the code changed under a running execution
(:class:`~awsflow.exceptions.NondeterminismError`). If the task timed out, its decisions were
never used and go back to pending. The candidate left when the history ends is the answer to the
decision task being handled now.

Events that happened while a decision task was out (between its Started and Completed) are
delivered after that cut, so the code sees them where the original run saw them: in the next
decision task.

A decision task a worker could not decide was answered with awsflow's failure marker and retry
timer (:mod:`awsflow.decision_failures`): the marker, first of its events, makes that task count
as timed out (what the code decides there stays pending), and the retry timer's events confirm no
decision and resolve no timer. The code never sees them.
"""

from __future__ import annotations

import functools
import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._runtime import AsyncioGuard, DecisionContext, bind_instance, current, set_context
from .._swf import CLOSING_EVENTS, EVENTS, LIMITS, Limits, decode_arguments
from ..core import AsyncEventLoop
from ..core.async_task import AsyncTask
from ..decision_failures import is_failure_marker
from ..exceptions import MalformedSignalError, NondeterminismError, WorkflowDefinitionError
from ..workflow_execution import WorkflowExecution
from ._calls import CallTable
from ._commands import ASYNC_FAILURES, RESULT_EVENTS, Command
from ._conditions import ConditionWaits
from ._confirming import Confirming
from ._making import task_time
from ._markers import Markers
from ._signals import MALFORMED_SIGNAL_MARKER, decode_signal_input, malformed_signal_marker
from ._splitting import SplitTimer, measured_from, split_point

__all__ = [
    "DecisionOutcome",
    "ExecutionReplay",
    "WorkflowLookup",
    "replay_decision",
    "replay_decision_keeping_state",
]

logger = logging.getLogger(__name__)

# (workflow name, version) -> (definition class, workflow type, name of its @execute method)
WorkflowLookup = Callable[[str, str], "tuple[type, Any, str]"]


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """The answer to a decision task: decisions, and the workflow's state string."""

    decisions: list[dict[str, Any]]
    execution_context: str | None


class ExecutionReplay(Confirming):
    """The replayed state of one workflow run (see the module docstring).

    It is the :class:`~awsflow.context.WorkflowRuntime` of the workflow code it runs: the
    code's calls (through ``get_context().runtime``) become its decisions.
    """

    def __init__(
        self,
        lookup: WorkflowLookup | Mapping[tuple[str, str], tuple[type, Any, str]],
        workflow_execution: WorkflowExecution,
        task_list: str,
        *,
        strict: bool = False,
        limits: Limits = LIMITS,
    ) -> None:
        if isinstance(lookup, Mapping):
            table = lookup
            self._lookup: WorkflowLookup = lambda name, version: table[(name, version)]
        else:
            self._lookup = lookup
        self.workflow_execution = workflow_execution
        self.task_list = task_list
        self.execution_started = False
        # strict: encode every replayed decision too (see replay_decision for why it matters)
        self._strict = strict
        self.limits = limits  # SWF's limits, as this replay checks them
        self._measure_from = _MEASURED_FROM if limits is LIMITS else measured_from(limits)
        self._loop = AsyncEventLoop()
        self._context = DecisionContext(self)
        self._context.workflow_execution = workflow_execution
        self._time = 0.0
        self._length = 0
        self._time_from = -1
        self._feed: tuple[Sequence[dict[str, Any]], int] = _NO_FEED
        self._replaying = True
        self._next_id = 0
        self._pending: list[Command] = []
        self._candidate: list[Command] | None = None
        self._candidate_started = 0
        self._awaiting: deque[Command] = deque()
        self._buffer: list[dict[str, Any]] = []
        self._last_event_id = 0
        self._replay_until = 0
        self.calls = CallTable()  # the open calls, by the ids SWF gives them
        self._workflow_type: Any = None
        self._instance: Any = None
        self._root: AsyncTask | None = None
        self._continue_as_new: dict[str, Any] | None = None
        self._cancelling = False  # cancellation_handler runs: the run closes canceled after it
        self._closed_by: Command | None = None
        self._conditions = ConditionWaits()
        self._splits = 0  # decision lists split so far (names each split's timer)
        self._split_rest: list[Command] | None = None
        self.markers = Markers(self)  # patches and side effects (awsflow.patched, side_effect)
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
            "WorkflowExecutionStarted": self._on_started,
            "WorkflowExecutionSignaled": self._on_signaled,
            "WorkflowExecutionCancelRequested": self._on_cancel_requested,
            "DecisionTaskCompleted": self._on_decision_completed,
            "DecisionTaskTimedOut": self._on_decision_timed_out,
            "CompleteWorkflowExecutionFailed": self._on_close_failed,
            "FailWorkflowExecutionFailed": self._on_close_failed,
            "CancelWorkflowExecutionFailed": self._on_close_failed,
            "ContinueAsNewWorkflowExecutionFailed": self._on_close_failed,
            **self.calls.handlers(),
        }
        if not _EVENT_SPECS:  # the same for every replay: built once
            _EVENT_SPECS.update(_event_specs(self._handlers))
        # What _run does with each event type, bound to this replay: one lookup per event.
        confirms = {"ScheduleActivityTask": self._confirm_scheduled}
        self._dispatch: dict[str, Any] = {
            event_type: (
                key,
                None if result is None else confirms.get(result[0], self._confirm),
                result,
                maybe_async,
                self._handlers.get(event_type),
            )
            for event_type, (key, result, maybe_async) in _EVENT_SPECS.items()
        }
        self._dispatch["DecisionTaskStarted"] = _CUT

    # -- the entry point ------------------------------------------------------------------------
    def apply(self, events: Sequence[dict[str, Any]]) -> DecisionOutcome:
        """Feed history events (already-seen ids are skipped) and return the current decisions.

        Raises:
            NondeterminismError: the code no longer makes the decisions the history recorded.
            WorkflowDefinitionError: the history names a workflow type this lookup lacks.
        """
        # Events up to the start of the last completed decision task were seen before: replaying.
        # A task answered with awsflow's failure marker decided nothing: it does not count (its
        # marker, the event right after it, comes in the same call, as a poll delivers them).
        failed: set[int] = set()
        for event in reversed(events):
            event_type = event["eventType"]
            if event_type in _MARKER_ATTRIBUTES:  # MarkerRecorded, or RecordMarkerFailed
                attributes = event.get(_MARKER_ATTRIBUTES[event_type]) or _NO_ATTRIBUTES
                if is_failure_marker(attributes.get("markerName")):
                    failed.add(attributes.get("decisionTaskCompletedEventId", 0))
            elif event_type == "DecisionTaskCompleted" and event["eventId"] not in failed:
                started = event[_COMPLETED_ATTRIBUTES]["startedEventId"]
                self._replay_until = max(self._replay_until, started)
                break
        previous = current()
        set_context(self._context)
        guard = AsyncioGuard().__enter__()  # asyncio's primitives fail at the call in workflow code
        try:
            index, count = 0, len(events)
            while index < count and events[index]["eventId"] <= self._last_event_id:
                index += 1  # seen in an earlier call: a worker may feed the whole history again
            self.markers.observe(events, index)  # the code may ask about markers ahead of it
            last_started = count - 1
            while last_started >= index and events[last_started]["eventType"] != "DecisionTaskStarted":
                last_started -= 1
            if last_started >= index:
                if self._buffer:
                    buffered, self._buffer = self._buffer, []
                    self._run(buffered + list(events[index : last_started + 1]), 0, None)
                else:
                    self._run(events, index, last_started + 1)
                index = last_started + 1
            # No decision task starts in the rest: hold it until one does (its time is unknown).
            self._buffer.extend(events[index:])
            if count:
                self._last_event_id = max(self._last_event_id, events[-1]["eventId"])
            if self._buffer and self._buffer[-1]["eventType"] in CLOSING_EVENTS:
                buffered, self._buffer = self._buffer, []
                self._run(buffered, 0, None)  # a closed run's whole history: check it to the end
        finally:
            guard.__exit__(None, None, None)
            set_context(previous)
            self.markers.release()
        limits = self.limits
        if (
            self._candidate_started >= limits.history_warning_at > self._replay_until
            and self._candidate is not None
        ):
            logger.warning(
                "%s %s: its history has %d events, past %d%% of SWF's limit of %d; SWF terminates "
                "the run at the limit. Continue it as new (awsflow.continue_as_new) to start afresh.",
                self._workflow_type,
                tuple(self.workflow_execution),
                self._candidate_started,
                round(100 * limits.history_warning_at / limits.history_events),
                limits.history_events,
            )
        decisions = [command.materialize() for command in self._candidate or ()]
        state = getattr(self._instance, "workflow_state", None)
        return DecisionOutcome(decisions, None if state is None else str(state))

    def _run(self, events: Sequence[dict[str, Any]], start: int, stop: int | None) -> None:
        """Deliver ``events[start:stop]`` in order, cutting at each DecisionTaskStarted.

        The code must see each event when, and at the time, the original run saw it: in the
        decision task that started after it. So the time of the events before a cut is that
        cut's, found by looking ahead only if the code asks. After each event the workflow's
        code runs until it waits again.
        """
        dispatch = self._dispatch
        until = self._replay_until
        loop = self._loop
        queue = loop.queue
        conditions = self._conditions
        stop = len(events) if stop is None else stop
        if self._time_from >= 0:
            self._resolve_time()  # a lookup still pending in the events fed before: settled first
        self._feed = (events, stop)
        segment_time_pending = True
        for position in range(start, stop):
            event = events[position]
            spec = dispatch.get(event["eventType"])
            if spec is None:
                continue  # DecisionTaskScheduled, ActivityTaskStarted, ...: nothing to do
            if spec is _CUT:
                # The code now runs in the decision task started here: its time, and the length.
                timestamp = event.get("eventTimestamp")
                self._time = timestamp if timestamp.__class__ is float else task_time(timestamp)
                self._length = event["eventId"]
                self._time_from = -1
                self._cut(event)
                segment_time_pending = True
                continue
            if segment_time_pending:
                self._time_from = position  # the time of a later event: looked up if asked
                segment_time_pending = False
            self._replaying = event["eventId"] < until
            key, confirm, result, maybe_async, handler = spec
            attributes = event.get(key) or _NO_ATTRIBUTES
            if confirm is not None and not (maybe_async and attributes.get("initiatedEventId")):
                confirm(event, attributes, result)
            if handler is not None:
                handler(event, attributes)
            if queue:
                loop.execute_all_tasks()
                if conditions.open:
                    conditions.settle(loop.execute_all_tasks)
        if self._time_from < 0:
            self._feed = _NO_FEED  # nothing left to look up: a kept replay holds no events

    def _cut(self, event: dict[str, Any]) -> None:
        """At a DecisionTaskStarted: what is pending now is what that decision task answers."""
        if self._awaiting:
            missing = self._awaiting[0]
            raise self._divergence(
                event,
                f"no event for {missing.describe()}",
                f"{missing.describe()} at {missing.where}",
                missing,
            )
        commands = self._pending
        # SWF accepts a close decision only as the last one of a task.
        if self._closed_by is not None and self._closed_by in commands:
            commands = [c for c in commands if not c.is_close] + [c for c in commands if c.is_close]
        self._pending = []
        self._split_rest = None
        cut = split_point(commands, self.limits) if len(commands) >= self._measure_from else None
        if cut is not None:
            # Too many (or too large) for one response: send the first part and a 0-second timer
            # whose firing brings the next decision task, which sends the rest.
            self._splits += 1
            rest = commands[cut:]
            commands = [*commands[:cut], SplitTimer(f"awsflow.more-decisions.{self._splits}")]
            self._pending = rest
            self._split_rest = rest
        self._candidate = commands
        self._candidate_started = event["eventId"]

    def _on_decision_completed(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        if self._candidate is not None and attributes.get("startedEventId") == self._candidate_started:
            self._awaiting.extend(self._candidate)
            self._candidate = None

    def _on_decision_timed_out(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        if self._candidate is not None:
            sent = [command for command in self._candidate if not isinstance(command, SplitTimer)]
            self._pending = sent + self._pending  # the split's rest is already pending
            self._candidate = None

    @property
    def last_event_id(self) -> int:
        """The id of the last event fed."""
        return self._last_event_id

    @property
    def last_started_event_id(self) -> int:
        """The DecisionTaskStarted of the decision task whose decisions the last apply returned."""
        return self._candidate_started

    # -- the workflow itself --------------------------------------------------------------------
    def _on_started(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        named = attributes["workflowType"]
        try:
            definition, workflow_type, method = self._lookup(named["name"], named["version"])
        except KeyError:
            raise WorkflowDefinitionError(
                f"This worker has no workflow {named['name']} version {named['version']}: pass its "
                "WorkflowDefinition to the WorkflowWorker"
            ) from None
        self._workflow_type = workflow_type
        instance = bind_instance(definition(self.workflow_execution), workflow_type.data_converter)
        self._instance = instance
        args, kwargs = decode_arguments(workflow_type.data_converter, attributes.get("input"))
        body = vars_lookup(definition, method)
        self._root = AsyncTask(
            self._loop,
            functools.partial(body, instance, *args, **kwargs),
            parent=None,
            name=getattr(body, "__qualname__", repr(body)),
        )
        self.execution_started = True
        self._root.future.add_done_callback(self._on_workflow_done)

    def _on_signaled(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        name = attributes["signalName"]
        signals = getattr(type(self._instance), "_workflow_signals", {})
        if name not in signals:
            logger.warning(
                "%s %s: no @signal handles signal %r; it stays in the history unhandled",
                self._workflow_type,
                tuple(self.workflow_execution),
                name,
            )
            return
        assert self._workflow_type is not None
        declared, handler = signals[name]
        encoded = attributes.get("input")
        try:
            args, kwargs = decode_signal_input(
                self._workflow_type.data_converter, handler, self._instance, name, event["eventId"], encoded
            )
        except MalformedSignalError as malformed:
            if declared.signal_type.strict:
                self._run_in_workflow(functools.partial(_raise, malformed), f"signal {name}")  # fails the run
                return
            if not self._replaying:
                logger.warning(
                    "%s %s: %s; the handler was not called (recorded as marker %s)",
                    self._workflow_type,
                    tuple(self.workflow_execution),
                    malformed,
                    MALFORMED_SIGNAL_MARKER,
                )
            self.emit(malformed_signal_marker(malformed, encoded))
            return
        self._run_in_workflow(lambda: handler(self._instance, *args, **kwargs), f"signal {name}")

    def _run_in_workflow(self, body: Callable[[], Any], name: str) -> None:
        # A child of the workflow's root task: a failing handler fails the workflow, not silently.
        AsyncTask(
            self._loop,
            body,
            parent=self._root if self._root is not None and not self._root.done else None,
            name=name,
        )


def _raise(error: BaseException) -> None:
    raise error


def replay_decision(
    lookup: WorkflowLookup | Mapping[tuple[str, str], tuple[type, Any, str]],
    workflow_execution: WorkflowExecution,
    task_list: str,
    events: Sequence[dict[str, Any]],
) -> DecisionOutcome:
    """A cold replay of ``events``: the decisions for the decision task they end with.

    Replayed activity inputs are not encoded (the history already holds them), which is what
    makes replay fast. The one thing that skips is the size check that made the original call
    raise PayloadTooLargeError; if the fast replay diverges, a strict one that encodes everything
    decides whether that was the reason or the code really changed.
    """
    return replay_decision_keeping_state(lookup, workflow_execution, task_list, events)[0]


def replay_decision_keeping_state(
    lookup: WorkflowLookup | Mapping[tuple[str, str], tuple[type, Any, str]],
    workflow_execution: WorkflowExecution,
    task_list: str,
    events: Sequence[dict[str, Any]],
    *,
    limits: Limits = LIMITS,
) -> tuple[DecisionOutcome, ExecutionReplay]:
    """:func:`replay_decision`, and the replay, to be fed the run's next events later."""
    replay = ExecutionReplay(lookup, workflow_execution, task_list, limits=limits)
    try:
        return replay.apply(events), replay
    except NondeterminismError:
        replay = ExecutionReplay(lookup, workflow_execution, task_list, strict=True, limits=limits)
        return replay.apply(events), replay


def vars_lookup(definition: type, method: str) -> Any:
    for klass in definition.__mro__:
        if method in vars(klass):
            value = vars(klass)[method]
            return getattr(value, "func", value)
    raise WorkflowDefinitionError(f"{definition.__name__} has no method {method}")


_NO_ATTRIBUTES: dict[str, Any] = {}
_NO_FEED: tuple[Sequence[dict[str, Any]], int] = ((), 0)
_CUT = ("DecisionTaskStarted",)  # _run's entry for the event that cuts the history into tasks
_MEASURED_FROM = measured_from(LIMITS)
_COMPLETED_ATTRIBUTES = EVENTS["DecisionTaskCompleted"].attributes
_MARKER_ATTRIBUTES = {name: EVENTS[name].attributes for name in ("MarkerRecorded", "RecordMarkerFailed")}

# eventType -> (attributes member, the decision it confirms or None, may it be a later failure)
_EVENT_SPECS: dict[str, tuple[str, tuple[str, Any, Any] | None, bool]] = {}


def _event_specs(handlers: Mapping[str, Any]) -> dict[str, tuple[str, tuple[str, Any, Any] | None, bool]]:
    return {
        event_type: (
            EVENTS[event_type].attributes,
            RESULT_EVENTS.get(event_type),
            event_type in ASYNC_FAILURES,
        )
        for event_type in set(RESULT_EVENTS) | set(handlers)
    }
