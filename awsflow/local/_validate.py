"""Request validation driven by botocore's SWF model, before a request reaches the engine.

One compiler turns each shape of the model into a checking function, once; a request is then
checked by the function of its operation's input shape. Two kinds of error, as AWS's front end
answers them:

* ``SerializationException`` — the body is not a JSON object, or a member has the wrong JSON
  type (a number where a string belongs). Raised at the first such member.
* ``ValidationException`` — constraints: a required member missing, a length, range or enum
  violated, an SWF name rule broken. All violations are reported together in coral's wording::

      2 validation errors detected: Value null at 'domain' failed to satisfy constraint: Member
      must not be null; Value '2000' at 'maximumPageSize' failed to satisfy constraint: Member
      must have value less than or equal to 1000

``null`` members are dropped (SWF ignores them) and so are members the model does not know
(AWS ignores them too), so the engine only ever sees well-formed requests.

The SWF name rule (no ``:``, ``/``, ``|`` or control characters, not the literal ``arn``) is
stated in the model's documentation for certain members only; :func:`_name_rule_members`
finds them there rather than listing them by hand. One documented rule is not what SWF does:
see :data:`_LENIENT_NAME_RULES`.

Numbers written as strings get the same treatment (:func:`_number_rule_members`): every member
of a duration shape must be whole seconds (days, for retention) in ASCII digits, or ``NONE``
where its documentation allows it ("You can use NONE ..."; not where it says "you cannot
specify a value of "NONE""); every ``TaskPriority`` must be a Java ``int``. The engine repeats
these checks for callers that bypass HTTP; here they run before anything reaches it, for every
operation and every decision in a batch, and are reported with the other violations.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from ._model import input_shape, service_model, shape
from .engine import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    SerializationException,
    ValidationException,
    is_duration,
    is_priority,
)

Checker = Callable[[Any, str, list[str]], Any]

_NAME_FORBIDDEN = re.compile(r"[:/|\u0000-\u001f\u007f-\u009f]")
_CHILD_ID_FORBIDDEN = re.compile(r"[|\u0000-\u001f\u007f-\u009f]")

#: The workflowId of a StartChildWorkflowExecution decision may hold ``:`` and ``/``, although
#: the model's documentation forbids them there as for any workflowId. Amazon's own frameworks
#: name a child ``<parent runId>:<n>``: AWS Flow Framework for Java by default
#: (``DefaultChildWorkflowIdHandler.generateWorkflowId``, aws/aws-swf-flow-library) and botoflow
#: 0.8 (``decider/child_workflow_execution_handler.py``), and real SWF starts those children. A
#: run id is base64 (SWF's, and awsflow.local's), whose alphabet has ``/``, so the same evidence
#: admits ``/``. awsflow generates such ids too (``awsflow/decider/_making.py``). The rest of the
#: rule (``|``, control characters, ``arn``) still applies; StartWorkflowExecution keeps it all.
_LENIENT_NAME_RULES = {("StartChildWorkflowExecutionDecisionAttributes", "workflowId"): _CHILD_ID_FORBIDDEN}
_SHOWN_VALUE_LENGTH = 256


def validate_request(operation: str, body: object) -> dict[str, Any]:
    """Check ``body`` against ``operation``'s input shape; return it without nulls/unknowns.

    Raises:
        SerializationException: the body or a member has the wrong JSON type.
        ValidationException: one or more constraints are violated (all are listed).
    """
    if not isinstance(body, dict):
        raise SerializationException("Request body must be a JSON object")
    name = input_shape(operation)
    if name is None:
        return {}
    errors: list[str] = []
    checked: dict[str, Any] = _checker(name)(body, "", errors)
    if errors:
        plural = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {plural} detected: " + "; ".join(errors))
    return checked


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= _SHOWN_VALUE_LENGTH else value[:_SHOWN_VALUE_LENGTH] + "..."
        return f"'{text}'"
    return f"'{value}'"


def _violation(value: Any, path: str, constraint: str) -> str:
    shown = "null" if value is None else _show(value)
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


@functools.cache
def _name_rule_members() -> dict[tuple[str, str], bool]:
    """(structure, member) pairs whose documentation states SWF's name rule.

    The value says whether the documentation also forbids leading or trailing whitespace.
    """
    pairs = {}
    for structure_name, structure in service_model()["shapes"].items():
        for member_name, member in structure.get("members", {}).items():
            documentation = member.get("documentation", "")
            if "literal string" in documentation:
                pairs[(structure_name, member_name)] = (
                    "must not start or end with whitespace" in documentation
                )
    return pairs


def _name_rule(
    value: str, path: str, errors: list[str], *, strip: bool, forbidden: re.Pattern[str] = _NAME_FORBIDDEN
) -> None:
    if forbidden.search(value) or value == "arn":
        characters = "'|'" if forbidden is _CHILD_ID_FORBIDDEN else "':', '/', '|'"
        errors.append(
            _violation(
                value,
                path,
                f"Member must not contain {characters} or control characters, and must not be 'arn'",
            )
        )
    elif strip and value != value.strip():
        errors.append(_violation(value, path, "Member must not start or end with whitespace"))


_DURATION_SHAPES = frozenset({"DurationInSeconds", "DurationInSecondsOptional", "DurationInDays"})
_PRIORITY_SHAPE = "TaskPriority"


@functools.cache
def _number_rule_members() -> dict[tuple[str, str], str]:
    """(structure, member) pairs holding a number as a string, each with its rule's name.

    The rule is ``"duration"``, ``"duration-or-none"`` or ``"priority"``.
    """
    rules = {}
    for structure_name, structure in service_model()["shapes"].items():
        for member_name, member in structure.get("members", {}).items():
            if member["shape"] == _PRIORITY_SHAPE:
                rules[(structure_name, member_name)] = "priority"
            elif member["shape"] in _DURATION_SHAPES:
                documentation = member.get("documentation", "")
                allows_none = "NONE" in documentation and "cannot specify a value of" not in documentation
                rules[(structure_name, member_name)] = "duration-or-none" if allows_none else "duration"
    return rules


def _number_rule(value: str, path: str, errors: list[str], rule: str) -> None:
    if rule == "priority":
        if not is_priority(value):
            errors.append(
                _violation(value, path, f"Member must be an integer from {PRIORITY_MIN} to {PRIORITY_MAX}")
            )
        return
    allow_none = rule == "duration-or-none"
    if not is_duration(value, allow_none=allow_none):
        unit = "days" if path.endswith("InDays") else "seconds"
        allowed = f"Member must be a whole number of {unit} in digits 0-9" + (
            " or NONE" if allow_none else ""
        )
        errors.append(_violation(value, path, allowed))


_compiled: dict[str, Checker] = {}


def _checker(name: str) -> Checker:
    checker = _compiled.get(name)
    if checker is None:
        # Registered before compiling so a recursive shape finds its own (lazy) entry.
        _compiled[name] = lambda value, path, errors: _compiled[name](value, path, errors)
        checker = _compiled[name] = _compile(name)
    return checker


def _compile(name: str) -> Checker:
    spec = shape(name)
    kind = spec["type"]
    if kind == "structure":
        return _compile_structure(name, spec)
    if kind == "list":
        return _compile_list(spec)
    if kind == "string":
        return _compile_string(spec)
    if kind in ("integer", "long"):
        return _compile_number(spec)
    if kind == "boolean":
        return _compile_boolean()
    if kind == "timestamp":
        return _compile_timestamp()
    raise NotImplementedError(f"shape type {kind} ({name}) is not in the SWF model")


def _type_error(path: str, expected: str) -> SerializationException:
    return SerializationException(f"Expected {expected} at '{path or 'body'}'")


def _compile_structure(name: str, spec: dict[str, Any]) -> Checker:
    members = {m: _checker(v["shape"]) for m, v in spec.get("members", {}).items()}
    required = tuple(spec.get("required", ()))
    named = {m: strip for (s, m), strip in _name_rule_members().items() if s == name}
    forbidden = {m: _LENIENT_NAME_RULES.get((name, m), _NAME_FORBIDDEN) for m in named}
    # For a task list the rule applies to its name; for a plain string, to the string.
    name_paths = {
        m: ("name" if shape(spec["members"][m]["shape"])["type"] == "structure" else None) for m in named
    }
    numbers = {m: rule for (s, m), rule in _number_rule_members().items() if s == name}

    # Per member, everything its check needs, looked up once per member of a request.
    NameRule = tuple[str | None, bool, re.Pattern[str]]
    plan: dict[str, tuple[Checker, str | None, NameRule | None]] = {
        m: (
            check_member,
            numbers.get(m),
            (name_paths[m], named[m], forbidden[m]) if m in named else None,
        )
        for m, check_member in members.items()
    }

    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, dict):
            raise _type_error(path, "an object")
        for member in required:
            if value.get(member) is None:
                errors.append(_violation(None, _join(path, member), "Member must not be null"))
        result = {}
        for member, item in value.items():
            entry = plan.get(member)
            if entry is None or item is None:
                continue
            member_check, rule, name_rule = entry
            member_path = f"{path}.{member}" if path else member
            checked = result[member] = member_check(item, member_path, errors)
            if rule is not None:
                _number_rule(checked, member_path, errors, rule)
            if name_rule is not None:
                inner, strip, forbidden_here = name_rule
                target = checked.get(inner) if inner else checked
                if isinstance(target, str):
                    path_of_name = _join(member_path, inner) if inner else member_path
                    _name_rule(target, path_of_name, errors, strip=strip, forbidden=forbidden_here)
        return result

    return check


def _compile_list(spec: dict[str, Any]) -> Checker:
    item_check = _checker(spec["member"]["shape"])
    low, high = spec.get("min"), spec.get("max")

    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, list):
            raise _type_error(path, "a list")
        if low is not None and len(value) < low:
            errors.append(_violation(value, path, f"Member must have length greater than or equal to {low}"))
        if high is not None and len(value) > high:
            errors.append(_violation(value, path, f"Member must have length less than or equal to {high}"))
        result = []
        for index, item in enumerate(value, 1):
            item_path = f"{path}.{index}.member"
            if item is None:
                errors.append(_violation(None, item_path, "Member must not be null"))
                continue
            result.append(item_check(item, item_path, errors))
        return result

    return check


def _compile_string(spec: dict[str, Any]) -> Checker:
    low, high = spec.get("min"), spec.get("max")
    enum = spec.get("enum")
    enum_set = frozenset(enum) if enum else None
    enum_text = f"Member must satisfy enum value set: [{', '.join(enum)}]" if enum else ""

    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, str):
            raise _type_error(path, "a string")
        if low is not None and len(value) < low:
            errors.append(_violation(value, path, f"Member must have length greater than or equal to {low}"))
        if high is not None and len(value) > high:
            errors.append(_violation(value, path, f"Member must have length less than or equal to {high}"))
        if enum_set is not None and value not in enum_set:
            errors.append(_violation(value, path, enum_text))
        return value

    return check


def _compile_number(spec: dict[str, Any]) -> Checker:
    low, high = spec.get("min"), spec.get("max")

    def check(value: Any, path: str, errors: list[str]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise _type_error(path, "an integer")
        if low is not None and value < low:
            errors.append(_violation(value, path, f"Member must have value greater than or equal to {low}"))
        if high is not None and value > high:
            errors.append(_violation(value, path, f"Member must have value less than or equal to {high}"))
        return value

    return check


def _compile_boolean() -> Checker:
    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, bool):
            raise _type_error(path, "a boolean")
        return value

    return check


def _compile_timestamp() -> Checker:
    def check(value: Any, path: str, errors: list[str]) -> Any:
        # botocore sends epoch seconds for JSON 1.0 services: an int, or a float with a fraction.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, "a timestamp in epoch seconds")
        return float(value)

    return check
