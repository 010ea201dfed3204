"""Replayer.replay_from_service: executions fetched from SWF over HTTP replay against the code."""

from __future__ import annotations

from typing import Any

import flows
from flowkit import Flow

from awsflow import WorkflowDefinition, execute, workflow
from awsflow.replaying import ReplayOutcome
from awsflow.testing import Replayer


@workflow(name="Purchase")
class PurchaseChanged(WorkflowDefinition):
    """Purchase 1.0 changed: it charges without asking the price first."""

    @execute(version="1.0", execution_start_to_close_timeout=600)
    def buy(self, item: str, quantity: int) -> Any:
        return (yield flows.Shop.charge(1.0))


def test_open_and_closed_executions_replay_and_a_change_is_caught(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase, flows.Signals)
    flow.activity_worker(flows.Shop())
    closed = flows.Purchase.buy("apple", 2)
    assert closed.result(timeout=10) == "receipt for 1.0"
    open_run = flows.Signals.run(3)
    flow.wait_for_event(open_run.workflow_execution, "DecisionTaskCompleted")

    report = Replayer([flows.Purchase, flows.Signals]).replay_from_service(flow.domain, client=flow.client)
    assert sorted(r.workflow_id for r in report.results) == sorted(
        [closed.workflow_execution.workflow_id, open_run.workflow_execution.workflow_id]
    )
    assert report.ok, report.summary()

    changed = Replayer([PurchaseChanged]).replay_from_service(
        flow.domain, client=flow.client, workflow_type="Purchase", open=False
    )
    (result,) = changed.results
    assert result.outcome is ReplayOutcome.NONDETERMINISM
    assert result.location is not None and result.location.startswith(__file__)
