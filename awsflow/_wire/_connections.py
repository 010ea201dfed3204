"""One persistent HTTP(S) connection per thread and endpoint, with botocore's connection errors.

A worker thread makes one call at a time, so a connection per thread needs no pool and no
lock. Failures are raised as the botocore exceptions its own HTTP layer raises (connect
failures as EndpointConnectionError, timeouts as Connect/ReadTimeoutError, a dropped connection
as ConnectionClosedError), so botocore's retry rules and awsflow's outage handling see the same
errors whichever path sent the call. A request that fails on a connection reused from an earlier
call, before any answer, is sent once more on a fresh one: the server may have closed the idle
connection (as botocore's pool, urllib3, checks before reusing one).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.httpsession import where

__all__ = ["Connections"]

# What a reused connection the server closed while idle raises on the next request.
_STALE = (
    http.client.RemoteDisconnected,
    BrokenPipeError,
    ConnectionResetError,
    http.client.CannotSendRequest,
)


class _Body:
    """The raw body of an :class:`AWSResponse` (which reads it through ``stream()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> list[bytes]:
        return [self._data]


def response(url: str, status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    """An answer as botocore's HTTP layer hands it over."""
    return AWSResponse(url, status, headers, _Body(body))


class Connections:
    """Sends prepared requests, each thread on its own kept-alive connection."""

    def __init__(self, *, connect_timeout: float, read_timeout: float) -> None:
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._local = threading.local()
        self._ssl: ssl.SSLContext | None = None

    def send(self, request: Any) -> AWSResponse:
        """Send ``request`` (url, method, headers, body: a signed ``_client.Request``); its answer."""
        parts = urlsplit(request.url)
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        body = request.body.encode() if isinstance(request.body, str) else request.body
        headers = dict(request.headers.items())
        for attempt in (1, 2):
            connection, reused = self._connection(parts.scheme, parts.hostname or "", parts.port, request.url)
            try:
                connection.request(request.method, path, body=body, headers=headers)
                answer = connection.getresponse()
                payload = answer.read()
            except _STALE as error:
                self._drop()
                if reused and attempt == 1:
                    continue
                raise ConnectionClosedError(endpoint_url=request.url, error=error) from error
            except TimeoutError as error:
                self._drop()
                raise ReadTimeoutError(endpoint_url=request.url, error=error) from error
            except (OSError, http.client.HTTPException) as error:
                self._drop()
                raise ConnectionClosedError(endpoint_url=request.url, error=error) from error
            if answer.will_close:
                self._drop()
            return response(request.url, answer.status, dict(answer.getheaders()), payload)
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connection(
        self, scheme: str, host: str, port: int | None, url: str
    ) -> tuple[http.client.HTTPConnection, bool]:
        key = (scheme, host, port)
        cached: tuple[Any, http.client.HTTPConnection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == key:
            return cached[1], True
        if cached is not None:
            self._drop()
        connection: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context(cafile=where())
            connection = http.client.HTTPSConnection(
                host, port, timeout=self._connect_timeout, context=self._ssl
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._connect_timeout)
        try:
            connection.connect()
        except TimeoutError as error:
            raise ConnectTimeoutError(endpoint_url=url, error=error) from error
        except OSError as error:
            raise EndpointConnectionError(endpoint_url=url, error=error) from error
        assert connection.sock is not None
        connection.sock.settimeout(self._read_timeout)  # long polls: botocore's read_timeout
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._local.connection = (key, connection)
        return connection, False

    def _drop(self) -> None:
        cached: tuple[Any, http.client.HTTPConnection] | None = getattr(self._local, "connection", None)
        if cached is not None:
            cached[1].close()
        self._local.connection = None
