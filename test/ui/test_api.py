"""The web timeline's JSON API over real HTTP, answered from awsflow.local through botocore."""

from __future__ import annotations

import datetime as dt
import json
import socket
from urllib.parse import quote

import pytest
from ui_workflows import TASK_LIST, Fulfil
from uikit import Ui, run_fulfil

from awsflow import WorkflowWorker
from awsflow.decision_failures import failure_decisions
from awsflow.handles import client_caller
from awsflow.local import LocalSWF, VirtualClock
from awsflow.ui import UiServer


def test_the_execution_document_has_the_timeline_the_events_and_their_decoded_payloads(
    swf: LocalSWF, clock: VirtualClock, domain: str, ui: Ui
) -> None:
    run_fulfil(swf, clock, domain, ui, "o-1")
    answer = ui.get(ui.execution_path(domain, "o-1"))
    assert answer.status == 200 and answer.content_type == "application/json"
    document = answer.json
    assert document["execution"]["status"] == "COMPLETED" and document["failure"] is None
    timeline = document["timeline"]
    assert timeline["closed"] and timeline["duration"] >= 40
    lanes = {lane["label"].split(" (")[0]: lane for lane in timeline["lanes"]}
    assert set(lanes) == {
        "Warehouse.pack",
        "Warehouse.label",
        "Warehouse.charge",
        "Warehouse.notify",
        "timer 4",  # the sleep: the fourth call the workflow made
    }
    charge = lanes["Warehouse.charge"]
    assert [(b["kind"], b["attempt"], b["outcome"]) for b in charge["bars"]] == [
        ("activity", 1, "failed"),
        ("timer", 2, "fired"),
        ("activity", 2, "completed"),
    ]
    assert "ConnectionError" in charge["bars"][0]["detail"]
    pack, label = lanes["Warehouse.pack"]["bars"][0], lanes["Warehouse.label"]["bars"][0]
    assert pack["scheduledOffset"] == label["scheduledOffset"]  # asked for in the same decision
    assert pack["closedOffset"] > pack["scheduledOffset"]
    assert all(d["outcome"] == "completed" for d in timeline["decisions"])
    assert [(p["kind"], p["name"]) for p in timeline["points"]] == [("signal", "note")]
    events = document["events"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["decoded"]["input"] == {"value": [["o-1"], {}]}
    assert events[-1]["type"] == "WorkflowExecutionCompleted"
    assert events[-1]["decoded"]["result"] == {"value": "o-1 shipped (fragile)"}
    failed = next(e for e in events if e["type"] == "ActivityTaskFailed")
    assert "payment gateway down" in str(failed["decoded"]["details"])


def test_executions_are_listed_with_filters_and_domains_with_the_default(
    swf: LocalSWF, clock: VirtualClock, domain: str, ui: Ui
) -> None:
    run_fulfil(swf, clock, domain, ui, "done")
    _start_open(swf, domain, "waiting")
    base = f"/api/domains/{domain}/executions"

    def ids(query: str) -> list[str]:
        answer = ui.get(f"{base}?{query}")
        assert answer.status == 200, answer.body
        return [info["execution"]["workflowId"] for info in answer.json["executions"]]

    assert ids("") == ["waiting", "done"]  # open ones first
    assert ids("status=open") == ["waiting"]
    assert ids("status=closed") == ["done"]
    assert ids("closeStatus=COMPLETED") == ["done"]
    assert ids("closeStatus=FAILED") == []
    assert ids("type=Fulfil") == ["waiting", "done"] and ids("type=Other") == []
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3650)).isoformat()
    assert ids("since=2000-01-01T00:00:00Z") == ["waiting", "done"]
    assert ids(f"since={future.replace('+', '%2B')}") == []
    limited = ui.get(f"{base}?limit=1").json
    assert len(limited["executions"]) == 1 and limited["more"] is True
    domains = ui.get("/api/domains").json
    assert domain in [d["name"] for d in domains["domains"]] and domains["defaultDomain"] == domain


def test_signal_cancel_and_terminate_act_on_open_executions(swf: LocalSWF, domain: str, ui: Ui) -> None:
    runs = {name: _start_open(swf, domain, name) for name in ("signaled", "canceled", "terminated")}
    assert (
        ui.post(ui.execution_path(domain, "signaled") + "/signal", {"name": "note", "input": "x"}).status
        == 200
    )
    assert ui.post(ui.execution_path(domain, "canceled") + "/cancel", {}).status == 200
    terminate = {"reason": "operator", "details": "ticket 9", "runId": runs["terminated"]}
    assert (
        ui.post(ui.execution_path(domain, "terminated") + "/terminate", terminate).json["done"] == "terminate"
    )
    events = {name: ui.get(ui.execution_path(domain, name)).json["events"] for name in runs}
    signaled = [e for e in events["signaled"] if e["type"] == "WorkflowExecutionSignaled"]
    assert signaled[0]["decoded"]["input"] == {"value": [["x"], {}]}
    assert any(e["type"] == "WorkflowExecutionCancelRequested" for e in events["canceled"])
    last = events["terminated"][-1]
    assert last["type"] == "WorkflowExecutionTerminated" and last["attributes"]["reason"] == "operator"
    assert ui.get(ui.execution_path(domain, "terminated")).json["execution"]["status"] == "TERMINATED"
    too_big = ui.post(
        ui.execution_path(domain, "signaled") + "/signal", {"name": "note", "input": "x" * 40_000}
    )
    assert too_big.status == 400 and too_big.json["error"] == "ValidationException"
    again = ui.post(ui.execution_path(domain, "terminated") + "/terminate", {})
    assert again.status == 404 and again.json["error"] == "UnknownResourceFault"


