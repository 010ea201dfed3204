"""The service shell: one lock around the engine, long polls, the deadline thread, the journal.

Threads meet here and nowhere else. Every engine call happens under ``_lock``, so commands are
totally ordered; the same order is what the store journals, which is why replaying the journal
rebuilds the state exactly. A poll that finds no task waits on the condition of its task list
(sharing ``_lock``) until the engine reports a new task there, the poll timeout passes on the
service clock, or the service closes. One daemon thread sleeps until the engine's next deadline
and fires it; anything that may move that deadline earlier notifies it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._clock import Clock
from ._store import Store
from ._watcher import PollWatch
from .engine import (
    EMPTY_POLL_REPLIES,
    LAMBDA_RESULT,
    POLL_OPERATIONS,
    Engine,
    LimitExceededFault,
    Reply,
    ServiceUnavailableException,
)

logger = logging.getLogger(__name__)

TICK = "Tick"
POLLERS_PER_TASK_LIST = 1000

LambdaFunction = Callable[[str | None], str | None]


class Service:
    """A running SWF region over an engine, a clock and a store.

    Args:
        store: where commands are journaled; its journal is replayed first.
        clock: the service clock (deadlines and long-poll timeouts).
        poll_timeout: seconds a poll waits for a task before answering empty (SWF: 60).
        lambda_functions: name → callable(input) → result for ScheduleLambdaFunction.
        engine_options: passed to :class:`~awsflow.local.engine.Engine`.
    """

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        poll_timeout: float = 60.0,
        lambda_functions: Mapping[str, LambdaFunction] | None = None,
        **engine_options: Any,
    ) -> None:
        self._store = store
        self._clock = clock
        self._poll_timeout = poll_timeout
        self._lambda_functions = dict(lambda_functions or {})
        self._engine = Engine(seed=store.seed, **engine_options)
        self._lock = threading.Lock()
        self._deadline_cond = threading.Condition(self._lock)
        self._poll_conds: dict[tuple[str, str, str], threading.Condition] = {}
        self._pollers: dict[tuple[str, str, str], int] = {}
        self._pollers_changed = threading.Condition(self._lock)
        self._closing = False  # polls answer empty, deadlines stop firing on their own
        self._closed = False  # the store is closed: requests are refused
        # The deadline the deadline thread sleeps towards (None: it waits for a notify only);
        # it is woken only when a command adds an earlier one, not on every command.
        self._sleeping_until: float | None = None
        self._lambda_pool: ThreadPoolExecutor | None = None
        self._replay()
        self._thread = threading.Thread(
            target=self._deadline_loop, name="awsflow.local deadlines", daemon=True
        )
        clock.subscribe(self._on_clock_jump)

    def _replay(self) -> None:
        count = 0
        for operation, request, now in self._store.entries():
            if operation == TICK:
                self._engine.advance(now)
            else:
                self._engine.handle(operation, request, now)
            count += 1
        if count:
            logger.info("replayed %d journaled commands", count)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        with self._lock:
            self._run_lambdas()

    def stop_polls(self) -> None:
        """Begin stopping: held polls answer empty now, and the deadline thread ends.

        Requests still run (and are journaled) until :meth:`close`, so that the HTTP front can
        let the answers in flight complete first.
        """
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._notify_everyone()
        if self._thread.is_alive():
            self._thread.join()

    def close(self) -> None:
        """Stop: held polls answer empty, the store is closed; later requests get HTTP 503.

        Every command runs under the lock, so none is half-way when the store closes.
        """
        self.stop_polls()
        if self._lambda_pool is not None:
            # A function that never returns must not hold up the shutdown; its late answer is
            # dropped because the service is closing.
            self._lambda_pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            if not self._closed:
                self._closed = True
                self._store.close()

    @property
    def clock(self) -> Clock:
        return self._clock

    # -- requests --------------------------------------------------------------------------
    def call(
        self, operation: str, request: dict[str, Any], watch: PollWatch | None = None
    ) -> dict[str, Any] | None:
        """Run a validated request; returns the response members (None for void operations).

        ``watch`` (for long polls over HTTP) notices a client that goes away while its poll
        waits (see :meth:`abandon`): the poll then ends without taking a task.
        """
        if operation in POLL_OPERATIONS:
            return self._poll(operation, request, watch)
        with self._lock:
            reply = self._execute(operation, request)
        return reply.body

    def _execute(self, operation: str, request: dict[str, Any]) -> Reply:
        # Caller holds the lock. Deadlines due by now fire first, so no request observes state
        # the clock has already moved past.
        if self._closed:
            raise ServiceUnavailableException("awsflow.local is stopping; retry against its successor")
        now = self._clock.now()
        self._advance(now)
        reply = self._engine.handle(operation, request, now)
        if reply.mutated:
            self._store.append(operation, request, now)
            self._after(reply)
        return reply

    def _advance(self, now: float) -> None:
        reply = self._engine.advance(now)
        if reply.mutated:
            self._store.append(TICK, {}, now)
            self._after(reply)

    def _after(self, reply: Reply) -> None:
        for key in reply.woken:
            pending = self._engine.pending(*key)
            if pending and key in self._poll_conds:
                self._poll_conds[key].notify(pending)
        upcoming = self._engine.next_deadline()
        if upcoming is not None and (self._sleeping_until is None or upcoming < self._sleeping_until):
            self._deadline_cond.notify()
        self._run_lambdas()

    def abandon(self, watch: PollWatch) -> None:
        """Give up a long poll whose client disconnected."""
        with self._lock:
            watch.abandoned.set()
            for cond in self._poll_conds.values():
                cond.notify_all()

    def _poll(
        self, operation: str, request: dict[str, Any], watch: PollWatch | None = None
    ) -> dict[str, Any]:
        kind = "decision" if operation == "PollForDecisionTask" else "activity"
        key = (kind, request["domain"], request["taskList"]["name"])
        with self._lock:
            if request.get("nextPageToken") is not None:
                body = self._execute(operation, request).body
                assert body is not None
                return body
            if self._pollers.get(key, 0) >= POLLERS_PER_TASK_LIST:
                raise LimitExceededFault(f"Too many pollers on task list {key[2]}")
            cond = self._poll_conds.get(key)
            if cond is None:
                cond = self._poll_conds[key] = threading.Condition(self._lock)
            self._pollers[key] = self._pollers.get(key, 0) + 1
            self._pollers_changed.notify_all()
            try:
                give_up_at = self._clock.now() + self._poll_timeout
                while True:
                    if self._closing:
                        return dict(EMPTY_POLL_REPLIES[operation])  # a stop answers held polls empty
                    if watch is not None and (watch.abandoned.is_set() or watch.peer_gone()):
                        cond.notify()  # pass on a wake-up meant for a poller that can take a task
                        return dict(EMPTY_POLL_REPLIES[operation])
                    body = self._execute(operation, request).body
                    if body is not None:
                        return body
                    if self._clock.now() >= give_up_at:
                        return dict(EMPTY_POLL_REPLIES[operation])
                    if watch is not None:
                        watch.start()  # only polls that wait need watching (a cheap no-op after)
                    self._clock.wait(cond, give_up_at)
            finally:
                if watch is not None:
                    watch.stop()
                self._pollers[key] -= 1
                self._pollers_changed.notify_all()

    def waiting_pollers(self) -> int:
        """How many polls are being held right now (for tests and monitoring)."""
        with self._lock:
            return sum(self._pollers.values())

    def wait_for_pollers(self, count: int, timeout: float, *, at_most: bool = False) -> bool:
        """Wait (real time, at most ``timeout`` s) until at least (or ``at_most``) ``count`` polls are held."""
        with self._lock:
            if at_most:
                return self._pollers_changed.wait_for(lambda: sum(self._pollers.values()) <= count, timeout)
            return self._pollers_changed.wait_for(lambda: sum(self._pollers.values()) >= count, timeout)

    # -- time ------------------------------------------------------------------------------
    def _deadline_loop(self) -> None:
        with self._lock:
            while not self._closing:
                try:
                    self._advance(self._clock.now())
                except Exception:
                    logger.exception("firing deadlines failed; the service keeps serving")
                self._sleeping_until = self._engine.next_deadline()
                self._clock.wait(self._deadline_cond, self._sleeping_until)

    def _on_clock_jump(self) -> None:
        with self._lock:
            self._notify_everyone()

    def _notify_everyone(self) -> None:
        self._deadline_cond.notify_all()
        for cond in self._poll_conds.values():
            cond.notify_all()

    # -- Lambda ----------------------------------------------------------------------------
    def _run_lambdas(self) -> None:
        # Caller holds the lock. Functions run on a pool, off the lock; their outcome comes
        # back as a journaled internal command.
        for call in self._engine.take_lambda_invocations():
            if self._closing:
                return
            if self._lambda_pool is None:
                self._lambda_pool = ThreadPoolExecutor(
                    max_workers=4, thread_name_prefix="awsflow.local lambda"
                )
            self._lambda_pool.submit(self._invoke_lambda, *call)

    def _invoke_lambda(
        self, key: tuple[str, str, str], lambda_id: str, scheduled: int, name: str, payload: str | None
    ) -> None:
        outcome: dict[str, Any] = {"key": list(key), "id": lambda_id, "scheduledEventId": scheduled}
        function = self._lambda_functions.get(name)
        if function is None:
            outcome.update(reason="ResourceNotFoundException", details=f"Function not found: {name}")
        else:
            try:
                outcome["result"] = function(payload)
            except Exception as err:  # the function's failure is the task's outcome, not ours
                outcome.update(reason=type(err).__name__, details=str(err)[:32768])
        with self._lock:
            if not self._closing:
                self._execute(LAMBDA_RESULT, outcome)
