"""Fault injection (``--faults``, ``--throttle``): each fault as a client sees it, over HTTP.

The policy is tested as values first (parsing, seeded decisions, token buckets); then each
action through botocore against a running service: whether the request's change happened, what
the client saw, and that botocore's own retry logic recognises the throttling answer.
"""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import time
from typing import Any

import botocore.exceptions
import pytest
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker
from raw_http import connect, post, read_answer
from server_process import server
from swf_helpers import ACTIVITY, TASK_LIST, decide, event_types, schedule, setup_domain, start

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local._fault_plan import Action, Drop, FaultInjector, FaultPlan, FaultSpecError, Trigger
from awsflow.local._throttle import ACCOUNT_QUOTAS, Throttle

pytestmark = pytest.mark.skipif(
    __import__("os").environ.get("AWS_SWF_CONFORMANCE") == "moto",
    reason="tests awsflow.local's own fault injection",
)


# -- the policy, as values ------------------------------------------------------------------------
def test_a_spec_parses_into_rules_in_order() -> None:
    plan = FaultPlan.parse(
        " throttle : PollFor* : p=0.25 ; delay=1.5:StartWorkflowExecution,Signal*;lose:*:nth=2;"
    )
    assert [(r.action, r.operations, r.trigger) for r in plan.rules] == [
        (Action.THROTTLE, ("PollFor*",), Trigger(p=0.25)),
        (Action.DELAY, ("StartWorkflowExecution", "Signal*"), Trigger()),
        (Action.LOSE, ("*",), Trigger(nth=2)),
    ]
    assert plan.rules[1].delay == 1.5
    assert plan.rules[2].matches("PollForActivityTask") and not plan.rules[2].matches("ListDomains")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("boom:*", "unknown action 'boom'"),
        ("throttle:PollForTask", "'PollForTask' matches no SWF operation"),
        ("lose:Respond*", "lose applies to polls only"),
        ("delay=0:*", "delay= takes seconds above 0"),
        ("delay=nan:*", "delay= needs a number"),
        ("throttle:*:p=1.5", "p= must be a probability"),
        ("throttle:*:nth=0", "nth= must be 1 or more"),
        ("throttle:*:every=²", "every= needs a number"),
        ("throttle:*:when=1", "unknown trigger 'when'"),
        ("throttle", "expected ACTION:OPERATIONS[:TRIGGER]"),
        ("drop=2:*", "drop takes no argument"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_rule_and_the_problem(spec: str, says: str) -> None:
    with pytest.raises(FaultSpecError) as refused:
        FaultPlan.parse(f"throttle:ListDomains; {spec}")
    assert f"fault rule 2 ({spec!r})" in str(refused.value) and says in str(refused.value)


def _refusals(injector: FaultInjector, operation: str, calls: int) -> list[str]:
    return ["-" if (f := injector.before(operation, {}, now=0.0)) is None else f.code for _ in range(calls)]


def test_nth_and_every_count_the_calls_of_their_operations_only() -> None:
    injector = FaultInjector(FaultPlan.parse("503:ListDomains:nth=2; 500:Describe*:every=2"))
    assert _refusals(injector, "ListDomains", 4) == ["-", "ServiceUnavailableException", "-", "-"]
    assert _refusals(injector, "DescribeDomain", 4) == ["-", "InternalFailure", "-", "InternalFailure"]
    assert injector.injected == {"503": 1, "500": 2}


def test_probabilistic_faults_repeat_exactly_for_a_seed() -> None:
    def run(seed: int) -> list[str]:
        return _refusals(FaultInjector(FaultPlan.parse("throttle:*:p=0.3"), seed=seed), "ListDomains", 200)

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert 30 <= run(7).count("ThrottlingException") <= 90  # about 0.3 of 200


def test_answer_faults_count_only_calls_carried_out_and_lose_only_polls_that_took_a_task() -> None:
    injector = FaultInjector(FaultPlan.parse("lose:PollForActivityTask:nth=2; drop:Respond*:nth=1"))
    empty: dict[str, Any] = {"startedEventId": 0}
    task = {"taskToken": "t", "startedEventId": 5}
    outcomes = [injector.after("PollForActivityTask", r) for r in (empty, task, empty, task)]
    assert outcomes == [None, None, None, Drop("lose")]
    assert injector.after("RespondActivityTaskCompleted", None) == Drop("drop")
    assert injector.after("RespondActivityTaskCompleted", None) is None


def test_the_aws_throttle_has_swfs_documented_buckets_and_refills_on_the_service_clock() -> None:
    # "Amazon SWF Quotas" (developer guide), "Throttling quotas for all Regions".
    assert (ACCOUNT_QUOTAS["PollForActivityTask"].burst, ACCOUNT_QUOTAS["PollForActivityTask"].rate) == (
        2000,
        200,
    )
    assert ACCOUNT_QUOTAS["GetWorkflowExecutionHistory"].rate == 60
    assert ACCOUNT_QUOTAS["SignalWorkflowExecution"].rate == 30
    throttle = Throttle()
    assert all(throttle.allows("StartWorkflowExecution", {}, now=100.0) for _ in range(2000))
    assert not throttle.allows("StartWorkflowExecution", {}, now=100.0)
    assert throttle.allows("StartWorkflowExecution", {}, now=100.0075)  # 200 a second: 1.5 tokens
    assert not throttle.allows("StartWorkflowExecution", {}, now=100.0075)


def test_the_aws_throttle_also_limits_each_execution() -> None:
    throttle = Throttle(scale=0.01)  # Signal: account 20 burst, per execution 10 burst
    one = {"domain": "d", "workflowId": "one"}
    assert [throttle.allows("SignalWorkflowExecution", one, now=0.0) for _ in range(11)] == [True] * 10 + [
        False
    ]
    assert throttle.allows("SignalWorkflowExecution", {"domain": "d", "workflowId": "two"}, now=0.0)


# -- over HTTP -----------------------------------------------------------------------------------
def _client(swf: LocalSWF, **retries: Any) -> Any:
    return swf.client(retries=retries or {"max_attempts": 0})


def test_throttling_is_answered_as_aws_does_and_botocore_retries_it_as_throttling(
    clock: VirtualClock,
) -> None:
    with LocalSWF(clock=clock, faults="throttle:ListDomains:every=2") as swf:
        sock = connect(swf.endpoint_url)
        answers = []
        for _ in range(2):  # calls 1 (answered) and 2 (throttled)
            sock.sendall(post("ListDomains", b'{"registrationStatus":"REGISTERED"}'))
            answers.append(read_answer(sock))
        sock.close()
        assert [answer.status for answer in answers] == [200, 400]
        assert json.loads(answers[1].body) == {
            "__type": "com.amazon.coral.availability#ThrottlingException",
            "message": "Rate exceeded",
        }
        plain = _client(swf)
        plain.list_domains(registrationStatus="REGISTERED")  # call 3
        with pytest.raises(botocore.exceptions.ClientError) as throttled:
            plain.list_domains(registrationStatus="REGISTERED")  # call 4
        parsed = throttled.value.response
        assert parsed["Error"]["Code"] == "ThrottlingException"
        context = RetryContext(attempt_number=1, parsed_response=parsed, http_response=None)
        assert ThrottledRetryableChecker().is_retryable(context)
        plain.list_domains(registrationStatus="REGISTERED")  # call 5
        # Both of botocore's retry modes retry it (legacy mode retries only the codes it knows):
        # calls 6 and 8 are throttled, 7 and 9 answered.
        for mode in ("standard", "legacy"):
            answered = _client(swf, mode=mode, max_attempts=2).list_domains(registrationStatus="REGISTERED")
            assert answered["ResponseMetadata"]["RetryAttempts"] == 1
        assert swf.faults_injected == {"throttle": 4}


@pytest.mark.parametrize(
    ("action", "status", "code"),
    [("500", 500, "InternalFailure"), ("503", 503, "ServiceUnavailableException")],
)
def test_injected_server_errors_change_nothing(
    clock: VirtualClock, action: str, status: int, code: str
) -> None:
    with LocalSWF(clock=clock, faults=f"{action}:RegisterDomain:nth=1") as swf:
        client = _client(swf)
        with pytest.raises(botocore.exceptions.ClientError) as failed:
            client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
        assert failed.value.response["Error"]["Code"] == code
        with pytest.raises(client.exceptions.UnknownResourceFault):
            client.describe_domain(name="d")
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")  # the 2nd passes


def test_a_dropped_answer_is_a_connection_error_though_the_change_was_committed(clock: VirtualClock) -> None:
    with LocalSWF(clock=clock, faults="drop:RegisterDomain:nth=1") as swf:
        client = _client(swf)
        with pytest.raises(botocore.exceptions.ConnectionClosedError):
            client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        assert client.describe_domain(name="d")["domainInfo"]["status"] == "REGISTERED"
        # botocore retries a closed connection; the retry meets the committed change.
        retrying = _client(swf, mode="standard", max_attempts=3)
        with pytest.raises(retrying.exceptions.DomainAlreadyExistsFault):
            retrying.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")


def test_a_lost_poll_answer_leaves_the_task_started_until_swf_times_it_out(clock: VirtualClock) -> None:
    with LocalSWF(clock=clock, faults="lose:PollForActivityTask:nth=1") as swf:
        client = _client(swf)
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        run = start(client, "d")
        decide(client, "d", schedule(startToCloseTimeout="30"))
        with pytest.raises(botocore.exceptions.ConnectionClosedError):
            client.poll_for_activity_task(domain="d", taskList=TASK_LIST)
        assert event_types(client, "d", run)[-2:] == ["ActivityTaskScheduled", "ActivityTaskStarted"]
        assert client.count_pending_activity_tasks(domain="d", taskList=TASK_LIST)["count"] == 0
        clock.advance(31)
        assert event_types(client, "d", run)[-2:] == ["ActivityTaskTimedOut", "DecisionTaskScheduled"]
        assert swf.faults_injected == {"lose": 1}


def test_a_delayed_answer_comes_late_and_the_change_happened(clock: VirtualClock) -> None:
    with LocalSWF(clock=clock, faults="delay=0.3:RegisterDomain:nth=1") as swf:
        client = _client(swf)
        began = time.monotonic()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        assert time.monotonic() - began >= 0.3
        assert client.describe_domain(name="d")["domainInfo"]["name"] == "d"


def test_the_aws_throttle_refuses_beyond_the_bucket_until_the_service_clock_refills_it(
    clock: VirtualClock,
) -> None:
    with LocalSWF(clock=clock, throttle="aws:0.01") as swf:  # ListDomains: 1 burst, 0.06 a second
        client = _client(swf)
        client.list_domains(registrationStatus="REGISTERED")
        with pytest.raises(client.exceptions.ClientError) as throttled:
            client.list_domains(registrationStatus="REGISTERED")
        assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
        clock.advance(1 / 0.06)
        client.list_domains(registrationStatus="REGISTERED")


def test_every_answer_carries_the_poll_close_promise_unless_turned_off(clock: VirtualClock) -> None:
    for announce in (True, False):
        with LocalSWF(clock=clock, announce_poll_close=announce) as swf:
            headers = _client(swf).list_domains(registrationStatus="REGISTERED")["ResponseMetadata"][
                "HTTPHeaders"
            ]
            assert headers.get("x-awsflow-poll-close") == ("answers-at-once" if announce else None)


def _poll_request(domain: str) -> bytes:
    body = json.dumps({"domain": domain, "taskList": TASK_LIST, "identity": "half-closed"}).encode()
    return post("PollForActivityTask", body)


def test_a_held_poll_whose_client_closes_its_sending_side_is_answered_empty_at_once(
    swf: LocalSWF, client: Any, domain: str
) -> None:
    setup_domain(client, domain)
    with connect(swf.endpoint_url) as sock:
        sock.sendall(_poll_request(domain))
        assert swf.service.wait_for_pollers(1, timeout=5)
        sock.shutdown(socket.SHUT_WR)
        answer = read_answer(sock)  # the virtual clock never moves: only the close ends the poll
    assert answer.status == 200 and not json.loads(answer.body).get("taskToken")
    run = start(client, domain)
    decide(client, domain, schedule())
    assert client.poll_for_activity_task(domain=domain, taskList=TASK_LIST)["workflowExecution"] == run


def test_a_poll_sent_and_half_closed_at_once_still_takes_the_waiting_task(
    swf: LocalSWF, client: Any, domain: str
) -> None:
    setup_domain(client, domain)
    run = start(client, domain)
    decide(client, domain, schedule())
    with connect(swf.endpoint_url) as sock:
        sock.sendall(_poll_request(domain))
        sock.shutdown(socket.SHUT_WR)  # before the service has even read the poll
        answer = read_answer(sock)
    task = json.loads(answer.body)
    assert task["workflowExecution"] == run and task["activityType"] == ACTIVITY


# -- the command line ----------------------------------------------------------------------------
def test_the_command_line_takes_faults_and_refuses_a_bad_spec() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "awsflow.local", "--faults", "throttle:NoSuchCall"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "'NoSuchCall' matches no SWF operation" in refused.stderr
    with server(["--faults", "503:ListDomains:nth=1", "--throttle", "aws"]) as process:
        client: Any = process.client()
        with pytest.raises(botocore.exceptions.ClientError) as failed:
            client.list_domains(registrationStatus="REGISTERED")
        assert failed.value.response["Error"]["Code"] == "ServiceUnavailableException"
        assert client.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
        assert process.stop() == 0


def test_a_rules_faults_do_not_depend_on_the_calls_other_rules_see() -> None:
    plan = FaultPlan.parse("throttle:ListDomains:p=0.5; throttle:DescribeDomain:p=0.5")
    alone = _refusals(FaultInjector(plan, seed=3), "DescribeDomain", 50)
    mixed = FaultInjector(plan, seed=3)
    calls = ["ListDomains"] * 50 + ["DescribeDomain"] * 50
    random.Random(0).shuffle(calls)
    outcomes = [(op, _refusals(mixed, op, 1)[0]) for op in calls]
    assert [code for op, code in outcomes if op == "DescribeDomain"] == alone
    assert "ThrottlingException" in alone and "-" in alone
