"""The replaying decider against the pure SWF engine: each feature, end to end, no I/O."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from harness import DOMAIN, Harness
from workflows import (
    Cancellable,
    CatchesCancel,
    Child,
    Counter,
    Doubling,
    FanOut,
    Parent,
    Retried,
    RetriedSteps,
    Shipping,
    ShippingError,
    Signalled,
    Sleeper,
    Steps,
    TimesOut,
    Unhandled,
    WithOptions,
)

from awsflow.core import Future
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import activities, activity, execute
from awsflow.exceptions import NondeterminismError
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    name = event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"
    return dict(event.get(name, {}))


def run_to_end(workflow: type, *args: Any, activities: tuple[Any, ...] = (Steps(),), **harness: Any) -> Any:
    h = Harness((workflow,), activities, **harness)
    run = h.start(workflow, "run", *args)
    h.run()
    return h, run, h.close_event(run)


def result_of(close: dict[str, Any]) -> Any:
    assert close["eventType"] == "WorkflowExecutionCompleted", close
    return CONVERTER.loads(attributes(close)["result"])


def test_sequential_activities_complete_the_workflow_with_its_result() -> None:
    h, run, close = run_to_end(Doubling, 5)
    assert result_of(close) == 20
    scheduled = [attributes(e) for e in h.history(run) if e["eventType"] == "ActivityTaskScheduled"]
    assert [(s["activityId"], s["activityType"]["name"], s["input"]) for s in scheduled] == [
        ("1", "Steps.double", '[{"__tuple":[5]},{}]'),
        ("2", "Steps.double", '[{"__tuple":[10]},{}]'),
    ]
    assert all(record.error is None for record in h.records)


def test_the_workflow_state_is_sent_as_execution_context() -> None:
    h, run, _ = run_to_end(Doubling, 1)
    contexts = [
        attributes(e).get("executionContext")
        for e in h.history(run)
        if e["eventType"] == "DecisionTaskCompleted"
    ]
    assert contexts[0] == "doubling" and contexts[-1] == "done"


class OversizedState(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def run(self, size: int) -> Any:
        self.workflow_state = "x" * size
        return size
        yield


def test_a_workflow_state_over_swfs_limit_fails_the_workflow_at_the_assignment() -> None:
    _, _, close = run_to_end(OversizedState, 32_768)
    assert result_of(close) == 32_768
    _, _, close = run_to_end(OversizedState, 32_769)
    assert close["eventType"] == "WorkflowExecutionFailed"
    assert "PayloadTooLargeError" in attributes(close)["reason"]
    assert "32769" in attributes(close)["reason"]


def test_activities_yielded_as_a_list_run_in_parallel() -> None:
    h, run, close = run_to_end(FanOut, 4)
    assert result_of(close) == 0 + 2 + 4 + 6
    first_decision = next(e for e in h.history(run) if e["eventType"] == "DecisionTaskCompleted")
    same_batch = [
        e
        for e in h.history(run)
        if attributes(e).get("decisionTaskCompletedEventId") == first_decision["eventId"]
    ]
    assert len(same_batch) == 4


def test_an_activity_failure_reaches_the_workflow_with_the_original_exception() -> None:
    h, run, close = run_to_end(Shipping)
    assert result_of(close) == ["ShippingError", 7, "truck broke down"]
    failed = next(attributes(e) for e in h.history(run) if e["eventType"] == "ActivityTaskFailed")
    assert failed["reason"] == "ShippingError: truck broke down"
    error, frames = CONVERTER.loads(failed["details"])
    assert isinstance(error, ShippingError) and error.parcel == 7
    assert [frame[2] for frame in frames] == ["ship"]  # the activity's own frame, not the worker's


def test_an_unhandled_workflow_exception_fails_the_execution_with_reason_and_details() -> None:
    _, _, close = run_to_end(Unhandled)
    assert close["eventType"] == "WorkflowExecutionFailed"
    failed = attributes(close)
    assert failed["reason"] == "KeyError: 'no such order'"
    error, frames = CONVERTER.loads(failed["details"])
    assert isinstance(error, KeyError) and error.args == ("no such order",)
    assert frames[-1][2] == "run"  # the workflow method that raised


def test_a_timer_waits_on_the_virtual_clock_and_workflow_time_follows_it() -> None:
    h, run, close = run_to_end(Sleeper)
    assert result_of(close) == 3600
    assert [e["eventType"] for e in h.history(run) if e["eventType"].startswith("Timer")] == [
        "TimerStarted",
        "TimerFired",
    ]


def test_an_activity_start_to_close_timeout_raises_activity_task_timed_out_error() -> None:
    _, _, close = run_to_end(TimesOut, fail_activities={"Steps.slow": 1})
    assert result_of(close) == "START_TO_CLOSE"


def test_retry_activity_retries_with_durable_timers_between_attempts() -> None:
    Steps.attempts = 0
    h, run, close = run_to_end(Retried, activities=(Steps(), RetriedSteps()))
    assert result_of(close) == "ok after 3"
    types = [e["eventType"] for e in h.history(run)]
    assert types.count("ActivityTaskFailed") == 2 and types.count("TimerFired") == 2


def test_signals_reach_the_signal_method_in_order() -> None:
    h = Harness((Signalled,), (Steps(),))
    run = h.start(Signalled, "run")
    h.decide_once()
    for item in ("a", "b"):
        h.call(
            "SignalWorkflowExecution",
            {"domain": DOMAIN, **run, "signalName": "add", "input": CONVERTER.dumps([(item,), {}])},
        )
    h.run()
    assert result_of(h.close_event(run)) == ["a", "b"]


def test_a_cancel_request_runs_the_handler_and_cancels_the_workflow_leaving_its_timer_to_swf() -> None:
    Cancellable.cleaned_up = False
    h = Harness((Cancellable,), ())
    run = h.start(Cancellable, "run")
    h.decide_once()
    h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **run})
    h.run()
    types = [e["eventType"] for e in h.history(run)]
    # botoflow's rule: closed in the decision task that saw the request; SWF drops the open timer.
    assert types[-5:] == [
        "WorkflowExecutionCancelRequested",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "WorkflowExecutionCanceled",
    ]
    assert Cancellable.cleaned_up


def test_a_timer_cancelled_before_it_was_sent_never_reaches_swf() -> None:
    h, run, close = run_to_end(CatchesCancel)
    assert result_of(close) == "timer cancelled"
    assert not [e for e in h.history(run) if e["eventType"].startswith("Timer")]


def test_a_child_workflow_runs_and_its_result_reaches_the_parent() -> None:
    h = Harness((Parent, Child), (Steps(),))
    run = h.start(Parent, "run", 21)
    h.run()
    result, child_id = result_of(h.close_event(run))
    assert result == 42 and child_id == f"{run['runId']}:1"


def test_a_failing_child_raises_child_workflow_failed_error_with_its_cause() -> None:
    h = Harness((Parent, Child), (Steps(),))
    run = h.start(Parent, "run", -1)
    h.run()
    assert result_of(h.close_event(run)) == ["ChildWorkflowFailedError", "ValueError"]


def test_calling_the_running_workflows_execute_continues_as_new() -> None:
    h = Harness((Counter,), (Steps(),))
    run = h.start(Counter, "run", 1)
    h.run()
    assert h.close_event(run)["eventType"] == "WorkflowExecutionContinuedAsNew"
    closed = h.call("ListClosedWorkflowExecutions", {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}})
    statuses = sorted(info["closeStatus"] for info in closed["executionInfos"])
    assert statuses == ["COMPLETED", "CONTINUED_AS_NEW", "CONTINUED_AS_NEW"]


def test_activity_options_blocks_nest_and_override_the_decorators() -> None:
    h, run, _ = run_to_end(WithOptions)
    first, second = [attributes(e) for e in h.history(run) if e["eventType"] == "ActivityTaskScheduled"]
    assert (first["startToCloseTimeout"], first["scheduleToStartTimeout"], first["taskPriority"]) == (
        "99",
        "42",
        "5",
    )
    assert (second["startToCloseTimeout"], second["scheduleToStartTimeout"]) == ("60", "60")


def test_the_whole_history_replays_cold_without_divergence() -> None:
    for workflow, args in ((Doubling, (3,)), (FanOut, (3,)), (Sleeper, ()), (Shipping, ())):
        h, run, _ = run_to_end(workflow, *args)
        replay = ExecutionReplay(h.table, WorkflowExecution(run["workflowId"], run["runId"]), "tasks")
        assert replay.apply(h.history(run)).decisions == []


def test_feeding_events_in_chunks_gives_the_same_decisions_as_a_cold_replay() -> None:
    h, run, _ = run_to_end(FanOut, 5)
    history = h.history(run)
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    sticky = ExecutionReplay(h.table, execution, "tasks")
    for cut in (i + 1 for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"):
        cold = ExecutionReplay(h.table, execution, "tasks").apply(history[:cut]).decisions
        assert sticky.apply(history[:cut]).decisions == cold


# -- nondeterminism -------------------------------------------------------------------------------
@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Renamed:
    @activity("1.0", name="Steps.triple")
    def triple(self, x: int) -> int:
        return 3 * x


class DoublingChanged(WorkflowDefinition):
    """Doubling 1.0 after an incompatible edit: its second call is another activity."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        once = yield Steps.double(x)
        return (yield Renamed.triple(once))


