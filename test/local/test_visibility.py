"""DescribeWorkflowExecution, history paging, and listing/counting executions (SWF-SEMANTICS §2.5, §9.5)."""

from __future__ import annotations

from typing import Any

import pytest
from swf_helpers import (
    TASK_LIST,
    WORKFLOW,
    decide,
    decision,
    describe,
    poll_activity,
    register_workflow_type,
    schedule,
    setup_domain,
    start,
)

OTHER = {"name": "Other", "version": "2"}
GAP = pytest.mark.moto_gap("visibility filter exclusivity is not validated")


def test_describe_reports_configuration_and_open_work(client: Any, domain: str, clock: Any) -> None:
    setup_domain(client, domain)
    register_workflow_type(client, domain, {"name": "Child", "version": "1"})
    run = start(client, domain, tagList=["a", "b"], taskPriority="5")
    decide(
        client,
        domain,
        schedule("a1"),
        schedule("a2"),
        decision("StartTimer", timerId="t", startToFireTimeout="99"),
        decision(
            "StartChildWorkflowExecution", workflowId="kid", workflowType={"name": "Child", "version": "1"}
        ),
        executionContext="state-1",
    )
    poll_activity(client, domain)
    info = describe(client, domain, run)
    assert info["executionInfo"]["execution"] == run
    assert info["executionInfo"]["workflowType"] == WORKFLOW
    assert info["executionInfo"]["tagList"] == ["a", "b"]
    assert info["executionInfo"]["cancelRequested"] is False
    assert info["executionInfo"]["startTimestamp"].timestamp() == clock.now()
    assert info["executionConfiguration"] == {
        "taskStartToCloseTimeout": "60",
        "executionStartToCloseTimeout": "3600",
        "taskList": TASK_LIST,
        "taskPriority": "5",
        "childPolicy": "TERMINATE",
    }
    assert info["openCounts"] == {
        "openActivityTasks": 2,
        "openDecisionTasks": 1,  # the child's start schedules one for the parent
        "openTimers": 1,
        "openChildWorkflowExecutions": 1,
        "openLambdaFunctions": 0,
    }
    assert info["latestExecutionContext"] == "state-1"
    assert "latestActivityTaskTimestamp" in info


@pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500")
def test_history_pages_forwards_and_backwards(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    run = start(client, domain)
    for n in range(8):
        client.signal_workflow_execution(domain=domain, signalName=f"s{n}", **run)
    page = client.get_workflow_execution_history(domain=domain, execution=run, maximumPageSize=4)
    ids = [e["eventId"] for e in page["events"]]
    while "nextPageToken" in page:
        page = client.get_workflow_execution_history(
            domain=domain, execution=run, maximumPageSize=4, nextPageToken=page["nextPageToken"]
        )
        ids += [e["eventId"] for e in page["events"]]
    assert ids == list(range(1, 11))
    backwards = client.get_workflow_execution_history(domain=domain, execution=run, reverseOrder=True)
    assert [e["eventId"] for e in backwards["events"]] == list(range(10, 0, -1))
    assert isinstance(backwards["events"][0]["eventTimestamp"].timestamp(), float)


@pytest.mark.moto_gap("page tokens are not checked against the request")
def test_a_page_token_with_other_arguments_is_refused(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    run = start(client, domain)
    client.signal_workflow_execution(domain=domain, signalName="s", **run)
    page = client.get_workflow_execution_history(domain=domain, execution=run, maximumPageSize=1)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.get_workflow_execution_history(
            domain=domain,
            execution=run,
            maximumPageSize=1,
            reverseOrder=True,
            nextPageToken=page["nextPageToken"],
        )
    assert info.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(client.exceptions.ClientError):
        client.get_workflow_execution_history(domain=domain, execution=run, nextPageToken="garbage")


@pytest.mark.moto_gap("unknown executions crash the server into HTTP 500")
def test_describing_an_unknown_run_fails(client: Any, domain: str) -> None:
    with pytest.raises(client.exceptions.UnknownResourceFault):
        describe(client, domain, {"workflowId": "w", "runId": "r"})
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.get_workflow_execution_history(domain=domain, execution={"workflowId": "w", "runId": "r"})


@pytest.fixture
def population(client: Any, domain: str, clock: Any) -> dict[str, Any]:
    """Five runs started 10 s apart; two closed 100 s later; one of another type."""
    setup_domain(client, domain)
    register_workflow_type(client, domain, OTHER)
    t0 = clock.now()
    runs = {}
    for workflow_id, tags, workflow_type in [
        ("w0", ["x"], WORKFLOW),
        ("w1", ["y"], WORKFLOW),
        ("w2", ["x", "z"], WORKFLOW),
        ("w3", [], OTHER),
        ("w4", [], WORKFLOW),
    ]:
        runs[workflow_id] = start(client, domain, workflow_id, tagList=tags, workflowType=workflow_type)
        clock.advance(10)
    clock.advance(100)
    client.terminate_workflow_execution(domain=domain, **runs["w1"])
    clock.advance(10)
    client.terminate_workflow_execution(domain=domain, **runs["w3"])
    return {"t0": t0, "runs": runs}


def ids(page: dict[str, Any]) -> list[str]:
    return [info["execution"]["workflowId"] for info in page["executionInfos"]]


def test_open_runs_list_newest_first_with_filters(
    client: Any, domain: str, population: dict[str, Any]
) -> None:
    t0 = population["t0"]
    everything = {"oldestDate": t0}
    assert ids(client.list_open_workflow_executions(domain=domain, startTimeFilter=everything)) == [
        "w4",
        "w2",
        "w0",
    ]
    assert ids(
        client.list_open_workflow_executions(domain=domain, startTimeFilter=everything, reverseOrder=True)
    ) == [
        "w0",
        "w2",
        "w4",
    ]
    window = {"oldestDate": t0 + 10, "latestDate": t0 + 20}
    assert ids(client.list_open_workflow_executions(domain=domain, startTimeFilter=window)) == ["w2"]
    assert ids(
        client.list_open_workflow_executions(
            domain=domain, startTimeFilter=everything, tagFilter={"tag": "x"}
        )
    ) == [
        "w2",
        "w0",
    ]
    assert ids(
        client.list_open_workflow_executions(
            domain=domain, startTimeFilter=everything, executionFilter={"workflowId": "w4"}
        )
    ) == ["w4"]
    assert ids(
        client.list_open_workflow_executions(
            domain=domain, startTimeFilter=everything, typeFilter={"name": WORKFLOW["name"]}
        )
    ) == ["w4", "w2", "w0"]
    counted = client.count_open_workflow_executions(
        domain=domain, startTimeFilter=everything, tagFilter={"tag": "x"}
    )
    assert (counted["count"], counted["truncated"]) == (2, False)


def test_closed_runs_filter_by_close_time_status_and_type(
    client: Any, domain: str, population: dict[str, Any]
) -> None:
    t0 = population["t0"]
    by_start = client.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": t0})
    assert ids(by_start) == ["w3", "w1"]
    assert all(info["closeStatus"] == "TERMINATED" for info in by_start["executionInfos"])
    late = {"oldestDate": t0 + 155}
    assert ids(client.list_closed_workflow_executions(domain=domain, closeTimeFilter=late)) == ["w3"]
    assert ids(
        client.list_closed_workflow_executions(
            domain=domain,
            closeTimeFilter={"oldestDate": t0},
            typeFilter={"name": OTHER["name"], "version": "2"},
        )
    ) == ["w3"]
    assert (
        ids(
            client.list_closed_workflow_executions(
                domain=domain, startTimeFilter={"oldestDate": t0}, closeStatusFilter={"status": "COMPLETED"}
            )
        )
        == []
    )
    counted = client.count_closed_workflow_executions(
        domain=domain, startTimeFilter={"oldestDate": t0}, closeStatusFilter={"status": "TERMINATED"}
    )
    assert counted["count"] == 2


def test_listing_pages(client: Any, domain: str, population: dict[str, Any]) -> None:
    everything = {"oldestDate": population["t0"]}
    first = client.list_open_workflow_executions(domain=domain, startTimeFilter=everything, maximumPageSize=2)
    assert ids(first) == ["w4", "w2"]
    second = client.list_open_workflow_executions(
        domain=domain, startTimeFilter=everything, maximumPageSize=2, nextPageToken=first["nextPageToken"]
    )
    assert ids(second) == ["w0"]
    assert "nextPageToken" not in second


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        (
            "list_open_workflow_executions",
            {"startTimeFilter": {"oldestDate": 0}, "tagFilter": {"tag": "x"}, "typeFilter": {"name": "F"}},
        ),
        pytest.param(
            "count_open_workflow_executions",
            {
                "startTimeFilter": {"oldestDate": 0},
                "executionFilter": {"workflowId": "w"},
                "tagFilter": {"tag": "x"},
            },
            marks=GAP,
        ),
        pytest.param(
            "list_closed_workflow_executions",
            {"startTimeFilter": {"oldestDate": 0}, "closeTimeFilter": {"oldestDate": 0}},
            marks=GAP,
        ),
        ("list_closed_workflow_executions", {}),
        pytest.param(
            "count_closed_workflow_executions",
            {
                "closeTimeFilter": {"oldestDate": 0},
                "closeStatusFilter": {"status": "FAILED"},
                "tagFilter": {"tag": "x"},
            },
            marks=GAP,
        ),
        pytest.param(
            "list_open_workflow_executions",
            {"startTimeFilter": {"oldestDate": 0}, "maximumPageSize": 1001},
            marks=pytest.mark.moto_gap("maximumPageSize above 1000 is accepted"),
        ),
    ],
)
def test_filter_exclusivity_and_limits(
    client: Any, domain: str, operation: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(client.exceptions.ClientError) as info:
        getattr(client, operation)(domain=domain, **kwargs)
    assert info.value.response["Error"]["Code"] == "ValidationException"
