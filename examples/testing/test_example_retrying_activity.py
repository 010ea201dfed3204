"""A retrying activity: the workflow's view (attempts, backoff timers) and the activity's own."""

from __future__ import annotations

import pytest
from example_workflows import CardDeclined, Checkout, PaymentActivities

from awsflow.testing import ActivityEnvironment, WorkflowEnvironment


def test_the_payment_succeeds_on_the_third_attempt_after_10_and_20_seconds(
    swf_env: WorkflowEnvironment,
) -> None:
    swf_env.start_workers(Checkout, PaymentActivities())
    handle = swf_env.start(Checkout.buy, "4111", 42)
    assert handle.result() == "paid 42 with 4111"
    events = swf_env.history(handle)
    timers = [
        e["timerStartedEventAttributes"]["startToFireTimeout"]
        for e in events
        if e["eventType"] == "TimerStarted"
    ]
    assert timers == ["10", "20"]
    assert [e["eventType"] for e in events].count("ActivityTaskFailed") == 2


def test_a_declined_card_is_not_retried(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(Checkout, PaymentActivities())
    handle = swf_env.start(Checkout.buy, "stolen", 42)
    assert handle.result() == "payment failed: card stolen declined"
    assert [e["eventType"] for e in swf_env.history(handle)].count("ActivityTaskScheduled") == 1


@pytest.mark.parametrize(
    ("attempt", "outcome"), [(1, ConnectionError), (2, ConnectionError), (3, "paid 5 with 4111")]
)
def test_the_activity_alone_fails_until_its_third_attempt(attempt: int, outcome: object) -> None:
    env = ActivityEnvironment(attempt=attempt)
    if isinstance(outcome, str):
        assert env.run(PaymentActivities().pay, "4111", 5) == outcome
    else:
        with pytest.raises(ConnectionError):
            env.run(PaymentActivities().pay, "4111", 5)


def test_the_activity_alone_declines_a_stolen_card() -> None:
    with pytest.raises(CardDeclined):
        ActivityEnvironment().run(PaymentActivities().pay, "stolen", 5)
