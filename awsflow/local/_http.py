"""The HTTP front: SWF's JSON 1.0 protocol over HTTP/1.1, a thread per connection.

Only transport lives here: read the head (parsed by ``_request_head``, not by ``http.server``,
whose ``email``-based parsing was the largest single cost of a request) and the body, find the
operation in ``X-Amz-Target``, validate against botocore's model, call the service, write JSON —
each answer's head and body in one write. The stdlib's ``ThreadingHTTPServer`` only accepts
connections and starts their threads. Every answer is SWF-shaped — a JSON
``{"__type", "message"}`` body with ``Content-Type: application/x-amz-json-1.0`` — including the
ones the stdlib server would otherwise write itself as HTML or not at all:

=====================================================  ======  ===============================
what went wrong                                        status  ``__type`` (after the ``#``)
=====================================================  ======  ===============================
an SWF fault or a constraint (the engine, validator)   400     the fault's own
malformed request line or HTTP version, HTTP/0.9,      400     SerializationException
request line over 64 KiB, headers too large or too
many, bad ``Content-Length``, chunked body, a body
shorter than its ``Content-Length``
a method other than POST (GET/HEAD: liveness probe)    400     UnknownOperationException
the request stalled half-way (see ``_connection``)     408     RequestTimeoutException
the service is stopping                                503     ServiceUnavailableException
a bug                                                  500     InternalFailure (logged)
=====================================================  ======  ===============================

SWF answers client errors with 400 (its API reference lists no other 4xx), so the HTTP-level
refusals the stdlib would answer 414/431/501/505 are 400 here too; which ``__type`` Amazon's
front door sends for malformed HTTP is unverified, and botocore only needs the JSON body.
Connection phases and their timeouts are in ``awsflow.local._connection``.
"""

from __future__ import annotations

import contextlib
import email.utils
import io
import itertools
import json
import logging
import re
import selectors
import socket
import socketserver
import threading
import time
import uuid
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any

from ._connection import ConnectionTracker, DeadlineReader, HttpTimeouts, ReadTimeout
from ._event_json import AnswerEncoder
from ._injection import REFUSALS, Action, Fault, FaultPlan
from ._model import operation_names
from ._request_head import RequestHead, parse_field_block, parse_fields, parse_request_line
from ._service import Service
from ._sigv4 import verify_sigv4
from ._validate import validate_request
from ._watcher import DisconnectWatcher, PollWatch
from .engine import (
    EMPTY_POLL_REPLIES,
    POLL_OPERATIONS,
    InternalFailure,
    RequestTimeoutException,
    SerializationException,
    ServiceUnavailableException,
    SwfFault,
    ThrottlingException,
    UnknownOperationException,
    ValidationException,
)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_REQUEST_BYTES = 1024 * 1024  # SWF's request size quota
MAX_REQUEST_LINE_BYTES = 65536
MAX_FIELD_LINE_BYTES = 65536  # the stdlib's limits on a header line and on their number
MAX_FIELDS = 100
_DRAIN_LIMIT_BYTES = 16 * MAX_REQUEST_BYTES
# A promise this service makes to its clients, in a header of every answer: a long poll whose
# client shuts its side of the connection for writing (a FIN, while it goes on reading) is
# answered at once — with the task that was waiting when the poll arrived or that was handed to
# it before the FIN, else empty; the client reads that answer and handles the task. So a stopping worker can end its polls without waiting up to
# 60 s and without any task being left started with nobody to run it (see _watcher). Amazon
# SWF promises nothing of the kind, so workers only half-close polls to endpoints that say so.
POLL_RELEASE_HEADER = "x-awsflow-poll-release"
POLL_RELEASE_HALF_CLOSE = "half-close"
_TARGET_PREFIXES = ("SimpleWorkflowService.", "com.amazonaws.swf.service.model.SimpleWorkflowService.")
_CONTENT_LENGTH = re.compile(r"[0-9]{1,12}")
_INTERNAL_FAILURE = {"__type": "com.amazonaws.swf.base.model#InternalFailure", "message": "Internal failure"}
_LIVENESS = b'{"service":"awsflow.local"}'
# The start of every answer's head, per status: what does not change between answers.
_STATUS_LINES = {
    status.value: b"HTTP/1.1 %d %s\r\nServer: awsflow.local\r\nContent-Type: %s\r\n"
    % (status.value, status.phrase.encode(), CONTENT_TYPE.encode())
    for status in HTTPStatus
}
_POLL_RELEASE_LINE = f"{POLL_RELEASE_HEADER}: {POLL_RELEASE_HALF_CLOSE}\r\n".encode()


