"""The replays a workflow worker keeps between a run's decision tasks, bounded by count and size.

A kept replay lets the run's next decision task feed only the new events (see
``workflow_worker``). What a replay holds is mostly what the workflow's code holds: the inputs
and results it was handed and kept in its variables. That cannot be measured cheaply from
outside, so each replay is charged an estimate — a fixed cost for the replay itself (its event
loop, contexts and coroutine frames, about 16 KiB measured with ``tracemalloc``) plus the size
of every payload (input, result, details) of the events it was fed, as if the code kept all of
them. The estimate errs high for code that drops its results, which only evicts sooner.

Eviction is least recently decided first, whenever either bound is passed. A run whose replay
was evicted is decided again from its whole history: slower, never wrong.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any, Generic, TypeVar

__all__ = ["REPLAY_OVERHEAD", "ReplayCache", "payload_bytes"]

REPLAY_OVERHEAD = 16 * 1024  # bytes charged to each kept replay besides its payloads

# The events that hand the workflow's code a payload, and the attributes carrying it.
_PAYLOADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "WorkflowExecutionStarted": ("workflowExecutionStartedEventAttributes", ("input",)),
    "WorkflowExecutionSignaled": ("workflowExecutionSignaledEventAttributes", ("input",)),
    "ActivityTaskCompleted": ("activityTaskCompletedEventAttributes", ("result",)),
    "ActivityTaskFailed": ("activityTaskFailedEventAttributes", ("reason", "details")),
    "ActivityTaskTimedOut": ("activityTaskTimedOutEventAttributes", ("details",)),
    "ActivityTaskCanceled": ("activityTaskCanceledEventAttributes", ("details",)),
    "ChildWorkflowExecutionCompleted": ("childWorkflowExecutionCompletedEventAttributes", ("result",)),
    "ChildWorkflowExecutionFailed": ("childWorkflowExecutionFailedEventAttributes", ("reason", "details")),
    "LambdaFunctionCompleted": ("lambdaFunctionCompletedEventAttributes", ("result",)),
    "MarkerRecorded": ("markerRecordedEventAttributes", ("details",)),
}


def payload_bytes(events: Iterable[dict[str, Any]]) -> int:
    """The size of the payloads ``events`` hand the workflow's code (characters, about bytes)."""
    total = 0
    for event in events:
        carried = _PAYLOADS.get(event["eventType"])
        if carried is None:
            continue
        attributes = event.get(carried[0]) or {}
        for field in carried[1]:
            value = attributes.get(field)
            if value:
                total += len(value)
    return total


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReplayCache(Generic[K, V]):
    """Kept replays by run, at most ``max_runs`` of them and ``max_bytes`` by the estimate above.

    Thread-safe: the worker's poller threads take and keep replays concurrently. A replay is
    *taken* out while its decision task is decided (so two tasks of one run never share it),
    *kept* again before the answer is sent, and *discarded* if the answer was refused.
    """

    def __init__(self, max_runs: int, max_bytes: int) -> None:
        if max_runs < 0 or max_bytes < 0:
            raise ValueError(f"cache bounds must not be negative: {max_runs} runs, {max_bytes} bytes")
        self.max_runs = max_runs
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._kept: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    def take(self, run: K) -> tuple[V, int] | None:
        """The run's kept replay and its charged size, removed from the cache; None if not kept."""
        with self._lock:
            entry = self._kept.pop(run, None)
            if entry is not None:
                self._bytes -= entry[1]
            return entry

    def keep(self, run: K, replay: V, size: int) -> None:
        """Keep ``replay`` charged ``size`` bytes as the most recently decided, evicting as needed."""
        with self._lock:
            old = self._kept.pop(run, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes or self.max_runs == 0:
                return  # would evict everything else and still not fit
            self._kept[run] = (replay, size)
            self._bytes += size
            while len(self._kept) > self.max_runs or self._bytes > self.max_bytes:
                _, (_, evicted) = self._kept.popitem(last=False)
                self._bytes -= evicted

    def discard(self, run: K, replay: V) -> None:
        """Drop the run's kept replay if it is still ``replay`` (not one kept since by a later
        task of the run, decided by another thread)."""
        with self._lock:
            entry = self._kept.get(run)
            if entry is not None and entry[0] is replay:
                del self._kept[run]
                self._bytes -= entry[1]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, run: object) -> bool:
        return run in self._kept

    @property
    def bytes(self) -> int:
        """The estimated size of the replays kept now."""
        return self._bytes
