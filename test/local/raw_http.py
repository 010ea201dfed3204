"""Raw sockets against the HTTP front, for requests no HTTP client library would send."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def error(self) -> dict[str, Any]:
        """The SWF-shaped error body; fails the test if it is not one."""
        assert self.headers.get("content-type") == "application/x-amz-json-1.0", self.headers
        error = json.loads(self.body)
        assert isinstance(error, dict) and set(error) == {"__type", "message"}, error
        assert "#" in error["__type"] and isinstance(error["message"], str), error
        return error

    def code(self) -> str:
        code: str = self.error()["__type"].rsplit("#", 1)[-1]
        return code


def connect(endpoint: str, timeout: float = 10.0) -> socket.socket:
    url = urlparse(endpoint)
    assert url.hostname is not None and url.port is not None
    return socket.create_connection((url.hostname, url.port), timeout=timeout)


def read_answer(sock: socket.socket) -> Answer:
    response = http.client.HTTPResponse(sock)
    response.begin()
    body = response.read()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def exchange(endpoint: str, raw: bytes, *, shut_write: bool = False) -> Answer:
    """Send ``raw`` on a new connection and read one answer."""
    with connect(endpoint) as sock:
        sock.sendall(raw)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        return read_answer(sock)


def post(target: str, body: bytes, extra_headers: bytes = b"") -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
        + b"X-Amz-Target: SimpleWorkflowService."
        + target.encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n"
        + extra_headers
        + b"\r\n"
        + body
    )


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (reads until EOF; answers are ignored)."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False
