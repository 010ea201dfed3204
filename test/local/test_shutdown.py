"""Stopping the service: busy or not, in process or as ``python -m awsflow.local``.

A stop takes no new requests (503), answers held polls empty, lets the answers in flight
finish, then closes the store — never a 500 from a closed database — and it completes within
its grace period however busy the service is (issue 11, items 5 and 6).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from busy_clients import DOMAIN, BusyClients, client_for, prepare
from raw_http import connect, post, read_answer
from server_process import server
from waiting import wait_until

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local.engine import ServiceUnavailableException

pytestmark = pytest.mark.skipif(
    os.environ.get("AWS_SWF_CONFORMANCE") == "moto", reason="tests awsflow.local's own shutdown"
)

TRIALS = int(os.environ.get("AWSFLOW_STOP_TRIALS", "2"))


def _histories(client: Any, runs: list[dict[str, str]]) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for run in runs:
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = client.get_workflow_execution_history(domain=DOMAIN, execution=run, **kwargs)
            events.extend(page["events"])
            if "nextPageToken" not in page:
                break
            kwargs["nextPageToken"] = page["nextPageToken"]
        found[run["runId"]] = events
    return found


def test_a_stop_under_load_answers_no_500_and_keeps_every_acknowledged_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "busy.sqlite"
    caplog.set_level(logging.WARNING, logger="awsflow.local")
    swf = LocalSWF(db=db).start()
    prepare(swf.client())
    with BusyClients(swf.endpoint_url, count=4) as busy:
        wait_until(lambda: busy.answered_ok() >= 60, timeout=30, what="the clients to get going")
        started = time.monotonic()
        swf.stop(grace=5)
        stopped_in = time.monotonic() - started
    assert stopped_in < 5
    assert busy.outcomes["500"] == 0, busy.outcomes
    assert set(busy.outcomes) <= {"200", "400", "503", "EndpointConnectionError", "ConnectionClosedError"}, (
        busy.outcomes
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]
    # Every start that was acknowledged is there after a restart, with a consistent history.
    with LocalSWF(db=db) as again:
        histories = _histories(again.client(), busy.started)
    assert len(histories) == len(busy.started) > 0
    for events in histories.values():
        assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
        assert events[0]["eventType"] == "WorkflowExecutionStarted"


def test_a_held_poll_answers_empty_when_the_service_stops() -> None:
    swf = LocalSWF(clock=VirtualClock()).start()
    client = swf.client()
    client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    answers: list[dict[str, Any]] = []
    poller = threading.Thread(
        target=lambda: answers.append(client.poll_for_activity_task(domain="d", taskList={"name": "t"}))
    )
    poller.start()
    assert swf.service.wait_for_pollers(1, timeout=5)
    started = time.monotonic()
    swf.stop()
    poller.join(5)
    assert answers and "taskToken" not in answers[0]
    assert time.monotonic() - started < 2


def test_requests_arriving_while_stopping_are_answered_503_and_their_connection_closed() -> None:
    with LocalSWF(clock=VirtualClock()) as swf, connect(swf.endpoint_url) as sock:
        list_domains = post("ListDomains", b'{"registrationStatus": "REGISTERED"}')
        sock.sendall(list_domains)
        assert read_answer(sock).status == 200
        swf._server.stop_taking_requests()  # the first step of stop(), alone
        sock.sendall(list_domains)
        answer = read_answer(sock)
        assert answer.status == 503
        assert answer.code() == "ServiceUnavailableException"
        assert answer.headers["connection"] == "close"


def test_a_closed_service_refuses_with_503_instead_of_touching_the_store(tmp_path: Path) -> None:
    swf = LocalSWF(db=tmp_path / "s.sqlite", clock=VirtualClock()).start()
    swf.stop()
    with pytest.raises(ServiceUnavailableException):
        swf.service.call("ListDomains", {"registrationStatus": "REGISTERED"})
    assert swf.service.call("PollForActivityTask", {"domain": "d", "taskList": {"name": "t"}}) == {
        "startedEventId": 0
    }


# -- the command line ---------------------------------------------------------------------------
@pytest.mark.parametrize("trial", range(TRIALS))
def test_sigterm_under_load_stops_the_process_within_its_grace_period(tmp_path: Path, trial: int) -> None:
    db = str(tmp_path / "swf.sqlite")
    with server(["--db", db, "--shutdown-grace", "5"]) as process:
        prepare(client_for(process.url))
        with BusyClients(process.url, count=4) as busy:
            wait_until(lambda: busy.answered_ok() >= 40, timeout=30, what="the clients to get going")
            started = time.monotonic()
            code = process.stop(signal.SIGTERM, timeout=10)
            stopped_in = time.monotonic() - started
    assert code == 0, process.stderr
    assert stopped_in < 5
    assert "Traceback" not in process.stderr and " ERROR " not in process.stderr, process.stderr
    assert busy.outcomes["500"] == 0, busy.outcomes
    with server(["--db", db]) as again:
        histories = _histories(client_for(again.url), busy.started)
        again.stop()
    assert len(histories) == len(busy.started)


def test_a_client_that_never_reads_its_answer_cannot_hold_up_the_stop(tmp_path: Path) -> None:
    # A history page of ~8 MB, more than the kernel buffers on both sides hold (4 MB at most
    # for sending), requested by a client that never reads it: the service stays blocked
    # writing it until the stop gives up on it (--shutdown-grace minus a second) and closes
    # the connection.
    with server(["--shutdown-grace", "3"]) as process:
        client = client_for(process.url)
        prepare(client)
        execution = {"workflowId": "big"}
        execution["runId"] = client.start_workflow_execution(
            domain=DOMAIN, workflowType={"name": "w", "version": "1"}, **execution
        )["runId"]
        for _ in range(250):
            client.signal_workflow_execution(domain=DOMAIN, signalName="s", input="x" * 32_000, **execution)
        body = json.dumps({"domain": DOMAIN, "execution": execution}).encode()
        with connect(process.url) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(post("GetWorkflowExecutionHistory", body))
            wait_until(lambda: _unread_data(sock), what="the answer to start arriving")
            started = time.monotonic()
            code = process.stop(signal.SIGTERM, timeout=10)
            stopped_in = time.monotonic() - started
    assert code == 0, process.stderr
    assert 1.5 < stopped_in < 3.5
    assert "1 answer(s) still in flight" in process.stderr


def _unread_data(sock: socket.socket) -> bool:
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False


def test_a_second_signal_during_a_slow_stop_ends_the_process_at_once(tmp_path: Path) -> None:
    with server(["--shutdown-grace", "30"]) as process:
        client = client_for(process.url)
        prepare(client)
        execution = {"workflowId": "big"}
        execution["runId"] = client.start_workflow_execution(
            domain=DOMAIN, workflowType={"name": "w", "version": "1"}, **execution
        )["runId"]
        for _ in range(250):
            client.signal_workflow_execution(domain=DOMAIN, signalName="s", input="x" * 32_000, **execution)
        body = json.dumps({"domain": DOMAIN, "execution": execution}).encode()
        with connect(process.url) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(post("GetWorkflowExecutionHistory", body))
            wait_until(lambda: _unread_data(sock), what="the answer to start arriving")
            process.proc.send_signal(signal.SIGTERM)  # the stop now waits for that answer (29 s)
            assert process.stderr_line_containing("stopping", timeout=10)
            started = time.monotonic()
            code = process.stop(signal.SIGINT, timeout=10)
            ended_in = time.monotonic() - started
    assert code == 1
    assert ended_in < 2
    assert "second SIGINT while stopping; exiting at once" in process.stderr
