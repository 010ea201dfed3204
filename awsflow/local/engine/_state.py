"""The engine's in-memory model of an SWF region: domains, types, executions, task queues.

Everything here is plain data mutated only by the engine's operation modules; the store never
sees these objects (it journals the requests that produced them, see ``awsflow.local._store``).
Wire-facing values keep SWF's wire form (durations as strings, ``{"name": ...}`` task lists,
camelCase event dicts) so responses are built without translation.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


class RegistrationStatus(str, enum.Enum):
    REGISTERED = "REGISTERED"
    DEPRECATED = "DEPRECATED"


class CloseStatus(str, enum.Enum):
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    TIMED_OUT = "TIMED_OUT"


@dataclass(slots=True)
class Domain:
    name: str
    retention_days: str
    description: str | None
    arn: str
    status: RegistrationStatus = RegistrationStatus.REGISTERED
    tags: dict[str, str] = field(default_factory=dict)

    def info(self) -> Json:
        info: Json = {"name": self.name, "status": self.status.value, "arn": self.arn}
        if self.description is not None:
            info["description"] = self.description
        return info


@dataclass(slots=True)
class TypeRecord:
    """A registered activity or workflow type; ``defaults`` is the wire ``configuration``."""

    name: str
    version: str
    description: str | None
    creation_date: float
    defaults: Json
    status: RegistrationStatus = RegistrationStatus.REGISTERED
    deprecation_date: float | None = None

    def ref(self) -> Json:
        return {"name": self.name, "version": self.version}


@dataclass(slots=True)
class ActivityTask:
    """An open activity: scheduled, maybe started; removed from its run when it closes."""

    activity_id: str
    activity_type: Json
    scheduled_event_id: int
    task_list: str
    priority: int
    input: str | None
    schedule_to_start: str
    schedule_to_close: str
    start_to_close: str
    heartbeat: str
    scheduled_at: float
    started_event_id: int = 0
    started_at: float | None = None
    token: str | None = None
    last_heartbeat_at: float | None = None
    heartbeat_details: str | None = None
    cancel_requested_event_id: int = 0


@dataclass(slots=True)
class DecisionTask:
    """The run's one open decision task (scheduled, or started by a poller)."""

    scheduled_event_id: int
    task_list: str
    priority: int
    start_to_close: str
    schedule_to_start: str | None
    scheduled_at: float
    started_event_id: int = 0
    started_at: float | None = None
    token: str | None = None


@dataclass(slots=True)
class Timer:
    timer_id: str
    started_event_id: int
    fire_at: float


@dataclass(slots=True)
class Child:
    """A child run this run initiated and that has not closed yet."""

    workflow_id: str
    workflow_type: Json
    initiated_event_id: int
    started_event_id: int = 0
    run_id: str | None = None


@dataclass(slots=True)
class LambdaCall:
    lambda_id: str
    name: str
    scheduled_event_id: int
    started_event_id: int = 0


ExecKey = tuple[str, str, str]  # (domain, workflowId, runId)


@dataclass(slots=True)
class Execution:
    domain: str
    workflow_id: str
    run_id: str
    workflow_type: Json
    start_timestamp: float
    task_list: str
    task_priority: int
    execution_start_to_close: str
    task_start_to_close: str
    child_policy: str
    lambda_role: str | None
    tags: list[str]
    parent: Json | None = None
    parent_initiated_event_id: int = 0
    events: list[Json] = field(default_factory=list)
    close_status: CloseStatus | None = None
    close_timestamp: float | None = None
    cancel_requested: bool = False
    decision: DecisionTask | None = None
    # A decision-triggering event arrived while the decision task was started: schedule
    # another once it completes, and fail a close decision with UNHANDLED_DECISION.
    decision_owed: bool = False
    previous_started_event_id: int = 0
    sticky_task_list: str | None = None
    sticky_schedule_to_start: str | None = None
    activities: dict[str, ActivityTask] = field(default_factory=dict)
    timers: dict[str, Timer] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)
    lambdas: dict[str, LambdaCall] = field(default_factory=dict)
    latest_activity_scheduled_at: float | None = None
    latest_execution_context: str | None = None

    @property
    def key(self) -> ExecKey:
        return (self.domain, self.workflow_id, self.run_id)

    @property
    def is_open(self) -> bool:
        return self.close_status is None

    def ref(self) -> Json:
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    def next_event_id(self) -> int:
        return len(self.events) + 1


QueueKey = tuple[str, str]  # (domain, task list name)


class TaskQueue:
    """Scheduled, not yet started tasks of one task list: highest priority first, then FIFO.

    Removal (a cancel or timeout before start) is lazy: the heap keeps the entry, ``live``
    forgets it, and ``pop`` skips entries no longer live. ``len`` is exact; :meth:`entries` and
    :meth:`restore` carry the live entries through a snapshot, dropping the dead ones.
    """

    def __init__(self, next_seq: int = 0, entries: Iterable[tuple[int, int, Any]] = ()) -> None:
        """An empty queue, or one holding exactly ``entries`` (see :meth:`restore`)."""
        self._heap = [(-priority, seq, ref) for priority, seq, ref in entries]
        heapq.heapify(self._heap)
        self._live: dict[Any, int] = {ref: seq for _, seq, ref in self._heap}
        self._next_seq = next_seq

    def push(self, ref: Any, priority: int) -> None:
        seq = self._next_seq
        self._next_seq = seq + 1
        self._live[ref] = seq
        heapq.heappush(self._heap, (-priority, seq, ref))

    def discard(self, ref: Any) -> None:
        self._live.pop(ref, None)

    def pop(self) -> Any | None:
        while self._heap:
            _, seq, ref = heapq.heappop(self._heap)
            if self._live.get(ref) == seq:
                del self._live[ref]
                return ref
        return None

    def __len__(self) -> int:
        return len(self._live)

    def entries(self) -> tuple[int, list[tuple[int, int, Any]]]:
        """The next sequence number and the live ``(priority, seq, ref)`` entries, in pop order."""
        live = sorted(entry for entry in self._heap if self._live.get(entry[2]) == entry[1])
        return self._next_seq, [(-negated, seq, ref) for negated, seq, ref in live]

    @classmethod
    def restore(cls, next_seq: int, entries: list[tuple[int, int, Any]]) -> TaskQueue:
        """A queue holding exactly ``entries`` (as :meth:`entries` gave them)."""
        return cls(next_seq, entries)
