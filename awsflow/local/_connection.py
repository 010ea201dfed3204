"""Connections of the HTTP front: read deadlines, and knowing which connections are open.

A connection is in one of three phases, and only the first two read:

* **awaiting a request** — nothing of the next request has arrived. A new connection must
  start its first request within ``HttpTimeouts.new_connection`` seconds (clients send at once;
  a connection that says nothing is a port scan or a leak); a kept-alive one may idle up to
  ``HttpTimeouts.keep_alive`` seconds between requests. Running out closes it without an
  answer, as any HTTP server closes an idle keep-alive connection; botocore (urllib3) notices
  and reconnects for its next request.
* **reading a request** — from its first byte, the request line, headers and body must all
  arrive within ``HttpTimeouts.request`` seconds in total. A deadline for the whole request,
  not per read, so a client that drips a byte at a time cannot hold a thread for long.
* **answering** — nothing is read. A long poll waits here for up to its poll timeout, with no
  read timeout: a poll's wait is not the client being slow. Writing the answer must finish
  within ``HttpTimeouts.response`` seconds, or the connection is dropped.

How the waits are bounded: on 64-bit Linux the socket stays in blocking mode and the kernel
enforces the timeouts (``SO_RCVTIMEO``, ``SO_SNDTIMEO``), so a read or a write is one system
call. Python's own socket timeouts would add a ``poll()`` before every read and write and an
``ioctl()`` per change of timeout: four more system calls per request. The receive timeout is
changed only when the time left differs from it by more than ``_TIMEOUT_SLACK`` (a kept-alive
connection's wait is the same 60 s each time), so a deadline may be overrun by that much; a
wait that ends before its deadline reads again. A shorter wait within a request (a body that
arrives after its head) waits in ``poll()`` instead, leaving the kernel's timeout as it is. ``SO_SNDTIMEO`` bounds each write's stall, not
the whole answer: the same thing for any answer the socket's send buffer holds at once (a
history page does), a longer allowance for a client that reads a larger one slowly but
steadily. Elsewhere, Python's socket timeouts do it all.

``ConnectionTracker`` knows the open connections and how many requests are being answered,
so a stop can wait for the answers in flight and then close the rest.
"""

from __future__ import annotations

import contextlib
import io
import math
import select
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass

__all__ = ["ConnectionTracker", "DeadlineReader", "HttpTimeouts", "ReadTimeout"]

# struct timeval is two longs on 64-bit Linux; elsewhere Python's timeouts are used.
_KERNEL_TIMEOUTS = sys.platform.startswith("linux") and struct.calcsize("l") == 8
_TIMEOUT_SLACK = 0.1  # seconds a read may overrun its deadline (see the module docstring)


def _timeval(seconds: float) -> bytes:
    seconds = max(seconds, 0.001)  # a zero timeval would mean no timeout at all
    whole = int(seconds)
    return struct.pack("@ll", whole, int((seconds - whole) * 1_000_000))


@dataclass(frozen=True, slots=True)
class HttpTimeouts:
    """How long the HTTP front waits on a client, in seconds.

    The defaults are chosen for botocore clients on a local network: a client sends its first
    request as soon as it connects; AWS's own load balancers close keep-alive connections idle
    for 60 s; a request of at most 1 MB arrives in well under 10 s; an answer is written as fast
    as the client reads it.

    Attributes:
        new_connection: a new connection must start its first request within this.
        keep_alive: a kept-alive connection may idle this long between requests.
        request: a request's line, headers and body must arrive within this of its first byte.
        response: writing one answer may take this long.
    """

    new_connection: float = 10.0
    keep_alive: float = 60.0
    request: float = 10.0
    response: float = 60.0

    def __post_init__(self) -> None:
        for name in ("new_connection", "keep_alive", "request", "response"):
            if not getattr(self, name) > 0:
                raise ValueError(f"HttpTimeouts.{name} must be positive, not {getattr(self, name)!r}")


class ReadTimeout(Exception):
    """A client took longer than its phase allows.

    Deliberately not an ``OSError``/``TimeoutError``: the stdlib request handler swallows those
    silently, and the front must tell an idle connection (closed without a word) from a
    request that stalled half-way (answered, then closed).
    """


