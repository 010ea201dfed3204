"""Helpers of the web timeline's tests: an HTTP client for the API, and a Fulfil run driven through."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

import ui_workflows
from ui_workflows import TASK_LIST, Fulfil, Warehouse
from waiting import wait_until

import awsflow
from awsflow import ActivityWorker, WorkflowWorker, workflow_options, workflow_starter
from awsflow.local import LocalSWF, VirtualClock
from awsflow.workflow_execution import WorkflowExecution


class Answer:
    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Ui:
    """Requests to a running UiServer, over real HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, response.read(), response.headers["Content-Type"])
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), error.headers["Content-Type"])

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, document: Any) -> Answer:
        body = json.dumps(document).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def execution_path(self, domain: str, workflow_id: str) -> str:
        return f"/api/domains/{quote(domain, safe='')}/executions/{quote(workflow_id, safe='')}"


def history(swf: LocalSWF, domain: str, execution: WorkflowExecution) -> list[dict[str, Any]]:
    handle = awsflow.get_workflow(domain, execution.workflow_id, execution.run_id, client=swf.client())
    return handle.wire_history()


def wait_for(swf: LocalSWF, domain: str, execution: WorkflowExecution, what: str, test: Any) -> None:
    wait_until(lambda: any(test(event) for event in history(swf, domain, execution)), 15, what)


def timer_started(timeout: str) -> Any:
    def test(event: dict[str, Any]) -> bool:
        attributes = event.get("timerStartedEventAttributes") or {}
        return bool(attributes.get("startToFireTimeout") == timeout)

    return test


def run_fulfil(swf: LocalSWF, clock: VirtualClock, domain: str, ui: Ui, order: str) -> WorkflowExecution:
    """Run Fulfil to its end: the charge fails once and is retried after its backoff timer, the
    workflow's timer fires, and a signal is sent through the web API while it waits."""
    ui_workflows.charge_failures[order] = 1
    ui_workflows.CLOCK[:] = [clock]
    try:
        with (
            WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Fulfil, client=swf.client()),
            ActivityWorker(None, "us-east-1", domain, TASK_LIST, Warehouse(), client=swf.client()),
            workflow_starter(None, "us-east-1", domain, TASK_LIST, client=swf.client()),
        ):
            with workflow_options(workflow_id=order):
                instance = Fulfil.run(order)
            execution: WorkflowExecution = instance.workflow_execution
            wait_for(swf, domain, execution, "the charge's backoff timer", timer_started("10"))
            clock.advance(10)
            wait_for(swf, domain, execution, "the workflow's timer", timer_started("30"))
            answer = ui.post(
                ui.execution_path(domain, order) + "/signal", {"name": "note", "input": ["fragile"]}
            )
            assert answer.status == 200, answer.body
            wait_for(
                swf, domain, execution, "the signal", lambda e: e["eventType"] == "WorkflowExecutionSignaled"
            )
            clock.advance(30)
            assert instance.wait_for_completion(timeout=15) == f"{order} shipped (fragile)"
            return execution
    finally:
        ui_workflows.CLOCK.clear()
