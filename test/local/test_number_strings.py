"""Durations and priorities are numbers written as strings: only ASCII decimal digits count.

``str.isdigit()`` accepts "²" and "⑤", which ``int()`` refuses; ``int()`` accepts "\\u0665" (an
Arabic-Indic five), " 5" and "1_0", which SWF does not. Each such value is refused with a
ValidationException wherever a duration or priority appears, and a refused decision batch
leaves no trace (the task token stays usable).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from swf_helpers import (
    ACTIVITY,
    TASK_LIST,
    WORKFLOW,
    decision,
    history,
    poll_decision,
    register_activity_type,
    schedule,
    setup_domain,
    start,
)

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local.engine import Engine, ValidationException

NOT_ASCII_DIGITS = ["\u00b2", "\u2464", "\u0665", " 5", "1_0", "5.0", "", "0x10", "-1", "+5"]
NOT_PRIORITIES = ["\u00b2", "\u0665", "abc", "2147483648", "-2147483649", "1_0", " 1", ""]


def error_code(info: pytest.ExceptionInfo[Any]) -> str:
    code: str = info.value.response["Error"]["Code"]
    return code


@pytest.fixture(scope="module")
def service() -> Iterator[LocalSWF]:
    with LocalSWF(clock=VirtualClock()) as swf:
        yield swf


@pytest.fixture(scope="module")
def client(service: LocalSWF) -> Any:
    return service.client(parameter_validation=False)  # the service, not botocore, must refuse


@pytest.fixture
def domain(client: Any) -> str:
    name = f"d-{uuid.uuid4().hex[:12]}"
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name


@pytest.mark.parametrize("value", [*NOT_ASCII_DIGITS, "91"])
def test_register_domain_refuses_a_retention_that_is_not_ascii_days(client: Any, value: str) -> None:
    name = f"r-{uuid.uuid4().hex[:12]}"
    with pytest.raises(client.exceptions.ClientError) as info:
        client.register_domain(name=name, workflowExecutionRetentionPeriodInDays=value)
    assert error_code(info) == "ValidationException"
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.describe_domain(name=name)


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
@pytest.mark.parametrize("member", ["executionStartToCloseTimeout", "taskStartToCloseTimeout"])
def test_start_refuses_timeouts_that_are_not_ascii_seconds(
    client: Any, domain: str, member: str, value: str
) -> None:
    setup_domain(client, domain)
    with pytest.raises(client.exceptions.ClientError) as info:
        start(client, domain, **{member: value})
    assert error_code(info) == "ValidationException"
    assert member in info.value.response["Error"]["Message"]


@pytest.mark.parametrize("value", NOT_PRIORITIES)
def test_start_refuses_a_priority_that_is_not_a_java_int(client: Any, domain: str, value: str) -> None:
    setup_domain(client, domain)
    with pytest.raises(client.exceptions.ClientError) as info:
        start(client, domain, taskPriority=value)
    assert error_code(info) == "ValidationException"


@pytest.mark.parametrize("value", ["-2147483648", "2147483647", "+7", "007"])
def test_priorities_in_the_java_int_range_are_accepted(client: Any, domain: str, value: str) -> None:
    setup_domain(client, domain)
    start(client, domain, taskPriority=value)


@pytest.mark.parametrize(
    ("operation", "member", "value"),
    [
        ("register_activity_type", "defaultTaskPriority", "abc"),
        ("register_activity_type", "defaultTaskPriority", "\u0665"),
        ("register_activity_type", "defaultTaskStartToCloseTimeout", "abc"),
        ("register_activity_type", "defaultTaskHeartbeatTimeout", "\u00b2"),
        ("register_activity_type", "defaultTaskScheduleToStartTimeout", "-1"),
        ("register_activity_type", "defaultTaskScheduleToCloseTimeout", "\u2464"),
        ("register_workflow_type", "defaultTaskPriority", "abc"),
        ("register_workflow_type", "defaultTaskStartToCloseTimeout", "abc"),
        ("register_workflow_type", "defaultExecutionStartToCloseTimeout", "NONE"),
        ("register_workflow_type", "defaultExecutionStartToCloseTimeout", "\u00b2"),
    ],
)
def test_type_defaults_are_validated_at_registration(
    client: Any, domain: str, operation: str, member: str, value: str
) -> None:
    with pytest.raises(client.exceptions.ClientError) as info:
        getattr(client, operation)(domain=domain, name="T", version="1", **{member: value})
    assert error_code(info) == "ValidationException"
    assert f"at '{member}'" in info.value.response["Error"]["Message"]
    family = "activity" if operation == "register_activity_type" else "workflow"
    listed = getattr(client, f"list_{family}_types")(domain=domain, registrationStatus="REGISTERED")
    assert listed["typeInfos"] == [], "a refused registration registers nothing"


def _decisions_with(member_path: tuple[str, str], value: str) -> list[dict[str, Any]]:
    """One decision of the given type, well-formed except for ``value`` at the member."""
    kind, member = member_path
    base: dict[str, dict[str, Any]] = {
        "ScheduleActivityTask": {"activityType": ACTIVITY, "activityId": "a"},
        "StartTimer": {"timerId": "t", "startToFireTimeout": "5"},
        "StartChildWorkflowExecution": {"workflowType": WORKFLOW, "workflowId": "child"},
        "ContinueAsNewWorkflowExecution": {},
        "ScheduleLambdaFunction": {"id": "l", "name": "f"},
    }
    return [decision(kind, **{**base[kind], member: value})]


DECISION_MEMBERS = [
    ("ScheduleActivityTask", "scheduleToCloseTimeout"),
    ("ScheduleActivityTask", "scheduleToStartTimeout"),
    ("ScheduleActivityTask", "startToCloseTimeout"),
    ("ScheduleActivityTask", "heartbeatTimeout"),
    ("StartTimer", "startToFireTimeout"),
    ("StartChildWorkflowExecution", "executionStartToCloseTimeout"),
    ("StartChildWorkflowExecution", "taskStartToCloseTimeout"),
    ("ContinueAsNewWorkflowExecution", "executionStartToCloseTimeout"),
    ("ContinueAsNewWorkflowExecution", "taskStartToCloseTimeout"),
    ("ScheduleLambdaFunction", "startToCloseTimeout"),
]
PRIORITY_DECISIONS = ["ScheduleActivityTask", "StartChildWorkflowExecution", "ContinueAsNewWorkflowExecution"]


def _refused_batch_leaves_no_trace(
    client: Any, domain: str, decisions: list[dict[str, Any]], **extra: Any
) -> str:
    setup_domain(client, domain)
    execution = start(client, domain)
    task = poll_decision(client, domain)
    before = history(client, domain, execution)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions, **extra)
    assert error_code(info) == "ValidationException"
    assert history(client, domain, execution) == before, "a refused batch changes nothing"
    # The token is still good: the decider can answer again.
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    message: str = info.value.response["Error"]["Message"]
    return message


@pytest.mark.parametrize("value", ["\u00b2", "\u0665", "-1"])
@pytest.mark.parametrize("member_path", DECISION_MEMBERS, ids=lambda p: ".".join(p))
def test_decision_durations_must_be_ascii_seconds(
    client: Any, domain: str, member_path: tuple[str, str], value: str
) -> None:
    message = _refused_batch_leaves_no_trace(client, domain, _decisions_with(member_path, value))
    assert member_path[1] in message


@pytest.mark.parametrize(
    ("member_path", "value"),
    [
        (("StartTimer", "startToFireTimeout"), "NONE"),
        (("ScheduleLambdaFunction", "startToCloseTimeout"), "NONE"),
        (("ScheduleLambdaFunction", "startToCloseTimeout"), "0"),
        (("ScheduleLambdaFunction", "startToCloseTimeout"), "901"),
        (("StartChildWorkflowExecution", "executionStartToCloseTimeout"), "31536001"),
        (("ContinueAsNewWorkflowExecution", "executionStartToCloseTimeout"), "31536001"),
    ],
)
def test_decision_durations_outside_what_swf_allows_are_refused(
    client: Any, domain: str, member_path: tuple[str, str], value: str
) -> None:
    _refused_batch_leaves_no_trace(client, domain, _decisions_with(member_path, value))


@pytest.mark.parametrize("value", ["\u0665", "abc", "2147483648"])
@pytest.mark.parametrize("kind", PRIORITY_DECISIONS)
def test_decision_priorities_must_be_java_ints(client: Any, domain: str, kind: str, value: str) -> None:
    message = _refused_batch_leaves_no_trace(client, domain, _decisions_with((kind, "taskPriority"), value))
    assert "taskPriority" in message


@pytest.mark.parametrize("value", ["\u00b2", "NONE", "-1"])
def test_the_sticky_schedule_to_start_timeout_must_be_ascii_seconds(
    client: Any, domain: str, value: str
) -> None:
    _refused_batch_leaves_no_trace(
        client, domain, [], taskList={"name": "sticky"}, taskListScheduleToStartTimeout=value
    )


def test_valid_values_everywhere_still_work(client: Any, domain: str) -> None:
    register_activity_type(client, domain, defaultTaskPriority="-3")
    client.register_workflow_type(
        domain=domain,
        name=WORKFLOW["name"],
        version=WORKFLOW["version"],
        defaultTaskList=TASK_LIST,
        defaultExecutionStartToCloseTimeout="31536000",
        defaultTaskStartToCloseTimeout="NONE",
        defaultChildPolicy="TERMINATE",
        defaultTaskPriority="2147483647",
    )
    execution = start(client, domain, taskPriority="0")
    task = poll_decision(client, domain)
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            schedule(
                "a1", scheduleToCloseTimeout="NONE", startToCloseTimeout="0007", taskPriority="-2147483648"
            ),
            decision("StartTimer", timerId="t", startToFireTimeout="0"),
        ],
    )
    types = [e["eventType"] for e in history(client, domain, execution)]
    assert {"ActivityTaskScheduled", "TimerStarted", "TimerFired"} <= set(types)


# -- the engine on its own (callers that bypass HTTP get the same checks) ----------------------
def _engine_with_domain() -> Engine:
    engine = Engine(seed="s")
    engine.handle("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"}, 0.0)
    return engine


@pytest.mark.parametrize(
    "defaults",
    [
        {"defaultTaskPriority": "abc"},
        {"defaultTaskPriority": "\u0665"},
        {"defaultTaskStartToCloseTimeout": "abc"},
        {"defaultTaskHeartbeatTimeout": "\u00b2"},
    ],
)
def test_the_engine_refuses_bad_activity_type_defaults(defaults: dict[str, str]) -> None:
    engine = _engine_with_domain()
    request = {"domain": "d", "name": "a", "version": "1", **defaults}
    with pytest.raises(ValidationException):
        engine.handle("RegisterActivityType", request, 1.0)
    assert engine.handle(
        "ListActivityTypes", {"domain": "d", "registrationStatus": "REGISTERED"}, 2.0
    ).body == {"typeInfos": []}


@pytest.mark.parametrize("value", ["\u00b2", "\u2464", "\u0665"])
def test_the_engine_refuses_unicode_digits_in_a_start(value: str) -> None:
    engine = _engine_with_domain()
    engine.handle(
        "RegisterWorkflowType",
        {
            "domain": "d",
            "name": "w",
            "version": "1",
            "defaultTaskList": {"name": "l"},
            "defaultExecutionStartToCloseTimeout": "60",
            "defaultChildPolicy": "TERMINATE",
        },
        1.0,
    )
    request = {"domain": "d", "workflowId": "bad", "workflowType": {"name": "w", "version": "1"}}
    with pytest.raises(ValidationException):
        engine.handle("StartWorkflowExecution", {**request, "taskStartToCloseTimeout": value}, 2.0)
    with pytest.raises(ValidationException):
        engine.handle(
            "StartWorkflowExecution", {**request, "taskStartToCloseTimeout": "5", "taskPriority": value}, 2.0
        )
    assert engine.handle("PollForDecisionTask", {"domain": "d", "taskList": {"name": "l"}}, 3.0).body is None


@pytest.mark.parametrize("value", ["\u00b2", "\u0665"])
def test_the_engine_refuses_unicode_digits_in_a_retention(value: str) -> None:
    engine = Engine(seed="s")
    with pytest.raises(ValidationException):
        engine.handle("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": value}, 0.0)
