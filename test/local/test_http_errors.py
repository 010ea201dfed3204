"""Error shapes on the wire: what botocore (and raw HTTP clients) see when a request is refused."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlparse

import pytest

from awsflow.local import LocalSWF


def raw_post(
    endpoint: str, body: bytes, target: str | None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    all_headers = {
        "Content-Type": "application/x-amz-json-1.0",
        # Unverified unless the server is started with --verify-sigv4; moto's server needs
        # the credential scope to route the request to its SWF backend.
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/swf/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }
    if target is not None:
        all_headers["X-Amz-Target"] = target
    all_headers.update(headers or {})
    connection.request("POST", "/", body=body, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    connection.close()
    return result


@pytest.mark.moto_gap("errors are sent as application/json, not application/x-amz-json-1.0")
def test_unknown_domain_is_unknown_resource_fault_with_aws_wire_shape(endpoint_url: str) -> None:
    status, headers, payload = raw_post(
        endpoint_url, b'{"name": "nope"}', "SimpleWorkflowService.DescribeDomain"
    )
    assert status == 400
    body = json.loads(payload)
    assert body["__type"] == "com.amazonaws.swf.base.model#UnknownResourceFault"
    assert "nope" in body["message"]
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["x-amzn-requestid"]


def test_botocore_raises_the_modelled_exception(client: Any) -> None:
    with pytest.raises(client.exceptions.UnknownResourceFault) as info:
        client.describe_domain(name="no-such-domain")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.response["Error"]["Code"] == "UnknownResourceFault"
    assert info.value.response["ResponseMetadata"]["RequestId"]


def test_void_operations_answer_200_with_an_empty_body(endpoint_url: str) -> None:
    status, _, payload = raw_post(
        endpoint_url,
        b'{"name": "d", "workflowExecutionRetentionPeriodInDays": "1"}',
        "SimpleWorkflowService.RegisterDomain",
    )
    assert (status, payload) == (200, b"")


def test_the_old_target_prefix_is_accepted(endpoint_url: str) -> None:
    status, _, payload = raw_post(
        endpoint_url,
        b'{"registrationStatus": "REGISTERED"}',
        "com.amazonaws.swf.service.model.SimpleWorkflowService.ListDomains",
    )
    assert status == 200
    assert "domainInfos" in json.loads(payload)


@pytest.mark.moto_gap("unknown operations crash the server into HTTP 500")
@pytest.mark.parametrize("target", ["SimpleWorkflowService.DoSomething", "Other.ListDomains", None])
def test_unknown_operations_are_a_400_unknown_operation(endpoint_url: str, target: str | None) -> None:
    status, _, payload = raw_post(endpoint_url, b"{}", target)
    assert status == 400
    assert json.loads(payload)["__type"].endswith("#UnknownOperationException")


@pytest.mark.moto_gap("malformed JSON bodies crash the server into HTTP 500")
@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"null"])
def test_malformed_bodies_are_a_400_serialization_error(endpoint_url: str, body: bytes) -> None:
    status, _, payload = raw_post(endpoint_url, body, "SimpleWorkflowService.ListDomains")
    assert status == 400
    assert json.loads(payload)["__type"].endswith("#SerializationException")


def test_wrong_member_type_is_a_serialization_error(endpoint_url: str) -> None:
    status, _, payload = raw_post(endpoint_url, b'{"name": 42}', "SimpleWorkflowService.DescribeDomain")
    assert status == 400
    assert json.loads(payload)["__type"].endswith("#SerializationException")


@pytest.mark.moto_gap("requests are not validated against the model")
def test_constraint_violations_are_listed_in_coral_style(endpoint_url: str) -> None:
    status, _, payload = raw_post(
        endpoint_url,
        json.dumps({"registrationStatus": "BOGUS", "maximumPageSize": 2000}).encode(),
        "SimpleWorkflowService.ListDomains",
    )
    assert status == 400
    body = json.loads(payload)
    assert body["__type"] == "com.amazon.coral.validate#ValidationException"
    assert body["message"].startswith("2 validation errors detected: ")
    assert (
        "Value 'BOGUS' at 'registrationStatus' failed to satisfy constraint: Member must satisfy enum value set: [REGISTERED, DEPRECATED]"
        in body["message"]
    )
    assert (
        "Value '2000' at 'maximumPageSize' failed to satisfy constraint: Member must have value less than or equal to 1000"
        in body["message"]
    )


def test_nested_missing_member_names_its_full_path(swf: LocalSWF) -> None:
    client = swf.client(parameter_validation=False)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.respond_decision_task_completed(
            taskToken="t",
            decisions=[
                {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"startToFireTimeout": "5"}}
            ],
        )
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value null at 'decisions.1.member.startTimerDecisionAttributes.timerId' "
        "failed to satisfy constraint: Member must not be null"
    )


@pytest.mark.moto_gap("SWF's name rules (no ':' '/' '|', not 'arn') are not checked")
def test_swf_name_rules_are_enforced(client: Any) -> None:
    with pytest.raises(client.exceptions.ClientError) as info:
        client.register_domain(name="has:colon", workflowExecutionRetentionPeriodInDays="1")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(client.exceptions.ClientError) as info:
        client.register_domain(name="arn", workflowExecutionRetentionPeriodInDays="1")
    assert info.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.moto_gap("SWF's 1 MB request limit is not enforced")
def test_oversized_requests_are_refused_and_the_server_keeps_serving(endpoint_url: str) -> None:
    status, _, payload = raw_post(endpoint_url, b" " * (1024 * 1024 + 1), "SimpleWorkflowService.ListDomains")
    assert status == 400
    assert json.loads(payload)["__type"].endswith("#ValidationException")
    status, _, _ = raw_post(
        endpoint_url, b'{"registrationStatus": "REGISTERED"}', "SimpleWorkflowService.ListDomains"
    )
    assert status == 200


def test_get_answers_a_liveness_probe(swf: LocalSWF) -> None:
    url = urlparse(swf.endpoint_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"service": "awsflow.local"}
    connection.close()


def test_requests_share_one_kept_alive_connection(endpoint_url: str) -> None:
    url = urlparse(endpoint_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    for _ in range(3):
        connection.request(
            "POST",
            "/",
            body=b'{"registrationStatus": "REGISTERED"}',
            headers={"X-Amz-Target": "SimpleWorkflowService.ListDomains"},
        )
        response = connection.getresponse()
        assert response.status == 200
        response.read()
    connection.close()


def test_a_client_configured_by_the_environment_variable_reaches_the_service(
    swf: LocalSWF, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", swf.endpoint_url)
    client = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=botocore.config.Config(retries={"max_attempts": 0}),
    )
    assert client.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
