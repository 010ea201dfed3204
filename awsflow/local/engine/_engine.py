"""The engine's public face: one call per SWF operation, deadlines on demand, snapshots.

``Engine.handle(operation, request, now)`` runs an already-validated request against the state
and returns a :class:`Reply`; faults are raised before anything changes, so a refused request
leaves no trace. ``Engine.advance(now)`` fires every deadline due by ``now``. Both are
deterministic functions of the command sequence and the seed — the property the store relies
on to rebuild state after a restart: a snapshot (:meth:`Engine.snapshot`,
:meth:`Engine.from_snapshot`) plus the commands journaled since.

Any other exception out of ``handle`` or ``advance`` is a bug that may have left the state
half-changed; :attr:`Engine.mutations` tells whether anything changed at all. The engine does
not repair itself: the service replaces it with one rebuilt from the store (see
``awsflow.local._service``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import (
    _decisions,
    _lambda,
    _lifecycle,
    _quiescence,
    _registry,
    _snapshot,
    _tasks,
    _timeouts,
    _visibility,
)
from ._faults import UnknownOperationException
from ._kernel import HISTORY_EVENT_LIMIT, Kernel
from ._lifecycle import enforce_history_cap
from ._paging import DEFAULT_PAGE_SIZE
from ._state import ExecKey, Json

Handler = Callable[[Kernel, Json, float], Any]

_HANDLERS: dict[str, Handler] = {
    **_registry.HANDLERS,
    **_lifecycle.HANDLERS,
    **_tasks.HANDLERS,
    **_decisions.HANDLERS,
    **_visibility.HANDLERS,
    _lambda.LAMBDA_RESULT: _lambda.lambda_function_result,
}
POLL_OPERATIONS = frozenset({"PollForDecisionTask", "PollForActivityTask"})
READ_ONLY_OPERATIONS = frozenset(
    op for op in _HANDLERS if op.startswith(("Describe", "List", "Count", "Get"))
)
EMPTY_POLL_REPLIES: dict[str, Json] = {
    "PollForDecisionTask": _tasks.EMPTY_DECISION_TASK,
    "PollForActivityTask": _tasks.EMPTY_ACTIVITY_TASK,
}


@dataclass(frozen=True, slots=True)
class Reply:
    """The outcome of one command.

    Attributes:
        body: the response members; None for void operations and for a poll that found no task.
        mutated: the command changed state, so the store must journal it.
        woken: ``(kind, domain, task_list)`` queues that gained tasks; kind is "activity" or
            "decision". The shell wakes long polls waiting on them.
    """

    body: Json | None
    mutated: bool
    woken: frozenset[tuple[str, str, str]]


class Engine:
    """A pure, single-threaded SWF region.

    Args:
        seed: makes run ids and task tokens unique to this store, yet reproducible.
        region: used in domain ARNs.
        account_id: used in domain ARNs.
        history_event_limit: events after which a run is terminated (SWF: 25,000).
        page_size: events per page of GetWorkflowExecutionHistory and PollForDecisionTask, at
            most (1-1000; default 1000 as SWF documents, which has been seen paging decision
            tasks at 100). A larger ``maximumPageSize`` gets this many: SWF documents it as an
            upper limit only.
        mutation_hook: called with a short label before each change to the state; for tests
            that make a command fail half-way (raise from the hook). None in production.
        snapshot: the state to start in, as :meth:`snapshot` recorded it (see
            :meth:`from_snapshot`); None: an empty region.
    """

    def __init__(
        self,
        *,
        seed: str,
        region: str = "us-east-1",
        account_id: str = "000000000000",
        history_event_limit: int = HISTORY_EVENT_LIMIT,
        page_size: int = DEFAULT_PAGE_SIZE,
        mutation_hook: Callable[[str], None] | None = None,
        snapshot: Json | None = None,
    ) -> None:
        if not 1 <= page_size <= DEFAULT_PAGE_SIZE:
            raise ValueError(f"page_size must be from 1 to {DEFAULT_PAGE_SIZE}, not {page_size}")
        self._k = Kernel(seed=seed, region=region, account_id=account_id, mutation_hook=mutation_hook)
        self._k.history_page_size = page_size
        self._history_event_limit = history_event_limit
        if snapshot is not None:  # from_snapshot
            _snapshot.load(snapshot, self._k)

    @classmethod
    def from_snapshot(
        cls,
        snapshot: Json,
        *,
        region: str = "us-east-1",
        account_id: str = "000000000000",
        history_event_limit: int = HISTORY_EVENT_LIMIT,
        page_size: int = DEFAULT_PAGE_SIZE,
        mutation_hook: Callable[[str], None] | None = None,
    ) -> Engine:
        """An engine in the state :meth:`snapshot` recorded (the options are not part of it)."""
        return cls(
            seed=snapshot["seed"],
            region=region,
            account_id=account_id,
            history_event_limit=history_event_limit,
            page_size=page_size,
            mutation_hook=mutation_hook,
            snapshot=snapshot,
        )

    @staticmethod
    def knows(operation: str) -> bool:
        return operation in _HANDLERS

    @property
    def mutations(self) -> int:
        """How many changes the state has seen; compare before and after a failed call."""
        return self._k.mutations

    def handle(self, operation: str, request: Json, now: float) -> Reply:
        """Run one operation. Raises a ``SwfFault`` (nothing changed) when SWF would refuse it."""
        handler = _HANDLERS.get(operation)
        if handler is None:
            raise UnknownOperationException(f"Unknown operation: {operation}")
        k = self._k
        k.woken, k.touched = set(), {}
        body = handler(k, request, now)
        self._settle(now)
        if operation in READ_ONLY_OPERATIONS:
            mutated = bool(k.touched)
        elif operation in POLL_OPERATIONS:
            mutated = body is not None and "nextPageToken" not in request
        else:
            mutated = True
        return Reply(body, mutated, frozenset(k.woken))

    def advance(self, now: float, *, limit: int | None = None) -> Reply:
        """Fire the deadlines due by ``now``: all of them, or the first ``limit``."""
        k = self._k
        k.woken, k.touched = set(), {}
        fired = self._settle(now, limit)
        return Reply(None, fired, frozenset(k.woken))

    def drop_due_deadline(self, now: float) -> bool:
        """Discard the first deadline due by ``now`` without firing it; False if none is due.

        For the service's last resort when firing that deadline raises (a bug): the deadline
        would otherwise fail again on every request.
        """
        return self._k.pop_due(now) is not None

    def _settle(self, now: float, limit: int | None = None) -> bool:
        k = self._k
        fired = 0
        while (limit is None or fired < limit) and (deadline := k.pop_due(now)) is not None:
            _timeouts.fire(k, deadline, now)
            fired += 1
        for ex in list(k.touched.values()):
            enforce_history_cap(k, ex, self._history_event_limit, now)
        return bool(fired) or bool(k.touched)

    def next_deadline(self) -> float | None:
        """When the earliest pending deadline falls due, or None."""
        return self._k.next_deadline()

    def pending(self, kind: str, domain: str, task_list: str) -> int:
        """How many tasks wait on a task list (kind: "activity" or "decision")."""
        queues = self._k.activity_queues if kind == "activity" else self._k.decision_queues
        queue = queues.get((domain, task_list))
        return len(queue) if queue is not None else 0

    def busy(self, served: _quiescence.Served) -> list[_quiescence.Busy]:
        """The tasks a worker has or can take now (``served(kind, domain, task_list)``: polled).

        Empty when the region is quiet: no worker can change anything until a deadline comes
        due or a client calls (see ``_quiescence``).
        """
        return _quiescence.busy(self._k, served)

    def next_standing_deadline(self) -> float | None:
        """The earliest deadline that would still change an open run (retention left out)."""
        return _quiescence.next_standing_deadline(self._k)

    def run_is_open(self, domain: str, workflow_id: str, run_id: str) -> bool:
        """Whether that run exists and is open."""
        ex = self._k.executions.get((domain, workflow_id, run_id))
        return ex is not None and ex.is_open

    def execution_count(self) -> int:
        """How many runs the region holds, open or closed (retention deletes closed ones)."""
        return len(self._k.executions)

    def take_lambda_invocations(self) -> list[tuple[ExecKey, str, int, str, str | None]]:
        """Lambda calls the shell must run now; report each with ``LAMBDA_RESULT``."""
        return _lambda.pending_invocations(self._k)

    # -- durability ------------------------------------------------------------------------
    def snapshot(self) -> Json:
        """The whole state as JSON-ready data (canonical: equal for engines that behave alike).

        The result shares structure with the live state: serialise it before the next command.
        """
        return _snapshot.dump(self._k)

    def compact(self) -> None:
        """Drop garbage that cannot affect the future (stale deadlines, dead queue entries)."""
        _snapshot.compact(self._k)
