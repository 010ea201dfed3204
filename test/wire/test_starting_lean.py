"""Starts and signals take the lean wire path from any caller (a ``workflow_starter`` too),
against awsflow.local verifying SigV4 — and users see what botocore showed them: its
``ParamValidationError`` for a request it would not send, awsflow's errors for the service's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.client
import botocore.config
import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    activities,
    activity,
    execute,
    signal,
    workflow_options,
    workflow_starter,
)
from awsflow._wire import LeanClient, fallback_reason
from awsflow._wire._connections import Connections
from awsflow.context import peek_context
from awsflow.local import LocalSWF, VirtualClock
from awsflow.swf_exceptions import (
    SWFResponseError,
    UnknownResourceError,
    ValidationException,
    WorkflowExecutionAlreadyStartedError,
)
from awsflow.workflow_execution import WorkflowExecution

KEYS = ("awsflow-local", "awsflow-local")
DOMAIN = "starting"


class Waiting(WorkflowDefinition):
    @execute(version="1", execution_start_to_close_timeout=600, task_start_to_close_timeout=60)
    def run(self) -> Any:
        return None

    @signal()
    def poke(self, n: int) -> None:
        pass


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Idle:
    @activity("1")
    def nothing(self) -> None:
        pass


class Wire:
    """What went out: the operations sent the lean way, and those botocore's client made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lean: list[str] = []
        self.botocore: list[str] = []
        send, make_api_call = Connections.send, botocore.client.BaseClient._make_api_call

        def counting_send(connections: Connections, request: Any) -> Any:
            self.lean.append(request.headers["X-Amz-Target"].rsplit(".", 1)[-1])
            assert request.headers["User-Agent"].startswith("awsflow-lean ")
            return send(connections, request)

        def counting_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            self.botocore.append(operation)
            return make_api_call(client, operation, params)

        monkeypatch.setattr(Connections, "send", counting_send)
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting_call)


@pytest.fixture(scope="module")
def service() -> Iterator[LocalSWF]:
    # Signatures are dated by the wall clock: the service's clock starts there too.
    with LocalSWF(clock=VirtualClock(start=time.time()), verify_sigv4=KEYS) as swf:
        client = swf.client()
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        client.register_workflow_type(
            domain=DOMAIN,
            name="Waiting",
            version="1",
            defaultTaskList={"name": "starting"},
            defaultChildPolicy="TERMINATE",
        )
        yield swf


def _own_hook(**kwargs: Any) -> None:
    """A hook of the user's on StartWorkflowExecution: by the fallback rule, botocore makes the calls."""


def hooked(service: LocalSWF, **config: Any) -> Any:
    client = service.client(**config)
    client.meta.events.register("before-call.swf.StartWorkflowExecution", _own_hook)
    return client


def starter(client: Any) -> workflow_starter:
    return workflow_starter(None, "us-east-1", DOMAIN, "starting", client=client)


def test_a_start_and_a_signal_through_a_workflow_starter_go_the_lean_way(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = service.client()
    wire = Wire(monkeypatch)
    with starter(client) as started:
        instance = Waiting.run()
        instance.poke(1)
        started.workflow_handle(instance.workflow_execution).signal("poke", 2)
    assert wire.lean == ["StartWorkflowExecution", "SignalWorkflowExecution", "SignalWorkflowExecution"]
    assert wire.botocore == []
    # The service, checking each signature and body hash, took all three.
    workflow_id, run_id = instance.workflow_execution
    execution = {"workflowId": workflow_id, "runId": run_id}
    history = client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]
    assert [e["eventType"] for e in history].count("WorkflowExecutionSignaled") == 2


