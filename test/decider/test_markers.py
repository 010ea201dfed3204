"""Versioning markers and deterministic helpers, replayed against the pure SWF engine (no I/O)."""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

import pytest
from harness import Harness
from workflows import Steps

import awsflow
from awsflow import workflow_time
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import activities, activity, execute, workflow
from awsflow.exceptions import NondeterminismError, NotInWorkflowError, RemoteExceptionStandIn
from awsflow.workers._registry import extract_workflows_dict
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    name = event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"
    return dict(event.get(name, {}))


def result_of(close: dict[str, Any]) -> Any:
    assert close["eventType"] == "WorkflowExecutionCompleted", close
    return CONVERTER.loads(attributes(close)["result"])


def marker_names(history: list[dict[str, Any]]) -> list[str]:
    return [attributes(e)["markerName"] for e in history if e["eventType"] == "MarkerRecorded"]


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Maths:
    @activity("1.0")
    def triple(self, x: int) -> int:
        return 3 * x


# -- one workflow, "Order" 1.0, in four deploys ---------------------------------------------------
@workflow(name="Order")
class OrderV1(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        first = yield Steps.double(x)
        yield workflow_time.sleep(60)
        return first


@workflow(name="Order")
class OrderV2(WorkflowDefinition):
    """V1 changed under open executions: triple instead of double, behind a patch."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        if awsflow.patched("triple"):
            first = yield Maths.triple(x)
        else:
            first = yield Steps.double(x)
        yield workflow_time.sleep(60)
        if awsflow.patched("triple"):  # the same id again: the same answer, no second marker
            first += 1000
        return first


@workflow(name="Order")
class OrderV3(WorkflowDefinition):
    """The cleanup deploy: only the new path, the patch deprecated."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        awsflow.deprecate_patch("triple")
        first = yield Maths.triple(x)
        yield workflow_time.sleep(60)
        return first + 1000


@workflow(name="Order")
class OrderPatchRemoved(WorkflowDefinition):
    """The new path only, the patch call dropped without deprecate_patch (a mistake)."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        first = yield Maths.triple(x)
        yield workflow_time.sleep(60)
        return first + 1000


ACTIVITIES = (Steps(), Maths())


def settle(h: Harness) -> None:
    """Decide and work until only the clock could move things on."""
    while h.decide_once() or h.work_once():
        pass


def history_of(definition: type, x: int) -> tuple[list[dict[str, Any]], WorkflowExecution]:
    h = Harness((definition,), ACTIVITIES)
    run = h.start(definition, "run", x)
    h.run()
    assert all(record.error is None for record in h.records), h.records
    return h.history(run), WorkflowExecution(run["workflowId"], run["runId"])


def replay_with(definition: type, history: list[dict[str, Any]], execution: WorkflowExecution) -> Any:
    return ExecutionReplay(extract_workflows_dict([definition]), execution, "tasks").apply(history)


def test_a_new_execution_takes_the_patched_path_and_records_its_marker_once() -> None:
    history, _ = history_of(OrderV2, 5)
    assert result_of(history[-1]) == 1015
    assert marker_names(history) == ["awsflow.patch.triple"]
    assert attributes(next(e for e in history if e["eventType"] == "MarkerRecorded"))["details"] == "triple"


def test_open_executions_keep_the_old_path_after_a_patched_deploy_and_new_ones_take_the_new() -> None:
    h = Harness((OrderV1,), ACTIVITIES)
    old = h.start(OrderV1, "run", 5, workflow_id="old")
    settle(h)  # the old execution waits on its timer, its first step done by V1
    h.table = extract_workflows_dict([OrderV2])  # the deploy: the same workflow type, new code
    new = h.start(OrderV2, "run", 5, workflow_id="new")
    h.run()
    assert all(record.error is None for record in h.records)
    assert result_of(h.close_event(old)) == 10
    assert result_of(h.close_event(new)) == 1015
    assert marker_names(h.history(old)) == []
    assert marker_names(h.history(new)) == ["awsflow.patch.triple"]


def test_an_execution_reaching_the_patch_first_after_the_deploy_takes_the_new_path() -> None:
    @workflow(name="Late")
    class LateV1(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self) -> Any:
            yield workflow_time.sleep(60)
            return (yield Steps.double(1))

    @workflow(name="Late")
    class LateV2(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self) -> Any:
            yield workflow_time.sleep(60)
            if awsflow.patched("late"):
                return (yield Maths.triple(1))
            return (yield Steps.double(1))

    h = Harness((LateV1,), ACTIVITIES)
    run = h.start(LateV1, "run")
    settle(h)
    h.table = extract_workflows_dict([LateV2])
    h.run()
    assert result_of(h.close_event(run)) == 3
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    assert replay_with(LateV2, h.history(run), execution).decisions == []


def test_a_patched_history_replays_cold_and_fed_in_chunks_without_divergence() -> None:
    history, execution = history_of(OrderV2, 5)
    assert replay_with(OrderV2, history, execution).decisions == []
    sticky = ExecutionReplay(extract_workflows_dict([OrderV2]), execution, "tasks")
    for cut in (i + 1 for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"):
        cold = replay_with(OrderV2, history[:cut], execution).decisions
        assert sticky.apply(history[:cut]).decisions == cold


def test_a_deprecated_patch_replays_histories_that_recorded_it() -> None:
    patched_history, execution = history_of(OrderV2, 5)
    assert replay_with(OrderV3, patched_history, execution).decisions == []
    new_history, _ = history_of(OrderV3, 5)
    assert result_of(new_history[-1]) == 1015
    assert marker_names(new_history) == []


def test_the_cleanup_deploy_diverges_on_a_history_that_took_the_old_path() -> None:
    old_history, execution = history_of(OrderV1, 5)
    with pytest.raises(NondeterminismError, match=r"Steps\.double.*Maths\.triple"):
        replay_with(OrderV3, old_history, execution)


def test_dropping_the_patch_without_deprecating_it_diverges_on_its_marker() -> None:
    patched_history, execution = history_of(OrderV2, 5)
    with pytest.raises(NondeterminismError, match=r"RecordMarker \(id 'awsflow\.patch\.triple'\)"):
        replay_with(OrderPatchRemoved, patched_history, execution)


def test_removing_the_new_path_diverges_on_a_history_that_took_it() -> None:
    patched_history, execution = history_of(OrderV2, 5)
    with pytest.raises(NondeterminismError, match=r"awsflow\.patch\.triple"):
        replay_with(OrderV1, patched_history, execution)


# -- deterministic helpers ------------------------------------------------------------------------
calls: list[str] = []


class Lucky(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        rolls = [awsflow.random().randint(1, 1_000_000) for _ in range(3)]
        ids = [str(awsflow.uuid4()) for _ in range(2)]
        when = workflow_time.now()
        token = awsflow.side_effect(lambda: calls.append("token") or f"token-{len(calls)}")
        try:
            awsflow.side_effect(lambda: 1 / 0)
            failure = None
        except ZeroDivisionError as error:
            failure = str(error)
        yield Steps.double(1)  # a second decision task: the code above replays in it
        return [rolls, ids, when.isoformat(), token, failure, workflow_time.time()]


def test_random_uuid_now_and_side_effects_are_the_same_on_every_replay() -> None:
    calls.clear()
    h = Harness((Lucky,), ACTIVITIES)
    run = h.start(Lucky, "run")
    h.run()
    history = h.history(run)
    rolls, ids, when, token, failure, seconds = result_of(history[-1])
    assert calls == ["token"]  # run once, though the code ran again in the second decision task
    assert token == "token-1"
    assert failure == "division by zero"
    assert all(uuid.UUID(i).version == 4 for i in ids) and len(set(ids)) == 2
    started = datetime.datetime.fromisoformat(when)
    assert started.tzinfo is not None and started.timestamp() == h.now and seconds == int(h.now)
    assert marker_names(history) == ["awsflow.side_effect.1", "awsflow.side_effect.2"]
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    assert replay_with(Lucky, history, execution).decisions == []
    assert calls == ["token"]
    # Another run draws another stream.
    other = h.start(Lucky, "run", workflow_id="other")
    h.run()
    assert result_of(h.close_event(other))[0] != rolls


class HoldsALock(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()  # the JSON converter cannot write it


class LockedSideEffect(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        def fail() -> None:
            raise HoldsALock("the vault is locked")

        try:
            awsflow.side_effect(fail)
        except RemoteExceptionStandIn as error:
            seen = [error.class_name, error.message, "cannot encode" in error.problem]
        yield Steps.double(1)  # a second decision task: the code above replays in it
        return seen


def test_a_side_effects_error_that_cannot_be_written_is_replayed_as_a_stand_in_naming_it() -> None:
    h = Harness((LockedSideEffect,), ACTIVITIES)
    run = h.start(LockedSideEffect, "run")
    h.run()
    assert all(record.error is None for record in h.records)
    history = h.history(run)
    assert result_of(history[-1]) == [f"{HoldsALock.__module__}:HoldsALock", "the vault is locked", True]
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    assert replay_with(LockedSideEffect, history, execution).decisions == []


def test_a_side_effect_the_history_lacks_is_a_divergence() -> None:
    class Plain(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self) -> Any:
            return (yield Steps.double(1))

    class WithSideEffect(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self) -> Any:
            awsflow.side_effect(lambda: "new")
            return (yield Steps.double(1))

    h = Harness((Plain,), ACTIVITIES)
    run = h.start(Plain, "run")
    h.run()
    lookup = lambda name, version: (WithSideEffect, WithSideEffect._workflow_type_by_func["run"], "run")  # noqa: E731
    replay = ExecutionReplay(lookup, WorkflowExecution(run["workflowId"], run["runId"]), "tasks")
    with pytest.raises(NondeterminismError, match=r"awsflow\.side_effect\.1"):
        replay.apply(h.history(run))


@pytest.mark.parametrize(
    "call",
    [
        lambda: awsflow.patched("x"),
        lambda: awsflow.deprecate_patch("x"),
        lambda: awsflow.random(),
        lambda: awsflow.uuid4(),
        lambda: awsflow.side_effect(lambda: 1),
        lambda: workflow_time.now(),
    ],
    ids=["patched", "deprecate_patch", "random", "uuid4", "side_effect", "now"],
)
def test_the_helpers_raise_a_clear_type_error_outside_workflow_code(call: Any) -> None:
    with pytest.raises(NotInWorkflowError, match=r"can only be called from workflow code") as info:
        call()
    assert isinstance(info.value, TypeError)


def test_a_change_id_must_fit_in_a_marker_name() -> None:
    class TooLong(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self) -> Any:
            awsflow.patched("x" * 300)
            return None

    h = Harness((TooLong,), ACTIVITIES)
    run = h.start(TooLong, "run")
    h.run()
    close = h.close_event(run)
    assert close["eventType"] == "WorkflowExecutionFailed"
    assert "at most 242" in attributes(close)["reason"]


class Stamped(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        stamp = awsflow.side_effect(lambda: calls.append("stamp") or "stamp")
        first = yield Steps.double(awsflow.random().randint(1, 100))
        second = yield Steps.double(first)
        return [stamp, second, str(awsflow.uuid4())]


def test_side_effects_and_random_replay_the_same_fed_in_chunks() -> None:
    calls.clear()
    h = Harness((Stamped,), ACTIVITIES)
    run = h.start(Stamped, "run")
    h.run()
    assert calls == ["stamp"]
    history = h.history(run)
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    sticky = ExecutionReplay(extract_workflows_dict([Stamped]), execution, "tasks")
    cuts = [i + 1 for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"]
    for cut in cuts:
        cold = replay_with(Stamped, history[:cut], execution).decisions
        assert sticky.apply(history[:cut]).decisions == cold
    assert sticky.apply(history).decisions == []
    # fn ran again only where the first decision task was decided anew (cold, then kept).
    assert calls == ["stamp", "stamp", "stamp"]


def refuse_markers(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history as SWF writes it when a policy forbids markers (RecordMarkerFailed)."""
    refused = []
    for event in history:
        if event["eventType"] == "MarkerRecorded":
            recorded = attributes(event)
            event = {
                "eventId": event["eventId"],
                "eventType": "RecordMarkerFailed",
                "eventTimestamp": event["eventTimestamp"],
                "recordMarkerFailedEventAttributes": {
                    "markerName": recorded["markerName"],
                    "cause": "OPERATION_NOT_PERMITTED",
                    "decisionTaskCompletedEventId": recorded["decisionTaskCompletedEventId"],
                },
            }
        refused.append(event)
    return refused


def test_a_refused_patch_marker_still_replays_the_new_path() -> None:
    history, execution = history_of(OrderV2, 5)
    assert replay_with(OrderV2, refuse_markers(history), execution).decisions == []


def test_a_refused_side_effect_marker_cannot_be_replayed() -> None:
    calls.clear()
    h = Harness((Stamped,), ACTIVITIES)
    run = h.start(Stamped, "run")
    h.run()
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    replay = ExecutionReplay(extract_workflows_dict([Stamped]), execution, "tasks")
    # The call raises NondeterminismError in the code (its value is lost), which then fails
    # where the history went on: the replay diverges instead of running fn again.
    with pytest.raises(NondeterminismError, match=r"FailWorkflowExecution.*OPERATION_NOT_PERMITTED"):
        replay.apply(refuse_markers(h.history(run)))
    assert calls == ["stamp"]
