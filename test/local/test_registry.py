"""Domains, activity and workflow types, domain tags (SWF-SEMANTICS §2.1, §2.2, §2.6)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from swf_helpers import WORKFLOW, register_workflow_type, setup_domain, start

CONFORMANCE_TARGET = os.environ.get("AWS_SWF_CONFORMANCE", "awsflow")  # as test/conftest.py


def error_code(info: pytest.ExceptionInfo[Any]) -> str:
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(info.value.response["Error"]["Code"])


# -- domains ----------------------------------------------------------------------------------------
def unique(prefix: str) -> str:
    # The conformance suite may share one server (moto's) across tests: names must not collide.
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_a_registered_domain_is_described_with_its_arn_and_retention(client: Any) -> None:
    name = unique("orders")
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="30", description="shop")
    described = client.describe_domain(name=name)
    assert described["domainInfo"]["name"] == name
    assert described["domainInfo"]["status"] == "REGISTERED"
    assert described["domainInfo"]["description"] == "shop"
    assert described["domainInfo"]["arn"].startswith("arn:aws:swf:us-east-1:")
    assert described["domainInfo"]["arn"].endswith(f":/domain/{name}")
    assert described["configuration"] == {"workflowExecutionRetentionPeriodInDays": "30"}


@pytest.mark.moto_gap("retention periods are not validated")
@pytest.mark.parametrize("retention", ["91", "-1", "x"])
def test_retention_outside_0_to_90_days_is_refused(client: Any, retention: str) -> None:
    with pytest.raises(client.exceptions.ClientError) as info:
        client.register_domain(name=unique("r"), workflowExecutionRetentionPeriodInDays=retention)
    assert error_code(info) == "ValidationException"


def test_registering_a_domain_twice_fails_even_when_deprecated(client: Any) -> None:
    name = unique("twice")
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(client.exceptions.DomainAlreadyExistsFault):
        client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    client.deprecate_domain(name=name)
    with pytest.raises(client.exceptions.DomainAlreadyExistsFault):
        client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")


@pytest.mark.skipif(CONFORMANCE_TARGET == "moto", reason="needs a server of its own: lists every domain")
def test_domains_list_by_status_in_name_order_with_paging(client: Any) -> None:
    for name in ["c", "a", "e", "b", "d"]:
        client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    client.deprecate_domain(name="e")
    first = client.list_domains(registrationStatus="REGISTERED", maximumPageSize=3)
    assert [d["name"] for d in first["domainInfos"]] == ["a", "b", "c"]
    second = client.list_domains(
        registrationStatus="REGISTERED", maximumPageSize=3, nextPageToken=first["nextPageToken"]
    )
    assert [d["name"] for d in second["domainInfos"]] == ["d"]
    assert "nextPageToken" not in second
    backwards = client.list_domains(registrationStatus="REGISTERED", reverseOrder=True)
    assert [d["name"] for d in backwards["domainInfos"]] == ["d", "c", "b", "a"]
    deprecated = client.list_domains(registrationStatus="DEPRECATED")
    assert [(d["name"], d["status"]) for d in deprecated["domainInfos"]] == [("e", "DEPRECATED")]


@pytest.mark.moto_gap("deprecating a domain does not deprecate its types or block new work")
def test_deprecating_a_domain_deprecates_its_types_and_blocks_new_work(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    run = start(client, domain)
    client.deprecate_domain(name=domain)
    with pytest.raises(client.exceptions.DomainDeprecatedFault):
        client.deprecate_domain(name=domain)
    described = client.describe_workflow_type(domain=domain, workflowType=WORKFLOW)["typeInfo"]
    assert described["status"] == "DEPRECATED"
    assert "deprecationDate" in described
    with pytest.raises(client.exceptions.DomainDeprecatedFault):
        start(client, domain, "another")
    with pytest.raises(client.exceptions.DomainDeprecatedFault):
        register_workflow_type(client, domain, {"name": "New", "version": "1"})
    # Open runs carry on and stay visible.
    assert (
        client.describe_workflow_execution(domain=domain, execution=run)["executionInfo"]["executionStatus"]
        == "OPEN"
    )
    client.undeprecate_domain(name=domain)
    with pytest.raises(client.exceptions.DomainAlreadyExistsFault):
        client.undeprecate_domain(name=domain)
    assert client.describe_domain(name=domain)["domainInfo"]["status"] == "REGISTERED"


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("describe_domain", {"name": "nope"}),
        ("deprecate_domain", {"name": "nope"}),
        ("undeprecate_domain", {"name": "nope"}),
        ("list_workflow_types", {"domain": "nope", "registrationStatus": "REGISTERED"}),
        ("describe_workflow_type", {"domain": "nope", "workflowType": WORKFLOW}),
        ("count_pending_decision_tasks", {"domain": "nope", "taskList": {"name": "t"}}),
        ("list_open_workflow_executions", {"domain": "nope", "startTimeFilter": {"oldestDate": 0}}),
        ("start_workflow_execution", {"domain": "nope", "workflowId": "w", "workflowType": WORKFLOW}),
        pytest.param(
            "signal_workflow_execution",
            {"domain": "nope", "workflowId": "w", "signalName": "s"},
            marks=pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500"),
        ),
    ],
)
def test_unknown_domains_are_unknown_resources(client: Any, operation: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(client.exceptions.UnknownResourceFault):
        getattr(client, operation)(**kwargs)


# -- types -----------------------------------------------------------------------------------------
FAMILIES = [
    ("activity", "activityType", {"defaultTaskHeartbeatTimeout": "30", "defaultTaskList": {"name": "l"}}),
    ("workflow", "workflowType", {"defaultChildPolicy": "ABANDON", "defaultTaskList": {"name": "l"}}),
]


@pytest.mark.moto_gap("type configuration lacks the default task priority")
@pytest.mark.parametrize(("family", "member", "defaults"), FAMILIES)
def test_type_lifecycle(client: Any, domain: str, family: str, member: str, defaults: dict[str, Any]) -> None:
    ref = {"name": "T", "version": "1"}
    register = getattr(client, f"register_{family}_type")
    describe = getattr(client, f"describe_{family}_type")
    register(domain=domain, **ref, description="about", **defaults)
    described = describe(domain=domain, **{member: ref})
    assert described["typeInfo"][member] == ref
    assert described["typeInfo"]["status"] == "REGISTERED"
    assert described["typeInfo"]["description"] == "about"
    assert "creationDate" in described["typeInfo"]
    assert "deprecationDate" not in described["typeInfo"]
    # Unset defaults stay absent; the priority defaults to "0".
    assert described["configuration"] == {**defaults, "defaultTaskPriority": "0"}
    with pytest.raises(client.exceptions.TypeAlreadyExistsFault):
        register(domain=domain, **ref)
    with pytest.raises(client.exceptions.TypeNotDeprecatedFault):
        getattr(client, f"delete_{family}_type")(domain=domain, **{member: ref})
    with pytest.raises(client.exceptions.TypeAlreadyExistsFault):
        getattr(client, f"undeprecate_{family}_type")(domain=domain, **{member: ref})
    getattr(client, f"deprecate_{family}_type")(domain=domain, **{member: ref})
    assert describe(domain=domain, **{member: ref})["typeInfo"]["status"] == "DEPRECATED"
    with pytest.raises(client.exceptions.TypeDeprecatedFault):
        getattr(client, f"deprecate_{family}_type")(domain=domain, **{member: ref})
    with pytest.raises(client.exceptions.TypeAlreadyExistsFault):
        register(domain=domain, **ref)
    getattr(client, f"undeprecate_{family}_type")(domain=domain, **{member: ref})
    assert "deprecationDate" not in describe(domain=domain, **{member: ref})["typeInfo"]
    getattr(client, f"deprecate_{family}_type")(domain=domain, **{member: ref})
    getattr(client, f"delete_{family}_type")(domain=domain, **{member: ref})
    with pytest.raises(client.exceptions.UnknownResourceFault):
        describe(domain=domain, **{member: ref})


@pytest.mark.moto_gap("types are not listed in name order")
@pytest.mark.parametrize(("family", "member", "defaults"), FAMILIES)
def test_types_list_by_status_and_name_with_paging(
    client: Any, domain: str, family: str, member: str, defaults: dict[str, Any]
) -> None:
    register = getattr(client, f"register_{family}_type")
    for name, version in [("b", "1"), ("a", "2"), ("a", "1"), ("c", "1")]:
        register(domain=domain, name=name, version=version)
    getattr(client, f"deprecate_{family}_type")(domain=domain, **{member: {"name": "c", "version": "1"}})
    listing = getattr(client, f"list_{family}_types")
    page = listing(domain=domain, registrationStatus="REGISTERED", maximumPageSize=2)
    assert [(t[member]["name"], t[member]["version"]) for t in page["typeInfos"]] == [("a", "1"), ("a", "2")]
    rest = listing(
        domain=domain, registrationStatus="REGISTERED", maximumPageSize=2, nextPageToken=page["nextPageToken"]
    )
    assert [t[member]["name"] for t in rest["typeInfos"]] == ["b"]
    named = listing(domain=domain, registrationStatus="REGISTERED", name="a")
    assert len(named["typeInfos"]) == 2
    deprecated = listing(domain=domain, registrationStatus="DEPRECATED")
    assert [t[member]["name"] for t in deprecated["typeInfos"]] == ["c"]


def test_a_deprecated_workflow_type_cannot_be_started(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    client.deprecate_workflow_type(domain=domain, workflowType=WORKFLOW)
    with pytest.raises(client.exceptions.TypeDeprecatedFault):
        start(client, domain)


def test_starting_needs_defaults_or_values(client: Any, domain: str) -> None:
    client.register_workflow_type(domain=domain, name="Bare", version="1")
    bare = {"name": "Bare", "version": "1"}
    with pytest.raises(client.exceptions.DefaultUndefinedFault):
        client.start_workflow_execution(domain=domain, workflowId="w", workflowType=bare)
    run = client.start_workflow_execution(
        domain=domain,
        workflowId="w",
        workflowType=bare,
        taskList={"name": "l"},
        executionStartToCloseTimeout="60",
        taskStartToCloseTimeout="NONE",
        childPolicy="ABANDON",
    )
    assert len(run["runId"]) <= 64


def test_an_open_workflow_id_cannot_start_again_but_a_closed_one_can(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    first = start(client, domain, "same")
    with pytest.raises(client.exceptions.WorkflowExecutionAlreadyStartedFault):
        start(client, domain, "same")
    client.terminate_workflow_execution(domain=domain, **first)
    second = start(client, domain, "same")
    assert second["runId"] != first["runId"]


@pytest.mark.moto_gap("execution timeouts are not validated")
@pytest.mark.parametrize("timeout", ["NONE", "31536001", "ten"])
def test_invalid_execution_timeouts_are_refused(client: Any, domain: str, timeout: str) -> None:
    setup_domain(client, domain)
    with pytest.raises(client.exceptions.ClientError) as info:
        start(client, domain, executionStartToCloseTimeout=timeout)
    assert error_code(info) == "ValidationException"


# -- tags ------------------------------------------------------------------------------------------
@pytest.mark.moto_gap("domain tags are incomplete")
def test_domain_tags(client: Any) -> None:
    client.register_domain(
        name="t", workflowExecutionRetentionPeriodInDays="1", tags=[{"key": "team", "value": "a"}]
    )
    arn = client.describe_domain(name="t")["domainInfo"]["arn"]
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    client.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "b"}, {"key": "env", "value": "dev"}])
    assert sorted((t["key"], t["value"]) for t in client.list_tags_for_resource(resourceArn=arn)["tags"]) == [
        ("env", "dev"),
        ("team", "b"),
    ]
    client.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    with pytest.raises(client.exceptions.TooManyTagsFault):
        client.tag_resource(resourceArn=arn, tags=[{"key": f"k{n}", "value": "v"} for n in range(50)])
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.list_tags_for_resource(resourceArn="arn:aws:swf:us-east-1:000000000000:/domain/none")