def test_a_client_with_a_hook_of_its_own_on_starts_makes_its_calls_itself(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = hooked(service)
    assert "event handlers of its own" in str(fallback_reason(client))
    wire = Wire(monkeypatch)
    with starter(client):
        Waiting.run().poke(1)
    assert wire.lean == []
    assert wire.botocore == ["StartWorkflowExecution", "SignalWorkflowExecution"]


def test_a_stubbed_client_gets_the_stubbed_answers() -> None:
    client = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9/",  # never reached: the stub answers
        aws_access_key_id="AKID",
        aws_secret_access_key="secret",
    )
    with Stubber(client) as stubber:
        stubber.add_response("start_workflow_execution", {"runId": "stubbed-run"})
        stubber.add_client_error("signal_workflow_execution", "UnknownResourceFault", "stubbed", 400)
        with starter(client):
            instance = Waiting.run()
            assert instance.workflow_execution.run_id == "stubbed-run"
            with pytest.raises(UnknownResourceError, match="stubbed"):
                instance.poke(1)
        stubber.assert_no_pending_responses()


def raised(client: Any, start: Any) -> SWFResponseError | ParamValidationError:
    with starter(client), pytest.raises((SWFResponseError, ParamValidationError)) as error:
        start()
    return error.value


def same_errors(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch, call: Any, **config: Any
) -> BaseException:
    """What ``call`` raises through a lean client, checked equal to what botocore's client raises."""
    lean_client, botocore_client = service.client(**config), hooked(service, **config)
    assert fallback_reason(lean_client) is None and fallback_reason(botocore_client) is not None
    wire = Wire(monkeypatch)
    lean = raised(lean_client, call)
    sent_lean, wire.lean = wire.lean, []
    through_botocore = raised(botocore_client, call)
    assert wire.lean == []
    if isinstance(lean, ParamValidationError):
        assert sent_lean == []  # refused before anything was sent, as botocore refuses it
    else:  # the service's answer, to the lean request
        assert sent_lean != [] and wire.botocore != []
    assert type(lean) is type(through_botocore)
    assert str(lean) == str(through_botocore)
    if isinstance(lean, SWFResponseError):
        assert isinstance(through_botocore, SWFResponseError)
        assert lean.response["Error"] == through_botocore.response["Error"]
        assert type(lean.__cause__) is type(through_botocore.__cause__)
    return lean