class DeadlineReader(io.RawIOBase):
    """The raw stream under a connection's ``rfile``: every read has a deadline.

    Args:
        sock: the connection.
        timeouts: the phase lengths.
    """

    def __init__(self, sock: socket.socket, timeouts: HttpTimeouts) -> None:
        super().__init__()
        self._sock = sock
        self._timeouts = timeouts
        self._deadline: float | None = None
        self._awaiting = True
        self.request_started = False
        self._kernel = _KERNEL_TIMEOUTS
        self._read_timeout = -1.0  # what SO_RCVTIMEO holds; -1: not set yet
        if self._kernel:
            sock.settimeout(None)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(timeouts.response))

    def readable(self) -> bool:
        return True

    def await_request(self, *, first: bool) -> None:
        """Enter the "awaiting a request" phase."""
        idle = self._timeouts.new_connection if first else self._timeouts.keep_alive
        self._deadline = time.monotonic() + idle
        self._awaiting = True
        self.request_started = False

    def request_read(self) -> None:
        """The request has been read: enter the "answering" phase (no read deadline)."""
        self._deadline = None
        self._awaiting = False
        # The socket keeps the timeout of the last read until the answer sets its own: nothing
        # reads while answering, and the disconnect watcher asks for readiness before it peeks.

    def before_answer(self) -> None:
        """Bound the writing of an answer by ``HttpTimeouts.response``."""
        if not self._kernel:
            self._sock.settimeout(self._timeouts.response)
        # else SO_SNDTIMEO has held it since the connection opened

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._deadline is None:
            # Nothing should read while answering; if something does, it gets a request's time.
            self._deadline = time.monotonic() + self._timeouts.request
        while True:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise ReadTimeout("awaiting a request" if self._awaiting else "reading a request")
            if not self._kernel:
                self._sock.settimeout(remaining)
            elif abs(self._read_timeout - remaining) > _TIMEOUT_SLACK:
                if self._read_timeout > remaining:
                    # A wait within a request, shorter than the idle wait the kernel holds: wait
                    # here rather than change the kernel's timeout there and back again.
                    if not _readable_within(self._sock, remaining):
                        continue
                else:
                    self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(remaining))
                    self._read_timeout = remaining
            try:
                count = self._sock.recv_into(buffer)
                break
            except (TimeoutError, BlockingIOError):
                continue  # the wait ended (the kernel's says EAGAIN): is the deadline past?
        if count and self._awaiting:
            self._awaiting = False
            self.request_started = True
            self._deadline = time.monotonic() + self._timeouts.request
        return count


def _readable_within(sock: socket.socket, seconds: float) -> bool:
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(max(1, math.ceil(seconds * 1000))))


class ConnectionTracker:
    """The open connections and the requests being answered on them."""

    def __init__(self) -> None:
        # Every request passes begin_answer/end_answer: they take the plain lock (cheaper than
        # the condition's Python-level ``with``) and notify only when a stop is waiting.
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._open: set[socket.socket] = set()
        self._busy = 0
        self._waiting = 0
        self.stopping = False

    def opened(self, sock: socket.socket) -> None:
        with self._cond:
            self._open.add(sock)

    def closed(self, sock: socket.socket) -> None:
        with self._cond:
            self._open.discard(sock)
            self._cond.notify_all()

    def begin_answer(self) -> None:
        """Count a request as in flight, until :meth:`end_answer`."""
        with self._lock:
            self._busy += 1

    def end_answer(self) -> None:
        with self._lock:
            self._busy -= 1
            if self._busy == 0 and self._waiting:
                self._cond.notify_all()

    def in_flight(self) -> int:
        with self._cond:
            return self._busy

    def open_count(self) -> int:
        with self._cond:
            return len(self._open)

    def wait_answered(self, deadline: float) -> bool:
        """Wait (until ``deadline`` on the monotonic clock) for no request to be in flight."""
        with self._cond:
            self._waiting += 1
            try:
                return self._cond.wait_for(lambda: self._busy == 0, max(0.0, deadline - time.monotonic()))
            finally:
                self._waiting -= 1

    def drop_all(self) -> None:
        """Shut down every open connection; their threads see the end of the stream and finish."""
        with self._cond:
            sockets = list(self._open)
        for sock in sockets:
            # The handler thread may be closing it at this very moment.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
