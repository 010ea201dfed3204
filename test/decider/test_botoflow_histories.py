"""Histories written by botoflow 0.8 workers replay in awsflow (same ids, same wire encoding).

``histories/botoflow_0_8_checkout.json`` was written by botoflow 0.8's own decider (on Python
3.11, with one shim for its exception encoder, which predates ``object.__getstate__``) answering
the decision tasks of awsflow.local's engine. The workflow below is the same code written for
awsflow: every decision task of that history must replay to the decisions botoflow recorded, and
the last one to the same result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from history_checks import decision_keys, recorded_keys

from awsflow import WorkflowDefinition, activities, activity, execute, workflow_time
from awsflow.decider import ExecutionReplay
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.workers._registry import extract_workflows_dict
from awsflow.workflow_execution import WorkflowExecution

HISTORY = json.loads((Path(__file__).parent / "histories" / "botoflow_0_8_checkout.json").read_text())


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
