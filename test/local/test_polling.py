"""Long polls, task dispatch and decision-task history paging (SWF-SEMANTICS §3)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from swf_helpers import (
    TASK_LIST,
    decide,
    decision,
    in_background,
    poll_decision,
    schedule,
    setup_domain,
    start,
)

from awsflow.local import LocalSWF


def wait_for_pollers(swf: LocalSWF, count: int, timeout: float = 10.0) -> None:
    """Block until ``count`` polls are waiting inside the service (polled with a deadline)."""
    assert swf.service.wait_for_pollers(count, timeout), f"{count} polls never arrived"


def test_a_waiting_poll_gets_the_task_as_soon_as_it_is_scheduled(
    swf: LocalSWF, client: Any, domain: str
) -> None:
    setup_domain(client, domain)
    with in_background(lambda: client.poll_for_decision_task(domain=domain, taskList=TASK_LIST)) as result:
        wait_for_pollers(swf, 1)
        run = start(client, domain)
        task = result()
    assert task["workflowExecution"] == run
    assert task["startedEventId"] == 3


def test_an_empty_decision_poll_has_no_token(swf: LocalSWF, client: Any, domain: str, clock: Any) -> None:
    with in_background(lambda: client.poll_for_decision_task(domain=domain, taskList=TASK_LIST)) as result:
        wait_for_pollers(swf, 1)
        clock.advance(60)
        empty = result()
    empty.pop("ResponseMetadata")
    assert empty == {"previousStartedEventId": 0, "startedEventId": 0}


def test_an_empty_activity_poll_has_no_token(swf: LocalSWF, client: Any, domain: str, clock: Any) -> None:
    with in_background(lambda: client.poll_for_activity_task(domain=domain, taskList=TASK_LIST)) as result:
        wait_for_pollers(swf, 1)
        clock.advance(59)
        assert swf.service.waiting_pollers() == 1
        clock.advance(1)
        empty = result()
    empty.pop("ResponseMetadata")
    assert empty == {"startedEventId": 0}


def test_each_task_goes_to_exactly_one_poller(swf: LocalSWF, domain: str, clock: Any) -> None:
    client = swf.client(max_pool_connections=20)
    setup_domain(client, domain)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def poll() -> None:
        task = client.poll_for_decision_task(domain=domain, taskList=TASK_LIST)
        with lock:
            results.append(task)

    threads = [threading.Thread(target=poll) for _ in range(10)]
    for thread in threads:
        thread.start()
    wait_for_pollers(swf, 10)
    # Decision tasks must outlive the poll timeout, or they would time out and be handed out again.
    runs = [start(client, domain, f"w{n}", taskStartToCloseTimeout="600") for n in range(3)]
    clock.advance(60)
    for thread in threads:
        thread.join(timeout=10)
    tokens = [r["taskToken"] for r in results if r.get("taskToken")]
    assert len(results) == 10
    assert len(tokens) == 3 == len(set(tokens))
    assert sorted(r["workflowExecution"]["workflowId"] for r in results if r.get("taskToken")) == sorted(
        run["workflowId"] for run in runs
    )


@pytest.mark.moto_gap("task priorities are ignored")
def test_higher_priority_decision_tasks_go_first(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    start(client, domain, "low", taskPriority="1")
    start(client, domain, "high", taskPriority="10")
    start(client, domain, "low2", taskPriority="1")
    order = [poll_decision(client, domain)["workflowExecution"]["workflowId"] for _ in range(3)]
    assert order == ["high", "low", "low2"]


def test_activity_tasks_are_fifo_within_a_priority(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    start(client, domain)
    decide(client, domain, *[schedule(f"a{n}") for n in range(5)])
    order = [client.poll_for_activity_task(domain=domain, taskList=TASK_LIST)["activityId"] for _ in range(5)]
    assert order == [f"a{n}" for n in range(5)]


@pytest.mark.moto_gap("pending counts include started tasks")
def test_pending_task_counts(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    for n in range(3):
        start(client, domain, f"w{n}")
    counted = client.count_pending_decision_tasks(domain=domain, taskList=TASK_LIST)
    assert (counted["count"], counted["truncated"]) == (3, False)
    poll_decision(client, domain)
    assert client.count_pending_decision_tasks(domain=domain, taskList=TASK_LIST)["count"] == 2
    assert client.count_pending_activity_tasks(domain=domain, taskList={"name": "unused"})["count"] == 0


def test_polls_on_an_unknown_domain_fail(client: Any) -> None:
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.poll_for_decision_task(domain="nope", taskList=TASK_LIST)
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.poll_for_activity_task(domain="nope", taskList=TASK_LIST)


@pytest.fixture
def long_run(client: Any, domain: str) -> dict[str, str]:
    """A run whose first decision task carries 1,203 events (1,200 signals)."""
    setup_domain(client, domain)
    run = start(client, domain)
    for n in range(1200):
        client.signal_workflow_execution(domain=domain, signalName=f"s{n}", **run)
    return run


@pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500")
def test_decision_task_history_comes_in_pages_of_1000(
    client: Any, domain: str, long_run: dict[str, str]
) -> None:
    first = poll_decision(client, domain)
    assert len(first["events"]) == 1000
    assert first["events"][0]["eventId"] == 1
    second = client.poll_for_decision_task(
        domain=domain, taskList=TASK_LIST, nextPageToken=first["nextPageToken"]
    )
    assert second["taskToken"] == first["taskToken"]
    assert second["startedEventId"] == first["startedEventId"] == 1203
    assert [e["eventId"] for e in second["events"]] == list(range(1001, 1204))
    assert "nextPageToken" not in second
    # The continuation started no new decision task.
    history = client.get_workflow_execution_history(domain=domain, execution=long_run, reverseOrder=True)
    assert history["events"][0]["eventType"] == "DecisionTaskStarted"
    assert history["events"][0]["eventId"] == 1203


@pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500")
def test_decision_task_pages_honour_size_and_order(
    client: Any, domain: str, long_run: dict[str, str]
) -> None:
    task = client.poll_for_decision_task(
        domain=domain, taskList=TASK_LIST, maximumPageSize=500, reverseOrder=True
    )
    assert [e["eventId"] for e in task["events"]] == list(range(1203, 703, -1))
    pages = [task]
    while "nextPageToken" in pages[-1]:
        pages.append(
            client.poll_for_decision_task(
                domain=domain,
                taskList=TASK_LIST,
                maximumPageSize=500,
                reverseOrder=True,
                nextPageToken=pages[-1]["nextPageToken"],
            )
        )
    assert [len(p["events"]) for p in pages] == [500, 500, 203]


@pytest.mark.moto_gap("startAtPreviousStartedEvent is ignored")
def test_start_at_previous_started_event_skips_what_the_decider_has_seen(client: Any, domain: str) -> None:
    setup_domain(client, domain)
    run = start(client, domain)
    first = decide(client, domain, decision("StartTimer", timerId="t", startToFireTimeout="0"))
    client.signal_workflow_execution(domain=domain, signalName="s", **run)
    second = client.poll_for_decision_task(
        domain=domain, taskList=TASK_LIST, startAtPreviousStartedEvent=True
    )
    assert second["previousStartedEventId"] == first["startedEventId"] == 3
    assert second["events"][0]["eventId"] == 3
    assert second["events"][-1]["eventId"] == second["startedEventId"]


def test_at_least_200_long_polls_are_held_at_once(swf: LocalSWF, domain: str, clock: Any) -> None:
    client = swf.client(max_pool_connections=250)
    setup_domain(client, domain)
    count = 220
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def poll(n: int) -> None:
        task = client.poll_for_activity_task(domain=domain, taskList={"name": f"list-{n % 7}"})
        with lock:
            results.append(task)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    wait_for_pollers(swf, count, timeout=30)
    clock.advance(60)
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == count
    assert all(not r.get("taskToken") for r in results)


def test_a_poll_whose_client_disconnects_takes_no_task(swf: LocalSWF, client: Any, domain: str) -> None:
    """A worker that stops mid-poll must not be handed the next task (it would sit started)."""
    import http.client
    import json

    host, port = swf.endpoint_url.split("//")[1].split(":")
    raw = http.client.HTTPConnection(host, int(port))
    body = json.dumps({"domain": domain, "taskList": {"name": "gone"}})
    headers = {
        "X-Amz-Target": "SimpleWorkflowService.PollForActivityTask",
        "Content-Type": "application/x-amz-json-1.0",
    }
    raw.request("POST", "/", body=body, headers=headers)
    assert swf.service.wait_for_pollers(1, timeout=5)
    raw.sock.shutdown(2)
    raw.close()
    assert swf.service.wait_for_pollers(0, timeout=5, at_most=True)


def test_a_task_scheduled_before_the_watcher_notices_a_closed_poll_is_not_handed_to_it(
    swf: LocalSWF, client: Any, domain: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll checks its client is still there when it wakes for a task (no watcher race)."""
    import http.client
    import json

    from awsflow.local._watcher import DisconnectWatcher

    monkeypatch.setattr(DisconnectWatcher, "watch", lambda self, sock, callback: None)  # never notices
    setup_domain(client, domain)
    host, port = swf.endpoint_url.split("//")[1].split(":")
    raw = http.client.HTTPConnection(host, int(port))
    body = json.dumps({"domain": domain, "taskList": TASK_LIST})
    headers = {
        "X-Amz-Target": "SimpleWorkflowService.PollForDecisionTask",
        "Content-Type": "application/x-amz-json-1.0",
    }
    raw.request("POST", "/", body=body, headers=headers)
    wait_for_pollers(swf, 1)
    raw.sock.shutdown(2)
    raw.close()
    run = start(client, domain)  # wakes the held poll, whose client is gone
    assert swf.service.wait_for_pollers(0, timeout=5, at_most=True)
    assert poll_decision(client, domain)["workflowExecution"] == run  # still queued, not lost


