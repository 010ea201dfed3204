"""A lean request is signed exactly as botocore's SigV4Auth signs the same request as an AWSRequest."""

from __future__ import annotations

import datetime as dt

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from awsflow._wire import Request
from awsflow._wire._signing import sign

URL = "https://swf.eu-west-1.amazonaws.com/"
HEADERS = {
    "Host": "swf.eu-west-1.amazonaws.com",
    "X-Amz-Target": "SimpleWorkflowService.RespondDecisionTaskCompleted",
    "Content-Type": "application/x-amz-json-1.0",
    "User-Agent": "awsflow-lean  botocore/1",  # two spaces: the signer trims them in its canonical form
}
BODY = b'{"taskToken":"t","decisions":[]}'


def botocores(credentials: Credentials) -> dict[str, str]:
    request = AWSRequest("POST", URL, headers=dict(HEADERS), data=BODY)
    SigV4Auth(credentials.get_frozen_credentials(), "swf", "eu-west-1").add_auth(request)
    return {name: request.headers[name] for name in ("X-Amz-Date", "Authorization")} | (
        {"X-Amz-Security-Token": request.headers["X-Amz-Security-Token"]} if credentials.token else {}
    )


def leans(credentials: Credentials) -> dict[str, str]:
    request = Request(URL, dict(HEADERS), BODY)
    sign(request, credentials.get_frozen_credentials(), "swf", "eu-west-1")
    assert {name: request.headers[name] for name in HEADERS} == HEADERS
    return {name: value for name, value in request.headers.items() if name not in HEADERS}


@pytest.fixture
def at_noon(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    """The signers' clock, one instant a test may move (both signers read botocore's)."""
    now = [dt.datetime(2026, 12, 5, 12, 0, 0)]
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now[0])
    return now


@pytest.mark.parametrize("token", [None, "session-token"])
def test_the_signature_is_botocores_for_the_same_request_time_and_credentials(
    at_noon: list[dt.datetime], token: str | None
) -> None:
    credentials = Credentials("AKIDEXAMPLE", "secret", token)
    assert leans(credentials) == botocores(credentials)
    assert leans(credentials) == botocores(credentials)  # the kept signing key signs the same


def test_new_credentials_or_a_new_day_sign_with_their_own_key(at_noon: list[dt.datetime]) -> None:
    first = leans(Credentials("AKIDEXAMPLE", "secret"))
    rotated = Credentials("AKIDEXAMPLE", "rotated")
    assert leans(rotated) == botocores(rotated) != first
    at_noon[0] += dt.timedelta(days=1)
    credentials = Credentials("AKIDEXAMPLE", "secret")
    assert leans(credentials) == botocores(credentials)


def test_a_request_without_its_host_header_is_refused() -> None:
    request = Request(URL, {"X-Amz-Target": "SimpleWorkflowService.PollForDecisionTask"}, BODY)
    with pytest.raises(ValueError, match="Host"):
        sign(request, Credentials("AKIDEXAMPLE", "secret").get_frozen_credentials(), "swf", "eu-west-1")
