"""Long polls a worker can end when it stops, without leaving a task behind.

SWF holds a poll for up to 60 seconds, and a poll may be handed a task at any moment of it. A
worker that closed its poll's connection to stop quickly could leave that task *started* with
nobody to run it until its timeout (Amazon SWF does not withdraw it). So the rule is: a poll
that has been sent is never abandoned. A stopping worker either waits for its polls in flight
(bounded by the poll timeout) and handles what they bring, or — only against a service that
promises it in the ``x-awsflow-poll-release: half-close`` header of its answers, as
awsflow.local does — shuts its side of the connection for writing and reads the answer that the
service then sends at once: empty, or the task it had already handed over.

To do that the workers send their two poll operations over connections they own (a botocore
``before-send`` hook; signing, retries and parsing stay botocore's; the HTTP/1.1 exchange is
``awsflow._wire``'s, as the lean path's). Every other call goes
through botocore's own HTTP stack; its answers still tell which endpoints make the promise
(an ``after-call`` hook). With an HTTP(S) proxy configured the hook steps aside (botocore knows
the proxy rules) and a stop always waits for the poll in flight.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading
import weakref
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse

from .._wire import CertificateCheck, Connection, default_ca_context, response, target_of

POLL_OPERATIONS = ("PollForDecisionTask", "PollForActivityTask")
RELEASE_HEADER = "x-awsflow-poll-release"
RELEASE_HALF_CLOSE = "half-close"

# Endpoint (scheme://host:port) → whether its last answer made the half-close promise. An
# endpoint not seen yet is assumed not to: then a stop waits for its polls.
_promises: dict[str, bool] = {}


def _endpoint_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _note_promise(url: str, headers: Any) -> None:
    _promises[_endpoint_of(url)] = headers.get(RELEASE_HEADER) == RELEASE_HALF_CLOSE


def releases_half_closed_polls(url: str) -> bool:
    """Whether the endpoint serving ``url`` said it answers a half-closed poll at once."""
    return _promises.get(_endpoint_of(url), False)


class PollAborted(Exception):
    """The worker was stopping, so the poll was not sent; no task was taken."""


_current = threading.local()
# The clients whose polls go through the hook (weakly held: a client's life is its owner's).
_installed: weakref.WeakSet[Any] = weakref.WeakSet()
_installing = threading.Lock()


def install(client: Any) -> None:
    """Route the client's polls through the :class:`AbortablePolls` of the calling worker.

    One hook per client, however many workers share it: the hook sends a poll through the
    polls object the calling thread is working for (see :func:`polling_for`), or steps aside.
    """
    with _installing:
        if client in _installed:
            return
        for operation in POLL_OPERATIONS:
            client.meta.events.register(f"before-send.swf.{operation}", _dispatch)
        client.meta.events.register("after-call.swf", _after_call)
        _installed.add(client)


def _after_call(http_response: Any = None, **kwargs: Any) -> None:
    if http_response is not None:
        _note_promise(http_response.url, http_response.headers)


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
    """Sends poll requests on per-thread connections; :meth:`release` ends them when stopping."""

    def __init__(self, read_timeout: float = 70.0) -> None:
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        # Polls in flight: connection → endpoint, and those whose request is wholly sent.
        self._active: dict[Connection, str] = {}
        self._sent: set[Connection] = set()
        self._released: set[Connection] = set()
        self._releasing = False  # half-close polls once sent (where the service promises it)
        self._refusing = False  # send no new polls
        self._local = threading.local()
        self._certificates = CertificateCheck("awsflow's abortable polls")

    def reset(self) -> None:
        with self._lock:
            self._releasing = self._refusing = False

    def release(self, *, refuse_new: bool = True) -> None:
        """End the polls in flight, and those sent from now on, where the service promised to
        answer them at once; with ``refuse_new``, send no new polls (:class:`PollAborted`).

        A poll to an endpoint that made no promise goes on to its answer, which its thread
        handles as usual (see the module docstring).
        """
        with self._lock:
            self._releasing = True
            self._refusing = refuse_new
            for connection in self._sent:
                self._half_close(connection)

    def _half_close(self, connection: Connection) -> None:
        # Caller holds the lock. Only a wholly sent request may be cut short: the service reads
        # the FIN after it, answers, and the thread reads that answer.
        endpoint = self._active.get(connection)
        if endpoint is None or connection in self._released or not releases_half_closed_polls(endpoint):
            return
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_WR)
        self._released.add(connection)

    def send(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        scheme, host, port, target = target_of(request.url)
        if _proxied(scheme) or self._certificates.stepped_aside:
            return None
        released = False
        connection: Connection | None = None
        try:
            try:
                connection = self._connection(scheme, host, port)
            except ssl.SSLCertVerificationError as refused:
                self._certificates.step_aside(request.url, refused)
                return None
            with self._lock:
                if self._refusing:
                    raise PollAborted("the worker is stopping; the poll was not sent")
                self._active[connection] = _endpoint_of(request.url)
            body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
            connection.send(request.method, target, request.headers, body)
            with self._lock:
                self._sent.add(connection)
                if self._releasing:
                    self._half_close(connection)
            answer = connection.read_answer()
        except BaseException:
            # Broken, or interrupted (Ctrl-C...) with the answer unread: the next poll on this
            # connection would read this one's answer as its own.
            self._drop(connection)
            raise
        finally:
            if connection is not None:
                with self._lock:
                    self._active.pop(connection, None)
                    self._sent.discard(connection)
                    released = connection in self._released
                    self._released.discard(connection)
        if answer.will_close or released:
            self._drop(connection)  # a half-closed connection carries no further request
        _note_promise(request.url, answer.headers)
        return response(request.url, answer.status, answer.headers, answer.body)

    def _connection(self, scheme: str, host: str, port: int | None) -> Connection:
        key = (scheme, host, port)
        cached: tuple[Any, Connection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == key and not cached[1].dropped():
            return cached[1]  # a poll is never sent again: one the service closed is not reused
        if cached is not None:
            self._drop(cached[1])
        connection = Connection(
            scheme,
            host,
            port,
            connect_timeout=self._read_timeout,
            read_timeout=self._read_timeout,
            ssl_context=default_ca_context() if scheme == "https" else None,
        )
        self._local.connection = (key, connection)
        return connection

    def _drop(self, connection: Connection | None) -> None:
        if connection is not None:
            connection.close()
        self._local.connection = None


def _proxied(scheme: str) -> bool:
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    return any(os.environ.get(name) for name in names)
