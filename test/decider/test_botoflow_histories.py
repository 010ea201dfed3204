"""Histories written by botoflow 0.8 workers replay in awsflow (same ids, same wire encoding).

``histories/botoflow_0_8_checkout.json`` was written by botoflow 0.8's own decider (on Python
3.11, with one shim for its exception encoder, which predates ``object.__getstate__``) answering
the decision tasks of awsflow.local's engine. The workflow below is the same code written for
awsflow: every decision task of that history must replay to the decisions botoflow recorded, and
the last one to the same result.

The other ``histories/botoflow_0_8_*.json`` were recorded by ``record_botoflow_histories.py``
from the programs of ``test/botoflow_programs.py`` (each file says how); the same programs, built for
awsflow, must replay every decision task of every execution to the decisions botoflow made:
same types, ids, activity types, inputs, timer durations, results and cancel details.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botoflow_diff import Framework
from botoflow_programs import RECORDINGS, Recording
from history_checks import decision_essentials, decision_keys, recorded_essentials, recorded_keys

import awsflow
from awsflow import WorkflowDefinition, activities, activity, execute, workflow_time
from awsflow.decider import ExecutionReplay
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.workers._registry import extract_workflows_dict
from awsflow.workflow_execution import WorkflowExecution

HISTORIES = Path(__file__).parent / "histories"
HISTORY = json.loads((HISTORIES / "botoflow_0_8_checkout.json").read_text())


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Shop:
    @activity("1.0")
    def price(self, item: str, quantity: int = 1) -> float:
        raise NotImplementedError  # replay only

    @activity("1.0")
    def charge(self, amount: float) -> str:
        raise NotImplementedError


class Checkout(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, items: list[list[Any]]) -> Any:
        prices = []
        for item, quantity in items:
            price = yield Shop.price(item, quantity=quantity)
            prices.append(price)
        total = sum(prices)
        yield workflow_time.sleep(30)
        try:
            first = yield Shop.charge(total * 1000)
        except ActivityTaskFailedError as error:
            first = f"failed: {error.cause}"
        second = yield Shop.charge(total)
        return [first, second, total]


def test_every_decision_task_of_a_botoflow_history_replays_to_its_recorded_decisions() -> None:
    events = HISTORY["events"]
    execution = WorkflowExecution(HISTORY["execution"]["workflowId"], HISTORY["execution"]["runId"])
    table = extract_workflows_dict([Checkout])
    checked = 0
    for index, event in enumerate(events):
        if event["eventType"] != "DecisionTaskStarted":
            continue
        decisions = ExecutionReplay(table, execution, "tl").apply(events[: index + 1]).decisions
        assert decision_keys(decisions) == recorded_keys(events, event["eventId"])
        checked += 1
    assert checked == 6


def test_the_replayed_result_is_the_one_botoflow_recorded() -> None:
    events = HISTORY["events"]
    last_started = max(i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted")
    execution = WorkflowExecution(HISTORY["execution"]["workflowId"], HISTORY["execution"]["runId"])
    decisions = (
        ExecutionReplay(extract_workflows_dict([Checkout]), execution, "tl")
        .apply(events[: last_started + 1])
        .decisions
    )
    recorded = events[-1]["workflowExecutionCompletedEventAttributes"]["result"]
    assert decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"] == recorded


# --- the recorded programs ----------------------------------------------------------------------


def executions_of(recording: Recording) -> list[dict[str, Any]]:
    recorded = json.loads((HISTORIES / recording.file_name).read_text())
    return [recorded, *recorded["children"]]


@pytest.mark.parametrize("recording", [pytest.param(r, id=r.name) for r in RECORDINGS])
def test_every_decision_task_of_a_recorded_botoflow_history_replays_to_the_same_decisions(
    recording: Recording,
) -> None:
    table = extract_workflows_dict(recording.builder(Framework(awsflow)).workflows)
    checked = 0
    for recorded in executions_of(recording):
        events = recorded["events"]
        execution = WorkflowExecution(recorded["execution"]["workflowId"], recorded["execution"]["runId"])
        for index, event in enumerate(events):
            if event["eventType"] != "DecisionTaskStarted":
                continue
            decisions = ExecutionReplay(table, execution, "diff").apply(events[: index + 1]).decisions
            where = f"{recorded['workflow']} {tuple(execution)}, decision task started at {event['eventId']}"
            assert decision_essentials(decisions) == recorded_essentials(events, event["eventId"]), where
            checked += 1
    assert checked >= 2  # a run canceled at once (self_cancel, cancel_request) decides twice


def test_each_recorded_history_names_its_program_and_every_execution_in_it_closed() -> None:
    for recording in RECORDINGS:
        recorded = json.loads((HISTORIES / recording.file_name).read_text())
        assert f"{recording.builder.__name__} in test/botoflow_programs.py" in recorded["program"]
        assert recording.entry in recorded["program"] and "botoflow 0.8" in recorded["written_by"]
        for execution in executions_of(recording):
            closed = execution["events"][-1]["eventType"]
            assert closed in ("WorkflowExecutionCompleted", "WorkflowExecutionCanceled"), recording.name
