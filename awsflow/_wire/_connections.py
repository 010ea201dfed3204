"""One persistent HTTP(S) connection per thread and endpoint, with botocore's connection errors.

A worker thread makes one call at a time, so a connection per thread needs no pool and no
lock. Failures are raised as the botocore exceptions its own HTTP layer raises (connect
failures as EndpointConnectionError, timeouts as Connect/ReadTimeoutError, a dropped connection
as ConnectionClosedError), so botocore's retry rules and awsflow's outage handling see the same
errors whichever path sent the call. A kept-alive connection the server closed while idle (or
that holds bytes no request asked for) is not reused: it is checked before each request, as
botocore's pool, urllib3, checks one. A request that fails on a reused connection before any
answer is sent once more on a fresh one: the server may have closed it as the request went out.
"""

from __future__ import annotations

import functools
import http.client
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

from ._http import Connection
from ._tls import CertificateCheck, default_ca_context

__all__ = ["Connections", "response"]

# What a reused connection the server closed while idle raises on the next request.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class _Body:
    """The raw body of an :class:`AWSResponse` (which reads it through ``stream()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> list[bytes]:
        return [self._data]


class _Response(AWSResponse):  # type: ignore[misc]  # botocore ships no types
    """botocore's answer, its headers also kept as read: a plain dict, names lower-cased (what
    botocore's ``ResponseMetadata.HTTPHeaders`` holds; see ``_client._metadata``)."""

    def __init__(self, url: str, status: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(url, status, headers, _Body(body))
        self.lowered_headers = headers


def response(url: str, status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    """An answer as botocore's HTTP layer hands it over (``_http`` reads header names lower-cased;
    others are lower-cased here)."""
    if not all(name.islower() for name in headers):
        headers = {name.lower(): value for name, value in headers.items()}
    return _Response(url, status, headers, body)


@functools.lru_cache(maxsize=16)  # a worker calls one endpoint: split its URL once, not per call
def target_of(url: str) -> tuple[str, str, int | None, str]:
    """Scheme, host, port and request target (path and query) of ``url``."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return parts.scheme, parts.hostname or "", parts.port, target


class Connections:
    """Sends prepared requests, each thread on its own kept-alive connection."""

    def __init__(self, *, connect_timeout: float, read_timeout: float) -> None:
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._local = threading.local()
        self._certificates = CertificateCheck("awsflow's lean SWF calls")

    def send(self, request: Any) -> AWSResponse | None:
        """Send ``request`` (url, method, headers, body: a signed ``_client.Request``); its answer,
        or None where the endpoint's certificate made this sender step aside (see ``_tls``)."""
        if self._certificates.stepped_aside:
            return None
        scheme, host, port, target = target_of(request.url)
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        for attempt in (1, 2):
            try:
                connection, reused = self._connection(scheme, host, port, request.url)
            except ssl.SSLCertVerificationError as refused:
                self._certificates.step_aside(request.url, refused)
                return None
            try:
                connection.send(request.method, target, request.headers, body)
                answer = connection.read_answer()
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
            except BaseException:
                # Interrupted (Ctrl-C, a signal handler's exit...) with the answer unread: the
                # connection must not carry the next call, which would read this answer as its own.
                self._drop()
                raise
            if answer.will_close:
                self._drop()
            return response(request.url, answer.status, answer.headers, answer.body)
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connection(self, scheme: str, host: str, port: int | None, url: str) -> tuple[Connection, bool]:
        key = (scheme, host, port)
        cached: tuple[Any, Connection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == key and not cached[1].dropped():
            return cached[1], True
        if cached is not None:
            self._drop()
        try:
            connection = Connection(
                scheme,
                host,
                port,
                connect_timeout=self._connect_timeout,
                read_timeout=self._read_timeout,  # long polls: botocore's read_timeout
                ssl_context=default_ca_context() if scheme == "https" else None,
            )
        except ssl.SSLCertVerificationError:
            raise  # the caller steps aside (not a connection failure: botocore decides)
        except TimeoutError as error:
            raise ConnectTimeoutError(endpoint_url=url, error=error) from error
        except OSError as error:
            raise EndpointConnectionError(endpoint_url=url, error=error) from error
        self._local.connection = (key, connection)
        return connection, False

    def _drop(self) -> None:
        cached: tuple[Any, Connection] | None = getattr(self._local, "connection", None)
        if cached is not None:
            cached[1].close()
        self._local.connection = None
