"""HTTP/1.1 on a connection of the lean path's own: the request written in one piece, the answer read by hand.

``http.client`` reads an answer's header lines through the ``email`` package's feed parser and
writes a request header by header; for the few hundred bytes a hot SWF call sends and gets back
that machinery was a fifth of a sticky decision task's CPU. What an SWF answer needs is small:
the status line, a handful of headers, a body framed by ``Content-Length`` (or chunked, as a proxy
in front of the service may send it), and whether the connection may carry the next request.

Everything read is bounded: a status or header line longer than :data:`MAX_LINE`, more than
:data:`MAX_HEADERS` header lines, or a head that is not HTTP/1.x raise :class:`MalformedAnswer` at
once; a peer that sends nothing more runs into the socket's read timeout; a body's memory grows
with the bytes that come, whatever length was stated. The errors are
``http.client``'s (a closed connection before any answer is its ``RemoteDisconnected``, a cut body
its ``IncompleteRead``), so the callers' mapping to botocore's errors is unchanged.
"""

from __future__ import annotations

import http.client
import re
import select
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "MAX_HEADERS",
    "MAX_LINE",
    "Answer",
    "Connection",
    "MalformedAnswer",
    "host_header",
    "read_answer",
    "request_head",
]

MAX_LINE = 8 * 1024  # a status, header or chunk-size line, its line end included
MAX_HEADERS = 100  # header lines of one answer (or of a chunked body's trailer)
_MAX_INTERIM = 10  # 1xx answers skipped before the final one

