"""The engine's whole state as plain JSON data, and back (the store's snapshots).

:func:`dump` writes what the kernel holds that cannot be derived from the rest; :func:`load`
rebuilds a kernel from it. Derived indexes — tokens, the open-run index, open counts per
domain, Lambda calls awaiting their function — are recomputed by :func:`load`, so a snapshot
cannot contradict itself.

A dump is canonical: it leaves out what cannot affect the future (deadlines that no longer
stand, tasks dropped from a queue, empty queues) and numbers each queue's entries afresh in the
order they would be taken. Two engines that behave alike dump alike, which is what lets the
service compare a live engine with one rebuilt from its store, and lets :func:`compact` shed
the same garbage from a live engine without changing anything it will ever do.
"""

from __future__ import annotations

import enum
import heapq
from collections import Counter
from dataclasses import fields
from typing import Any

from ._kernel import Deadline, Kernel, TokenRef
from ._state import (
    ActivityTask,
    Child,
    CloseStatus,
    DecisionTask,
    Domain,
    ExecKey,
    Execution,
    Json,
    LambdaCall,
    QueueKey,
    RegistrationStatus,
    TaskQueue,
    Timer,
    TypeRecord,
)
from ._timeouts import stands

FORMAT = 1


def _plain(obj: Any) -> Json:
    out: Json = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        out[f.name] = value.value if isinstance(value, enum.Enum) else value
    return out


def _lists(value: Any) -> Any:
    """Tuples (keys, references) as JSON lists, recursively."""
    if isinstance(value, tuple | list):
        return [_lists(item) for item in value]
    return value


def _tuples(value: Any) -> Any:
    """The inverse of :func:`_lists` for keys and references (which never hold real lists)."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


# -- dump ------------------------------------------------------------------------------------
def dump(k: Kernel) -> Json:
    """The kernel's state as JSON-ready data; ``executions`` is a list, one entry per run."""
    return {
        "format": FORMAT,
        "seed": k.seed,
        "next_id": k.next_id,
        "next_deadline_seq": k.next_deadline_seq,
        "domains": [_plain(domain) for domain in k.domains.values()],
        "activity_types": [[key[0], _plain(record)] for key, record in k.activity_types.items()],
        "workflow_types": [[key[0], _plain(record)] for key, record in k.workflow_types.items()],
        "deadlines": [
            [at, seq, d.kind, list(d.key), _lists(d.ref)]
            for at, seq, d in sorted(k.deadlines)
            if stands(k, d)
        ],
        "activity_queues": _dump_queues(k.activity_queues),
        "decision_queues": _dump_queues(k.decision_queues),
        "executions": [_dump_execution(ex) for ex in k.executions.values()],
    }


def _dump_queues(queues: dict[QueueKey, TaskQueue]) -> list[Any]:
    out = []
    for (domain, name), queue in queues.items():
        _, entries = queue.entries()
        if entries:
            renumbered = [[priority, n, _lists(ref)] for n, (priority, _, ref) in enumerate(entries)]
            out.append([domain, name, renumbered])
    return out


def _dump_execution(ex: Execution) -> Json:
    out = _plain(ex)
    out["decision"] = _plain(ex.decision) if ex.decision is not None else None
    out["activities"] = [_plain(a) for a in ex.activities.values()]
    out["timers"] = [_plain(t) for t in ex.timers.values()]
    out["children"] = [_plain(c) for c in ex.children.values()]
    out["lambdas"] = [_plain(c) for c in ex.lambdas.values()]
    return out


