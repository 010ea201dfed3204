"""awsflow.fanout against the pure SWF engine: the window, ramp-up, stopping, batches, replay."""

from __future__ import annotations

import os
from typing import Any

import pytest
from harness import Harness
from hypothesis import given, settings
from hypothesis import strategies as st

from awsflow import FanoutError, RetryPolicy, fanout
from awsflow._workflow import FanoutBatch
from awsflow.core import CancelledError
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import activities, activity, execute
from awsflow.exceptions import ActivityTaskFailedError, ChildWorkflowFailedError, NondeterminismError
from awsflow.options import activity_options, workflow_options
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()
OPENS = {"ActivityTaskScheduled", "StartChildWorkflowExecutionInitiated"}
CLOSES = {
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskTimedOut",
    "ActivityTaskCanceled",
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTerminated",
}


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Squares:
    @activity("1.0")
    def square(self, n: int) -> int:
        if n < 0:
            raise ArithmeticError(f"no square for {n}")
        return n * n


flaky_once: set[int] = set()


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Shaky:
    @activity("1.0", retry_policy=RetryPolicy(initial_interval=2, non_retryable=(ArithmeticError,)))
    def square(self, n: int) -> int:
        """Fails once with OSError for the inputs in ``flaky_once``; never squares a negative."""
        if n in flaky_once:
            flaky_once.discard(n)
            raise OSError(f"{n} lost")
        if n < 0:
            raise ArithmeticError(f"no square for {n}")
        return n * n


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Choosy:
    @activity("1.0", retry_policy=RetryPolicy(initial_interval=2, maximum_attempts=3, retryable=(OSError,)))
    def square(self, n: int) -> int:
        """Like Shaky.square, under an allow-list: only the OSError is retried."""
        if n in flaky_once:
            flaky_once.discard(n)
            raise OSError(f"{n} lost")
        if n < 0:
            raise ArithmeticError(f"no square for {n}")
        return n * n


class ChoosyAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, inputs: list[int]) -> Any:
        try:
            return (yield fanout(Choosy.square, inputs, max_concurrency=4, batch_size=5))
        except FanoutError as error:
            return [error.index, repr(error.cause.cause), error.cause.attempts]


class ShakyAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, inputs: list[int]) -> Any:
        try:
            return (yield fanout(Shaky.square, inputs, max_concurrency=4, batch_size=5))
        except FanoutError as error:
            return [error.index, repr(error.cause.cause), error.cause.attempts]


class SquareRange(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, count: int) -> Any:
        return (yield fanout(Squares.square, range(count), max_concurrency=50))


class SquarePrioritised(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        with activity_options(task_priority=9, start_to_close_timeout=42):
            squares = fanout(Squares.square, range(6), max_concurrency=2)
        return (yield squares)


class SquareAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, inputs: list[int], options: dict[str, Any]) -> Any:
        try:
            return (yield fanout(Squares.square, inputs, **options))
        except FanoutError as error:
            cause = error.cause.cause if isinstance(error.cause, ActivityTaskFailedError) else error.cause
            return {
                "index": error.index,
                "input": error.input,
                "cause": repr(cause),
                "failed": sorted(error.failures),
                "stopped": error.stopped,
                "results": error.results,
            }


class SquareChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        return (yield Squares.square(n))


class SquareChildren(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, inputs: list[int]) -> Any:
        try:
            return (yield fanout(SquareChild.run, inputs, max_concurrency=3))
        except FanoutError as error:
            return [
                error.index,
                type(error.cause).__name__,
                isinstance(error.cause, ChildWorkflowFailedError),
            ]


