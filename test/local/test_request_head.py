"""Parsing a request's head: the stdlib's rules, without the ``email`` package."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from raw_http import connect, exchange, post, read_answer

from awsflow.local import LocalSWF
from awsflow.local._request_head import RequestHead, parse_field_block, parse_fields, parse_request_line
from awsflow.local.engine import SerializationException


def head(line: bytes, *fields: bytes) -> RequestHead:
    parsed = parse_request_line(line)
    assert parsed is not None
    return RequestHead(parsed, parse_fields(list(fields)))


def test_a_request_line_gives_method_target_and_version() -> None:
    line = parse_request_line(b"POST /path?x=1 HTTP/1.1\r\n")
    assert line is not None
    assert (line.method, line.target, line.version) == ("POST", "/path?x=1", (1, 1))


def test_a_blank_line_is_no_request() -> None:
    assert parse_request_line(b"\r\n") is None


def test_two_words_are_http_0_9() -> None:
    line = parse_request_line(b"GET /\r\n")
    assert line is not None and line.version == (0, 9)


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n",
        b"POST / HTTP/1.1 extra\r\n",
        b"POST / HTTP/2.0\r\n",
        b"POST / HTTP/1.x\r\n",
        b"POST / SPDY/3\r\n",
        b"POST / HTTP/1.1.1\r\n",
        b"POST / HTTP/12345678901.1\r\n",
        b"POST / HTTP/\xd9\xa5.1\r\n",
    ],
)
def test_malformed_request_lines_are_serialization_errors(raw: bytes) -> None:
    with pytest.raises(SerializationException):
        parse_request_line(raw)


def test_the_plain_request_line_of_every_client_parses_as_the_general_rule_does() -> None:
    raw = b"POST //x HTTP/1.0\r\n"
    assert parse_request_line(b"POST / HTTP/1.0\r\n") == parse_request_line(b"POST  /  HTTP/1.0 \r\n")
    line = parse_request_line(raw)
    assert line is not None and line.target == "/x"


_NAMES = st.text("abcXYZ-_!#019", min_size=1, max_size=8)
_VALUES = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=20)


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=12), st.binary(max_size=10))
def test_a_plain_field_block_parses_as_its_lines_do(fields: list[tuple[str, str]], body: bytes) -> None:
    lines = [f"{name}:{value}\r\n".encode("iso-8859-1") for name, value in fields]
    parsed = parse_field_block(b"".join(lines) + b"\r\n" + body, 100)
    assert parsed == (parse_fields(lines), sum(map(len, lines)) + 2)


@pytest.mark.parametrize(
    "data",
    [
        b"X-A: 1\r\n",
        b"X-A: 1\r\n  folded\r\n\r\n",
        b"No colon\r\n\r\n",
        b"X-A: 1\n\r\n",
        b"X-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\r\n",
    ],
    ids=["not all arrived", "folded", "malformed", "bare LF", "too many"],
)
def test_field_blocks_that_are_not_plain_are_left_to_the_line_parser(data: bytes) -> None:
    assert parse_field_block(data, 2) is None


def test_field_names_are_case_insensitive_and_values_trimmed_in_order() -> None:
    request = head(b"POST / HTTP/1.1\r\n", b"X-Amz-Target: \t A \r\n", b"x-amz-target: B\r\n")
    assert request.fields == {"x-amz-target": ["A", "B"]}
    assert request.get("x-amz-target") == "A"
    assert request.get("content-length", "0") == "0"


def test_a_folded_line_continues_the_field_before_it() -> None:
    assert head(b"POST / HTTP/1.1\r\n", b"X-A: one\r\n", b"  two\r\n").get("x-a") == "one two"


@pytest.mark.parametrize(
    "fields",
    [
        [b"No colon here\r\n"],
        [b" starts folded\r\n"],
        [b"Bad Name: x\r\n"],
        [b": no name\r\n"],
        [b"X-\xff: x\r\n"],
    ],
)
def test_malformed_field_lines_are_serialization_errors(fields: list[bytes]) -> None:
    with pytest.raises(SerializationException):
        parse_fields(fields)


@pytest.mark.parametrize(
    ("version", "connection", "keep_alive"),
    [(b"1.1", b"", True), (b"1.1", b"Close", False), (b"1.0", b"", False), (b"1.0", b"keep-alive", True)],
)
def test_keep_alive_follows_the_version_and_the_connection_field(
    version: bytes, connection: bytes, keep_alive: bool
) -> None:
    fields = [b"Connection: " + connection + b"\r\n"] if connection else []
    assert head(b"POST / HTTP/" + version + b"\r\n", *fields).keep_alive is keep_alive


def test_only_http_1_1_waits_for_100_continue() -> None:
    assert head(b"POST / HTTP/1.1\r\n", b"Expect: 100-continue\r\n").expects_continue
    assert not head(b"POST / HTTP/1.0\r\n", b"Expect: 100-continue\r\n").expects_continue


def test_the_front_answers_http_1_0_and_closes_its_connection() -> None:
    with LocalSWF() as swf:
        raw = post("ListDomains", b'{"registrationStatus": "REGISTERED"}').replace(b"HTTP/1.1", b"HTTP/1.0")
        answer = exchange(swf.endpoint_url, raw)
    assert answer.status == 200
    assert answer.headers.get("connection") == "close"
    assert answer.body == b'{"domainInfos":[]}'


def test_the_front_sends_100_continue_before_reading_the_body() -> None:
    with LocalSWF() as swf:
        body = b'{"registrationStatus": "REGISTERED"}'
        with connect(swf.endpoint_url) as sock:
            sock.sendall(
                post("ListDomains", b"", b"Expect: 100-continue\r\n").replace(
                    b"Content-Length: 0", b"Content-Length: %d" % len(body)
                )
            )
            interim = b""
            while not interim.endswith(b"\r\n\r\n"):
                interim += sock.recv(1)
            assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
            sock.sendall(body)
            answer = read_answer(sock)
    assert answer.status == 200
