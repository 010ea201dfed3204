"""SigV4 verification against requests signed by botocore itself."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from raw_http import exchange, post

from awsflow.local import LocalSWF, VirtualClock
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


def test_the_skew_window_is_fifteen_minutes_either_side_in_aws_words() -> None:
    request = signed()
    at = signed_at(request)
    verify(request, now=at + 15 * 60)
    verify(request, now=at - 15 * 60)
    stamp = request.headers["X-Amz-Date"]
    with pytest.raises(InvalidSignatureException) as late:
        verify(request, now=at + 15 * 60 + 1)
    assert late.value.message.startswith(f"Signature expired: {stamp} is now earlier than ")
    assert late.value.message.endswith(" - 15 min.)")
    with pytest.raises(InvalidSignatureException) as early:
        verify(request, now=at - 15 * 60 - 1)
    assert early.value.message.startswith(f"Signature not yet current: {stamp} is still later than ")
    assert early.value.message.endswith(" + 15 min.)")


def test_an_unparsable_date_is_refused_even_without_a_clock() -> None:
    request = signed()
    headers = {key: value for key, value in request.headers.items()}
    headers["Host"] = "127.0.0.1:8080"
    headers["X-Amz-Date"] = headers["X-Amz-Date"][:8] + "Tnot-a-time"
    with pytest.raises(IncompleteSignatureException):
        verify_sigv4("POST", "/", "", headers, BODY, "AKID", "secret")


def test_an_unsigned_payload_is_refused() -> None:
    # Signed the way S3 allows: the canonical request carries UNSIGNED-PAYLOAD instead of the
    # body's hash. SWF's JSON protocol signs the body, so the signature must not verify.
    request = AWSRequest(
        method="POST",
        url="https://127.0.0.1:8080/",
        data=BODY,
        headers={
            "X-Amz-Target": "SimpleWorkflowService.ListDomains",
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
        },
    )
    request.context["payload_signing_enabled"] = False
    SigV4Auth(Credentials("AKID", "secret"), "swf", "eu-west-1").add_auth(request)
    assert "x-amz-content-sha256" in request.headers["Authorization"]
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verify(request, now=signed_at(request))
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verify(request, body=b'{"anything": "else"}', now=signed_at(request))


def test_the_service_enforces_the_window_on_its_own_clock() -> None:
    clock = VirtualClock(start=time.time())
    with LocalSWF(clock=clock, verify_sigv4=("awsflow-local", "awsflow-local")) as swf:
        client = swf.client()
        assert client.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
        clock.advance(16 * 60)  # the client signs with the wall clock, now 16 minutes "ago"
        with pytest.raises(client.exceptions.ClientError) as info:
            client.list_domains(registrationStatus="REGISTERED")
        assert info.value.response["Error"]["Code"] == "InvalidSignatureException"
        assert info.value.response["Error"]["Message"].startswith("Signature expired: ")
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


HOSTILE_AUTHORIZATIONS = [
    "",
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 ",
    "Basic dXNlcjpwYXNz",
    "AWS4-HMAC-SHA256 Credential=awsflow-local/20260101/us-east-1/swf/aws4_request",
    "AWS4-HMAC-SHA256 Credential=awsflow-local/x/y/swf/aws4_request, SignedHeaders=host, Signature=0",
    "AWS4-HMAC-SHA256 Credential=awsflow-local/20260101/us-east-1/swf/aws4_request, SignedHeaders=, Signature=",
    "AWS4-HMAC-SHA256 Credential=awsflow-local/20260101/us-east-1/swf/aws4_request, SignedHeaders=x-missing, "
    "Signature=00",
    "AWS4-HMAC-SHA256 Credential=awsflow-local/20260101/us-east-1/swf/aws4_request, SignedHeaders=host, "
    "Signature=\xff\xfe",
    "AWS4-HMAC-SHA256 Credential=\xe9/20260101/us-east-1/swf/aws4_request, SignedHeaders=host, Signature=0",
    "AWS4-HMAC-SHA256 Credential=awsflow-local/20260101/us-east-1/swf/aws4_request, SignedHeaders=host;;, "
    "Signature=0,,,===",
]


@pytest.fixture(scope="module")
def signed_front() -> Iterator[LocalSWF]:
    with LocalSWF(
        clock=VirtualClock(start=1767225600.0), verify_sigv4=("awsflow-local", "awsflow-local")
    ) as swf:
        yield swf


@pytest.mark.parametrize("authorization", HOSTILE_AUTHORIZATIONS)
@pytest.mark.parametrize("amz_date", [None, "20260101T000000Z", "garbage", "2026\xff"])
def test_hostile_signatures_get_an_swf_shaped_400(
    signed_front: LocalSWF, authorization: str, amz_date: str | None
) -> None:
    headers = b"Authorization: " + authorization.encode("latin-1") + b"\r\n"
    if amz_date is not None:
        headers += b"X-Amz-Date: " + amz_date.encode("latin-1") + b"\r\n"
    answer = exchange(signed_front.endpoint_url, post("ListDomains", BODY, headers))
    assert answer.status == 400, answer
    assert answer.code() in {
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
    }
