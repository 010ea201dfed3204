"""SigV4 verification against requests signed by botocore itself."""

from __future__ import annotations

import calendar
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from awsflow.local._sigv4 import verify_sigv4
from awsflow.local.engine import (
    IncompleteSignatureException,
    InvalidSignatureException,
    UnrecognizedClientException,
)

BODY = b'{"registrationStatus": "REGISTERED"}'


def signed(access_key: str = "AKID", secret: str = "secret", body: bytes = BODY) -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8080/",
        data=body,
        headers={
            "X-Amz-Target": "SimpleWorkflowService.ListDomains",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    SigV4Auth(Credentials(access_key, secret), "swf", "eu-west-1").add_auth(request)
    return request


def verify(request: AWSRequest, body: bytes = BODY, **kwargs: float) -> None:
    headers = {key: value for key, value in request.headers.items()}
    headers["Host"] = "127.0.0.1:8080"
    verify_sigv4("POST", "/", "", headers, body, "AKID", "secret", **kwargs)


def signed_at(request: AWSRequest) -> float:
    return float(calendar.timegm(time.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")))


def test_a_request_signed_by_botocore_verifies() -> None:
    request = signed()
    verify(request, now=signed_at(request))


def test_a_wrong_secret_does_not_verify() -> None:
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verify(signed(secret="other"))


def test_a_tampered_body_does_not_verify() -> None:
    with pytest.raises(InvalidSignatureException):
        verify(signed(), body=b'{"registrationStatus": "DEPRECATED"}')


def test_an_unknown_access_key_is_unrecognised() -> None:
    with pytest.raises(UnrecognizedClientException):
        verify(signed(access_key="SOMEONE"))


def test_a_missing_authorization_header_is_incomplete() -> None:
    with pytest.raises(IncompleteSignatureException):
        verify_sigv4("POST", "/", "", {"Host": "h"}, BODY, "AKID", "secret")


def test_an_old_signature_has_expired() -> None:
    request = signed()
    with pytest.raises(InvalidSignatureException, match="expired"):
        verify(request, now=signed_at(request) + 16 * 60)