def test_a_poll_whose_client_half_closed_before_it_arrived_is_answered_empty_at_once(
    swf: LocalSWF, client: Any, domain: str
) -> None:
    """Released on arrival (a stopping worker's FIN came with its request): the watcher, which
    sees the socket already closed the moment it is watched, ends it; the clock never moves."""
    import json

    from raw_http import exchange, post

    body = json.dumps({"domain": domain, "taskList": {"name": "released"}}).encode()
    answer = exchange(swf.endpoint_url, post("PollForActivityTask", body), shut_write=True)
    assert answer.status == 200 and json.loads(answer.body or b"{}").get("taskToken") is None
    assert swf.service.wait_for_pollers(0, timeout=5, at_most=True)


def test_the_default_page_size_is_a_knob_for_histories_and_decision_tasks(clock: Any) -> None:
    with LocalSWF(clock=clock, page_size=3) as small:
        client = small.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        run = start(client, "d")
        for n in range(5):
            client.signal_workflow_execution(domain="d", signalName=f"s{n}", **run)
        task = poll_decision(client, "d")
        pages = [task]
        while "nextPageToken" in pages[-1]:
            pages.append(
                client.poll_for_decision_task(
                    domain="d", taskList=TASK_LIST, nextPageToken=pages[-1]["nextPageToken"]
                )
            )
        assert [[e["eventId"] for e in page["events"]] for page in pages] == [[1, 2, 3], [4, 5, 6], [7, 8]]
        first = client.get_workflow_execution_history(domain="d", execution=run)
        assert [e["eventId"] for e in first["events"]] == [1, 2, 3] and "nextPageToken" in first
        # A request's maximumPageSize is an upper limit only (SWF's words): it may get fewer.
        smaller = client.get_workflow_execution_history(domain="d", execution=run, maximumPageSize=2)
        assert [e["eventId"] for e in smaller["events"]] == [1, 2]
        capped = client.get_workflow_execution_history(domain="d", execution=run, maximumPageSize=1000)
        assert [e["eventId"] for e in capped["events"]] == [1, 2, 3] and "nextPageToken" in capped
        # Other listings keep SWF's default.
        for n in range(5):
            client.register_domain(name=f"more{n}", workflowExecutionRetentionPeriodInDays="1")
        assert len(client.list_domains(registrationStatus="REGISTERED")["domainInfos"]) == 6


@pytest.mark.parametrize("size", [0, 1001])
def test_the_page_size_knob_stays_within_what_swf_allows(size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        LocalSWF(page_size=size)
