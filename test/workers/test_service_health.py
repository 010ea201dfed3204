"""Trouble with the service is told apart from a failed request, and logged once per spell."""

from __future__ import annotations

import http.client
import logging

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from awsflow.swf_exceptions import from_client_error
from awsflow.workers._service_health import ServiceHealth, Trouble, classify
from awsflow.workers._transport import PollAborted


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("error", "trouble"),
    [
        (EndpointConnectionError(endpoint_url="http://x"), Trouble.UNREACHABLE),
        (ReadTimeoutError(endpoint_url="http://x"), Trouble.UNREACHABLE),
        (ConnectionRefusedError(111, "refused"), Trouble.UNREACHABLE),
        (http.client.RemoteDisconnected("closed"), Trouble.UNREACHABLE),
        (_client_error("ThrottlingException", 400), Trouble.THROTTLED),
        (from_client_error(_client_error("ThrottlingException", 400)), Trouble.THROTTLED),
        (_client_error("ServiceUnavailableException", 503), Trouble.FAILING),
        (_client_error("SomethingNew", 502), Trouble.FAILING),
        (from_client_error(_client_error("InternalFailure", 500)), Trouble.FAILING),
        (from_client_error(_client_error("UnknownResourceFault", 400)), None),
        (_client_error("ValidationException", 400), None),
        (PollAborted("stopping"), None),
        (KeyError("a bug"), None),
    ],
)
def test_errors_are_classified_by_what_they_say_about_the_service(
    error: BaseException, trouble: Trouble | None
) -> None:
    assert classify(error) is trouble


def test_a_spell_of_trouble_is_one_warning_then_one_info(caplog: pytest.LogCaptureFixture) -> None:
    health = ServiceHealth("worker")
    with caplog.at_level(logging.DEBUG, logger="awsflow.workers._service_health"):
        health.answered()  # nothing to tell
        for _ in range(9):
            assert (
                health.failed("PollForActivityTask", ConnectionRefusedError(111, "refused"))
                is Trouble.UNREACHABLE
            )
        assert health.trouble is Trouble.UNREACHABLE
        assert health.failed("RespondActivityTaskCompleted", KeyError("not trouble")) is None
        health.answered()
        health.answered()
    told = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno > logging.DEBUG]
    assert len(told) == 2
    assert (
        told[0][0] == "WARNING" and "SWF unreachable (PollForActivityTask: [Errno 111] refused)" in told[0][1]
    )
    assert told[1][0] == "INFO" and "answers again (it was unreachable for" in told[1][1]
    assert "9 call(s) failed" in told[1][1]
    assert health.trouble is None


def test_trouble_that_changes_kind_is_told_again(caplog: pytest.LogCaptureFixture) -> None:
    health = ServiceHealth("worker")
    with caplog.at_level(logging.WARNING, logger="awsflow.workers._service_health"):
        health.failed("PollForDecisionTask", _client_error("ServiceUnavailableException", 503))
        health.failed("PollForDecisionTask", ConnectionRefusedError(111, "refused"))
        health.failed("PollForDecisionTask", ConnectionRefusedError(111, "refused"))
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "worker: SWF failing",
        "worker: SWF unreachable",
    ]