# -- load ------------------------------------------------------------------------------------
def load(snapshot: Json, kernel: Kernel) -> None:
    """Fill a new, empty ``kernel`` with the state ``snapshot`` (from :func:`dump`) holds."""
    if snapshot.get("format") != FORMAT:
        raise ValueError(f"snapshot format {snapshot.get('format')!r}; this engine reads {FORMAT}")
    k = kernel
    k.seed = snapshot["seed"]
    k.next_id = snapshot["next_id"]
    k.next_deadline_seq = snapshot["next_deadline_seq"]
    for d in snapshot["domains"]:
        k.domains[d["name"]] = Domain(**{**d, "status": RegistrationStatus(d["status"])})
    for table, records in (
        (k.activity_types, snapshot["activity_types"]),
        (k.workflow_types, snapshot["workflow_types"]),
    ):
        for domain, r in records:
            table[(domain, r["name"], r["version"])] = TypeRecord(
                **{**r, "status": RegistrationStatus(r["status"])}
            )
    k.deadlines = [
        (at, seq, Deadline(at, kind, _key(key), _tuples(ref)))
        for at, seq, kind, key, ref in snapshot["deadlines"]
    ]
    heapq.heapify(k.deadlines)
    k.activity_queues = _load_queues(snapshot["activity_queues"], activity=True)
    k.decision_queues = _load_queues(snapshot["decision_queues"], activity=False)
    for data in snapshot["executions"]:
        ex = _load_execution(data)
        k.executions[ex.key] = ex
    _derive_indexes(k)


def _key(value: list[str]) -> ExecKey:
    return (value[0], value[1], value[2])


def _load_queues(data: list[Any], *, activity: bool) -> dict[QueueKey, TaskQueue]:
    queues: dict[QueueKey, TaskQueue] = {}
    for domain, name, entries in data:
        restored: list[tuple[int, int, Any]] = []
        for priority, seq, ref in entries:
            # An activity's queue entry is (run, activityId, scheduledEventId); a decision
            # task's is (run, scheduledEventId).
            restored.append(
                (priority, seq, (_key(ref[0]), ref[1], ref[2]) if activity else (_key(ref[0]), ref[1]))
            )
        queues[(domain, name)] = TaskQueue.restore(len(restored), restored)
    return queues


def _load_execution(data: Json) -> Execution:
    decision = data["decision"]
    return Execution(
        **{
            **data,
            "close_status": CloseStatus(data["close_status"]) if data["close_status"] is not None else None,
            "decision": DecisionTask(**decision) if decision is not None else None,
            "activities": {a["activity_id"]: ActivityTask(**a) for a in data["activities"]},
            "timers": {t["timer_id"]: Timer(**t) for t in data["timers"]},
            "children": {c["workflow_id"]: Child(**c) for c in data["children"]},
            "lambdas": {c["lambda_id"]: LambdaCall(**c) for c in data["lambdas"]},
        }
    )


def _derive_indexes(k: Kernel) -> None:
    k.open_per_domain = Counter()
    for ex in k.executions.values():
        if not ex.is_open:
            continue
        k.open_runs[(ex.domain, ex.workflow_id)] = ex.run_id
        k.open_per_domain[ex.domain] += 1
        task = ex.decision
        if task is not None and task.token is not None:
            k.tokens[task.token] = TokenRef(ex.key, None, task.started_event_id)
        for activity in ex.activities.values():
            if activity.token is not None:
                k.tokens[activity.token] = TokenRef(ex.key, activity.activity_id, activity.started_event_id)
        for call in ex.lambdas.values():
            if call.started_event_id:
                # The function ran in the process that stopped; its outcome never arrived.
                scheduled = ex.events[call.scheduled_event_id - 1]
                payload = scheduled["lambdaFunctionScheduledEventAttributes"].get("input")
                k.lambda_invocations.append(
                    (ex.key, call.lambda_id, call.scheduled_event_id, call.name, payload)
                )


# -- compaction ------------------------------------------------------------------------------
def compact(k: Kernel) -> None:
    """Shed what :func:`dump` leaves out, in place: stale deadlines, dead queue entries, empty queues."""
    k.deadlines = [entry for entry in k.deadlines if stands(k, entry[2])]
    heapq.heapify(k.deadlines)
    for queues in (k.activity_queues, k.decision_queues):
        for key, queue in list(queues.items()):
            next_seq, entries = queue.entries()
            if entries:
                queues[key] = TaskQueue.restore(next_seq, entries)
            else:
                del queues[key]
