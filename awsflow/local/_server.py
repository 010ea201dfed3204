"""``LocalSWF``: the service in a background thread of this process, for tests and examples."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from ._clock import Clock, SystemClock
from ._connection import HttpTimeouts
from ._http import SwfHTTPServer
from ._injection import FaultPlan, Rule, parse_faults, parse_throttle
from ._model import operation_names
from ._service import LambdaFunction, Service
from ._store import MemoryStore, SqliteStore, Store
from .engine import DEFAULT_PAGE_SIZE

logger = logging.getLogger(__name__)
# Seconds a stop waits for the answers in flight (they normally take milliseconds).
DEFAULT_GRACE = 5.0

_session_lock = threading.Lock()
_session: Any = None


def _shared_session() -> Any:
    # Loading botocore's data files is the slow part of creating a client; one session per
    # process serves every LocalSWF. Client creation from it is serialised by the lock.
    global _session
    with _session_lock:
        if _session is None:
            import botocore.session

            _session = botocore.session.get_session()
        return _session


# Above SWF's 60 s long poll, so a poll is answered before the client gives up on it.
CLIENT_READ_TIMEOUT = 70


class LocalSWF:
    """An SWF-compatible service on a free localhost port, for the duration of a ``with`` block.

    Args:
        db: SQLite file for durable state; None keeps everything in memory.
        synchronous: with ``db``, SQLite's ``synchronous`` level: "NORMAL" (survives the process
            being killed) or "FULL" (also survives power loss, an fsync per request).
        poll_timeout: seconds (on ``clock``) a poll waits for a task before answering empty.
        clock: the service clock; pass a :class:`VirtualClock` to move time by hand.
        host: interface to bind.
        port: TCP port; 0 picks a free one.
        verify_sigv4: ``(access_key, secret_key)`` to require valid SigV4 signatures, dated
            within 15 minutes of ``clock`` as AWS requires.
        lambda_functions: name → callable(input) → result, run for ScheduleLambdaFunction.
        page_size: events per page of GetWorkflowExecutionHistory and PollForDecisionTask, at
            most (1-1000; default 1000 as SWF documents, which has been seen paging decision
            tasks at 100). A larger ``maximumPageSize`` gets this many: SWF documents it as an
            upper limit only.
        http_timeouts: how long the HTTP front waits on clients (:class:`HttpTimeouts`).
        faults: requests to fail on purpose: a fault spec (see ``awsflow.local._injection``:
            ``"RespondActivityTaskCompleted:drop@nth=1"``) or its parsed rules.
        fault_seed: seeds the ``p=`` draws of ``faults``.
        throttle: ``"aws"`` to throttle requests with SWF's documented token buckets (on
            ``clock``); ``"aws:0.01"`` scales every bucket by 0.01.
        announce_poll_release: tell clients (a header in every answer) that a poll whose client
            half-closes its connection is answered at once, so stopping workers need not wait
            for their polls; False makes the service look like Amazon SWF to them.
        engine_options: passed to the engine (e.g. ``history_event_limit``).

    Example::

        with LocalSWF() as swf:
            swf.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        poll_timeout: float = 60.0,
        clock: Clock | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        verify_sigv4: tuple[str, str] | None = None,
        lambda_functions: Mapping[str, LambdaFunction] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        http_timeouts: HttpTimeouts | None = None,
        synchronous: str = "NORMAL",
        announce_poll_release: bool = True,
        faults: str | tuple[Rule, ...] = (),
        fault_seed: int = 0,
        throttle: str | None = None,
        **engine_options: Any,
    ) -> None:
        rules = parse_faults(faults, operation_names()) if isinstance(faults, str) else tuple(faults)
        self.announce_poll_release = announce_poll_release
        limits = parse_throttle(throttle) if throttle is not None else None
        self.clock: Clock = clock if clock is not None else SystemClock()
        store: Store = SqliteStore(db, synchronous=synchronous) if db is not None else MemoryStore()
        self.service = Service(
            store=store,
            clock=self.clock,
            poll_timeout=poll_timeout,
            lambda_functions=lambda_functions,
            page_size=page_size,
            **engine_options,
        )
        self._server = SwfHTTPServer(
            (host, port),
            self.service,
            verify_sigv4,
            http_timeouts,
            announce_poll_release=announce_poll_release,
            faults=(
                FaultPlan(
                    rules,
                    seed=fault_seed,
                    throttle=limits,
                )
                if rules or throttle
                else None
            ),
        )
        bound_host, bound_port = self._server.server_address[:2]
        self.endpoint_url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,  # its stop wakes it at once (no poll interval)
            name="awsflow.local http",
            daemon=True,
        )
        self._started = False

    def start(self) -> LocalSWF:
        """Begin serving (``with`` does this)."""
        if not self._started:
            self.service.start()
            self._thread.start()
            self._started = True
        return self

    def stop(self, grace: float = DEFAULT_GRACE) -> None:
        """Stop serving, in order, within about ``grace`` seconds.

        1. No new connections are accepted; a request that arrives on an open connection is
           answered 503 (which botocore retries) and its connection closed.
        2. Held polls answer empty at once: a poll that has not been handed a task never will.
        3. The answers in flight are written, for up to ``grace`` seconds.
        4. The store is closed and every connection dropped.

        A request either completed (and is durable) or was refused; none is cut off half-way.
        """
        deadline = time.monotonic() + grace
        if self._started:
            self._server.shutdown()
        self._server.stop_taking_requests()
        self.service.stop_polls()
        if not self._server.connections.wait_answered(deadline):
            logger.warning(
                "%d answer(s) still in flight after %.1f s; closing their connections",
                self._server.connections.in_flight(),
                grace,
            )
        self.service.close()
        self._server.connections.drop_all()
        self._server.server_close()

    def __enter__(self) -> LocalSWF:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def client(self, region: str = "us-east-1", **config: Any) -> Any:
        """A botocore SWF client for this service, with dummy credentials.

        Keyword arguments go to ``botocore.config.Config`` (read timeout defaults above the
        60 s long poll; retries default to none so tests see every error).
        """
        import botocore.config

        session = _shared_session()
        options: dict[str, Any] = {"read_timeout": CLIENT_READ_TIMEOUT, "retries": {"max_attempts": 0}}
        options.update(config)
        with _session_lock:
            return session.create_client(
                "swf",
                region_name=region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id="awsflow-local",
                aws_secret_access_key="awsflow-local",
                config=botocore.config.Config(**options),
            )