def test_starting_an_open_workflow_id_again_raises_awsflows_already_started_error(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    with starter(service.client()), workflow_options(workflow_id="open"):
        Waiting.run()

    def again() -> None:
        with workflow_options(workflow_id="open"):
            Waiting.run()

    error = same_errors(service, monkeypatch, again)
    assert isinstance(error, WorkflowExecutionAlreadyStartedError)
    assert isinstance(error.__cause__, service.client().exceptions.WorkflowExecutionAlreadyStartedFault)


def in_an_unknown_domain() -> None:
    with workflow_starter(None, "us-east-1", "no-such-domain", "starting", client=current_client()):
        Waiting.run()


def test_starting_in_an_unknown_domain_raises_awsflows_unknown_resource_error(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = same_errors(service, monkeypatch, in_an_unknown_domain)
    assert isinstance(error, UnknownResourceError)
    assert "no-such-domain" in str(error)


def test_a_workflow_id_over_swfs_limit_is_refused_by_the_service_either_way(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore checks only minimum lengths (a maximum is the service's to change): its client sends
    # a 257-character id, and the service refuses it.
    def start() -> None:
        with workflow_options(workflow_id="x" * 257):
            Waiting.run()

    error = same_errors(service, monkeypatch, start)
    assert isinstance(error, ValidationException)
    assert "Member must have length less than or equal to 256" in str(error)


def in_no_domain() -> None:
    with workflow_starter(None, "us-east-1", "", "starting", client=current_client()):
        Waiting.run()


def on_an_empty_task_list() -> None:
    with workflow_options(task_list=""):
        Waiting.run()


def with_no_signal_name() -> None:
    started = workflow_starter(None, "us-east-1", DOMAIN, "starting", client=current_client())
    started.signal_workflow_execution(WorkflowExecution("any", None), "", "[[],{}]")


def current_client() -> Any:
    """The client of the workflow_starter around the call (see :func:`raised`)."""
    return peek_context().worker.client


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (in_no_domain, "Invalid length for parameter domain, value: 0, valid min length: 1"),
        (on_an_empty_task_list, "Invalid length for parameter taskList.name, value: 0, valid min length: 1"),
        (with_no_signal_name, "Invalid length for parameter signalName, value: 0, valid min length: 1"),
    ],
)
def test_a_request_botocore_refuses_raises_its_param_validation_error_before_anything_is_sent(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch, call: Any, message: str
) -> None:
    error = same_errors(service, monkeypatch, call)
    assert isinstance(error, ParamValidationError)
    assert message in str(error)


def test_a_client_told_not_to_validate_sends_what_it_is_given(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service refuses it then, the same way whichever path sent it.
    error = same_errors(service, monkeypatch, on_an_empty_task_list, parameter_validation=False)
    assert isinstance(error, ValidationException)


def test_a_client_whose_profile_turns_validation_off_sends_what_it_is_given(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = tmp_path / "config"
    profile.write_text("[default]\nparameter_validation = false\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(profile))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=service.endpoint_url,
        aws_access_key_id=KEYS[0],
        aws_secret_access_key=KEYS[1],
        config=botocore.config.Config(retries={"max_attempts": 0}),
    )
    assert client.meta.config.parameter_validation  # the client's Config does not tell
    wire = Wire(monkeypatch)
    with starter(client), pytest.raises(ValidationException, match=r"taskList\.name"):
        on_an_empty_task_list()
    assert wire.lean == ["StartWorkflowExecution"]


def test_a_worker_starts_and_signals_the_lean_way_too(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker is the starter inside its with block (its pollers go the lean way as well).
    worker = ActivityWorker(None, "us-east-1", DOMAIN, "no-activities", Idle(), client=service.client())
    wire = Wire(monkeypatch)
    with worker:
        Waiting.run().poke(1)
    assert {"StartWorkflowExecution", "SignalWorkflowExecution"} <= set(wire.lean)
    assert wire.botocore == []


@pytest.mark.parametrize(
    ("operation", "request_", "message"),
    [
        (
            "SignalWorkflowExecution",
            {"domain": DOMAIN, "workflowId": "w"},
            'Missing required parameter in input: "signalName"',
        ),
        (
            "SignalWorkflowExecution",
            {"domain": DOMAIN, "workflowId": "w", "signalName": 7},
            "Invalid type for parameter signalName, value: 7",
        ),
        (
            "StartWorkflowExecution",
            {
                "domain": DOMAIN,
                "workflowId": "w",
                "workflowType": {"name": "Waiting", "version": "1"},
                "colour": "red",
            },
            'Unknown parameter in input: "colour"',
        ),
        (
            "StartWorkflowExecution",
            {"domain": DOMAIN, "workflowId": "", "workflowType": {"name": "Waiting", "version": "1"}},
            "Invalid length for parameter workflowId, value: 0, valid min length: 1",
        ),
    ],
)
def test_a_lean_client_refuses_what_botocore_refuses_with_the_same_error(
    service: LocalSWF, operation: str, request_: dict[str, Any], message: str
) -> None:
    client = service.client()
    with pytest.raises(ParamValidationError) as lean:
        LeanClient(client).call(operation, request_)
    method = getattr(client, botocore.xform_name(operation))
    with pytest.raises(ParamValidationError) as through_botocore:
        method(**request_)
    assert str(lean.value) == str(through_botocore.value)
    assert message in str(lean.value)


def to_an_unknown_execution() -> None:
    started = workflow_starter(None, "us-east-1", DOMAIN, "starting", client=current_client())
    started.signal_workflow_execution(WorkflowExecution("never-started", None), "poke", "[[1],{}]")


def test_a_signal_to_an_unknown_execution_raises_awsflows_unknown_resource_error(
    service: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(same_errors(service, monkeypatch, to_an_unknown_execution), UnknownResourceError)
