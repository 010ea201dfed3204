"""The lean wire path against awsflow.local verifying SigV4: accepted, same answers, same errors."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import botocore.config
import botocore.session
import pytest
from waiting import wait_until

from awsflow._wire import Connection, LeanClient, fallback_reason
from awsflow.local import HttpTimeouts, LocalSWF, VirtualClock
from awsflow.workers._transport import AbortablePolls

KEYS = ("awsflow-local", "awsflow-local")


@pytest.fixture(scope="module")
def service() -> Iterator[LocalSWF]:
    # Signatures are dated by the wall clock: the service's clock starts there too.
    with LocalSWF(clock=VirtualClock(start=time.time()), verify_sigv4=KEYS) as swf:
        yield swf


@pytest.fixture(scope="module")
def client(service: LocalSWF) -> Any:
    return registered(service.client())


def registered(client: Any) -> Any:
    """``client``, with the domain and the workflow type these tests use registered."""
    client.register_domain(name="wire", workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain="wire",
        name="W",
        version="1",
        defaultTaskList={"name": "w"},
        defaultExecutionStartToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    return client


def start(client: Any, workflow_id: str) -> str:
    return str(
        client.start_workflow_execution(
            domain="wire", workflowId=workflow_id, workflowType={"name": "W", "version": "1"}
        )["runId"]
    )


def as_numbers(value: Any) -> Any:
    """``value`` with every timestamp as epoch seconds to the microsecond (botocore's precision)."""
    if isinstance(value, dt.datetime):
        return round(value.timestamp(), 6)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: as_numbers(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [as_numbers(item) for item in value]
    return value


def test_a_client_of_awsflow_local_qualifies_for_the_lean_path(client: Any) -> None:
    assert fallback_reason(client) is None


def test_a_signature_checking_service_accepts_lean_polls_and_answers(client: Any) -> None:
    lean = LeanClient(client)
    run_id = start(client, "accepted")
    task = lean.call("PollForDecisionTask", {"domain": "wire", "taskList": {"name": "w"}, "identity": "lean"})
    assert task["workflowExecution"] == {"workflowId": "accepted", "runId": run_id}
    assert [event["eventType"] for event in task["events"]] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    assert all(isinstance(event["eventTimestamp"], float) for event in task["events"])
    completed = lean.call(
        "RespondDecisionTaskCompleted",
        {"taskToken": task["taskToken"], "decisions": [{"decisionType": "CompleteWorkflowExecution"}]},
    )
    assert completed["ResponseMetadata"]["HTTPStatusCode"] == 200
    info = client.describe_workflow_execution(
        domain="wire", execution={"workflowId": "accepted", "runId": run_id}
    )
    assert info["executionInfo"]["closeStatus"] == "COMPLETED"


def test_a_lean_history_is_botocores_with_the_timestamps_as_on_the_wire(client: Any) -> None:
    run_id = start(client, "history")
    request = {"domain": "wire", "execution": {"workflowId": "history", "runId": run_id}}
    lean_history = LeanClient(client).call("GetWorkflowExecutionHistory", request)
    botocore_history = client.get_workflow_execution_history(**request)
    assert isinstance(botocore_history["events"][0]["eventTimestamp"], dt.datetime)
    assert as_numbers(lean_history) == as_numbers(botocore_history)
    lean_meta, botocore_meta = lean_history["ResponseMetadata"], botocore_history["ResponseMetadata"]
    assert set(lean_meta["HTTPHeaders"]) == set(botocore_meta["HTTPHeaders"])  # names lower-cased
    assert lean_meta["RequestId"] == lean_meta["HTTPHeaders"]["x-amzn-requestid"] != ""
    assert (lean_meta["HTTPStatusCode"], lean_meta["RetryAttempts"]) == (200, 0)


def test_a_bad_signature_is_refused_with_botocores_exception(service: LocalSWF) -> None:
    forger = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=service.endpoint_url,
        aws_access_key_id=KEYS[0],
        aws_secret_access_key="not-the-secret",
        config=botocore.config.Config(retries={"max_attempts": 0}),
    )
    with pytest.raises(forger.exceptions.ClientError) as lean_error:
        LeanClient(forger).call("PollForActivityTask", {"domain": "wire", "taskList": {"name": "a"}})
    with pytest.raises(forger.exceptions.ClientError) as botocore_error:
        forger.poll_for_activity_task(domain="wire", taskList={"name": "a"})
    assert lean_error.value.response["Error"] == botocore_error.value.response["Error"]
    assert lean_error.value.response["Error"]["Code"] == "InvalidSignatureException"


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        (
            "GetWorkflowExecutionHistory",
            {"domain": "wire", "execution": {"workflowId": "none", "runId": "none"}},
        ),
        ("RespondActivityTaskCompleted", {"taskToken": "no-such-token"}),
        ("RecordActivityTaskHeartbeat", {"taskToken": "no-such-token"}),
        ("PollForDecisionTask", {"domain": "no-such-domain", "taskList": {"name": "w"}}),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "x", "decisions": [{"decisionType": "NoSuchDecision"}]},
        ),
    ],
)
def test_errors_are_the_exceptions_botocore_raises(
    client: Any, operation: str, request_: dict[str, Any]
) -> None:
    with pytest.raises(client.exceptions.ClientError) as lean_error:
        LeanClient(client).call(operation, request_)
    method = getattr(client, "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_"))
    with pytest.raises(client.exceptions.ClientError) as botocore_error:
        method(**request_)
    assert type(lean_error.value) is type(botocore_error.value)
    lean_response, botocore_response = lean_error.value.response, botocore_error.value.response
    assert lean_response["Error"] == botocore_response["Error"]
    assert lean_response.get("message") == botocore_response.get("message")
    assert lean_response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lean_error.value.operation_name == operation


