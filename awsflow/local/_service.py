"""The service shell: one lock around the engine, long polls, the deadline thread, the store.

Threads meet here and nowhere else. Every engine call happens under ``_lock``, so commands are
totally ordered; the same order is what the store journals, which is why replaying the journal
rebuilds the state exactly. A poll that finds no task waits on the condition of its task list
(sharing ``_lock``) until the engine reports a new task there, the poll timeout passes on the
service clock, or the service closes. One daemon thread sleeps until the engine's next deadline
and fires it; anything that may move that deadline earlier notifies it.

Every request is all-or-nothing. Its command is journaled before the answer is sent, and only
if the engine applied it; and if the engine raises anything but an SWF fault — a bug, possibly
half-way through changing the state — or a fault after it changed something, or the journal
write fails, the service throws the engine away and rebuilds it from the store (snapshot plus
journal, ``awsflow.local._recovery``), which holds exactly the commands that succeeded. Live
state is then the state a restart would rebuild, by construction, and the client gets its
error (HTTP 500 for a bug). The rebuild costs about what a restart costs; it only happens on
bugs. A deadline whose firing raises is discarded after the rebuild (journaled, logged at
ERROR), or it would fail again on every request.

Compaction: the engine sheds its garbage and the store swaps the journal for a snapshot
(1) after ``snapshot_every`` journaled commands, once the journal written since the last
snapshot is also at least an eighth of that snapshot's size — replaying journal costs a restart
about ten times what loading as many snapshot bytes does, so a restart stays within about twice
the time loading the live state takes, while a large state is not rewritten every few thousand
commands; and (2) as soon as retention has deleted more runs than the region still holds (at
least ``SNAPSHOT_DELETED_RUNS``), which a restart would otherwise load only to delete again. The
journal, the restart time and the memory store stay bounded by the live state (which retention
bounds in turn) plus ``snapshot_every`` commands. Compaction runs under the lock: requests wait
for it (about 1.5 s per 20,000 retained runs, measured on a busy 2-core machine).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._clock import Clock
from ._recovery import DROP_DEADLINE, TICK, recover
from ._store import SetAside, Store, StoreSize
from ._watcher import PollWatch
from .engine import (
    EMPTY_POLL_REPLIES,
    LAMBDA_RESULT,
    POLL_OPERATIONS,
    Busy,
    Engine,
    LimitExceededFault,
    Reply,
    Served,
    ServiceUnavailableException,
    SwfFault,
)

logger = logging.getLogger(__name__)

POLLERS_PER_TASK_LIST = 1000
SNAPSHOT_EVERY = 10_000
SNAPSHOT_COST_RATIO = 8  # snapshot once the journal is 1/8 of the snapshot (see the module doc)
SNAPSHOT_DELETED_RUNS = 1000  # fewer deleted runs cost a restart too little to snapshot for

LambdaFunction = Callable[[str | None], str | None]
_LambdaCall = tuple[tuple[str, str, str], str, int]


class StateLost(RuntimeError):
    """The engine could not be rebuilt from the store after a failure; restart the service."""


class Service:
    """A running SWF region over an engine, a clock and a store.

    Args:
        store: where the state is kept; its snapshot and journal are loaded first.
        clock: the service clock (deadlines and long-poll timeouts).
        poll_timeout: seconds a poll waits for a task before answering empty (SWF: 60).
        lambda_functions: name → callable(input) → result for ScheduleLambdaFunction.
        snapshot_every: journaled commands between compactions (None: never compact).
        engine_options: passed to :class:`~awsflow.local.engine.Engine`.
    """

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        poll_timeout: float = 60.0,
        lambda_functions: Mapping[str, LambdaFunction] | None = None,
        snapshot_every: int | None = SNAPSHOT_EVERY,
        **engine_options: Any,
    ) -> None:
        if snapshot_every is not None and snapshot_every < 1:
            raise ValueError(f"snapshot_every must be at least 1 (or None), not {snapshot_every}")
        self._store = store
        self._clock = clock
        self._poll_timeout = poll_timeout
        self._lambda_functions = dict(lambda_functions or {})
        self._snapshot_every = snapshot_every
        self._engine_options = engine_options
        self._lock = threading.Lock()
        self._deadline_cond = threading.Condition(self._lock)
        self._poll_conds: dict[tuple[str, str, str], threading.Condition] = {}
        self._pollers: dict[tuple[str, str, str], int] = {}
        self._pollers_changed = threading.Condition(self._lock)
        self._poller_watchers = 0  # threads in wait_for_pollers: a poll notifies only if any
        # Notified after every change of state: what wait_quiet sleeps on (if anyone does:
        # a notify costs a request a few microseconds even with nobody waiting).
        self._state_changed = threading.Condition(self._lock)
        self._quiet_waiters = 0
        # The thread moving the clock from skip_time, which holds the lock while it does.
        self._jumping_thread: int | None = None
        self._poll_generation = 0  # end_held_polls() answers the polls of earlier generations
        self._closing = False  # polls answer empty, deadlines stop firing on their own
        self._closed = False  # the store is closed: requests are refused
        self._lost: BaseException | None = None
        # The deadline the deadline thread sleeps towards (None: it waits for a notify only);
        # it is woken only when a command adds an earlier one, not on every command.
        self._sleeping_until: float | None = None
        self._lambda_pool: ThreadPoolExecutor | None = None
        self._lambdas_running: set[_LambdaCall] = set()
        self._engine = self._load()
        self._thread = threading.Thread(
            target=self._deadline_loop, name="awsflow.local deadlines", daemon=True
        )
        clock.subscribe(self._on_clock_jump)

    def _load(self) -> Engine:
        recovered = recover(self._store, self._engine_options)
        size = self._store.size()
        self._since_snapshot = (size.journal_entries, size.journal_bytes)
        self._snapshot_bytes = size.snapshot_bytes
        self._snapshot_runs = size.snapshot_executions
        if recovered.replayed:
            logger.info("replayed %d journaled commands", recovered.replayed)
        if recovered.set_aside:
            # Snapshot at once, so the next start does not trip over the same commands again.
            self._compact(recovered.engine, recovered.set_aside)
            logger.error(
                "%d journaled command(s) could not be re-applied and were skipped; they are kept "
                "in the store's set_aside table",
                len(recovered.set_aside),
            )
        elif self._snapshot_due(recovered.engine):
            self._compact(recovered.engine)
        return recovered.engine

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

    def state_snapshot(self) -> dict[str, Any]:
        """A copy of the engine's whole state as data (canonical; for tests and diagnostics)."""
        with self._lock:
            return copy.deepcopy(self._engine.snapshot())

    def store_size(self) -> StoreSize:
        """How much the store holds now: journal entries and size, snapshot size."""
        with self._lock:
            return self._store.size()

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
        if self._lost is not None:
            raise StateLost("awsflow.local could not rebuild its state after a failure; restart it") from (
                self._lost
            )
        now = self._clock.now()
        self._advance(now)
        return self._apply(operation, request, now, lambda engine: engine.handle(operation, request, now))

    def _apply(
        self, operation: str, request: dict[str, Any], now: float, run: Callable[[Engine], Reply]
    ) -> Reply:
        """Run one command all-or-nothing (see the module docstring) and journal it."""
        engine = self._engine
        before = engine.mutations
        try:
            reply = run(engine)
            if reply.mutated:
                self._journal(operation, request, now)
        except SwfFault:
            if engine.mutations != before:
                self._rebuild(f"{operation} was refused after it had changed the state")
            raise
        except Exception:  # broad on purpose: any failure, of the engine or the store, is undone
            self._rebuild(f"{operation} failed")
            raise
        if reply.mutated:
            self._after(reply)
        return reply

    def _journal(self, operation: str, request: dict[str, Any], now: float) -> None:
        size = self._store.append(operation, request, now)
        entries, journal_bytes = self._since_snapshot
        self._since_snapshot = (entries + 1, journal_bytes + size)
        if self._snapshot_due(self._engine):
            try:
                self._compact(self._engine)
            except Exception:  # broad on purpose: the journal still holds everything: carry on
                logger.exception("writing a snapshot failed; the journal keeps growing until one succeeds")

    def _snapshot_due(self, engine: Engine) -> bool:
        entries, journal_bytes = self._since_snapshot
        every = self._snapshot_every
        if every is None or entries == 0:
            return False
        if entries >= every and journal_bytes * SNAPSHOT_COST_RATIO >= self._snapshot_bytes:
            return True
        deleted = self._snapshot_runs - engine.execution_count()
        return deleted >= SNAPSHOT_DELETED_RUNS and deleted > engine.execution_count()

    def _compact(self, engine: Engine, set_aside: list[SetAside] | None = None) -> None:
        engine.compact()
        snapshot = engine.snapshot()
        self._snapshot_bytes = self._store.save_snapshot(snapshot, set_aside or ())
        self._snapshot_runs = len(snapshot["executions"])
        self._since_snapshot = (0, 0)

    def _rebuild(self, why: str) -> None:
        """Replace the engine by one rebuilt from the store: the failed command leaves no trace."""
        logger.error("%s; rebuilding the state from the store so that it leaves no trace", why)
        try:
            recovered = recover(self._store, self._engine_options)
        except BaseException as err:
            self._lost = err
            logger.critical(
                "rebuilding the state failed; the service refuses every request now", exc_info=True
            )
            raise
        if recovered.set_aside:
            logger.error("the rebuild skipped %d journaled command(s)", len(recovered.set_aside))
        self._engine = recovered.engine
        self._notify_everyone()  # tasks may be back on their lists; deadlines may have moved
        self._run_lambdas()

    def _advance(self, now: float) -> None:
        # Caller holds the lock.
        upcoming = self._engine.next_deadline()
        if upcoming is None or upcoming > now:
            return
        try:
            self._apply(TICK, {}, now, lambda engine: engine.advance(now))
        except Exception:  # broad on purpose: one bad deadline must not stop the others or the service
            if self._lost is not None:
                raise
            logger.exception("firing the deadlines due at %.3f failed; firing them one at a time", now)
            self._advance_singly(now)

    def _advance_singly(self, now: float) -> None:
        while (upcoming := self._engine.next_deadline()) is not None and upcoming <= now:
            try:
                self._apply(TICK, {"limit": 1}, now, lambda engine: engine.advance(now, limit=1))
            except Exception:  # broad on purpose: see _advance
                if self._lost is not None:
                    raise
                logger.exception("a deadline due at %.3f failed to fire; it is discarded", upcoming)
                self._apply(DROP_DEADLINE, {}, now, lambda engine: _dropped(engine, now))

    def _after(self, reply: Reply) -> None:
        if self._quiet_waiters:
            self._state_changed.notify_all()
        for key in reply.woken:
            pending = self._engine.pending(*key)
            if pending and self._pollers.get(key):  # a notify without a poller to hear it costs
                self._poll_conds[key].notify(pending)
        upcoming = self._engine.next_deadline()
        if upcoming is not None and (self._sleeping_until is None or upcoming < self._sleeping_until):
            self._deadline_cond.notify()
        self._run_lambdas()

    def abandon(self, watch: PollWatch) -> None:
        """Give up a long poll whose client disconnected."""
        with self._lock:
            watch.abandoned = True
            # Only its own task list's pollers wake, and those it does not concern wait again at
            # once: every list's would all re-run their polls. (A watch is started, and so can
            # be abandoned, only by a poll waiting on its list: the key and its condition exist.)
            assert watch.key is not None
            self._poll_conds[watch.key].notify_all()

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
            if self._poller_watchers:
                self._pollers_changed.notify_all()
            try:
                give_up_at = self._clock.now() + self._poll_timeout
                generation = self._poll_generation
                arriving = True
                while True:
                    if self._closing:
                        return dict(EMPTY_POLL_REPLIES[operation])  # a stop answers held polls empty
                    if not arriving and _gone(watch):
                        cond.notify()  # pass on a wake-up meant for a poller that can take a task
                        return dict(EMPTY_POLL_REPLIES[operation])
                    # A poll whose client shut its side right after sending it (a stopping
                    # worker releasing it, see _http.POLL_RELEASE_HEADER) still gets the task
                    # already waiting: the client reads its answer. Only a poll that would have
                    # to wait is given up (asked only then: the check is a system call).
                    body = self._execute(operation, request).body
                    if body is not None:
                        return body
                    if arriving and _gone(watch):
                        return dict(EMPTY_POLL_REPLIES[operation])
                    arriving = False
                    if self._clock.now() >= give_up_at or generation != self._poll_generation:
                        return dict(EMPTY_POLL_REPLIES[operation])
                    if watch is not None:
                        watch.start(key)  # only polls that wait need watching (a cheap no-op after)
                    self._clock.wait(cond, give_up_at)
            finally:
                if watch is not None:
                    watch.stop()
                self._pollers[key] -= 1
                if self._poller_watchers:
                    self._pollers_changed.notify_all()

    def end_held_polls(self) -> int:
        """Answer every poll held now empty, as if its timeout had passed; returns how many.

        For tests that drive clients whose polls would otherwise wait for the service clock
        (botoflow's executors poll once more after a stop, as they may against SWF).
        """
        with self._lock:
            held = sum(self._pollers.values())
            self._poll_generation += 1
            for cond in self._poll_conds.values():
                cond.notify_all()
            return held

    def waiting_pollers(self) -> int:
        """How many polls are being held right now (for tests and monitoring)."""
        with self._lock:
            return sum(self._pollers.values())

    def wait_for_pollers(self, count: int, timeout: float, *, at_most: bool = False) -> bool:
        """Wait (real time, at most ``timeout`` s) until at least (or ``at_most``) ``count`` polls are held."""
        with self._lock:
            self._poller_watchers += 1
            try:
                if at_most:
                    return self._pollers_changed.wait_for(
                        lambda: sum(self._pollers.values()) <= count, timeout
                    )
                return self._pollers_changed.wait_for(lambda: sum(self._pollers.values()) >= count, timeout)
            finally:
                self._poller_watchers -= 1

    # -- time ------------------------------------------------------------------------------
    def _deadline_loop(self) -> None:
        with self._lock:
            while not self._closing and self._lost is None:
                try:
                    self._advance(self._clock.now())
                except Exception:  # broad on purpose: only a lost state gets here (logged where it was lost)
                    return
                self._sleeping_until = self._engine.next_deadline()
                self._clock.wait(self._deadline_cond, self._sleeping_until)

    def _on_clock_jump(self) -> None:
        if self._jumping_thread == threading.get_ident():
            self._notify_everyone()  # skip_time moves the clock under the lock it already holds
            return
        with self._lock:
            self._notify_everyone()

    # -- quiescence and time skipping (awsflow.testing) -----------------------------------------
    def wait_quiet(
        self, served: Served, timeout: float, *, or_closed: tuple[str, str, str] | None = None
    ) -> list[Busy]:
        """Wait (real time, at most ``timeout`` s) until no worker has or can take a task.

        ``served(kind, domain, task_list)`` says which task lists have workers (see
        ``engine._quiescence``). Returns early, with an empty list, once the run
        ``or_closed`` (domain, workflow id, run id) is closed. Returns what is still busy
        after ``timeout`` (empty: quiet).
        """

        def settled() -> bool:
            if or_closed is not None and not self._engine.run_is_open(*or_closed):
                return True
            return not self._engine.busy(served)

        with self._lock:
            self._quiet_waiters += 1
            try:
                if not self._state_changed.wait_for(settled, timeout):
                    return self._engine.busy(served)
                return []
            finally:
                self._quiet_waiters -= 1

    def run_is_open(self, domain: str, workflow_id: str, run_id: str) -> bool:
        """Whether that run exists and is open."""
        with self._lock:
            return self._engine.run_is_open(domain, workflow_id, run_id)

    def skip_time(self, served: Served, *, until: float | None = None) -> float | None:
        """If the region is quiet, move the clock to the next standing deadline and fire it.

        One atomic step under the lock: the check that no worker has or can take a task, the
        jump, and the firing of what fell due, so no task can slip in between. With ``until``,
        the clock moves no further than that instant (and to it, when no deadline comes
        first). Returns the new time, or None when the region is busy or nothing is ahead
        (no standing deadline, and no ``until``). Needs a clock with ``set`` (VirtualClock).
        """
        set_clock = getattr(self._clock, "set", None)
        if set_clock is None:
            raise TypeError(f"skip_time needs a clock that can be set (a VirtualClock), not {self._clock!r}")
        with self._lock:
            if self._closing or self._engine.busy(served):
                return None
            now = self._clock.now()
            target = self._engine.next_standing_deadline()
            if until is not None and (target is None or target > until):
                target = until
            if target is None:
                return None
            if target > now:
                self._jumping_thread = threading.get_ident()
                try:
                    set_clock(target)
                finally:
                    self._jumping_thread = None
            now = self._clock.now()
            self._advance(now)
            return now

    def _notify_everyone(self) -> None:
        self._deadline_cond.notify_all()
        self._state_changed.notify_all()
        for cond in self._poll_conds.values():
            cond.notify_all()

    # -- Lambda ----------------------------------------------------------------------------
    def _run_lambdas(self) -> None:
        # Caller holds the lock. Functions run on a pool, off the lock; their outcome comes
        # back as a journaled internal command. A rebuilt engine lists every call still
        # awaiting its outcome, including those already running: they are not started twice.
        for call in self._engine.take_lambda_invocations():
            if self._closing:
                return
            running: _LambdaCall = (call[0], call[1], call[2])
            if running in self._lambdas_running:
                continue
            if self._lambda_pool is None:
                self._lambda_pool = ThreadPoolExecutor(
                    max_workers=4, thread_name_prefix="awsflow.local lambda"
                )
            self._lambdas_running.add(running)
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
            self._lambdas_running.discard((key, lambda_id, scheduled))
            if not self._closing:
                self._execute(LAMBDA_RESULT, outcome)


def _gone(watch: PollWatch | None) -> bool:
    """Whether a poll's client has gone away (or half-closed its connection)."""
    return watch is not None and (watch.abandoned or watch.peer_gone())


def _dropped(engine: Engine, now: float) -> Reply:
    engine.drop_due_deadline(now)
    return Reply(None, True, frozenset())
