"""The HTTP front under hostile input: every answer SWF-shaped, no thread held forever.

Malformed HTTP that the stdlib server used to answer with HTML (or with nothing at all, for
HTTP/0.9) gets a JSON ``{"__type", "message"}`` body and status 400; deep JSON nesting is a
400, not a RecursionError; idle, half-sent and dripping connections are timed out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from raw_http import Answer, closed_by_peer, connect, exchange, post, read_answer
from waiting import wait_until

from awsflow.local import HttpTimeouts, LocalSWF, VirtualClock, _connection

pytestmark = pytest.mark.skipif(
    __import__("os").environ.get("AWS_SWF_CONFORMANCE") == "moto",
    reason="tests awsflow.local's own HTTP front",
)

LIST = b'{"registrationStatus": "REGISTERED"}'


@pytest.fixture(scope="module")
def front() -> Iterator[LocalSWF]:
    with LocalSWF(clock=VirtualClock(), poll_timeout=0) as service:
        service.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        yield service


MALFORMED_HTTP = {
    "one word": b"GARBAGE\r\n\r\n",
    "four words": b"POST / HTTP/1.1 extra\r\n\r\n",
    "HTTP/0.9 POST": b"POST /\r\n\r\n",
    "HTTP/0.9 GET": b"GET /\r\n\r\n",
    "HTTP/2.0": b"POST / HTTP/2.0\r\nContent-Length: 0\r\n\r\n",
    "bad version": b"POST / HTTP/1.x\r\n\r\n",
    "not HTTP": b"POST / SPDY/3\r\n\r\n",
    "request line over 64 KiB": b"POST /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    "header line over 64 KiB": b"POST / HTTP/1.1\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n",
    "too many headers": b"POST / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
    "negative Content-Length": post("ListDomains", b"", b"Content-Length: -5\r\n").replace(
        b"Content-Length: 0\r\n", b""
    ),
    "unicode Content-Length": b"POST / HTTP/1.1\r\nContent-Length: \xd9\xa5\r\n\r\n",
    "two Content-Lengths": post("ListDomains", LIST, b"Content-Length: 3\r\n"),
    "chunked": b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "binary request line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
}


@pytest.mark.parametrize("raw", MALFORMED_HTTP.values(), ids=MALFORMED_HTTP.keys())
def test_malformed_http_gets_an_swf_shaped_400(front: LocalSWF, raw: bytes) -> None:
    answer = exchange(front.endpoint_url, raw)
    assert answer.status == 400, answer
    assert answer.code() == "SerializationException"
    assert answer.headers.get("connection") == "close"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"])
def test_methods_other_than_post_are_an_unknown_operation(front: LocalSWF, method: str) -> None:
    answer = exchange(front.endpoint_url, f"{method} / HTTP/1.1\r\nContent-Length: 0\r\n\r\n".encode())
    assert answer.status == 400
    assert answer.code() == "UnknownOperationException"
    assert method in answer.error()["message"]


def test_head_answers_the_liveness_probe_without_a_body(front: LocalSWF) -> None:
    with connect(front.endpoint_url) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert head.endswith(b"\r\n\r\n"), "no body after the headers"


def test_a_body_shorter_than_its_content_length_is_refused(front: LocalSWF) -> None:
    raw = post("ListDomains", LIST).replace(b"Content-Length: 36", b"Content-Length: 90")
    answer = exchange(front.endpoint_url, raw, shut_write=True)
    assert answer.status == 400
    assert answer.code() == "SerializationException"
    assert "ended after 36 of 90 bytes" in answer.error()["message"]


def test_a_client_resetting_mid_body_is_no_error_and_the_service_goes_on(
    front: LocalSWF, caplog: pytest.LogCaptureFixture
) -> None:
    raw = post("ListDomains", LIST).replace(b"Content-Length: 36", b"Content-Length: 90")
    sock = connect(front.endpoint_url)
    sock.sendall(raw)  # the headers and 36 of the 90 bytes promised: the service waits for more
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with caplog.at_level(logging.INFO, logger="awsflow.local"):
        sock.close()  # with linger 0: a reset, as a client killed mid-request sends
        assert exchange(front.endpoint_url, post("ListDomains", LIST)).status == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


NESTED = {
    "list": b"[" * 100_000,
    "object": b'{"a":' * 100_000,
    "closed list": b"[" * 50_000 + b"]" * 50_000,
    "member": b'{"registrationStatus": ' + b"[" * 100_000,
    "page token member": b'{"registrationStatus": "REGISTERED", "nextPageToken": ' + b"[" * 100_000,
}


@pytest.mark.parametrize("body", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_json_is_a_serialization_error(front: LocalSWF, body: bytes) -> None:
    answer = exchange(front.endpoint_url, post("ListDomains", body))
    assert answer.status == 400
    assert answer.code() == "SerializationException"


def _token(position: Any, request: dict[str, Any]) -> str:
    # Forge a token the way the service builds one: a position and a digest of the request.
    # The digest is no secret, so a hostile client can make any position look well-formed.
    basis = {k: v for k, v in request.items() if k not in ("nextPageToken", "maximumPageSize", "identity")}
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]
    raw = json.dumps({"p": position, "d": digest}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


POLL = {"domain": "d", "taskList": {"name": "t"}}
HISTORY = {"domain": "d", "execution": {"workflowId": "w", "runId": "r"}}
FORGED = {
    "nested garbage": ("ListDomains", {"registrationStatus": "REGISTERED"}, None),
    "list page as text": ("ListDomains", {"registrationStatus": "REGISTERED"}, "x"),
    "list page negative": ("ListDomains", {"registrationStatus": "REGISTERED"}, -3),
    "list page float": ("ListDomains", {"registrationStatus": "REGISTERED"}, 1.5),
    "decision page as list": ("PollForDecisionTask", POLL, [1, 2]),
    "decision page offset text": (
        "PollForDecisionTask",
        POLL,
        {"key": ["d", "w", "r"], "token": "t", "started": 3, "previous": 0, "offset": "x"},
    ),
    "decision page key number": (
        "PollForDecisionTask",
        POLL,
        {"key": 5, "token": "t", "started": 3, "previous": 0, "offset": 0},
    ),
    "decision page previous text": (
        "PollForDecisionTask",
        POLL,
        {"key": ["d", "w", "r"], "token": "t", "started": 3, "previous": "x", "offset": 0},
    ),
}


@pytest.mark.parametrize(("operation", "request_", "position"), FORGED.values(), ids=FORGED.keys())
def test_forged_or_nested_page_tokens_are_a_validation_error(
    front: LocalSWF, operation: str, request_: dict[str, Any], position: Any
) -> None:
    # No position: JSON as deep as fits the 2048-character token limit once base64-encoded.
    token = base64.urlsafe_b64encode(b"[" * 1500).decode() if position is None else _token(position, request_)
    body = json.dumps({**request_, "nextPageToken": token}).encode()
    answer = exchange(front.endpoint_url, post(operation, body))
    assert answer.status == 400, answer
    assert answer.code() == "ValidationException"


def test_the_service_still_answers_after_hostile_http(front: LocalSWF) -> None:
    for raw in MALFORMED_HTTP.values():
        exchange(front.endpoint_url, raw)
    assert front.client().describe_domain(name="d")["domainInfo"]["name"] == "d"


# -- timeouts ----------------------------------------------------------------------------------
SHORT = HttpTimeouts(new_connection=0.3, keep_alive=0.6, request=0.6, response=2.0)


# Where the kernel can enforce the socket timeouts (64-bit Linux) it does; elsewhere the
# service waits in poll() with its own deadlines. Both ways are run where the kernel's is.
TIMEOUT_WAYS = ["kernel", "python"] if _connection._KERNEL_TIMEOUTS else ["python"]


@pytest.fixture(params=TIMEOUT_WAYS)
def impatient(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSWF]:
    monkeypatch.setattr(_connection, "_KERNEL_TIMEOUTS", request.param == "kernel")
    with LocalSWF(clock=VirtualClock(), http_timeouts=SHORT) as service:
        yield service


def test_idle_connections_are_closed_without_an_answer(impatient: LocalSWF) -> None:
    sockets = [connect(impatient.endpoint_url) for _ in range(50)]
    try:
        wait_until(lambda: impatient._server.connections.open_count() == 50, what="50 connections open")
        wait_until(lambda: impatient._server.connections.open_count() == 0, timeout=5, what="all closed")
        for sock in sockets:
            assert sock.recv(1) == b"", "closed without a word"
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize(
    "partial",
    [b"POST / HT", b"POST / HTTP/1.1\r\nHost: x\r\n", post("ListDomains", LIST)[:-10]],
    ids=["half a request line", "headers unfinished", "short body"],
)
def test_a_request_that_stalls_half_way_is_answered_408_and_closed(
    impatient: LocalSWF, partial: bytes
) -> None:
    with connect(impatient.endpoint_url, timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(partial)
        answer = read_answer(sock)
        assert answer.status == 408
        assert answer.code() == "RequestTimeoutException"
        assert closed_by_peer(sock)
        assert time.monotonic() - started < 3
    wait_until(lambda: impatient._server.connections.open_count() == 0, what="the thread to end")


def test_a_request_dripped_a_byte_at_a_time_still_times_out_as_a_whole(impatient: LocalSWF) -> None:
    # Each byte arrives well within the request timeout; the request as a whole does not.
    raw = post("ListDomains", LIST)
    pace = threading.Event()
    with connect(impatient.endpoint_url, timeout=5) as sock:
        started = time.monotonic()
        try:
            for byte in raw:
                sock.sendall(bytes([byte]))
                pace.wait(0.05)
                if time.monotonic() - started > 5:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server gave up on us, as it should
        elapsed = time.monotonic() - started
        answer = read_answer(sock)
    assert answer.status == 408
    assert elapsed < 2.5, "cut off near the request timeout, not after the whole drip"


def test_kept_alive_connections_serve_requests_and_close_when_idle(impatient: LocalSWF) -> None:
    with connect(impatient.endpoint_url, timeout=5) as sock:
        for _ in range(3):
            sock.sendall(post("ListDomains", LIST))
            answer = read_answer(sock)
            assert answer.status == 200, answer
        assert closed_by_peer(sock), "an idle kept-alive connection is closed after keep_alive"


def test_a_long_poll_outlives_the_read_timeouts(impatient: LocalSWF) -> None:
    client = impatient.client()
    client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain="d",
        name="w",
        version="1",
        defaultTaskList={"name": "t"},
        defaultExecutionStartToCloseTimeout="60",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    answers: list[Answer] = []

    def poll() -> None:
        with connect(impatient.endpoint_url, timeout=10) as sock:
            sock.sendall(post("PollForDecisionTask", b'{"domain": "d", "taskList": {"name": "t"}}'))
            answers.append(read_answer(sock))

    poller = threading.Thread(target=poll)
    poller.start()
    assert impatient.service.wait_for_pollers(1, timeout=5)
    # Longer than every read timeout of SHORT: the held poll must not be cut off.
    with pytest.raises(AssertionError):
        wait_until(lambda: bool(answers), timeout=1.5, what="the poll to be cut off")
    client.start_workflow_execution(domain="d", workflowId="x", workflowType={"name": "w", "version": "1"})
    poller.join(10)
    assert answers and answers[0].status == 200
    assert json.loads(answers[0].body)["taskToken"]