_STATUS = re.compile(r"HTTP/1\.([01]) ([0-9]{3})(?:[ \t][^\r\n]*)?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BLANKS = " \t"  # the whitespace around a field value (RFC 9110, 5.5)
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
# One write for head and body up to this size (one segment on the wire); larger bodies are
# written after the head rather than copied into one buffer.
_ONE_WRITE = 64 * 1024
_poll = getattr(select, "poll", None)  # select.select where there is none (Windows)
# A body is read at most this much at a time: a buffered read allocates the size asked for at
# once, so a stated length is trusted only as its bytes come (as http.client since gh-119451).
_READ_STEP = 1024 * 1024


class MalformedAnswer(http.client.HTTPException):
    """What the peer sent is not an HTTP/1.x answer this reader accepts (see the module docstring)."""


class Reader(Protocol):
    """A buffered byte stream, as ``socket.makefile("rb")`` and ``io.BytesIO`` are (a ``peek``
    method, where it has one, lets a head that is wholly buffered be split at once)."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer: header names lower-cased (a repeated header's values joined by ``", "``)."""

    status: int
    headers: dict[str, str]
    body: bytes
    will_close: bool  # the connection carries no further request


def host_header(scheme: str, host: str, port: int | None) -> str:
    """The ``Host`` header for an ``http``/``https`` endpoint, as botocore's signer derives it
    (no default port; an IPv6 literal in brackets)."""
    default = 443 if scheme == "https" else 80
    if ":" in host:
        host = f"[{host}]"
    return host if port in (None, default) else f"{host}:{port}"


def request_head(
    method: str, target: str, headers: Mapping[str, str | bytes], body_length: int, *, host: str
) -> bytes:
    """The head of a request with a body of ``body_length`` bytes.

    ``headers`` are sent as given (a value as ``str`` or, as botocore's prepared requests hold
    them, ISO-8859-1 ``bytes``); ``Host`` (from ``host``), ``Content-Length`` and
    ``Accept-Encoding: identity`` (what ``http.client`` sends: no compressed answers) are added
    unless given. A name or value that would break the head (a line end in it) is refused.
    """
    lines = [f"{method} {target} HTTP/1.1"]
    given = set()
    for name, value in headers.items():
        given.add(name.lower())
        lines.append(f"{name}: {value if isinstance(value, str) else value.decode('latin-1')}")
    if "host" not in given:
        lines.append(f"Host: {host}")
    if "content-length" not in given:
        lines.append(f"Content-Length: {body_length}")
    if "accept-encoding" not in given:
        lines.append("Accept-Encoding: identity")
    text = "\r\n".join(lines)
    if text.count("\n") != len(lines) - 1 or text.count("\r") != len(lines) - 1:
        raise ValueError(f"a line end inside a request header: {text!r}")
    return (text + "\r\n\r\n").encode("latin-1")


def read_answer(reader: Reader) -> Answer:
    """Read one answer to a POST from ``reader``, exactly up to its end (a pipelined next
    answer stays in the reader)."""
    for _ in range(_MAX_INTERIM + 1):
        lines = _read_head(reader)
        match = _STATUS.fullmatch(lines[0])
        if match is None:
            raise MalformedAnswer(f"not an HTTP/1.x status line: {lines[0][:120]!r}")
        status = int(match[2])
        headers = _parse_headers(lines[1:])
        if not 100 <= status < 200 or status == 101:
            break  # 1xx answers are interim: the final answer follows
    else:
        raise MalformedAnswer(f"more than {_MAX_INTERIM} interim (1xx) answers")
    connection = headers.get("connection")
    tokens = () if connection is None else {token.strip() for token in connection.lower().split(",")}
    will_close = "keep-alive" not in tokens if match[1] == "0" else "close" in tokens
    if status in (204, 304) or 100 <= status < 200:
        return Answer(status, headers, b"", will_close)
    coding = headers.get("transfer-encoding")
    if coding is not None:
        if coding.strip().lower() != "chunked":
            raise MalformedAnswer(f"unsupported transfer coding: {coding!r}")
        # With both framings the length is ignored and the connection closed (RFC 9112, 6.3).
        return Answer(status, headers, _read_chunked(reader), will_close or "content-length" in headers)
    length_text = headers.get("content-length")
    if length_text is None:
        return Answer(status, headers, reader.read(), True)  # the body ends with the connection
    length = _content_length(length_text)
    body = _read_exactly(reader, length)
    return Answer(status, headers, body, will_close)


def _read_exactly(reader: Reader, length: int) -> bytes:
    """``length`` bytes, or :class:`~http.client.IncompleteRead` if the stream ends first."""
    if length <= _READ_STEP:  # the common case: one read
        data = reader.read(length) if length else b""
    else:
        parts: list[bytes] = []
        left = length
        while left:
            part = reader.read(min(left, _READ_STEP))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        data = b"".join(parts)
    if len(data) < length:
        raise http.client.IncompleteRead(data, length - len(data))
    return data


def _read_head(reader: Reader) -> list[str]:
    """The status line and the header lines of an answer, without their line ends (ISO-8859-1,
    as HTTP's field values are read)."""
    peek = getattr(reader, "peek", None)
    if peek is not None:
        # Usually the whole head came in the socket's first read: split it at once rather
        # than line by line (a third of the reader's CPU).
        buffered: bytes = peek(MAX_LINE)
        end = buffered.find(b"\r\n\r\n")
        if end >= 0:
            head = buffered[:end].decode("latin-1")
            lines = head.split("\r\n")
            if head.count("\n") == len(lines) - 1:  # no bare LF line end in it
                if len(lines) > MAX_HEADERS + 1 or max(map(len, lines)) > MAX_LINE - 2:
                    raise MalformedAnswer(
                        f"an answer's head longer than {MAX_HEADERS} lines of {MAX_LINE} bytes"
                    )
                reader.read(end + 4)
                return lines
    first = reader.readline(MAX_LINE + 1)
    if not first:
        raise http.client.RemoteDisconnected("the server closed the connection without an answer")
    return [line.decode("latin-1") for line in (_stripped(first, "status"), *_read_lines(reader, "header"))]


def _stripped(line: bytes, what: str) -> bytes:
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise MalformedAnswer(f"an answer's {what} line longer than {MAX_LINE} bytes, or cut")
    return line[:-2] if line.endswith(b"\r\n") else line[:-1]


def _line(reader: Reader, what: str) -> bytes:
    line = reader.readline(MAX_LINE + 1)
    if not line:
        raise MalformedAnswer(f"the connection closed inside the answer's {what}")
    return _stripped(line, what)


def _read_lines(reader: Reader, what: str) -> list[bytes]:
    """Lines up to the empty one that ends a head (or a chunked body's trailer)."""
    lines: list[bytes] = []
    for _ in range(MAX_HEADERS + 1):
        line = _line(reader, what)
        if not line:
            return lines
        lines.append(line)
    raise MalformedAnswer(f"more than {MAX_HEADERS} {what} lines")


def _parse_headers(lines: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    last: str | None = None
    for line in lines:
        if line[:1] in (" ", "\t"):  # obsolete line folding: the value goes on, after a space
            if last is None:
                raise MalformedAnswer(f"a folded line before any header: {line[:120]!r}")
            headers[last] = f"{headers[last]} {line.strip(_BLANKS)}"
            continue
        name, colon, value = line.partition(":")
        if not colon or _TOKEN.fullmatch(name) is None:
            raise MalformedAnswer(f"not a header line: {line[:120]!r}")
        key = name.lower()
        value = value.strip(_BLANKS)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
        last = key
    return headers


def _content_length(text: str) -> int:
    if text.isdigit() and text.isascii() and len(text) <= 18:
        return int(text)
    # A repeated header arrives joined ("12, 12"): the same length stated twice is one length.
    values = {value.strip() for value in text.split(",")}
    if len(values) != 1:
        raise MalformedAnswer(f"conflicting Content-Length: {text!r}")
    value = values.pop()
    if not value.isdigit() or not value.isascii() or len(value) > 18:
        raise MalformedAnswer(f"bad Content-Length: {text!r}")
    return int(value)


def _read_chunked(reader: Reader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_text = _line(reader, "chunk size").split(b";", 1)[0].strip()
        if _CHUNK_SIZE.fullmatch(size_text) is None:
            raise MalformedAnswer(f"bad chunk size: {size_text[:40]!r}")
        size = int(size_text, 16)
        if size == 0:
            break
        try:
            data = _read_exactly(reader, size)
        except http.client.IncompleteRead as cut:
            raise http.client.IncompleteRead(b"".join([*parts, cut.partial]), cut.expected) from None
        if _line(reader, "chunk end"):
            raise MalformedAnswer("a chunk longer than its stated size")
        parts.append(data)
    _parse_headers([line.decode("latin-1") for line in _read_lines(reader, "trailer")])  # not used
    return b"".join(parts)


class Connection:
    """One kept-alive HTTP/1.1 (or HTTPS) connection: :meth:`send` a request, :meth:`read_answer`.

    Opened by the constructor; ``connect_timeout`` bounds the connect (and the TLS handshake),
    ``read_timeout`` every later read and write.
    """

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int | None,
        *,
        connect_timeout: float | None,
        read_timeout: float | None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host_header(scheme, host, port)
        address = (host, port or (443 if scheme == "https" else 80))
        sock = socket.create_connection(address, timeout=connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                context = ssl_context or ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=host)
            sock.settimeout(read_timeout)
        except BaseException:
            sock.close()
            raise
        self.sock: socket.socket = sock
        self._reader = sock.makefile("rb")

    def send(self, method: str, target: str, headers: Mapping[str, str | bytes], body: bytes) -> None:
        """Write the request (head and body)."""
        head = request_head(method, target, headers, len(body), host=self.host)
        if len(body) <= _ONE_WRITE:
            self.sock.sendall(head + body)
        else:
            self.sock.sendall(head)
            self.sock.sendall(body)

    def read_answer(self) -> Answer:
        """Read the answer to the request sent (see :func:`read_answer`)."""
        return read_answer(self._reader)

    def dropped(self) -> bool:
        """Whether this idle connection may no longer carry a request: the peer closed it, or
        sent something no request asked for (an idle connection has nothing to read). Checked
        before a kept-alive connection is reused, as urllib3 checks a pooled one, so a request
        is never sent where nothing can answer it."""
        try:
            if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
                return True
            if _poll is None:
                return bool(select.select([self.sock], [], [], 0)[0])
            poller = _poll()
            poller.register(self.sock, select.POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError):  # closed meanwhile
            return True

    def close(self) -> None:
        self._reader.close()
        self.sock.close()
