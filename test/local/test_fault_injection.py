"""Faults on demand (``--faults``, ``--throttle aws``): each action as a client sees it over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from swf_helpers import (
    ACTIVITY,
    TASK_LIST,
    decide,
    event_types,
    register_activity_type,
    register_workflow_type,
    schedule,
    start,
)

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local.__main__ import parse_args
from awsflow.local._injection import Action, FaultPlan, Rule, parse_faults, parse_throttle
from awsflow.local._throttle import ACCOUNT_QUOTAS, WORKFLOW_QUOTAS, Quota, Throttle

DOMAIN = "faults"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def _service(clock: VirtualClock, **options: Any) -> LocalSWF:
    swf = LocalSWF(clock=clock, **options).start()
    swf.client().register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    return swf


@pytest.fixture
def make(clock: VirtualClock) -> Iterator[Any]:
    services: list[LocalSWF] = []

    def make(**options: Any) -> LocalSWF:
        services.append(_service(clock, **options))
        return services[-1]

    yield make
    for swf in services:
        swf.stop()


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# -- the spec ----------------------------------------------------------------------------------
def test_a_spec_reads_into_rules() -> None:
    rules = parse_faults("RespondActivityTaskCompleted,PollForActivityTask:drop@p=0.25; *:delay=0.5@every=3")
    assert rules == (
        Rule(
            frozenset({"RespondActivityTaskCompleted", "PollForActivityTask"}), Action.DROP, probability=0.25
        ),
        Rule(None, Action.DELAY, delay=0.5, every=3),
    )


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("PollForActivityTask", "OPERATIONS:ACTION"),
        ("NoSuchOperation:drop", "unknown operation"),
        ("*:explode", "unknown action 'explode'"),
        ("*:delay=soon", "delay needs a number"),
        ("*:drop=3", "drop takes no argument"),
        ("*:drop@p=2", "p must be from 0 to 1"),
        ("*:drop@nth=0", "nth must be 1 or more"),
        ("*:drop@sometimes", "unknown condition"),
        ("*:delay=nan", "delay needs a finite number"),
        ("*:delay=inf", "delay needs a finite number"),
        ("*:delay=4000", "delay must be from 0 to 3600 seconds"),
    ],
)
def test_a_malformed_spec_is_refused_naming_the_rule(spec: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint) as info:
        parse_faults(spec, ["PollForActivityTask"])
    assert repr(spec.split(";")[0]) in str(info.value)


def test_the_command_line_refuses_a_bad_spec(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--faults", "*:explode"])
    assert "unknown action 'explode'" in capsys.readouterr().err
    assert parse_args(["--faults", "*:throttle@nth=2", "--throttle", "aws"]).throttle == "aws"
    assert parse_args(["--throttle", "aws:0.01"]).throttle == "aws:0.01"
    for bad in ("gcp", "aws:0", "aws:-1", "aws:nan", "aws:x"):
        with pytest.raises(SystemExit):
            parse_args(["--throttle", bad])


def test_nth_every_and_seeded_draws_are_reproducible() -> None:
    rules = parse_faults("A:500@nth=2;B:503@every=2;C:throttle@p=0.5")
    plans = [FaultPlan(rules, seed=7), FaultPlan(rules, seed=7)]
    calls = ["A", "A", "A", "B", "B", "B", "B"] + ["C"] * 40
    outcomes = [[plan.decide(operation, 0.0) for operation in calls] for plan in plans]
    assert outcomes[0] == outcomes[1]
    actions = [None if fault is None else fault.action for fault in outcomes[0]]
    assert actions[:7] == [
        None,
        Action.INTERNAL_FAILURE,
        None,
        None,
        Action.UNAVAILABLE,
        None,
        Action.UNAVAILABLE,
    ]
    assert 5 < actions[7:].count(Action.THROTTLE) < 35  # about half of 40


def test_the_aws_throttle_has_swfs_documented_buckets() -> None:
    # "Amazon SWF Quotas", Developer Guide: "Throttling quotas for all Regions" (bucket size,
    # refill rate per second) and "Workflow-level quotas".
    assert (
        ACCOUNT_QUOTAS["PollForActivityTask"]
        == ACCOUNT_QUOTAS["RespondDecisionTaskCompleted"]
        == Quota(2000, 200)
    )
    assert ACCOUNT_QUOTAS["StartWorkflowExecution"] == Quota(2000, 200)
    assert ACCOUNT_QUOTAS["GetWorkflowExecutionHistory"] == Quota(2000, 60)
    assert ACCOUNT_QUOTAS["SignalWorkflowExecution"] == Quota(2000, 30)
    assert ACCOUNT_QUOTAS["RegisterDomain"] == Quota(100, 6)
    assert WORKFLOW_QUOTAS["SignalWorkflowExecution"] == Quota(1000, 1000)
    assert len(ACCOUNT_QUOTAS) == 39  # one per API of the table, which names every operation
    throttle = Throttle()
    assert all(throttle.allows("StartWorkflowExecution", {}, now=100.0) for _ in range(2000))
    assert not throttle.allows("StartWorkflowExecution", {}, now=100.0)
    assert throttle.allows("StartWorkflowExecution", {}, now=100.0075)  # 200 a second: 1.5 tokens
    assert not throttle.allows("StartWorkflowExecution", {}, now=100.0075)


def test_the_aws_throttle_limits_each_execution_too_and_a_refusal_spends_nothing() -> None:
    throttle = parse_throttle("aws:0.01")  # Signal: account 20 burst, 0.3 a second; per execution 10
    one, two = {"domain": "d", "workflowId": "one"}, {"domain": "d", "workflowId": "two"}
    assert [throttle.allows("SignalWorkflowExecution", one, 0.0) for _ in range(11)] == [True] * 10 + [False]
    assert [throttle.allows("SignalWorkflowExecution", two, 0.0) for _ in range(11)] == [True] * 10 + [False]
    assert not throttle.allows("SignalWorkflowExecution", {"domain": "d", "workflowId": "three"}, 0.0)
    assert throttle.allows("SignalWorkflowExecution", one, 1 / 0.3)  # the account refilled one


# -- over HTTP -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "code", "status"),
    [
        ("throttle", "ThrottlingException", 400),
        ("500", "InternalFailure", 500),
        ("503", "ServiceUnavailableException", 503),
    ],
)
def test_refusals_answer_swf_shaped_errors_and_change_nothing(
    make: Any, action: str, code: str, status: int
) -> None:
    swf = make(faults=f"RegisterActivityType:{action}@nth=1")
    client = swf.client()
    with pytest.raises(ClientError) as info:
        register_activity_type(client, DOMAIN)
    assert _code(info) == (code, status)
    types = client.list_activity_types(domain=DOMAIN, registrationStatus="REGISTERED")["typeInfos"]
    assert types == []
    register_activity_type(client, DOMAIN)  # the second call goes through


def test_botocore_retries_a_throttled_call_by_itself(make: Any) -> None:
    swf = make(faults="RegisterActivityType:throttle@nth=1")
    register_activity_type(swf.client(retries={"mode": "standard", "max_attempts": 3}), DOMAIN)
    assert swf.client().list_activity_types(domain=DOMAIN, registrationStatus="REGISTERED")["typeInfos"]


def test_a_dropped_answer_hides_a_change_that_happened(make: Any) -> None:
    swf = make(faults="RegisterActivityType:drop@nth=1")
    client = swf.client()
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        register_activity_type(client, DOMAIN)
    types = client.list_activity_types(domain=DOMAIN, registrationStatus="REGISTERED")["typeInfos"]
    assert [t["activityType"] for t in types] == [ACTIVITY]


def test_a_lost_poll_answer_starts_the_task_which_then_times_out(make: Any, clock: VirtualClock) -> None:
    swf = make(faults="PollForActivityTask:lose@nth=1")
    client = swf.client()
    register_workflow_type(client, DOMAIN)
    register_activity_type(client, DOMAIN, defaultTaskStartToCloseTimeout="30")
    run = start(client, DOMAIN)
    decide(client, DOMAIN, schedule())
    lost = client.poll_for_activity_task(domain=DOMAIN, taskList=TASK_LIST, identity="unlucky")
    assert not lost.get("taskToken")
    assert event_types(client, DOMAIN, run)[-1] == "ActivityTaskStarted"
    clock.advance(31)
    assert "ActivityTaskTimedOut" in event_types(client, DOMAIN, run)


def test_a_delayed_answer_comes_late_and_whole(make: Any) -> None:
    swf = make(faults="ListDomains:delay=0.3")
    began = time.monotonic()
    domains = swf.client().list_domains(registrationStatus="REGISTERED")["domainInfos"]
    assert time.monotonic() - began >= 0.3
    assert [d["name"] for d in domains] == [DOMAIN]


def test_aws_throttling_refuses_a_burst_over_the_bucket_until_the_clock_refills_it(
    make: Any, clock: VirtualClock
) -> None:
    swf = make(throttle="aws:0.01")  # SignalWorkflowExecution: 10 per execution, then 10 a second
    client = swf.client()
    register_workflow_type(client, DOMAIN)
    run = start(client, DOMAIN)
    for _ in range(10):
        client.signal_workflow_execution(domain=DOMAIN, signalName="s", **run)
    with pytest.raises(ClientError) as info:
        client.signal_workflow_execution(domain=DOMAIN, signalName="s", **run)
    assert _code(info) == ("ThrottlingException", 400)
    clock.advance(0.15)  # 1.5 tokens back
    client.signal_workflow_execution(domain=DOMAIN, signalName="s", **run)
    assert event_types(client, DOMAIN, run).count("WorkflowExecutionSignaled") == 11