class CancelledFanout(WorkflowDefinition):
    """Cancels its own fan-out once it has started."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        future = fanout(Squares.square, range(10), max_concurrency=4)
        yield Squares.square(0)  # let the first decision go out
        future.cancel()
        try:
            yield future
        except CancelledError:
            return "cancelled"


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get(event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes", {}))


def result_of(history: list[dict[str, Any]]) -> Any:
    close = history[-1]
    assert close["eventType"] == "WorkflowExecutionCompleted", close
    return CONVERTER.loads(attributes(close)["result"])


def open_counts(history: list[dict[str, Any]]) -> list[int]:
    """The number of activities and children open after each event."""
    counts, open_now = [], 0
    for event in history:
        if event["eventType"] in OPENS:
            open_now += 1
        elif event["eventType"] in CLOSES:
            open_now -= 1
        counts.append(open_now)
    return counts


def run(workflow: type, *args: Any, **harness: Any) -> tuple[Harness, list[dict[str, Any]]]:
    h = Harness((workflow, SquareChild, FanoutBatch), (Squares(), Shaky(), Choosy()), **harness)
    started = h.start(workflow, "run", *args)
    h.run(max_steps=20_000)
    return h, h.history(started)


def test_results_come_in_input_order_with_never_more_than_the_limit_open() -> None:
    _, history = run(SquareAll, list(range(30)), {"max_concurrency": 5})
    assert result_of(history) == [n * n for n in range(30)]
    assert max(open_counts(history)) == 5


def test_ramp_up_raises_the_limit_from_one_to_the_maximum_on_durable_timers() -> None:
    h = Harness((SquareAll,), (Squares(),))
    started = h.start(SquareAll, "run", list(range(12)), {"max_concurrency": 4, "ramp_up": 30})
    assert h.decide_once()
    history = h.history(started)
    assert open_counts(history)[-1] == 1
    timers = [attributes(e)["startToFireTimeout"] for e in history if e["eventType"] == "TimerStarted"]
    assert timers == ["10"]  # the limit grows by one every 10 s: 30 s for the 3 steps from 1 to 4
    for expected in (2, 3, 4):  # no activity runs: only the timers move the fan-out on
        h.now = h.engine.next_deadline()
        h.engine.advance(h.now)
        assert h.decide_once()
        assert open_counts(h.history(started))[-1] == expected
    h.run()
    history = h.history(started)
    assert result_of(history) == [n * n for n in range(12)]
    assert max(open_counts(history)) == 4
    assert sum(e["eventType"] == "TimerStarted" for e in history) == 3  # none after the maximum


def test_the_first_failure_stops_the_fanout_cancels_the_open_calls_and_names_the_input() -> None:
    inputs = list(range(20))
    inputs[7] = -7
    _, history = run(SquareAll, inputs, {"max_concurrency": 4})
    report = result_of(history)
    assert (report["index"], report["input"], report["stopped"]) == (7, -7, True)
    assert report["cause"] == "ArithmeticError('no square for -7')"
    scheduled = [attributes(e)["input"] for e in history if e["eventType"] == "ActivityTaskScheduled"]
    assert len(scheduled) < 20  # the rest never started
    assert open_counts(history)[-1] == 0  # nothing left open when the workflow closed


def test_without_stop_on_failure_every_input_runs_and_all_failures_are_reported() -> None:
    inputs = [1, -2, 3, -4, 5]
    _, history = run(SquareAll, inputs, {"max_concurrency": 2, "stop_on_failure": False})
    report = result_of(history)
    assert (report["index"], report["failed"], report["stopped"]) == (1, [1, 3], False)
    assert report["results"] == [1, None, 9, None, 25]


def test_child_workflows_fan_out_too_and_a_failing_child_is_named() -> None:
    _, history = run(SquareChildren, [1, 2, 3, 4, 5, 6])
    assert result_of(history) == [1, 4, 9, 16, 25, 36]
    assert max(open_counts(history)) == 3
    _, failing = run(SquareChildren, [1, 2, -3, 4, 5, 6])
    assert result_of(failing) == [2, "ChildWorkflowFailedError", True]


def test_cancelling_the_fanout_cancels_its_open_activities() -> None:
    _, history = run(CancelledFanout)
    assert result_of(history) == "cancelled"
    assert any(e["eventType"] == "ActivityTaskCancelRequested" for e in history)


def test_a_batched_fanout_splits_the_limit_among_child_workflows_and_keeps_input_order() -> None:
    h, history = run(SquareAll, list(range(40)), {"max_concurrency": 6, "batch_size": 10})
    assert result_of(history) == [n * n for n in range(40)]
    children = [attributes(e) for e in history if e["eventType"] == "ChildWorkflowExecutionStarted"]
    shares = []
    for child in children:
        run_ = {
            "workflowId": child["workflowExecution"]["workflowId"],
            "runId": child["workflowExecution"]["runId"],
        }
        child_history = h.history(run_)
        spec = CONVERTER.loads(attributes(child_history[0])["input"])[0][0]
        shares.append(spec["max_concurrency"])
        assert max(open_counts(child_history)) == spec["max_concurrency"]
    assert sorted(shares) == [1, 1, 2, 2] and sum(shares) == 6  # all four open at once


def test_a_failing_input_in_a_batch_is_reported_with_its_index_in_the_whole_fanout() -> None:
    inputs = list(range(30))
    inputs[23] = -1
    _, history = run(SquareAll, inputs, {"max_concurrency": 3, "batch_size": 10})
    report = result_of(history)
    assert (report["index"], report["input"]) == (23, -1)
    assert "no square for -1" in report["cause"]


def test_fanout_refuses_bad_arguments_with_clear_errors() -> None:
    class Misused(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=60)
        def run(self, case: str) -> Any:
            cases = {
                "limit": lambda: fanout(Squares.square, [1], max_concurrency=0),
                "too many": lambda: fanout(Squares.square, [1], max_concurrency=1001),
                "ramp": lambda: fanout(Squares.square, [1], max_concurrency=1, ramp_up=-1),
                "callee": lambda: fanout(len, [1], max_concurrency=1),
                "one id": lambda: one_id_for_all(),
                "itself": lambda: fanout(self.run, ["limit"], max_concurrency=1),
            }

            def one_id_for_all() -> Any:
                with workflow_options(workflow_id="the-same"):
                    return fanout(SquareChild.run, [1, 2], max_concurrency=2)

            try:
                cases[case]()
            except (ValueError, TypeError) as error:
                return f"{type(error).__name__}: {error}"
            return "accepted"
            yield

    for case, expected in [
        ("limit", "ValueError: max_concurrency must be an int from 1 to 1000"),
        ("too many", "ValueError: max_concurrency must be an int from 1 to 1000"),
        ("ramp", "ValueError: ramp_up must be seconds >= 0"),
        ("callee", "TypeError: fanout runs an activity (MyActivities.work) or a workflow's"),
        ("one id", "ValueError: workflow_options(workflow_id=...) around a fan-out would give every"),
        ("itself", "TypeError: fanout of this workflow's own @execute method would continue it as new"),
    ]:
        _, history = run(Misused, case)
        assert result_of(history).startswith(expected)
    with pytest.raises(TypeError, match="only be called from workflow code"):
        fanout(Squares.square, [1], max_concurrency=1)


def test_a_fanout_history_replays_cold_and_diverges_when_the_limit_changes() -> None:
    h, history = run(SquareAll, list(range(10)), {"max_concurrency": 3})
    run_id = h.call(
        "ListClosedWorkflowExecutions", {"domain": "harness", "startTimeFilter": {"oldestDate": 0}}
    )
    execution = WorkflowExecution("wf", run_id["executionInfos"][0]["execution"]["runId"])
    ExecutionReplay(h.table, execution, "tasks").apply(history)  # the same code: no divergence
    edited = list(history)
    started = attributes(edited[0])
    started["input"] = CONVERTER.dumps([[list(range(10)), {"max_concurrency": 4}], {}])
    edited[0] = {**edited[0], "workflowExecutionStartedEventAttributes": started}

    with pytest.raises(NondeterminismError):
        ExecutionReplay(h.table, execution, "tasks").apply(edited)


def test_batches_carry_the_activitys_retry_policy_and_its_non_retryable_classes() -> None:
    flaky_once.update({3, 12})
    h, history = run(ShakyAll, list(range(20)))
    assert result_of(history) == [n * n for n in range(20)]
    retried = []
    for started in [attributes(e) for e in history if e["eventType"] == "ChildWorkflowExecutionStarted"]:
        batch = h.history(
            {
                "workflowId": started["workflowExecution"]["workflowId"],
                "runId": started["workflowExecution"]["runId"],
            }
        )
        retried += [attributes(e)["activityId"] for e in batch if e["eventType"] == "ActivityTaskScheduled"]
    assert sum(activity_id.endswith("-attempt-2") for activity_id in retried) == 2
    inputs = list(range(20))
    inputs[16] = -16
    _, failing = run(ShakyAll, inputs)
    assert result_of(failing) == [16, "ArithmeticError('no square for -16')", 1]


def test_batches_carry_the_retry_policys_allow_list() -> None:
    flaky_once.update({3})
    inputs = list(range(10))
    inputs[7] = -7
    _, history = run(ChoosyAll, inputs)
    # The OSError of input 3 was retried; the ArithmeticError, outside the allow-list, was not.
    assert result_of(history) == [7, "ArithmeticError('no square for -7')", 1]
    assert not flaky_once


def test_inputs_past_the_history_budget_are_batched_by_themselves_and_none_run_with_no_inputs() -> None:
    h = Harness((SquareRange, FanoutBatch), (Squares(),))
    large = h.start(SquareRange, "run", 3_001, workflow_id="large")
    assert h.decide_once()
    starts = [
        attributes(e) for e in h.history(large) if e["eventType"] == "StartChildWorkflowExecutionInitiated"
    ]
    assert [a["workflowType"]["name"] for a in starts] == [
        "awsflow.FanoutBatch"
    ] * 4  # 1,000 + 1,000 + 1,000 + 1
    specs = [CONVERTER.loads(a["input"])[0][0] for a in starts]
    assert [len(spec["inputs"]) for spec in specs] == [1_000, 1_000, 1_000, 1]
    assert sum(spec["max_concurrency"] for spec in specs) == 50
    _, empty = run(SquareRange, 0)
    assert result_of(empty) == []
    assert not [e for e in empty if e["eventType"] == "ActivityTaskScheduled"]


def test_the_options_around_the_fanout_call_apply_to_every_input_even_those_started_later() -> None:
    _, history = run(SquarePrioritised)
    assert result_of(history) == [n * n for n in range(6)]
    scheduled = [attributes(e) for e in history if e["eventType"] == "ActivityTaskScheduled"]
    assert [(a["taskPriority"], a["startToCloseTimeout"]) for a in scheduled] == [("9", "42")] * 6


@settings(max_examples=int(os.environ.get("AWSFLOW_PROPERTY_EXAMPLES", "30")), deadline=None)
@given(
    count=st.integers(0, 25),
    limit=st.integers(1, 6),
    ramp_up=st.sampled_from([0, 15]),
    failing=st.one_of(st.none(), st.integers(0, 24)),
    actions=st.lists(st.sampled_from(["decide", "work", "tick"]), max_size=80),
)
def test_whatever_the_interleaving_the_limit_holds_and_results_keep_input_order(
    count: int, limit: int, ramp_up: int, failing: int | None, actions: list[str]
) -> None:
    inputs = list(range(count))
    if failing is not None and failing < count:
        inputs[failing] = -1
    h = Harness((SquareAll,), (Squares(),))
    started = h.start(SquareAll, "run", inputs, {"max_concurrency": limit, "ramp_up": ramp_up})
    for action in actions:
        if action == "decide":
            h.decide_once()
        elif action == "work":
            h.work_once()
        else:
            h.now += 7
            h.engine.advance(h.now)
    h.run()
    history = h.history(started)
    assert max(open_counts(history), default=0) <= limit
    assert open_counts(history)[-1] == 0
    outcome = result_of(history)
    if isinstance(outcome, dict) and "TimedOut" in outcome["cause"]:
        return  # the clock jumps can time activities out: a legitimate way for a fan-out to stop
    if -1 in inputs:
        assert outcome["index"] == inputs.index(-1)
    else:
        assert outcome == [n * n for n in inputs]


def test_a_failure_in_the_decision_that_starts_the_next_input_withdraws_it_and_ends_at_once() -> None:
    # One decision task sees input 0 complete (so input 2 is started) and input 1 fail (so input
    # 2, not yet sent, is withdrawn): the fan-out must settle that at once, not wait for it.
    h = Harness((SquareAll,), (Squares(),))
    started = h.start(SquareAll, "run", [0, -1, 2], {"max_concurrency": 2})
    assert h.decide_once() and h.work_once() and h.work_once()
    h.run()
    history = h.history(started)
    assert result_of(history)["index"] == 1
    assert [attributes(e)["activityId"] for e in history if e["eventType"] == "ActivityTaskScheduled"] == [
        "1",
        "2",
    ]


def test_a_failing_batch_cancels_the_batches_still_running_and_each_cancels_its_activities() -> None:
    inputs = list(range(30))
    inputs[0] = -5
    h, history = run(SquareAll, inputs, {"max_concurrency": 3, "batch_size": 10})
    report = result_of(history)
    assert (report["index"], report["input"], report["stopped"]) == (0, -5, True)
    types = [e["eventType"] for e in history]
    assert types.count("RequestCancelExternalWorkflowExecutionInitiated") == 2
    assert types.count("ChildWorkflowExecutionCanceled") == 2
    for started in [attributes(e) for e in history if e["eventType"] == "ChildWorkflowExecutionStarted"]:
        execution = started["workflowExecution"]
        batch = h.history({"workflowId": execution["workflowId"], "runId": execution["runId"]})
        if batch[-1]["eventType"] != "WorkflowExecutionCanceled":
            assert open_counts(batch)[-1] == 0  # the failed batch waited for its activities
            continue
        # Canceled, every batch asked SWF to cancel the activities it still had open as it closed.
        scheduled = {
            e["eventId"]: attributes(e)["activityId"]
            for e in batch
            if e["eventType"] == "ActivityTaskScheduled"
        }
        closed = {attributes(e)["scheduledEventId"] for e in batch if e["eventType"] in CLOSES}
        still_open = sorted(activity for event_id, activity in scheduled.items() if event_id not in closed)
        closing = batch[-1]["workflowExecutionCanceledEventAttributes"]["decisionTaskCompletedEventId"]
        requested = [
            attributes(e)["activityId"]
            for e in batch
            if e["eventType"] == "ActivityTaskCancelRequested"
            and attributes(e)["decisionTaskCompletedEventId"] == closing
        ]
        assert still_open and sorted(requested) == still_open