class DoublingShortened(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        return x


def changed_lookup(definition: type) -> Any:
    return lambda name, version: (definition, definition._workflow_type_by_func["run"], "run")


def test_replaying_a_history_with_changed_code_names_both_calls_and_the_source_line() -> None:
    h, run, _ = run_to_end(Doubling, 5)
    replay = ExecutionReplay(
        changed_lookup(DoublingChanged), WorkflowExecution(run["workflowId"], run["runId"]), "tasks"
    )
    with pytest.raises(NondeterminismError) as info:
        replay.apply(h.history(run))
    message = str(info.value)
    assert "ScheduleActivityTask Steps.double 1.0 (id '2')" in message
    assert "ScheduleActivityTask Steps.triple 1.0 (id '2')" in message
    assert "test_replay.py:" in message and "new workflow version" in message


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Upgraded:
    @activity("2.0", name="Steps.double")
    def double(self, x: int) -> int:
        return 2 * x


class DoublingUpgraded(WorkflowDefinition):
    """Doubling 1.0 whose second call now asks for version 2.0 of the same activity."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        once = yield Steps.double(x)
        return (yield Upgraded.double(once))


def test_an_activity_recorded_under_another_version_is_a_divergence() -> None:
    h, run, _ = run_to_end(Doubling, 5)
    replay = ExecutionReplay(
        changed_lookup(DoublingUpgraded), WorkflowExecution(run["workflowId"], run["runId"]), "tasks"
    )
    with pytest.raises(NondeterminismError) as info:
        replay.apply(h.history(run))
    message = str(info.value)
    assert "history has ScheduleActivityTask Steps.double 1.0 (id '2')" in message
    assert "makes ScheduleActivityTask Steps.double 2.0 (id '2')" in message


def test_replaying_a_history_the_code_no_longer_makes_reports_where_the_code_is() -> None:
    h, run, _ = run_to_end(Doubling, 5)
    replay = ExecutionReplay(
        changed_lookup(DoublingShortened), WorkflowExecution(run["workflowId"], run["runId"]), "tasks"
    )
    with pytest.raises(
        NondeterminismError, match=r"history has ScheduleActivityTask Steps.double 1.0 \(id '1'\)"
    ):
        replay.apply(h.history(run))


def test_an_unknown_workflow_type_is_a_clear_error() -> None:
    h, run, _ = run_to_end(Doubling, 1)
    replay = ExecutionReplay({}, WorkflowExecution(run["workflowId"], run["runId"]), "tasks")
    with pytest.raises(TypeError, match=r"has no workflow Doubling version 1\.0"):
        replay.apply(h.history(run))


def test_workflow_logging_is_silent_while_replaying(caplog: pytest.LogCaptureFixture) -> None:
    from workflows import Chatty

    from awsflow.logging_filters import AwsflowFilter

    caplog.handler.addFilter(AwsflowFilter())
    with caplog.at_level(logging.INFO):
        h, _, close = run_to_end(Chatty)
    assert close["eventType"] == "WorkflowExecutionCompleted"
    assert len(h.records) == 4  # the code ran (replaying) four times...
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("test.")]
    assert messages == [  # ...but each line was written once, when it happened
        "workflow step 0",
        "plain step 0",
        "workflow step 1",
        "plain step 1",
        "workflow step 2",
        "plain step 2",
    ]


def test_a_workflow_signals_its_child_and_the_child_hears_it() -> None:
    from workflows import Listener, Talker

    h = Harness((Talker, Listener), ())
    run = h.start(Talker, "run")
    h.run()
    assert result_of(h.close_event(run)) == ["hello"]
    types = [e["eventType"] for e in h.history(run)]
    assert (
        "SignalExternalWorkflowExecutionInitiated" in types and "ExternalWorkflowExecutionSignaled" in types
    )
    assert all(record.error is None for record in h.records)


def test_a_workflow_cancels_its_child_and_sees_it_canceled() -> None:
    from workflows import Impatient, Listener

    h = Harness((Impatient, Listener), ())
    run = h.start(Impatient, "run")
    h.run()
    assert result_of(h.close_event(run)) == "ChildWorkflowCanceledError"
    assert "ExternalWorkflowExecutionCancelRequested" in [e["eventType"] for e in h.history(run)]


def test_swf_refusing_to_schedule_an_activity_raises_its_cause_in_the_workflow() -> None:
    from awsflow.exceptions import ScheduleActivityTaskFailedError, StartChildWorkflowExecutionFailedError

    @activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Unregistered:
        @activity("1.0", skip_registration=True)
        def ghost(self) -> None:
            return None

    class Orphan(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=60, skip_registration=True)
        def run(self) -> Any:
            return None

    class Refused(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self) -> Any:
            causes = []
            try:
                yield Unregistered.ghost()
            except ScheduleActivityTaskFailedError as error:
                causes.append(error.cause)
            try:
                yield Orphan.run()
            except StartChildWorkflowExecutionFailedError as error:
                causes.append(error.cause)
            return causes

    h = Harness((Refused, Orphan), (Unregistered(),))
    run = h.start(Refused, "run")
    h.run()
    assert result_of(h.close_event(run)) == ["ACTIVITY_TYPE_DOES_NOT_EXIST", "WORKFLOW_TYPE_DOES_NOT_EXIST"]


class DoublingWaitsInstead(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        yield Future()  # waits on something no history event resolves
        return x


def test_a_divergence_while_the_code_waits_names_the_line_it_waits_on() -> None:
    h, run, _ = run_to_end(Doubling, 5)
    replay = ExecutionReplay(
        changed_lookup(DoublingWaitsInstead), WorkflowExecution(run["workflowId"], run["runId"]), "tasks"
    )
    with pytest.raises(
        NondeterminismError, match=r"makes nothing \(the code waits at .*test_replay\.py:\d+\)"
    ):
        replay.apply(h.history(run))
