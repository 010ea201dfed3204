"""ScheduleLambdaFunction: local Python callables stand in for AWS Lambda (SWF-SEMANTICS §8.5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from swf_helpers import decide, decision, history, last, setup_domain, start
from waiting import wait_until

from awsflow.local import LocalSWF, VirtualClock

ROLE = "arn:aws:iam::000000000000:role/swf-lambda"


def fail(payload: str | None) -> str | None:
    raise ValueError(f"cannot handle {payload}")


@pytest.fixture
def client() -> Iterator[Any]:
    functions = {"upper": lambda payload: (payload or "").upper(), "fail": fail}
    with LocalSWF(clock=VirtualClock(), lambda_functions=functions) as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        yield client


def outcome(client: Any, run: dict[str, str], timeout: float = 10) -> dict[str, Any]:
    """The function runs on a service thread: poll the history (with a deadline) for its end."""
    found: list[dict[str, Any]] = []

    def finished() -> bool:
        found[:] = [
            e
            for e in history(client, "d", run)
            if e["eventType"] in ("LambdaFunctionCompleted", "LambdaFunctionFailed")
        ]
        return bool(found)

    wait_until(finished, timeout, "the function to finish")
    return found[-1]


def test_a_function_runs_and_its_result_is_recorded(client: Any) -> None:
    run = start(client, "d", lambdaRole=ROLE)
    decide(client, "d", decision("ScheduleLambdaFunction", id="l1", name="upper", input="hi", control="c"))
    scheduled = last(client, "d", run, "LambdaFunctionScheduled")
    assert scheduled == {
        "eventId": 5,
        "id": "l1",
        "name": "upper",
        "control": "c",
        "input": "hi",
        "startToCloseTimeout": "900",
        "decisionTaskCompletedEventId": 4,
    }
    assert last(client, "d", run, "LambdaFunctionStarted") == {"eventId": 6, "scheduledEventId": 5}
    event = outcome(client, run)
    assert event["eventType"] == "LambdaFunctionCompleted"
    assert event["lambdaFunctionCompletedEventAttributes"] == {
        "scheduledEventId": 5,
        "startedEventId": 6,
        "result": "HI",
    }


def test_a_raising_function_fails_with_its_exception(client: Any) -> None:
    run = start(client, "d", lambdaRole=ROLE)
    decide(client, "d", decision("ScheduleLambdaFunction", id="l1", name="fail", input="x"))
    event = outcome(client, run)
    assert event["eventType"] == "LambdaFunctionFailed"
    attributes = event["lambdaFunctionFailedEventAttributes"]
    assert attributes["reason"] == "ValueError"
    assert attributes["details"] == "cannot handle x"


def test_an_unknown_function_fails_as_not_found(client: Any) -> None:
    run = start(client, "d", lambdaRole=ROLE)
    decide(client, "d", decision("ScheduleLambdaFunction", id="l1", name="nowhere"))
    assert (
        outcome(client, run)["lambdaFunctionFailedEventAttributes"]["reason"] == "ResourceNotFoundException"
    )


def test_without_a_lambda_role_the_function_cannot_start(client: Any) -> None:
    run = start(client, "d")
    decide(client, "d", decision("ScheduleLambdaFunction", id="l1", name="upper"))
    failed = last(client, "d", run, "StartLambdaFunctionFailed")
    assert failed["scheduledEventId"] == 5
    assert failed["cause"] == "ASSUME_ROLE_FAILED"


def test_an_open_lambda_id_cannot_be_reused(client: Any) -> None:
    run = start(client, "d")
    decide(
        client,
        "d",
        decision("ScheduleLambdaFunction", id="l1", name="upper"),
        decision("ScheduleLambdaFunction", id="l1", name="upper"),
    )
    assert last(client, "d", run, "ScheduleLambdaFunctionFailed") == {
        "eventId": 6,
        "id": "l1",
        "name": "upper",
        "cause": "ID_ALREADY_IN_USE",
        "decisionTaskCompletedEventId": 4,
    }