@pytest.mark.parametrize("fault", ["throttle", "503"])
def test_a_throttled_or_unavailable_answer_of_the_service_is_retried(fault: str) -> None:
    spec = f"RecordActivityTaskHeartbeat:{fault}@nth=1"
    with LocalSWF(clock=VirtualClock(start=time.time()), verify_sigv4=KEYS, faults=spec) as swf:
        client = swf.client(retries={"mode": "standard", "max_attempts": 2})
        delays: list[float] = []
        with pytest.raises(client.exceptions.UnknownResourceFault) as gone:
            LeanClient(client, sleep=delays.append).call("RecordActivityTaskHeartbeat", {"taskToken": "t"})
        # The first answer was the injected fault; the retry reached the service, which knows no such task.
        assert gone.value.response["ResponseMetadata"]["RetryAttempts"] == 1
        assert len(delays) == 1


def test_a_call_on_a_connection_the_service_closed_while_idle_is_sent_again_on_a_new_one() -> None:
    idle_briefly = HttpTimeouts(new_connection=5, keep_alive=0.2, request=5, response=5)
    with LocalSWF(
        clock=VirtualClock(start=time.time()), verify_sigv4=KEYS, http_timeouts=idle_briefly
    ) as swf:
        client = registered(swf.client())
        run_id = start(client, "idle")
        request = {"domain": "wire", "execution": {"workflowId": "idle", "runId": run_id}}
        lean = LeanClient(client)
        first = lean.call("GetWorkflowExecutionHistory", request)
        wait_until(lambda: swf._server.connections.open_count() == 0, what="the idle connection closed")
        again = lean.call("GetWorkflowExecutionHistory", request)
        assert again["events"] == first["events"]
        assert again["ResponseMetadata"]["RetryAttempts"] == 0  # resent by the connection, not retried


def interrupted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next answer's read is interrupted (as by Ctrl-C) once its request is sent."""
    read = Connection.read_answer

    def interrupted(self: Connection) -> Any:
        monkeypatch.setattr(Connection, "read_answer", read)
        raise KeyboardInterrupt

    monkeypatch.setattr(Connection, "read_answer", interrupted)


def test_a_call_interrupted_before_its_answer_is_read_leaves_no_answer_for_the_next_call(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean = LeanClient(client)
    lean.call("ListDomains", {"registrationStatus": "REGISTERED"})  # a kept-alive connection
    interrupted_once(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        lean.call("DescribeDomain", {"name": "wire"})
    # The interrupted call's answer is on that connection, unread: never taken for this call's.
    answer = lean.call("ListDomains", {"registrationStatus": "REGISTERED"})
    assert "wire" in [domain["name"] for domain in answer["domainInfos"]]


def test_a_poll_interrupted_before_its_answer_is_read_leaves_no_task_for_the_next_poll(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean, polls = LeanClient(client), AbortablePolls()
    own_list = {"name": "interrupted"}
    request = {"domain": "wire", "taskList": own_list, "identity": "test"}

    def start(workflow_id: str) -> None:
        kind = {"name": "W", "version": "1"}
        client.start_workflow_execution(
            domain="wire", workflowId=workflow_id, workflowType=kind, taskList=own_list
        )

    for workflow_id in ("interrupted-1", "interrupted-2"):
        start(workflow_id)
    lean.call("PollForDecisionTask", request, send=polls.send)  # one of them
    interrupted_once(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        lean.call("PollForDecisionTask", request, send=polls.send)  # handed the other: lost
    start("interrupted-3")
    # The only task left is the new run's: never the interrupted poll's answer, still unread.
    answer = lean.call("PollForDecisionTask", request, send=polls.send)
    assert answer["workflowExecution"]["workflowId"] == "interrupted-3"


def test_a_poll_on_a_connection_the_service_closed_while_idle_goes_out_on_a_new_one() -> None:
    # A worker's poll connection idles while its activities run; the service (or a load balancer)
    # closes it meanwhile. The next poll is not a failure (no outage warning, no backoff): the
    # connection is seen closed before anything is sent on it, as urllib3 checks a pooled one.
    idle_briefly = HttpTimeouts(new_connection=5, keep_alive=0.2, request=5, response=5)
    with LocalSWF(clock=VirtualClock(start=time.time()), http_timeouts=idle_briefly) as swf:
        client = swf.client()
        client.register_domain(name="idle", workflowExecutionRetentionPeriodInDays="1")
        kind = {"name": "W", "version": "1"}
        client.register_workflow_type(
            domain="idle",
            **kind,
            defaultTaskList={"name": "w"},
            defaultExecutionStartToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        lean, polls = LeanClient(client), AbortablePolls()
        request = {"domain": "idle", "taskList": {"name": "w"}, "identity": "test"}
        client.start_workflow_execution(domain="idle", workflowId="first", workflowType=kind)
        assert (
            lean.call("PollForDecisionTask", request, send=polls.send)["workflowExecution"]["workflowId"]
            == "first"
        )
        wait_until(lambda: swf._server.connections.open_count() == 0, what="the idle connection closed")
        client.start_workflow_execution(domain="idle", workflowId="second", workflowType=kind)
        task = lean.call("PollForDecisionTask", request, send=polls.send)
        assert task["workflowExecution"]["workflowId"] == "second"
