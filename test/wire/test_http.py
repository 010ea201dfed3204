"""The lean path's HTTP/1.1: answers read to their exact end, whatever the reads bring; bad heads refused."""

from __future__ import annotations

import http.client
import io
import socket

import pytest
from waiting import wait_until

from awsflow._wire._http import MAX_HEADERS, MAX_LINE, Connection, MalformedAnswer, read_answer, request_head

OK = b"HTTP/1.1 200 OK\r\nx-amzn-RequestId: r1\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}"


class Trickle(io.RawIOBase):
    """A socket that hands over at most ``step`` bytes per read, as a slow network does."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = data
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        piece = self._data[: min(self._step, len(buffer))]
        self._data = self._data[len(piece) :]
        buffer[: len(piece)] = piece
        return len(piece)


def reader(data: bytes, step: int = 1 << 20) -> io.BufferedReader:
    return io.BufferedReader(Trickle(data, step), buffer_size=max(step, 16))


@pytest.mark.parametrize("step", [1, 3, 7, 64, 1 << 20])
def test_an_answer_split_across_any_reads_is_read_whole(step: int) -> None:
    answer = read_answer(reader(OK, step))
    assert (answer.status, answer.body, answer.will_close) == (200, b"{}", False)
    assert answer.headers == {
        "x-amzn-requestid": "r1",
        "content-type": "application/x-amz-json-1.0",
        "content-length": "2",
    }


def test_pipelined_answers_are_read_one_after_the_other_each_to_its_end() -> None:
    second = b'HTTP/1.1 400 Bad Request\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"__type":1}\n'
    stream = reader(OK + second + b"HTTP/1.1 204 No Content\r\n\r\n", step=5)
    first, then, last = read_answer(stream), read_answer(stream), read_answer(stream)
    assert (first.status, first.body, first.will_close) == (200, b"{}", False)
    assert (then.status, then.body, then.will_close) == (400, b'{"__type":1}\n', True)
    assert (last.status, last.body) == (204, b"")
    assert stream.read() == b""


@pytest.mark.parametrize(
    ("head", "closes"),
    [
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\n", True),
        (b"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\n", True),
        (b"HTTP/1.1 200 OK\r\n", False),
        (b"HTTP/1.0 200 OK\r\n", True),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", False),
    ],
)
def test_the_connection_is_kept_unless_the_answer_says_close_or_is_http_1_0(
    head: bytes, closes: bool
) -> None:
    assert read_answer(reader(head + b"Content-Length: 0\r\n\r\n")).will_close is closes


def test_an_answer_without_a_length_ends_with_the_connection() -> None:
    answer = read_answer(reader(b"HTTP/1.1 200 OK\r\n\r\n{}"))
    assert (answer.body, answer.will_close) == (b"{}", True)


@pytest.mark.parametrize("step", [1, 4, 1 << 20])
def test_a_chunked_answer_as_a_proxy_sends_it_is_joined_and_its_trailer_read(step: int) -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5;ext=1\r\n{"a":\r\nA\r\n"bcdefgh"}\r\n0\r\nx-trailer: t\r\n\r\n' + OK
    )
    stream = reader(data, step)
    answer = read_answer(stream)
    assert (answer.body, answer.will_close) == (b'{"a":"bcdefgh"}', False)
    assert read_answer(stream).body == b"{}"  # the trailer was read to its end


def test_interim_answers_are_skipped_and_folded_or_repeated_headers_joined() -> None:
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: one\r\n two\r\nB: 1\r\nb: 2\r\nContent-Length: 0\r\n\r\n"
    answer = read_answer(reader(data))
    assert (answer.status, answer.headers["a"], answer.headers["b"]) == (200, "one two", "1, 2")


def test_a_connection_closed_before_any_answer_is_http_clients_remote_disconnected() -> None:
    # What a kept-alive connection the server closed while idle gives: the request is sent again.
    with pytest.raises(http.client.RemoteDisconnected):
        read_answer(reader(b""))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<html>proxy error</html>\r\n", id="not HTTP"),
        pytest.param(b"HTTP/2 200\r\n\r\n", id="not HTTP/1.x"),
        pytest.param(b"HTTP/1.1 20 OK\r\n\r\n", id="bad status"),
        pytest.param(b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", id="no colon"),
        pytest.param(b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", id="space in name"),
        pytest.param(b"HTTP/1.1 200 OK\r\n folded: first\r\n\r\n", id="fold first"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", id="negative length"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", id="two lengths"
        ),
        pytest.param(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", id="unknown coding"),
        pytest.param(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", id="bad chunk size"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n", id="long chunk"
        ),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", id="cut head"),
        pytest.param(b"HTTP/1.1 200 OK\r\nA: " + b"x" * MAX_LINE + b"\r\n\r\n", id="header line too long"),
        pytest.param(b"HTTP/1.1 200 OK " + b"x" * MAX_LINE + b"\r\n\r\n", id="status line too long"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\n" + b"A: b\r\n" * (MAX_HEADERS + 1) + b"\r\n", id="too many headers"
        ),
        pytest.param(b"HTTP/1.1 100 Continue\r\n\r\n" * 20, id="endless interim answers"),
    ],
)
def test_a_garbled_or_oversized_head_is_refused_at_once(data: bytes) -> None:
    # Each is refused from what it holds: nothing waits for bytes that may never come.
    with pytest.raises(MalformedAnswer):
        read_answer(reader(data, step=3))


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{}",
    ],
)
def test_a_cut_body_is_http_clients_incomplete_read(data: bytes) -> None:
    with pytest.raises(http.client.IncompleteRead):
        read_answer(reader(data))


def test_a_request_head_adds_host_length_and_identity_coding_unless_given() -> None:
    head = request_head("POST", "/", {"X-Amz-Target": "S.Op"}, 12, host="example.com:8080")
    assert head == (
        b"POST / HTTP/1.1\r\nX-Amz-Target: S.Op\r\nHost: example.com:8080\r\n"
        b"Content-Length: 12\r\nAccept-Encoding: identity\r\n\r\n"
    )
    given = {"host": "h", "content-length": "12", "Accept-Encoding": "gzip"}
    assert request_head("POST", "/", given, 12, host="x") == (
        b"POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 12\r\nAccept-Encoding: gzip\r\n\r\n"
    )


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "a\nb", "a\rb"])
def test_a_header_value_with_a_line_end_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="line end"):
        request_head("POST", "/", {"X-Amz-Target": value}, 0, host="h")


@pytest.mark.parametrize("step", [1, 1 << 20])  # read line by line; wholly buffered, split at once
def test_a_head_with_bare_line_feeds_is_read_to_its_end_not_to_a_blank_line_in_the_body(step: int) -> None:
    stream = reader(b"HTTP/1.1 200 OK\nContent-Length: 6\n\nab\r\n\r\n" + OK, step)
    answer = read_answer(stream)
    assert (answer.status, answer.headers, answer.body) == (200, {"content-length": "6"}, b"ab\r\n\r\n")
    assert read_answer(stream).body == b"{}"


def test_header_values_as_botocores_prepared_requests_hold_them_bytes_are_sent_as_they_are() -> None:
    head = request_head("POST", "/", {"X-Amz-Target": b"S.Op", "X-Name": b"caf\xe9"}, 0, host="h")
    assert head.startswith(b"POST / HTTP/1.1\r\nX-Amz-Target: S.Op\r\nX-Name: caf\xe9\r\n")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999999\r\n\r\n{}", id="length"),
        pytest.param(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffff\r\n{}", id="chunk"),
    ],
)
def test_a_huge_stated_length_is_not_allocated_before_the_bytes_come(data: bytes) -> None:
    # As http.client reads since gh-119451: memory grows with what the peer sends, not with what it
    # claims; a cut answer is an IncompleteRead (a broken connection), never a MemoryError.
    with pytest.raises(http.client.IncompleteRead) as cut:
        read_answer(reader(data, step=7))
    assert cut.value.partial == b"{}"


def test_a_body_larger_than_one_read_step_is_read_whole_and_no_further() -> None:
    body = bytes(range(256)) * (10 * 1024 + 3)  # 2.5 MiB and a bit
    stream = reader(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body + OK, step=65536)
    assert read_answer(stream).body == body
    assert read_answer(stream).body == b"{}"


def test_a_kept_connection_is_dropped_once_its_peer_closed_it_or_sent_what_nobody_asked_for() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        kept = [Connection("http", "127.0.0.1", port, connect_timeout=5, read_timeout=5) for _ in range(3)]
        peers = [listener.accept()[0] for _ in kept]
        try:
            assert [connection.dropped() for connection in kept] == [False, False, False]
            peers[1].sendall(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n")  # a proxy's
            peers[2].close()
            wait_until(
                lambda: [connection.dropped() for connection in kept] == [False, True, True],
                what="the closed and the talking connections seen dropped",
            )
        finally:
            for connection, peer in zip(kept, peers, strict=True):
                connection.close()
                peer.close()
