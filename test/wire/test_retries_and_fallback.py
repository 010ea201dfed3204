"""The lean path retries as the botocore client would, and steps aside when it cannot stand in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.config
import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from botocore.parsers import ResponseParserError
from botocore.stub import Stubber

from awsflow._wire import LEAN_OPERATIONS, LeanClient, Request, fallback_reason
from awsflow._wire._connections import response
from awsflow.swf_exceptions import UnknownResourceError
from awsflow.workers import ActivityWorker

URL = "http://127.0.0.1:9/"  # never reached: these tests answer through a fake transport
THROTTLED = (400, b'{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}')
UNAVAILABLE = (503, b'{"__type":"com.amazon.coral.service#ServiceUnavailableException","message":"later"}')
OK = (200, b'{"cancelRequested":false}')


def swf_client(**config: Any) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=URL,
        aws_access_key_id="AKID",
        aws_secret_access_key="secret",
        config=botocore.config.Config(**config),
    )


class Script:
    """A transport answering from a script of (status, body) pairs, or raising what it holds."""

    def __init__(self, *answers: tuple[int, bytes] | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> AWSResponse:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return response(request.url, status, {"x-amzn-RequestId": "r"}, body)


def lean(client: Any, script: Script, delays: list[float]) -> LeanClient:
    sleep: Callable[[float], None] = delays.append
    return LeanClient(client, send=script, sleep=sleep)


@pytest.mark.parametrize("failure", [THROTTLED, UNAVAILABLE, EndpointConnectionError(endpoint_url=URL)])
def test_a_throttled_unavailable_or_unreachable_call_is_retried_by_botocores_handler(
    failure: tuple[int, bytes] | Exception,
) -> None:
    script, delays = Script(failure, OK), []
    answer = lean(swf_client(retries={"mode": "standard", "max_attempts": 3}), script, delays).call(
        "RecordActivityTaskHeartbeat", {"taskToken": "t"}
    )
    assert answer["cancelRequested"] is False
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(script.requests) == 2 and len(delays) == 1
    # Each attempt is signed afresh, as botocore signs each.
    assert all("Signature=" in request.headers["Authorization"] for request in script.requests)


def test_retries_stop_at_the_clients_max_attempts_with_botocores_error() -> None:
    client = swf_client(retries={"mode": "standard", "max_attempts": 2})
    script, delays = Script(THROTTLED, THROTTLED, THROTTLED, OK), []
    with pytest.raises(client.exceptions.ClientError) as error:
        lean(client, script, delays).call("RecordActivityTaskHeartbeat", {"taskToken": "t"})
    assert error.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert error.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert error.value.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert len(script.requests) == 3 and len(delays) == 2


def test_a_client_told_not_to_retry_is_not_retried() -> None:
    client = swf_client(retries={"mode": "standard", "max_attempts": 0})
    script, delays = Script(UNAVAILABLE, OK), []
    with pytest.raises(client.exceptions.ClientError) as error:
        lean(client, script, delays).call("RecordActivityTaskHeartbeat", {"taskToken": "t"})
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert len(script.requests) == 1 and delays == []


def test_the_request_is_json_1_0_for_the_operation_signed_for_swf_in_the_clients_region() -> None:
    script = Script(OK)
    lean(swf_client(), script, []).call("RecordActivityTaskHeartbeat", {"taskToken": "t", "details": "é"})
    (request,) = script.requests
    assert request.url == URL and request.method == "POST"
    assert request.headers["X-Amz-Target"] == "SimpleWorkflowService.RecordActivityTaskHeartbeat"
    assert request.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert "/us-east-1/swf/aws4_request" in request.headers["Authorization"]
    assert request.body.decode() == '{"taskToken":"t","details":"é"}'


def test_clients_that_could_behave_otherwise_keep_making_their_calls() -> None:
    assert fallback_reason(swf_client()) is None
    assert "signature version" in str(fallback_reason(swf_client(signature_version=UNSIGNED)))
    assert "proxy" in str(fallback_reason(swf_client(proxies={"http": "http://proxy:3128"})))
    hooked = swf_client()
    hooked.meta.events.register("before-send.swf.PollForActivityTask", lambda **kwargs: None)
    assert "event handlers of its own" in str(fallback_reason(hooked))
    stubbed = swf_client()
    Stubber(stubbed).activate()
    assert "botocore.stub" in str(fallback_reason(stubbed))


@pytest.mark.parametrize("operation", sorted(LEAN_OPERATIONS))
def test_a_hook_of_its_own_on_any_operation_sent_lean_keeps_a_client_on_botocore(operation: str) -> None:
    assert {"StartWorkflowExecution", "SignalWorkflowExecution"} <= LEAN_OPERATIONS
    hooked = swf_client()
    hooked.meta.events.register(f"before-call.swf.{operation}", lambda **kwargs: None)
    assert "event handlers of its own" in str(fallback_reason(hooked))


def test_a_hook_on_an_operation_never_sent_lean_leaves_the_lean_path_open() -> None:
    hooked = swf_client()
    hooked.meta.events.register("before-call.swf.DescribeDomain", lambda **kwargs: None)
    assert fallback_reason(hooked) is None


def test_a_worker_on_a_stubbed_client_gets_the_stubbed_answers() -> None:
    client = swf_client()
    with Stubber(client) as stubber:
        stubber.add_client_error("poll_for_activity_task", "UnknownResourceFault", "stubbed", 400)
        worker = ActivityWorker(None, "us-east-1", "d", "tl", client=client)
        # The stub answers (the endpoint itself would refuse the connection).
        with pytest.raises(UnknownResourceError, match="stubbed"):
            worker.run_once()
        stubber.assert_no_pending_responses()


def test_a_client_in_botocores_legacy_retry_mode_retries_with_its_legacy_handler() -> None:
    script, delays = Script(UNAVAILABLE, OK), []
    answer = lean(swf_client(retries={"mode": "legacy", "max_attempts": 2}), script, delays).call(
        "RecordActivityTaskHeartbeat", {"taskToken": "t"}
    )
    assert answer["cancelRequested"] is False and len(script.requests) == 2 and len(delays) == 1


def test_an_answer_that_is_not_swfs_json_raises_botocores_parser_error() -> None:
    script = Script((200, b"<html>captive portal</html>"))
    with pytest.raises(ResponseParserError, match="captive portal"):
        lean(swf_client(), script, []).call("RecordActivityTaskHeartbeat", {"taskToken": "t"})


def test_something_that_is_not_a_botocore_client_makes_its_own_calls() -> None:
    class Fake:
        def poll_for_activity_task(self, **request: Any) -> dict[str, Any]:
            return {}

    assert fallback_reason(Fake()) == "not a botocore client: Fake"
