"""The engine's state and the primitives every operation is built from.

Two rules hold the engine together (SWF-SEMANTICS §4, §10.7):

1. History is append-only and every append goes through :meth:`Kernel.append`, which numbers
   events contiguously from 1 and stamps them with the command's ``now``.
2. Decision tasks are owned by :meth:`Kernel.trigger_decision`: any event SWF says "schedules a
   decision task" calls it. With no open decision task one is scheduled at once; with one
   started, the debt is remembered (``decision_owed``) and paid right after that task
   completes or times out; with one merely scheduled, the new event just joins the history.

Deadlines (timeouts, timers, retention) live in one heap. Entries are never removed: when one
comes due, its handler re-derives from the current state whether it still applies (the task may
have been answered, the heartbeat renewed), which keeps cancellation free of bookkeeping.

Nothing here reads a clock, opens a socket, starts a thread or draws randomness: ``now`` is an
argument and ids come from a seeded counter, so replaying the same commands rebuilds the same
state (the durability scheme of ``awsflow.local._store`` depends on this).

Every change to the state is announced first through :meth:`Kernel.mutating`: it counts
changes (so the service can tell a fault raised before any change, the engine's contract, from
one raised half-way, a bug it must undo) and calls the optional ``mutation_hook`` — the seam
tests use to make a command fail at any point inside a handler. Production passes no hook.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._faults import UnknownResourceFault
from ._state import (
    ActivityTask,
    CloseStatus,
    DecisionTask,
    Domain,
    ExecKey,
    Execution,
    Json,
    QueueKey,
    TaskQueue,
    TypeRecord,
)

HISTORY_EVENT_LIMIT = 25_000
OPEN_ACTIVITIES_LIMIT = 1_000
OPEN_TIMERS_LIMIT = 1_000
OPEN_CHILDREN_LIMIT = 1_000
OPEN_LAMBDAS_LIMIT = 1_000
OPEN_EXECUTIONS_LIMIT = 100_000  # per domain, children included
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Deadline:
    """Something that may happen at ``at``; ``kind`` picks the handler in ``_timeouts``."""

    at: float
    kind: str
    key: ExecKey
    ref: Any = None


@dataclass(frozen=True, slots=True)
class TokenRef:
    """What a task token points at. ``ref`` is an activity id, or None for a decision task."""

    key: ExecKey
    ref: str | None
    started_event_id: int


def parse_duration(value: str | None) -> float | None:
    """SWF duration string to seconds; ``"NONE"`` (unlimited) and absence give None."""
    if value is None or value == "NONE":
        return None
    return float(value)


def drop_none(attrs: dict[str, Any]) -> Json:
    return {k: v for k, v in attrs.items() if v is not None}


class Kernel:
    """The region's state plus the primitives the operation modules share."""

    def __init__(
        self,
        *,
        seed: str,
        region: str,
        account_id: str,
        mutation_hook: Callable[[str], None] | None = None,
    ) -> None:
        self.seed = seed
        self.region = region
        self.account_id = account_id
        self.domains: dict[str, Domain] = {}
        self.activity_types: dict[tuple[str, str, str], TypeRecord] = {}
        self.workflow_types: dict[tuple[str, str, str], TypeRecord] = {}
        self.executions: dict[ExecKey, Execution] = {}
        self.open_runs: dict[tuple[str, str], str] = {}
        self.open_per_domain: Counter[str] = Counter()
        self.tokens: dict[str, TokenRef] = {}
        self.activity_queues: dict[QueueKey, TaskQueue] = {}
        self.decision_queues: dict[QueueKey, TaskQueue] = {}
        self.deadlines: list[tuple[float, int, Deadline]] = []
        # Plain integers rather than itertools.count, so a snapshot can record where they stand.
        self.next_deadline_seq = 0
        self.next_id = 1
        self.mutations = 0
        self.mutation_hook = mutation_hook
        # Lambda calls started and not yet run: (run, id, scheduledEventId, function, input).
        # The service shell drains this, runs the functions off-lock, and reports back.
        self.lambda_invocations: list[tuple[ExecKey, str, int, str, str | None]] = []
        # Per-command scratch, reset by the engine facade.
        self.woken: set[tuple[str, str, str]] = set()
        self.touched: dict[ExecKey, Execution] = {}

    # -- changes ---------------------------------------------------------------------------
    def mutating(self, point: str) -> None:
        """Announce a change to the state, before making it (see the module docstring)."""
        self.mutations += 1
        if self.mutation_hook is not None:
            self.mutation_hook(point)

    # -- ids -------------------------------------------------------------------------------
    def _derive(self, purpose: str) -> bytes:
        self.mutating("id")
        n = self.next_id
        self.next_id = n + 1
        return hashlib.sha256(f"{self.seed}:{purpose}:{n}".encode()).digest()

    def new_run_id(self) -> str:
        # Shaped like SWF's: 44 base64 characters.
        return base64.b64encode(self._derive("run")).decode()

    def new_token(self, target: TokenRef) -> str:
        token = base64.urlsafe_b64encode(self._derive("token") + self._derive("token")).decode()
        self.tokens[token] = target
        return token

    # -- lookups ---------------------------------------------------------------------------
    def domain(self, name: str) -> Domain:
        domain = self.domains.get(name)
        if domain is None:
            raise UnknownResourceFault(f"Unknown domain: {name}")
        return domain

    def execution(self, domain: str, workflow_id: str, run_id: str | None) -> Execution:
        """An execution by id; without ``run_id``, the open run of that workflow id."""
        self.domain(domain)
        if run_id is None:
            run_id = self.open_runs.get((domain, workflow_id))
            if run_id is None:
                raise UnknownResourceFault(f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}]")
        ex = self.executions.get((domain, workflow_id, run_id))
        if ex is None:
            raise UnknownResourceFault(
                f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]"
            )
        return ex

    def open_execution(self, domain: str, workflow_id: str, run_id: str | None) -> Execution:
        ex = self.execution(domain, workflow_id, run_id)
        if not ex.is_open:
            raise UnknownResourceFault(
                f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={ex.run_id}]"
            )
        return ex

    def token_target(self, token: str) -> tuple[TokenRef, Execution]:
        target = self.tokens.get(token)
        if target is None:
            raise UnknownResourceFault("Unknown task token")
        ex = self.executions[target.key]
        return target, ex

    # -- history ---------------------------------------------------------------------------
    def append(self, ex: Execution, event_type: str, attrs: dict[str, Any], now: float) -> int:
        self.mutating("append")
        event_id = ex.next_event_id()
        ex.events.append(
            {
                "eventId": event_id,
                "eventType": event_type,
                "eventTimestamp": now,
                event_type[0].lower() + event_type[1:] + "EventAttributes": drop_none(attrs),
            }
        )
        self.touched[ex.key] = ex
        return event_id

    # -- decision tasks --------------------------------------------------------------------
    def trigger_decision(self, ex: Execution, now: float) -> None:
        if not ex.is_open:
            return
        if ex.decision is None:
            self.schedule_decision(ex, now)
        elif ex.decision.started_event_id:
            self.mutating("decision_owed")
            ex.decision_owed = True

    def schedule_decision(self, ex: Execution, now: float) -> None:
        task_list = ex.sticky_task_list or ex.task_list
        schedule_to_start = ex.sticky_schedule_to_start if ex.sticky_task_list else None
        event_id = self.append(
            ex,
            "DecisionTaskScheduled",
            {
                "taskList": {"name": task_list},
                "taskPriority": str(ex.task_priority),
                "startToCloseTimeout": ex.task_start_to_close,
                "scheduleToStartTimeout": schedule_to_start,
            },
            now,
        )
        ex.decision = DecisionTask(
            scheduled_event_id=event_id,
            task_list=task_list,
            priority=ex.task_priority,
            start_to_close=ex.task_start_to_close,
            schedule_to_start=schedule_to_start,
            scheduled_at=now,
        )
        ex.decision_owed = False
        self.mutating("queue_decision")
        self.decision_queue(ex.domain, task_list).push((ex.key, event_id), ex.task_priority)
        self.woken.add(("decision", ex.domain, task_list))
        timeout = parse_duration(schedule_to_start)
        if timeout is not None:
            self.add_deadline(now + timeout, "decision_schedule_to_start", ex.key, event_id)

    def end_decision(self, ex: Execution) -> None:
        """Forget the open decision task: its token dies, its queue entry is dropped."""
        task = ex.decision
        if task is None:
            return
        self.mutating("end_decision")
        if task.token is not None:
            self.tokens.pop(task.token, None)
        else:
            self.decision_queue(ex.domain, task.task_list).discard((ex.key, task.scheduled_event_id))
        ex.decision = None

    # -- activities ------------------------------------------------------------------------
    def end_activity(self, ex: Execution, activity: ActivityTask) -> None:
        """Close an activity task: it leaves the run, its queue and its token."""
        self.mutating("end_activity")
        ex.activities.pop(activity.activity_id, None)
        if activity.token is not None:
            self.tokens.pop(activity.token, None)
        else:
            self.activity_queue(ex.domain, activity.task_list).discard(
                (ex.key, activity.activity_id, activity.scheduled_event_id)
            )

    def activity_queue(self, domain: str, task_list: str) -> TaskQueue:
        queue = self.activity_queues.get((domain, task_list))
        if queue is None:
            queue = self.activity_queues[(domain, task_list)] = TaskQueue()
        return queue

    def decision_queue(self, domain: str, task_list: str) -> TaskQueue:
        queue = self.decision_queues.get((domain, task_list))
        if queue is None:
            queue = self.decision_queues[(domain, task_list)] = TaskQueue()
        return queue

    # -- closing ---------------------------------------------------------------------------
    def close(self, ex: Execution, status: CloseStatus, now: float) -> None:
        """Mark a run closed after its close event was appended; free everything it held.

        Child-policy application and notifying the parent are the caller's business
        (``_lifecycle``), because they differ by how the run closed.
        """
        self.mutating("close")
        ex.close_status = status
        ex.close_timestamp = now
        self.end_decision(ex)
        ex.decision_owed = False
        for activity in list(ex.activities.values()):
            self.end_activity(ex, activity)
        ex.timers.clear()
        ex.lambdas.clear()
        if self.open_runs.get((ex.domain, ex.workflow_id)) == ex.run_id:
            del self.open_runs[(ex.domain, ex.workflow_id)]
        self.open_per_domain[ex.domain] -= 1
        # Retention (SWF-SEMANTICS §9.4): the run and its history are deleted once the domain's
        # workflowExecutionRetentionPeriodInDays have passed on the service clock; from then on
        # List/Count leave it out and Describe/GetWorkflowExecutionHistory answer
        # UnknownResourceFault. "0" (RegisterDomain stores "NONE" as "0") deletes it at once,
        # in the command that closed it: botocore's model documents RegisterDomain's member as
        # "If you pass the value NONE or 0 (zero), then the workflow execution history isn't
        # retained. As soon as the workflow execution completes, the execution record and its
        # history are deleted."
        retention = float(self.domains[ex.domain].retention_days) * SECONDS_PER_DAY
        self.add_deadline(now + retention, "retention", ex.key)

    # -- deadlines -------------------------------------------------------------------------
    def add_deadline(self, at: float, kind: str, key: ExecKey, ref: Any = None) -> None:
        self.mutating("add_deadline")
        seq = self.next_deadline_seq
        self.next_deadline_seq = seq + 1
        heapq.heappush(self.deadlines, (at, seq, Deadline(at, kind, key, ref)))

    def next_deadline(self) -> float | None:
        return self.deadlines[0][0] if self.deadlines else None

    def pop_due(self, now: float) -> Deadline | None:
        if self.deadlines and self.deadlines[0][0] <= now:
            self.mutating("pop_deadline")
            return heapq.heappop(self.deadlines)[2]
        return None
