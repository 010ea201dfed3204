"""Long polls a worker can end when it stops — without losing a task the poll was handed.

SWF holds a poll for up to 60 seconds. A worker that stops must neither wait that long nor
abandon a poll SWF may still answer with a task: a long poll whose connection is closed may
already have been handed one, which then sits started until its timeout (a known SWF behaviour;
AWS Flow for Java waits for its polls in flight for that reason). So:

- Polls go over connections the worker owns (a botocore ``before-send`` hook; signing, retries
  and parsing stay botocore's), so that a stop can reach them.
- A poll, once begun, is always sent: a stop never cuts one off before its request is out.
- If the service has promised (the ``x-awsflow-poll-close: answers-at-once`` header, on any of
  its answers: awsflow.local sends it) that a poll whose client closes its sending side is
  answered at once — with the task it took, if any, else empty — a stop does exactly that: it
  half-closes the polls in flight and reads their answers, which come within milliseconds; a
  task among them is handled. Only if no answer comes within :data:`HALF_CLOSE_GRACE` seconds
  is the connection cut (:class:`PollAborted`).
- Against any other endpoint (Amazon SWF), a stop leaves the polls in flight alone: they end
  when SWF answers them, within the poll timeout, and what they return is handled.

:func:`install` hooks a client (idempotent; workers sharing a client share its hooks) and
returns its :class:`Endpoint`, which learns the promise from every answer the client gets.
With an HTTP(S) proxy configured the poll hook steps aside (botocore knows the proxy rules),
and a stop waits for the poll in flight to end.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import socket
import ssl
import threading
import weakref
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.httpsession import where

POLL_OPERATIONS = ("PollForDecisionTask", "PollForActivityTask")
# awsflow.local's promise (awsflow.local._http sends it; the two packages share no code).
POLL_CLOSE_HEADER = "x-awsflow-poll-close"
POLL_CLOSE_PROMISE = "answers-at-once"
# Seconds a half-closed poll may take to answer before its connection is cut.
HALF_CLOSE_GRACE = 10.0


class PollAborted(Exception):
    """The worker stopped and cut this poll's connection; no task was taken from it."""


class Endpoint:
    """What a client's answers said about its service: whether closing a poll ends it safely."""

    def __init__(self) -> None:
        self.promises_poll_close: bool | None = None  # None: no answer seen yet

    def observe(self, http_response: Any = None, **kwargs: Any) -> None:
        """botocore's ``after-call`` hook: read the promise off an answer (success or error)."""
        if http_response is not None:
            value = http_response.headers.get(POLL_CLOSE_HEADER)
            self.promises_poll_close = value == POLL_CLOSE_PROMISE


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> list[bytes]:
        return [self._data]


_current = threading.local()
_endpoints: weakref.WeakKeyDictionary[Any, Endpoint] = weakref.WeakKeyDictionary()
_endpoints_lock = threading.Lock()


def install(client: Any) -> Endpoint:
    """Route the client's polls through the :class:`AbortablePolls` of the calling worker.

    One set of hooks per client, however many workers share it: the poll hook sends a poll
    through the polls object the calling thread is working for (see :func:`polling_for`), or
    steps aside; the answer hook keeps the client's :class:`Endpoint` up to date.
    """
    with _endpoints_lock:
        endpoint = _endpoints.get(client)
        if endpoint is not None:
            return endpoint
        endpoint = _endpoints[client] = Endpoint()
    for operation in POLL_OPERATIONS:
        client.meta.events.register(f"before-send.swf.{operation}", _dispatch)
    client.meta.events.register("after-call.swf", endpoint.observe)
    return endpoint


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
    """Sends poll requests on per-thread connections that a stop can half-close or cut."""

    def __init__(self, read_timeout: float = 70.0) -> None:
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        self._sent: set[http.client.HTTPConnection] = set()  # request out, answer awaited
        self._closing = False  # half-close polls as soon as their request is out
        self._cut = False  # the grace is over: cut every poll still in flight
        self._timer: threading.Timer | None = None
        self._grace = HALF_CLOSE_GRACE
        self._local = threading.local()
        self._ssl: ssl.SSLContext | None = None

    def reset(self) -> None:
        """Polls from now on are answered normally (a worker starting again)."""
        with self._lock:
            self._closing = self._cut = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def close_polls(self, grace: float = HALF_CLOSE_GRACE) -> None:
        """Half-close every poll in flight (and those about to be sent); cut them after ``grace`` s.

        Only for a service that promised to answer such polls at once (see the module docstring).
        """
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._grace = grace
            for connection in self._sent:
                _shutdown(connection, socket.SHUT_WR)
            self._arm()

    def _arm(self) -> None:
        # Caller holds the lock. The timer runs only while half-closed polls await their answer.
        if self._sent and self._timer is None:
            self._timer = threading.Timer(self._grace, self._cut_all)
            self._timer.daemon = True
            self._timer.start()
        elif not self._sent and self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _cut_all(self) -> None:
        with self._lock:
            self._cut = True
            for connection in self._sent:
                _shutdown(connection, socket.SHUT_RDWR)

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
                connection.connect()
            body = request.body.encode() if isinstance(request.body, str) else request.body
            connection.request(request.method, path, body=body, headers=dict(request.headers.items()))
            with self._lock:
                self._sent.add(connection)
                if self._closing:  # a stop came while the request was going out
                    _shutdown(connection, socket.SHUT_WR)
                    self._arm()
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self._drop(connection)
            if self._cut:
                raise PollAborted("the worker stopped and the poll did not answer in time") from error
            raise
        finally:
            with self._lock:
                self._sent.discard(connection)
                if self._closing:
                    self._arm()
        if response.will_close or self._closing:
            self._drop(connection)  # a half-closed connection cannot carry another request
        return AWSResponse(request.url, response.status, dict(response.getheaders()), _Body(payload))

    def _connection(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        cached: tuple[Any, http.client.HTTPConnection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == key:
            if not _dropped(cached[1]):
                return cached[1]
            cached[1].close()  # the service closed it while idle (a restart): a new one
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


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle kept-alive connection was closed by the other end (it reads as ready)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):  # select() cannot take descriptors past FD_SETSIZE
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _shutdown(connection: http.client.HTTPConnection, how: int) -> None:
    sock = connection.sock
    if sock is None or (how == socket.SHUT_WR and isinstance(sock, ssl.SSLSocket)):
        # TLS cannot half-close (shutting an SSLSocket drops its TLS state, and the answer with
        # it): such a poll is left to end on its own, or cut when the grace is over.
        return
    with contextlib.suppress(OSError):
        sock.shutdown(how)


def _proxied(scheme: str) -> bool:
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    return any(os.environ.get(name) for name in names)
