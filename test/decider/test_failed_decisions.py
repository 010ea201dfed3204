"""Replaying decision tasks answered with awsflow's failure marker and retry timer.

The failed tasks are invisible to the workflow's code: its decisions, their ids, the names of its
own markers and timers and its results are those of a run that never failed, whichever task
failed, the one that would have closed the run included.
"""

from __future__ import annotations

from typing import Any

from harness import DOMAIN, TASK_LIST, Harness
from history_checks import decision_keys, recorded_keys
from workflows import Steps

import awsflow
from awsflow import workflow_time
from awsflow._swf import attributes_of
from awsflow.decider import ExecutionReplay
from awsflow.decision_failures import (
    current_failure,
    failure_decisions,
    is_failure_marker,
    is_retry_timer,
    next_attempt,
)
from awsflow.decorators import execute
from awsflow.exceptions import NondeterminismError
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution


class Counted(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        doubled = yield Steps.double(1)
        drawn = awsflow.side_effect(lambda: 7)
        if awsflow.patched("bonus"):
            doubled += 100
        yield workflow_time.sleep(5)
        more = yield [Steps.double(2), Steps.double(3)]
        return doubled + drawn + sum(more)


def _fail_next_task(h: Harness) -> None:
    """Poll the next decision task and answer it as a worker whose code raised."""
    task = h.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
    assert task is not None
    attempt = next_attempt(h.history(task["workflowExecution"]))
    decisions = failure_decisions(NondeterminismError("boom"), task["startedEventId"], attempt)
    h.call("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions})


def _code_decisions(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every decision the history recorded, failed tasks' answers left out."""
    keys: list[tuple[str, str]] = []
    for event in history:
        if event["eventType"] == "DecisionTaskStarted":
            recorded = recorded_keys(history, event["eventId"]) or []
            if not any(is_retry_timer(key) for _, key in recorded):
                keys.extend(recorded)
    return keys


def _run(fail_at: set[int]) -> tuple[Harness, dict[str, str]]:
    """Run Counted, failing the decision tasks numbered in ``fail_at`` (0 is the first)."""
    h = Harness((Counted,), (Steps(),))
    run = h.start(Counted, "run")
    task = 0
    for _ in range(200):
        if task in fail_at:
            pending = h.call("CountPendingDecisionTasks", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
            if pending["count"]:  # the code's task-th decision task fails once, is then retried
                _fail_next_task(h)
                fail_at = fail_at - {task}
                continue
        if h.decide_once():
            task += 1
            continue
        if h.work_once():
            continue
        deadline = h.engine.next_deadline()
        if deadline is None or h.open_count() == 0:
            break
        h.now = max(h.now, deadline)
        h.engine.advance(h.now)
    return h, run


def test_failed_tasks_change_nothing_the_code_decides_including_the_closing_one() -> None:
    clean, clean_run = _run(set())
    assert clean.close_event(clean_run)["eventType"] == "WorkflowExecutionCompleted"
    clean_history = clean.history(clean_run)
    last_task = sum(1 for e in clean_history if e["eventType"] == "DecisionTaskCompleted") - 1
    for fail_at in ({0}, {1}, {2}, {1, 2}, {last_task}, {0, 1, 2, last_task}):
        h, run = _run(fail_at)
        history = h.history(run)
        closed = h.close_event(run)
        assert closed["eventType"] == "WorkflowExecutionCompleted", fail_at
        assert attributes_of(closed)["result"] == attributes_of(clean_history[-1])["result"]
        markers = [attributes_of(e)["markerName"] for e in history if e["eventType"] == "MarkerRecorded"]
        assert sum(map(is_failure_marker, markers)) == len(fail_at)
        assert [m for m in markers if not is_failure_marker(m)] == [
            "awsflow.side_effect.1",
            "awsflow.patch.bonus",
        ]
        assert _code_decisions(history) == _code_decisions(clean_history), fail_at
        assert all(record.error is None for record in h.records)
        assert current_failure(history) is None  # closed

        # Every prefix replays to the decisions recorded after it, cold and fed in pieces.
        execution = WorkflowExecution(run["workflowId"], run["runId"])
        sticky = ExecutionReplay(h.table, execution, TASK_LIST)
        fed = 0
        for index, event in enumerate(history):
            if event["eventType"] != "DecisionTaskStarted":
                continue
            cold = ExecutionReplay(h.table, execution, TASK_LIST).apply(history[: index + 1]).decisions
            recorded = recorded_keys(history, event["eventId"])
            if recorded is not None and not any(is_retry_timer(key) for _, key in recorded):
                # (history_checks keys a decision's marker by kind only, its event by name too)
                assert decision_keys(cold) == [(k, "" if k == "RecordMarker" else i) for k, i in recorded]
            assert sticky.apply(history[fed : index + 1]).decisions == cold
            fed = index + 1


def test_a_streak_counts_its_attempts_and_ends_with_a_decided_task() -> None:
    h = Harness((Counted,), (Steps(),))
    run = h.start(Counted, "run")
    _fail_next_task(h)
    failure = current_failure(h.history(run))
    assert (
        failure is not None and failure.attempts == 1 and failure.error_type.endswith("NondeterminismError")
    )
    h.now = h.engine.next_deadline() or h.now  # the retry timer fires: another decision task
    h.engine.advance(h.now)
    _fail_next_task(h)
    failure = current_failure(h.history(run))
    assert failure is not None and failure.attempts == 2
    assert failure.next_retry_at is not None and failure.failed_at is not None
    assert (failure.next_retry_at - failure.failed_at).total_seconds() == 20
    h.run()
    assert h.close_event(run)["eventType"] == "WorkflowExecutionCompleted"
    assert current_failure(h.history(run)[:-1]) is None  # the fixed decision ended the streak


def test_a_refused_failure_marker_still_reads_as_a_task_that_decided_nothing() -> None:
    h, run = _run({1})
    history = h.history(run)
    refused = []
    for event in history:  # as if an IAM policy refused the marker (SWF: RecordMarkerFailed)
        if event["eventType"] == "MarkerRecorded" and is_failure_marker(attributes_of(event)["markerName"]):
            attributes = attributes_of(event)
            event = {
                "eventId": event["eventId"],
                "eventType": "RecordMarkerFailed",
                "eventTimestamp": event["eventTimestamp"],
                "recordMarkerFailedEventAttributes": {
                    "markerName": attributes["markerName"],
                    "cause": "OPERATION_NOT_PERMITTED",
                    "decisionTaskCompletedEventId": attributes["decisionTaskCompletedEventId"],
                },
            }
        refused.append(event)
    assert refused != history
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    for index, event in enumerate(history):
        if event["eventType"] == "DecisionTaskStarted":
            expected = ExecutionReplay(h.table, execution, TASK_LIST).apply(history[: index + 1]).decisions
            assert (
                ExecutionReplay(h.table, execution, TASK_LIST).apply(refused[: index + 1]).decisions
                == expected
            )


class Flaky(WorkflowDefinition):
    """A workflow whose instance cannot be made in its first ``failures_left`` decision tasks
    (a decider-side failure, not the workflow's: the run is not failed, the task is retried)."""

    failures_left = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if Flaky.failures_left:
            Flaky.failures_left -= 1
            raise RuntimeError("not deployed yet")
        super().__init__(*args, **kwargs)

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield Steps.double(4))


def test_the_harness_answers_a_raising_decider_as_the_worker_does_and_retries_it() -> None:
    Flaky.failures_left = 2
    h = Harness((Flaky,), (Steps(),))
    run = h.start(Flaky, "run")
    h.run()  # not a time-out per failure: a marker and a retry timer, as WorkflowWorker answers
    history = h.history(run)
    assert h.close_event(run)["eventType"] == "WorkflowExecutionCompleted"
    assert [type(r.error) for r in h.records[:2]] == [RuntimeError, RuntimeError]
    assert [r.decisions for r in h.records[:2]] == [None, None]
    types = [e["eventType"] for e in history]
    assert "DecisionTaskTimedOut" not in types
    markers = [attributes_of(e)["markerName"] for e in history if e["eventType"] == "MarkerRecorded"]
    assert sum(map(is_failure_marker, markers)) == 2
    timers = [attributes_of(e)["timerId"] for e in history if e["eventType"] == "TimerStarted"]
    assert len(timers) == 2 and all(map(is_retry_timer, timers))
    assert current_failure(history[:-1]) is None
