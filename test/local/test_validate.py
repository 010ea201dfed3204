"""The model-driven request validator, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsflow.local._model import input_shape, operation_names, shape
from awsflow.local._validate import validate_request
from awsflow.local.engine import SerializationException, ValidationException

SAFE_TEXT = st.text(alphabet="abcxyz0123456789-_", min_size=1, max_size=12)


def valid(shape_name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that satisfy every constraint of a shape."""
    spec = shape(shape_name)
    kind = spec["type"]
    if kind == "structure":
        members = spec.get("members", {})
        required = set(spec.get("required", ()))
        optional = (
            {}
            if depth > 3
            else {m: valid(v["shape"], depth + 1) for m, v in members.items() if m not in required}
        )
        return st.fixed_dictionaries(
            {m: valid(members[m]["shape"], depth + 1) for m in required}, optional=optional
        )
    if kind == "list":
        return st.lists(
            valid(spec["member"]["shape"], depth + 1),
            min_size=spec.get("min", 0),
            max_size=min(spec.get("max", 3), 3),
        )
    if kind == "string":
        if "enum" in spec:
            return st.sampled_from(spec["enum"])
        low, high = spec.get("min", 0), spec.get("max", 12)
        return SAFE_TEXT.filter(lambda s: low <= len(s) <= high and s != "arn")
    if kind in ("integer", "long"):
        return st.integers(spec.get("min", 0), spec.get("max", 10**6))
    if kind == "boolean":
        return st.booleans()
    return st.integers(0, 2**31)


@st.composite
def valid_requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    operation = draw(st.sampled_from(operation_names()))
    name = input_shape(operation)
    return operation, draw(valid(name)) if name else {}


@settings(max_examples=300, deadline=None)
@given(request=valid_requests())
def test_valid_requests_pass_unchanged(request: tuple[str, dict[str, Any]]) -> None:
    operation, body = request
    assert validate_request(operation, body) == body


@settings(max_examples=200, deadline=None)
@given(request=valid_requests(), data=st.data())
def test_dropping_a_required_member_is_a_validation_error(
    request: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    operation, body = request
    required = shape(input_shape(operation) or "")["required"] if input_shape(operation) else []
    if not required:
        return
    member = data.draw(st.sampled_from(required))
    broken = {k: v for k, v in body.items() if k != member}
    with pytest.raises(
        ValidationException,
        match=f"Value null at '{member}' failed to satisfy constraint: Member must not be null",
    ):
        validate_request(operation, broken)


@pytest.mark.parametrize("operation", operation_names())
def test_every_operation_rejects_a_non_object_body(operation: str) -> None:
    with pytest.raises(SerializationException):
        validate_request(operation, ["not", "an", "object"])


def test_nulls_and_unknown_members_are_dropped() -> None:
    assert validate_request("DescribeDomain", {"name": "d", "extra": 1, "unused": None}) == {"name": "d"}
    assert validate_request("ListDomains", {"registrationStatus": "REGISTERED", "nextPageToken": None}) == {
        "registrationStatus": "REGISTERED"
    }


def test_errors_are_collected_in_order() -> None:
    with pytest.raises(ValidationException) as info:
        validate_request(
            "StartWorkflowExecution", {"domain": "", "workflowType": {"name": "n"}, "tagList": ["a"] * 6}
        )
    message = info.value.message
    assert message.startswith("4 validation errors detected: ")
    assert "Value null at 'workflowId' failed to satisfy constraint: Member must not be null" in message
    assert (
        "Value '' at 'domain' failed to satisfy constraint: Member must have length greater than or equal to 1"
        in message
    )
    assert "Value null at 'workflowType.version'" in message
    assert (
        "at 'tagList' failed to satisfy constraint: Member must have length less than or equal to 5"
        in message
    )


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(ValidationException) as info:
        validate_request("DescribeDomain", {"name": "x" * 5000})
    assert len(info.value.message) < 600
    assert "Member must have length less than or equal to 256" in info.value.message


@pytest.mark.parametrize("value", [True, 1.5, "3"])
def test_integers_must_be_integers(value: Any) -> None:
    with pytest.raises(SerializationException):
        validate_request("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": value})


def test_timestamps_are_epoch_numbers() -> None:
    body = {"domain": "d", "startTimeFilter": {"oldestDate": 1700000000}}
    assert (
        validate_request("CountOpenWorkflowExecutions", body)["startTimeFilter"]["oldestDate"] == 1700000000.0
    )
    with pytest.raises(SerializationException):
        validate_request(
            "CountOpenWorkflowExecutions", {"domain": "d", "startTimeFilter": {"oldestDate": "2020-01-01"}}
        )


@pytest.mark.parametrize("name", ["a:b", "a/b", "a|b", "tab\there", "arn", "\u0085"])
def test_swf_name_rules_apply_to_names_the_docs_name(name: str) -> None:
    with pytest.raises(ValidationException, match="must not contain"):
        validate_request(
            "StartWorkflowExecution",
            {"domain": "d", "workflowId": name, "workflowType": {"name": "n", "version": "1"}},
        )


def test_name_rules_do_not_touch_free_text() -> None:
    body = {"domain": "d", "workflowId": "w", "signalName": "s", "input": "a:b/c|arn"}
    assert validate_request("SignalWorkflowExecution", body) == body


def child_decision(workflow_id: str) -> dict[str, Any]:
    return {
        "taskToken": "t",
        "decisions": [
            {
                "decisionType": "StartChildWorkflowExecution",
                "startChildWorkflowExecutionDecisionAttributes": {
                    "workflowId": workflow_id,
                    "workflowType": {"name": "n", "version": "1"},
                },
            }
        ],
    }


@pytest.mark.parametrize("workflow_id", ["GKmCojhZTrWfJkW+u8mxm5T/Uwiq3nVeWaiheRw=:1", "run:1-attempt-2"])
def test_a_child_workflow_id_may_be_a_run_id_and_a_number_as_amazons_frameworks_make_them(
    workflow_id: str,
) -> None:
    body = child_decision(workflow_id)
    assert validate_request("RespondDecisionTaskCompleted", body) == body


@pytest.mark.parametrize("workflow_id", ["a|b", "tab\there", "arn"])
def test_the_rest_of_the_name_rule_still_applies_to_child_workflow_ids(workflow_id: str) -> None:
    with pytest.raises(
        ValidationException, match=r"startChildWorkflowExecutionDecisionAttributes\.workflowId"
    ):
        validate_request("RespondDecisionTaskCompleted", child_decision(workflow_id))