class SwfHTTPServer(ThreadingHTTPServer):
    """One thread per connection; long polls hold their thread, so the backlog is generous.

    Args:
        address: ``(host, port)`` to bind.
        service: the service the requests go to.
        credentials: ``(access_key, secret_key)`` to require SigV4 signatures by, or None.
        timeouts: how long to wait on clients (see ``awsflow.local._connection``).
        faults: answers to fail on purpose (``awsflow.local._injection``); None for none.
        announce_poll_release: say in every answer (:data:`POLL_RELEASE_HEADER`) that a poll
            whose client half-closes its connection is answered at once; False makes the
            service look like any other SWF endpoint to the workers.
    """

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        service: Service,
        credentials: tuple[str, str] | None = None,
        timeouts: HttpTimeouts | None = None,
        *,
        faults: FaultPlan | None = None,
        announce_poll_release: bool = True,
    ) -> None:
        super().__init__(address, _Handler)
        self.faults = faults
        self.stopping = threading.Event()
        self.announce_poll_release = announce_poll_release
        self.service = service
        self.credentials = credentials
        self.timeouts = timeouts if timeouts is not None else HttpTimeouts()
        self.operations = frozenset(operation_names())
        self.watcher = DisconnectWatcher()
        self.answers = AnswerEncoder()
        self.connections = ConnectionTracker()
        # The accept loop's own (see serve_forever): a shutdown wakes it through this pair.
        self._wake_r, self._wake_w = socket.socketpair()
        self._shutting_down = False
        self._served = threading.Event()
        self._served.set()  # not serving yet: a shutdown has nothing to wait for

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept connections until :meth:`shutdown`, which wakes the loop at once.

        socketserver's loop looks for a shutdown only every ``poll_interval`` (accepted here and
        unused): with a service started and stopped for each test, that wait was 50 ms a stop.
        """
        self._served.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_r, selectors.EVENT_READ)
                while not self._shutting_down:
                    ready = selector.select()
                    if self._shutting_down:
                        break
                    if any(key.fileobj is self for key, _ in ready):
                        self._accept()
                    self.service_actions()
        finally:
            self._shutting_down = False
            self._served.set()

    def _accept(self) -> None:
        try:
            connection, client = self.get_request()
        except OSError:  # the client gave up before it was accepted
            return
        try:
            self.process_request(connection, client)  # its thread (ThreadingMixIn) takes it
        except Exception:  # broad on purpose: one connection's failure is logged, the loop goes on
            self.handle_error(connection, client)
            self.shutdown_request(connection)

    def shutdown(self) -> None:
        """End :meth:`serve_forever` and wait until it has (from another thread, as socketserver's)."""
        self._shutting_down = True
        with contextlib.suppress(OSError):  # closed already: nothing is serving
            self._wake_w.send(b"x")
        self._served.wait()

    def stop_taking_requests(self) -> None:
        """From now on every request is answered 503 and its connection closed."""
        self.connections.stopping = True
        self.stopping.set()  # injected delays end: a stop does not wait them out

    def finish_answers(self, deadline: float) -> bool:
        """Wait (until ``deadline``, monotonic) for answers in flight, then drop every connection.

        Returns whether all answers were written in time.
        """
        answered = self.connections.wait_answered(deadline)
        self.connections.drop_all()
        return answered

    def server_close(self) -> None:
        super().server_close()
        self.watcher.close()
        self._wake_r.close()
        self._wake_w.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The stdlib prints the traceback to stderr; it belongs in the log, with the others.
        logger.exception("unexpected error on the connection from %s", client_address)


class _Handler(socketserver.StreamRequestHandler):
    # Headers and body go out in one write, but an answer may still wait for the client's
    # delayed ACK of the previous one with Nagle's algorithm (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server: SwfHTTPServer
    # Set per phase by DeadlineReader; none for the connection as a whole.
    timeout = None

    # -- connection ------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.connections.opened(self.connection)
        self.rfile.close()  # the stdlib's reader: replaced by one with deadlines
        self._reader = DeadlineReader(self.connection, self.server.timeouts)
        self.rfile = self._buffer = io.BufferedReader(self._reader)
        self._requests = 0
        self.close_connection = False
        self.head: RequestHead | None = None

    def handle(self) -> None:
        # HTTP/1.1 keep-alive: botocore reuses its connections.
        while not self.close_connection:
            self.handle_one_request()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # flushing to a client that is gone: nothing left to tell it
        finally:
            self.server.connections.closed(self.connection)

    def handle_one_request(self) -> None:
        """Read one request and answer it; every read has its phase's deadline."""
        self._reader.await_request(first=self._requests == 0)
        self.head = None
        try:
            line = self.rfile.readline(MAX_REQUEST_LINE_BYTES + 1)
        except ReadTimeout:
            self.close_connection = True
            if self._reader.request_started:  # part of a request line, then silence
                self._refuse(RequestTimeoutException("Timed out reading the request"))
            return
        except OSError:
            self.close_connection = True  # reset by the client: nobody to answer
            return
        if not line:
            self.close_connection = True
            return
        self._requests += 1
        connections = self.server.connections
        connections.begin_answer()
        try:
            self._handle(line)
        except ReadTimeout:
            self._refuse(RequestTimeoutException("Timed out reading the request"))
        except OSError:
            self.close_connection = True
        finally:
            connections.end_answer()

    def _handle(self, line: bytes) -> None:
        if len(line) > MAX_REQUEST_LINE_BYTES:
            self._refuse(SerializationException(f"Request line longer than {MAX_REQUEST_LINE_BYTES} bytes"))
            return
        try:
            request_line = parse_request_line(line)
            if request_line is None:
                self.close_connection = True  # a blank line: no request, no answer
                return
            if request_line.version < (1, 0):
                raise SerializationException("HTTP/0.9 requests are not supported")
            head = self.head = RequestHead(request_line, self._fields())
        except SerializationException as fault:
            self._refuse(fault)
            return
        if not head.keep_alive:
            self.close_connection = True
        if head.expects_continue:
            self.connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        method = request_line.method
        if method == "POST":
            self.do_POST()
        elif method == "GET":
            self._send(200, _LIVENESS)  # a liveness probe for humans and scripts
        elif method == "HEAD":
            self._send(200, _LIVENESS, head=True)
        else:
            self._refuse(
                UnknownOperationException(f"Unsupported HTTP method {method}: SWF's JSON protocol uses POST")
            )

    def _fields(self) -> dict[str, list[str]]:
        # Usually the whole head has arrived with the request line: parse it from the buffer.
        plain = parse_field_block(self._buffer.peek(), MAX_FIELDS)
        if plain is None:
            return parse_fields(self._field_lines())
        fields, size = plain
        self._buffer.read(size)  # from the buffer: no system call
        return fields

    def _field_lines(self) -> list[bytes]:
        """The header lines up to the blank line that ends them, within the stdlib's limits."""
        lines: list[bytes] = []
        while True:
            raw = self.rfile.readline(MAX_FIELD_LINE_BYTES + 1)
            if len(raw) > MAX_FIELD_LINE_BYTES:
                raise SerializationException(
                    f"Malformed HTTP request: header line longer than {MAX_FIELD_LINE_BYTES} bytes"
                )
            if raw in (b"\r\n", b"\n"):
                return lines
            if not raw:
                raise SerializationException("Malformed HTTP request: the headers ended without a blank line")
            lines.append(raw)
            if len(lines) > MAX_FIELDS:
                raise SerializationException(f"Malformed HTTP request: more than {MAX_FIELDS} headers")

    def _refuse(self, fault: SwfFault) -> None:
        self.close_connection = True
        logger.debug("%s: %s", fault.code, fault.message)
        self._send(fault.status, json.dumps(fault.to_wire()).encode())

    # -- requests --------------------------------------------------------------------------
    def do_POST(self) -> None:
        head = self.head
        assert head is not None
        request_id = _request_id()
        try:
            body = self._read_body(head)
            if self.server.connections.stopping:
                self.close_connection = True
                raise ServiceUnavailableException("The service is stopping; retry against its successor")
            operation = self._operation(head)
            if self.server.credentials is not None:
                access_key, secret = self.server.credentials
                path, _, query = head.line.target.partition("?")
                verify_sigv4(
                    "POST",
                    path,
                    query,
                    {name: values[0] for name, values in head.fields.items()},
                    body,
                    access_key,
                    secret,
                    now=self.server.service.clock.now(),
                )
            request = validate_request(operation, _parse_json(body))
            logger.debug("%s %s", operation, request_id)
            fault = self._injected_fault(operation, request)
            if operation in POLL_OPERATIONS and request.get("nextPageToken") is None:
                watch = PollWatch(self.server.watcher, self.connection, self.server.service.abandon)
                response = self.server.service.call(operation, request, watch)
            else:
                response = self.server.service.call(operation, request)
            if fault is not None and (fault.action is Action.DROP or fault.action is Action.LOSE):
                if fault.action is Action.LOSE and operation in POLL_OPERATIONS:
                    logger.info("injected fault: %s answered empty; its task is lost", operation)
                    response = dict(EMPTY_POLL_REPLIES[operation])
                else:
                    logger.info("injected fault: %s done, its connection dropped unanswered", operation)
                    self._drop_unanswered()
                    return
        except SwfFault as fault:
            logger.debug("%s: %s", fault.code, fault.message)
            if isinstance(fault, ServiceUnavailableException):
                self.close_connection = True
            self._send(fault.status, json.dumps(fault.to_wire()).encode(), request_id)
        except ReadTimeout:
            raise  # answered by handle_one_request
        except ConnectionError:
            raise  # the client reset the connection mid-request: nobody to answer (handle_one_request)
        except Exception:  # broad on purpose: a bug must still be answered, and is logged in full
            logger.exception("internal error answering %s", head.get("x-amz-target"))
            self._send(500, json.dumps(_INTERNAL_FAILURE).encode(), request_id)
        else:
            payload = b"" if response is None else self.server.answers.encode(response).encode()
            self._send(200, payload, request_id)

    def _injected_fault(self, operation: str, request: dict[str, Any]) -> Fault | None:
        """Ask the fault plan about this request; carry out the faults that answer before it."""
        plan = self.server.faults
        fault = None if plan is None else plan.decide(operation, self.server.service.clock.now(), request)
        if fault is None:
            return None
        if fault.action in REFUSALS:
            logger.info("injected fault: %s answered %s", operation, fault.action.value)
            if fault.action is Action.THROTTLE:
                raise ThrottlingException("Rate exceeded")
            if fault.action is Action.UNAVAILABLE:
                raise ServiceUnavailableException("Service unavailable (injected fault)")
            raise InternalFailure("Internal failure (injected fault)")
        if fault.action is Action.DELAY:
            logger.info("injected fault: %s delayed %.3f s", operation, fault.delay)
            self.server.stopping.wait(fault.delay)  # a slow answer, in this request's thread
        return fault

    def _drop_unanswered(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            logger.debug("the connection of an injected drop was already gone")

    def _read_body(self, head: RequestHead) -> bytes:
        if head.get("transfer-encoding").lower() == "chunked":
            self.close_connection = True
            raise SerializationException("Chunked request bodies are not supported; send Content-Length")
        lengths = set(head.fields.get("content-length") or ["0"])
        text = lengths.pop().strip() if len(lengths) == 1 else ""
        if not _CONTENT_LENGTH.fullmatch(text):
            self.close_connection = True
            raise SerializationException("Invalid Content-Length")
        length = int(text)
        if length > MAX_REQUEST_BYTES:
            # Drain what the client is sending (within reason) so it reads our answer instead of
            # a connection reset, then close: the connection is not worth keeping.
            self.close_connection = True
            remaining = min(length, _DRAIN_LIMIT_BYTES)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            raise ValidationException(f"Request of {length} bytes exceeds the 1 MB request size limit")
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            self.close_connection = True
            raise SerializationException(f"Request body ended after {len(body)} of {length} bytes")
        self._reader.request_read()
        return body

    def _operation(self, head: RequestHead) -> str:
        target = head.get("x-amz-target")
        for prefix in _TARGET_PREFIXES:
            if target.startswith(prefix):
                name = target[len(prefix) :]
                if name in self.server.operations:
                    return name
        raise UnknownOperationException(f"Unknown operation: X-Amz-Target '{target}'")

    def _send(
        self, status: int, payload: bytes, request_id: str | None = None, *, head: bool = False
    ) -> None:
        if self.server.connections.stopping:
            self.close_connection = True
        lines = [
            _STATUS_LINES[status],
            _date_line(),
            b"Content-Length: %d\r\n" % len(payload),
            b"x-amzn-RequestId: %s\r\n" % (request_id or _request_id()).encode(),
        ]
        if self.server.announce_poll_release:
            lines.append(_POLL_RELEASE_LINE)
        if self.close_connection:
            lines.append(b"Connection: close\r\n")
        lines.append(b"\r\n")
        if not head:
            lines.append(payload)
        try:
            self._reader.before_answer()
            self.connection.sendall(b"".join(lines))  # one write: one segment for small answers
        except OSError:
            # The client left (a worker that stopped mid-poll), or does not read its answer
            # (the response timeout): nobody is there to answer.
            logger.debug("client %s went away before its answer", self.client_address[0])
            self.close_connection = True
        if logger.isEnabledFor(logging.DEBUG):
            line = self.head.line if self.head is not None else None
            logger.debug(
                "%s %s %s -> %d, %d bytes",
                self.client_address[0],
                line.method if line else "-",
                line.target if line else "-",
                status,
                len(payload),
            )


def _parse_json(body: bytes) -> Any:
    if not body or body.isspace():
        return {}
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as err:
        raise SerializationException(f"Request body is not valid JSON: {err}") from err
    except RecursionError as err:
        # json's C scanner refuses nesting deeper than the interpreter's recursion limit.
        raise SerializationException("Request body is nested too deeply") from err


class _DateLine:
    """The ``Date`` header line, formatted once per second rather than once per answer."""

    def __init__(self) -> None:
        self._cached: tuple[int, bytes] = (-1, b"")

    def __call__(self) -> bytes:
        second = int(time.time())
        cached = self._cached
        if cached[0] != second:
            text = email.utils.formatdate(second, usegmt=True)
            cached = self._cached = (second, f"Date: {text}\r\n".encode())
        return cached[1]


_date_line = _DateLine()

# Request ids look like AWS's (a UUID); one random UUID per process, then counted up in its
# last group, which is unique and far cheaper than a fresh uuid4 per answer.
_ID_BASE = uuid.uuid4().hex
_ID_PREFIX = f"{_ID_BASE[:8]}-{_ID_BASE[8:12]}-{_ID_BASE[12:16]}-{_ID_BASE[16:20]}-"
_id_counter = itertools.count(int(_ID_BASE[20:], 16))


def _request_id() -> str:
    return f"{_ID_PREFIX}{next(_id_counter) & 0xFFFF_FFFF_FFFF:012x}"
