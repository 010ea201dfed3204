"""Fuzzing the wire: requests derived from botocore's model, mangled, sent over raw HTTP.

Whatever arrives, the answer is either a success or a well-formed SWF error — HTTP 400 with a
JSON ``{"__type", "message"}`` body — never a 500, never a dropped connection, and the server
keeps serving (h11's fuzz invariant, STYLE §9).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_http_errors import raw_post

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local._model import input_shape, operation_names, shape

OPERATIONS = operation_names()
_text = st.text(max_size=12) | st.sampled_from(
    ["d", "d", "tasks", "", "NONE", "0", "-1", "arn", "a:b", "x" * 300, "\u0000"]
)
_junk = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | _text


def _sometimes_junk(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # One value in twenty is of a wrong JSON type, so most requests get past deserialisation
    # and exercise the validator and the engine.
    return st.integers(0, 19).flatmap(lambda n: _junk if n == 0 else good)


def _value(shape_name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a shape: mostly well-typed (within or near constraints), sometimes junk."""
    return _sometimes_junk(_typed_value(shape_name, depth))


def _typed_value(shape_name: str, depth: int) -> st.SearchStrategy[Any]:
    spec = shape(shape_name)
    kind = spec["type"]
    if depth > 4:
        return _junk
    if kind == "structure":
        members = spec.get("members", {})
        required = set(spec.get("required", ()))
        fields = {name: _value(m["shape"], depth + 1) for name, m in members.items()}
        return st.fixed_dictionaries(
            {name: strategy for name, strategy in fields.items() if name in required},
            optional={name: strategy for name, strategy in fields.items() if name not in required},
        )
    if kind == "list":
        return st.lists(_value(spec["member"]["shape"], depth + 1), max_size=3)
    if kind == "string":
        return (st.sampled_from(spec["enum"]) | _text) if "enum" in spec else _text
    if kind in ("integer", "long"):
        return st.integers(-5, 2000)
    if kind == "boolean":
        return st.booleans()
    return st.integers(0, 2**31)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes]:
    operation = draw(st.sampled_from(OPERATIONS))
    name = input_shape(operation)
    body = draw(_value(name)) if name else {}
    raw = json.dumps(body).encode()
    if draw(st.integers(0, 20)) == 0:
        raw = draw(st.binary(max_size=40))
    return operation, raw


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[LocalSWF]:
    # poll_timeout=0: a well-formed poll answers at once instead of holding the connection.
    with LocalSWF(clock=VirtualClock(), poll_timeout=0) as service:
        service.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        yield service


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_any_request_gets_a_well_formed_answer(fuzz_target: LocalSWF, request: tuple[str, bytes]) -> None:
    operation, raw = request
    status, headers, payload = raw_post(fuzz_target.endpoint_url, raw, f"SimpleWorkflowService.{operation}")
    assert status in (200, 400), (status, payload)
    assert headers["content-type"] == "application/x-amz-json-1.0"
    if status == 400:
        error = json.loads(payload)
        assert set(error) == {"__type", "message"}
        assert error["__type"].rsplit("#", 1)[-1] in FAULTS, error
    elif payload:
        assert isinstance(json.loads(payload), dict)


FAULTS = {
    "UnknownResourceFault",
    "TypeAlreadyExistsFault",
    "DomainAlreadyExistsFault",
    "DomainDeprecatedFault",
    "TypeDeprecatedFault",
    "TypeNotDeprecatedFault",
    "WorkflowExecutionAlreadyStartedFault",
    "DefaultUndefinedFault",
    "LimitExceededFault",
    "TooManyTagsFault",
    "ValidationException",
    "SerializationException",
}


def test_server_still_serves_after_the_fuzzing(fuzz_target: LocalSWF) -> None:
    client = fuzz_target.client()
    assert client.describe_domain(name="d")["domainInfo"]["name"] == "d"
