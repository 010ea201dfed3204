"""Rebuilding the engine from the store: its snapshot, then the commands journaled since.

The service does this when it starts, and again whenever a command fails half-way (see
``awsflow.local._service``): the rebuilt engine is, by construction, the state a restart would
see, so a failed command leaves no trace.

A journaled command that cannot be re-applied — only possible with a journal written by an
older awsflow.local, whose engine accepted something this one refuses or trips over — is
logged at ERROR with its position, set aside (kept in the store with the reason, not deleted)
and skipped; the service then starts. Refusing to start instead would make the whole database
unusable over one command, and a developer's local service is more useful running with one
command missing, loudly reported, than not running. A skipped command that had already changed
the state before failing is undone by starting the replay over without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._store import JournalEntry, SetAside, Store
from .engine import Engine, Reply, SwfFault

logger = logging.getLogger(__name__)

# Journal entries that are not SWF operations: the service clock reached ``now`` and fired
# the deadlines due (all of them, or ``{"limit": n}`` of them); or it discarded the first due
# deadline because firing it raised.
TICK = "Tick"
DROP_DEADLINE = "AwsflowLocal.DropDeadline"


@dataclass(frozen=True, slots=True)
class Recovered:
    """A rebuilt engine, how many journaled commands it re-applied, and which it could not."""

    engine: Engine
    replayed: int
    set_aside: list[SetAside]


def apply(engine: Engine, operation: str, request: dict[str, Any], now: float) -> Reply:
    """Run one journal entry against ``engine``: an SWF operation or one of the entries above."""
    if operation == TICK:
        return engine.advance(now, limit=request.get("limit"))
    if operation == DROP_DEADLINE:
        engine.drop_due_deadline(now)
        return Reply(None, True, frozenset())
    return engine.handle(operation, request, now)


def recover(store: Store, engine_options: Mapping[str, Any]) -> Recovered:
    """Load the store's snapshot into a new engine and replay its journal (policy: module doc).

    Raises:
        ValueError: the snapshot was written in a format this engine does not read.
    """
    failed: dict[int, SetAside] = {}
    while True:
        snapshot = store.snapshot()
        if snapshot is not None:
            engine = Engine.from_snapshot(snapshot, **engine_options)
        else:
            engine = Engine(seed=store.seed, **engine_options)
        replayed = 0
        undo = False
        for entry in store.journal():
            if entry.seq in failed:
                continue
            before = engine.mutations
            try:
                apply(engine, entry.operation, entry.request, entry.now)
            except SwfFault as fault:
                failed[entry.seq] = _set_aside(entry, f"{fault.code}: {fault.message}")
                undo = engine.mutations != before
            except Exception as err:  # broad on purpose: whatever the command trips over, it is set aside
                logger.debug("replaying journal entry %d failed", entry.seq, exc_info=True)
                failed[entry.seq] = _set_aside(entry, f"{type(err).__name__}: {err}")
                undo = True
            else:
                replayed += 1
                continue
            if undo:
                break  # it changed the state before failing: start over without it
        else:
            return Recovered(engine, replayed, list(failed.values()))


def _set_aside(entry: JournalEntry, error: str) -> SetAside:
    logger.error(
        "journaled command #%d (%s at %.3f) cannot be re-applied and is skipped: %s",
        entry.seq,
        entry.operation,
        entry.now,
        error,
    )
    return SetAside(entry, error)
