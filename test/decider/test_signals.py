"""Signals whose input is not awsflow's ``[args, kwargs]`` (any SWF client can send one) must not
wedge the run: recorded as an ``awsflow.malformed-signal`` marker and skipped, or — with
``@signal(strict=True)`` — failing the workflow with a clear reason. Replay stays deterministic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harness import DOMAIN, Harness

import awsflow
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import execute, signal
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()
MARKER = "awsflow.malformed-signal"


class Inbox(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.items: list[str] = []
        yield awsflow.wait_condition(lambda: bool(self.items))
        return self.items

    @signal()
    def add(self, item: str) -> None:
        self.items.append(item)


class StrictInbox(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.items: list[str] = []
        yield awsflow.wait_condition(lambda: bool(self.items))
        return self.items

    @signal(strict=True)
    def add(self, item: str) -> None:
        self.items.append(item)


MALFORMED = {
    "a JSON string": ('"hello"', "input must encode [args, kwargs]"),
    "not JSON": ("hello", "cannot be read: JSONDecodeError"),
    "a JSON object of unknown names": ('{"item": "a", "sku": 1}', "got an unexpected keyword argument 'sku'"),
    "too many arguments": ('[{"__tuple":["a","b"]},{}]', "too many positional arguments"),
    "no arguments": ("", "missing a required argument: 'item'"),
    "args that are a string": ('["ab",{}]', "input must encode [args, kwargs]"),
    "an unknown tag": ('{"__obj":["os:system",{}]}', "cannot be read"),
}


def signal_run(h: Harness, run: dict[str, str], raw: str | None) -> None:
    request: dict[str, Any] = {"domain": DOMAIN, **run, "signalName": "add"}
    if raw:
        request["input"] = raw
    h.call("SignalWorkflowExecution", request)


def settle(h: Harness) -> None:
    """Decide and work until nothing is left to do now (no time passes: the run stays open)."""
    while h.decide_once() or h.work_once():
        pass


def markers(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        json.loads(e["markerRecordedEventAttributes"]["details"])
        for e in history
        if e["eventType"] == "MarkerRecorded" and e["markerRecordedEventAttributes"]["markerName"] == MARKER
    ]


@pytest.mark.parametrize(("raw", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_signal_is_recorded_skipped_and_a_later_valid_one_is_handled(
    raw: str, problem: str
) -> None:
    h = Harness((Inbox,), ())
    run = h.start(Inbox, "run")
    h.decide_once()
    signal_run(h, run, raw)
    settle(h)
    assert all(record.error is None for record in h.records)  # no decision task failed
    history = h.history(run)
    assert history[-1]["eventType"] == "MarkerRecorded"  # still open, waiting for a valid signal
    (recorded,) = markers(history)
    signaled = next(e for e in history if e["eventType"] == "WorkflowExecutionSignaled")
    assert recorded["signalName"] == "add" and recorded["eventId"] == signaled["eventId"]
    assert problem in recorded["problem"]
    assert recorded["input"] == raw
    signal_run(h, run, CONVERTER.dumps([("apple",), {}]))
    settle(h)
    closed = h.close_event(run)
    assert closed["eventType"] == "WorkflowExecutionCompleted"
    assert CONVERTER.loads(closed["workflowExecutionCompletedEventAttributes"]["result"]) == ["apple"]


def test_a_malformed_signals_history_replays_to_the_same_decisions_cold_and_in_chunks() -> None:
    h = Harness((Inbox,), ())
    run = h.start(Inbox, "run")
    h.decide_once()
    signal_run(h, run, "hello")
    h.decide_once()
    signal_run(h, run, '"again"')
    signal_run(h, run, CONVERTER.dumps([("pear",), {}]))
    settle(h)
    history = h.history(run)
    assert history[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert len(markers(history)) == 2
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    assert ExecutionReplay(h.table, execution, "tasks").apply(history).decisions == []
    sticky = ExecutionReplay(h.table, execution, "tasks")
    for cut in (i + 1 for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"):
        cold = ExecutionReplay(h.table, execution, "tasks").apply(history[:cut]).decisions
        assert sticky.apply(history[:cut]).decisions == cold


def test_a_long_malformed_input_is_cut_in_its_marker_and_says_so() -> None:
    h = Harness((Inbox,), ())
    run = h.start(Inbox, "run")
    h.decide_once()
    signal_run(h, run, "x" * 30_000)
    h.decide_once()
    (recorded,) = markers(h.history(run))
    assert recorded["input"] == "x" * 1000 + "... (30000 characters, cut)"


def test_a_strict_signal_fails_the_workflow_naming_the_signal_and_why() -> None:
    h = Harness((StrictInbox,), ())
    run = h.start(StrictInbox, "run")
    h.decide_once()
    signal_run(h, run, '{"sku": 1}')
    settle(h)
    assert all(record.error is None for record in h.records)
    closed = h.close_event(run)
    failed = closed["workflowExecutionFailedEventAttributes"]
    signaled = next(e for e in h.history(run) if e["eventType"] == "WorkflowExecutionSignaled")
    assert failed["reason"].startswith(
        f"MalformedSignalError: signal 'add' (event {signaled['eventId']}) is malformed: its arguments"
    )
    error, _ = CONVERTER.loads(failed["details"])
    assert (error.signal_name, error.event_id) == ("add", signaled["eventId"])
    assert not markers(h.history(run))


def test_a_strict_signal_with_a_valid_input_is_handled() -> None:
    h = Harness((StrictInbox,), ())
    run = h.start(StrictInbox, "run")
    h.decide_once()
    signal_run(h, run, CONVERTER.dumps([(), {"item": "plum"}]))
    settle(h)
    assert CONVERTER.loads(h.close_event(run)["workflowExecutionCompletedEventAttributes"]["result"]) == [
        "plum"
    ]
