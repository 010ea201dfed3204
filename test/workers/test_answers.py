"""Delivering answers: retried while SWF may take them, never past the token's validity, and an
``Unknown task token`` after an attempt lost in transit is most likely a delivered answer."""

from __future__ import annotations

import logging
import threading

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from awsflow.swf_exceptions import ThrottlingException, UnknownResourceError, ValidationException
from awsflow.workers._answers import (
    PROBE_INTERVAL,
    VALIDITY_CAP,
    VALIDITY_FLOOR,
    Delivery,
    Stopping,
    deliver,
    validity,
)


class Service:
    """The answer's transport: raises the scripted errors in turn, then takes the answer."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


class Waits(threading.Event):
    """An event whose waits return at once, recording how long they would have been."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.is_set()


def _deliver(
    service: Service, *, deadline: float = 1e9, stop: Stopping | None = None, clock=None
) -> Delivery:
    stop = stop or Stopping(Waits(), Waits())
    kwargs = {} if clock is None else {"clock": clock}
    return deliver(
        service,
        operation="RespondActivityTaskCompleted",
        what="activity a (1)",
        deadline=deadline,
        stop=stop,
        **kwargs,
    )


UNREACHABLE = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
IN_TRANSIT = ConnectionClosedError(endpoint_url="http://127.0.0.1:1")
GONE = UnknownResourceError("Unknown task token", "UnknownResourceFault")
THROTTLED = ThrottlingException("Rate exceeded", "ThrottlingException")


def test_an_answer_is_retried_through_an_outage_probing_at_most_a_second_apart() -> None:
    stopping = Waits()
    service = Service(*[UNREACHABLE] * 12)
    assert _deliver(service, stop=Stopping(stopping, Waits())) is Delivery.DELIVERED
    assert service.calls == 13
    assert len(stopping.waits) == 12 and all(0 <= w <= PROBE_INTERVAL for w in stopping.waits)  # type: ignore[operator]


def test_throttling_backs_off_further_than_an_outage() -> None:
    stopping = Waits()
    assert _deliver(Service(*[THROTTLED] * 12), stop=Stopping(stopping, Waits())) is Delivery.DELIVERED
    assert max(w for w in stopping.waits if w is not None) > PROBE_INTERVAL


def test_unknown_token_after_an_attempt_lost_in_transit_is_most_likely_delivered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="awsflow.workers._answers"):
        assert _deliver(Service(IN_TRANSIT, GONE)) is Delivery.PROBABLY_DELIVERED
    assert [(r.levelname, "most likely recorded" in r.getMessage()) for r in caplog.records] == [
        ("INFO", True)
    ]
    assert Delivery.PROBABLY_DELIVERED.taken


def test_unknown_token_after_botocores_own_retries_is_most_likely_delivered() -> None:
    retried = UnknownResourceError(
        "Unknown task token",
        "UnknownResourceFault",
        {"Error": {"Code": "UnknownResourceFault"}, "ResponseMetadata": {"RetryAttempts": 1}},
    )
    assert _deliver(Service(retried)) is Delivery.PROBABLY_DELIVERED


@pytest.mark.parametrize("before", [[], [THROTTLED]], ids=["at-once", "after-throttling"])
def test_unknown_token_otherwise_means_the_task_is_gone(
    before: list[BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="awsflow.workers._answers"):
        assert _deliver(Service(*before, GONE)) is Delivery.GONE  # throttling did nothing
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert not Delivery.GONE.taken


def test_retrying_ends_when_the_token_can_no_longer_be_valid(caplog: pytest.LogCaptureFixture) -> None:
    now = iter(float(t) for t in range(0, 1000, 10))  # each look at the clock: 10 s later
    service = Service(*[UNREACHABLE] * 100)
    with caplog.at_level(logging.ERROR, logger="awsflow.workers._answers"):
        assert _deliver(service, deadline=45.0, clock=lambda: next(now)) is Delivery.GIVEN_UP
    assert service.calls == 5  # at 10, 20, 30, 40 s (one wait each) and a last at 50 s
    assert "not delivered after 5 attempt(s)" in caplog.records[0].getMessage()


def test_an_answer_swf_refuses_is_not_retried() -> None:
    service = Service(ValidationException("result too long", "ValidationException"))
    assert _deliver(service) is Delivery.GIVEN_UP and service.calls == 1


def test_after_a_stop_answers_go_on_until_the_worker_hurries() -> None:
    stopping, hurry = Waits(), Waits()
    stopping.set()
    stop = Stopping(stopping, hurry)
    assert _deliver(Service(UNREACHABLE, UNREACHABLE), stop=stop) is Delivery.DELIVERED
    assert len(hurry.waits) == 2 and stopping.waits == []  # waits end only if it hurries
    hurry.set()
    service = Service(UNREACHABLE, UNREACHABLE)
    assert _deliver(service, stop=stop) is Delivery.GIVEN_UP and service.calls == 1


def test_a_tokens_validity_is_the_longest_known_timeout_within_bounds() -> None:
    assert validity("300", None, 30) == 300.0
    assert validity("5") == VALIDITY_FLOOR  # a per-call override may be longer
    assert validity("5", floor=0) == 5.0  # a decision task's own timeout is exact
    assert validity("NONE") == validity() == VALIDITY_CAP
    assert validity(10**9) == VALIDITY_CAP
