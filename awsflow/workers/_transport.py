"""Long polls a worker can abandon when it stops.

SWF holds a poll for up to 60 seconds. A worker leaving ``with worker:`` must not wait that long,
nor leave a thread behind, so its two poll operations are sent over connections it owns (a
botocore ``before-send`` hook; signing, retries and parsing stay botocore's). Stopping shuts those
sockets down: the poll ends at once, and a server that watches for it (awsflow.local does) gives
the next task to someone else. Every other call goes through botocore's own HTTP stack.

With an HTTP(S) proxy configured the hook steps aside (botocore knows the proxy rules) and a
stop waits for the poll in flight to end.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.httpsession import where

POLL_OPERATIONS = ("PollForDecisionTask", "PollForActivityTask")


class PollAborted(Exception):
    """The worker stopped while this poll was waiting; no task was taken."""


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> list[bytes]:
        return [self._data]


_current = threading.local()


def install(client: Any) -> None:
    """Route the client's polls through the :class:`AbortablePolls` of the calling worker.

    One hook per client, however many workers share it: the hook sends a poll through the
    polls object the calling thread is working for (see :func:`polling_for`), or steps aside.
    """
    if getattr(client, "_awsflow_polls_installed", False):
        return
    for operation in POLL_OPERATIONS:
        client.meta.events.register(f"before-send.swf.{operation}", _dispatch)
    client._awsflow_polls_installed = True


def _dispatch(request: Any, **kwargs: Any) -> AWSResponse | None:
    polls: AbortablePolls | None = getattr(_current, "polls", None)
    return None if polls is None else polls.send(request)


@contextlib.contextmanager
def polling_for(polls: AbortablePolls) -> Iterator[None]:
    """Polls made by this thread inside the block go through ``polls``."""
    previous = getattr(_current, "polls", None)
    _current.polls = polls
    try:
        yield
    finally:
        _current.polls = previous


class AbortablePolls:
    """Sends poll requests on per-thread connections that :meth:`abort` can shut."""

    def __init__(self, read_timeout: float = 70.0) -> None:
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        self._active: set[http.client.HTTPConnection] = set()
        self._aborted = False
        self._local = threading.local()
        self._ssl: ssl.SSLContext | None = None

    def reset(self) -> None:
        with self._lock:
            self._aborted = False

    def abort(self) -> None:
        """End every poll in flight (and refuse new ones until :meth:`reset`)."""
        with self._lock:
            self._aborted = True
            for connection in self._active:
                if connection.sock is not None:
                    with contextlib.suppress(OSError):
                        connection.sock.shutdown(socket.SHUT_RDWR)

    def send(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        parts = urlsplit(request.url)
        if _proxied(parts.scheme):
            return None
        connection = self._connection(parts.scheme, parts.hostname or "", parts.port)
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        try:
            if connection.sock is None:
                # Connect before registering: abort() can only shut a socket that exists.
                connection.connect()
            with self._lock:
                if self._aborted:
                    raise PollAborted("the worker is stopping")
                self._active.add(connection)
            body = request.body.encode() if isinstance(request.body, str) else request.body
            connection.request(request.method, path, body=body, headers=dict(request.headers.items()))
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self._drop(connection)
            if self._aborted:
                raise PollAborted("the worker stopped during the poll") from error
            raise
        finally:
            with self._lock:
                self._active.discard(connection)
        if response.will_close:
            self._drop(connection)
        return AWSResponse(request.url, response.status, dict(response.getheaders()), _Body(payload))

    def _connection(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        cached: tuple[Any, http.client.HTTPConnection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        connection: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context(cafile=where())
            connection = http.client.HTTPSConnection(
                host, port, timeout=self._read_timeout, context=self._ssl
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._read_timeout)
        self._local.connection = (key, connection)
        return connection

    def _drop(self, connection: http.client.HTTPConnection) -> None:
        connection.close()
        self._local.connection = None


def _proxied(scheme: str) -> bool:
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    return any(os.environ.get(name) for name in names)