def test_a_failing_decision_is_the_banner_of_the_execution(swf: LocalSWF, domain: str, ui: Ui) -> None:
    run_id = _start_open(swf, domain, "stuck")
    client = swf.client()
    task = client.poll_for_decision_task(domain=domain, taskList={"name": TASK_LIST})
    error = LookupError("no such order")
    client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=failure_decisions(error, task["startedEventId"], 1)
    )
    document = ui.get(ui.execution_path(domain, "stuck") + f"?runId={quote(run_id)}").json
    assert "failure" in document, document
    failure = document["failure"]
    assert failure["errorType"] == "LookupError" and failure["attempts"] == 1
    assert failure["summary"].startswith("decision failing since") and "no such order" in failure["summary"]
    (retry_lane,) = document["timeline"]["lanes"]
    assert retry_lane["key"] == "decision-retry"
    assert [p["name"] for p in document["timeline"]["points"]] == ["awsflow.decision-failure"]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "error"),
    [
        ("GET", "/api/nothing", None, {}, 404, "NotFound"),
        ("GET", "/api/domains/D/elsewhere", None, {}, 404, "NotFound"),
        ("GET", "/api/domains/D/executions/x/reset", None, {}, 404, "NotFound"),
        ("GET", "/nowhere.html", None, {}, 404, "NotFound"),
        ("GET", "/static/..%2F_api.py", None, {}, 404, "NotFound"),
        ("POST", "/api/domains", b"{}", {"Content-Type": "application/json"}, 405, "MethodNotAllowed"),
        ("GET", "/api/domains/D/executions/x/cancel", None, {}, 405, "MethodNotAllowed"),
        ("GET", "/api/domains/{domain}/executions?status=sleeping", None, {}, 400, "BadFilter"),
        ("GET", "/api/domains/{domain}/executions?limit=many", None, {}, 400, "BadFilter"),
        ("GET", "/api/domains/{domain}/executions?limit=0", None, {}, 400, "BadFilter"),
        ("GET", "/api/domains/{domain}/executions?since=yesterday", None, {}, 400, "BadFilter"),
        ("GET", "/api/domains/{domain}/executions?closeStatus=LOST", None, {}, 400, "BadFilter"),
        ("GET", "/api/domains/no-such-domain/executions", None, {}, 404, "UnknownResourceFault"),
        ("GET", f"/api/domains/{'d' * 300}/executions", None, {}, 400, "ValidationException"),
        ("GET", "/api/domains/{domain}/executions/no-such-id", None, {}, 404, "UnknownResourceFault"),
        (
            "POST",
            "/api/domains/{domain}/executions/x/signal",
            b"{not json",
            {"Content-Type": "application/json"},
            400,
            "BadRequest",
        ),
        (
            "POST",
            "/api/domains/{domain}/executions/x/signal",
            b"[1]",
            {"Content-Type": "application/json"},
            400,
            "BadRequest",
        ),
        (
            "POST",
            "/api/domains/{domain}/executions/x/signal",
            b"{}",
            {"Content-Type": "application/json"},
            400,
            "BadRequest",
        ),
        (
            "POST",
            "/api/domains/{domain}/executions/x/cancel",
            b'{"runId": 7}',
            {"Content-Type": "application/json"},
            400,
            "BadRequest",
        ),
        (
            "POST",
            "/api/domains/{domain}/executions/x/cancel",
            b"{}",
            {"Content-Type": "text/plain"},
            415,
            "BadRequest",
        ),
        ("GET", "/api/domains", None, {"Host": "evil.example:80"}, 403, "Forbidden"),
        (
            "POST",
            "/api/domains/{domain}/executions/x/cancel",
            b"{}",
            {"Content-Type": "application/json", "Host": "evil.example"},
            403,
            "Forbidden",
        ),
        (
            "POST",
            "/api/domains/{domain}/executions/x/cancel",
            b"{}",
            {"Content-Type": "application/json", "Origin": "http://evil.example"},
            403,
            "Forbidden",
        ),
    ],
)
def test_bad_requests_get_a_4xx_json_answer_never_a_traceback(
    ui: Ui,
    domain: str,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    answer = ui.request(method, path.format(domain=domain), body, headers)
    assert (answer.status, answer.json["error"]) == (status, error), answer.body
    assert answer.content_type == "application/json" and "Traceback" not in answer.body.decode()


def test_an_endpoint_that_cannot_be_reached_is_a_502_with_the_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    import botocore.config
    import botocore.session

    client = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=botocore.config.Config(retries={"max_attempts": 0}, connect_timeout=2),
    )
    with UiServer(client_caller(client)).start() as server:
        answer = Ui(server.url).get("/api/domains")
    assert answer.status == 502 and answer.json["error"] == "Unreachable"
    assert "cannot reach SWF" in answer.json["message"]


def test_the_pages_are_served_from_the_package(ui: Ui) -> None:
    page = ui.get("/")
    assert page.status == 200 and page.content_type.startswith("text/html")
    assert b'<script src="/static/app.js">' in page.body
    script = ui.get("/static/app.js")
    assert script.status == 200 and "javascript" in script.content_type
    assert ui.get("/static/style.css").content_type.startswith("text/css")


def _start_open(swf: LocalSWF, domain: str, workflow_id: str) -> str:
    """A Fulfil execution left open (no worker decides it); its run id."""
    client = swf.client()
    WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Fulfil, client=client)  # registers the types
    answer = client.start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType={"name": "Fulfil", "version": "1.0"},
        taskList={"name": TASK_LIST},
        input=json.dumps([[workflow_id], {}]),
    )
    return str(answer["runId"])
