"""Where awsflow.local keeps its state: a snapshot plus the commands journaled since.

The engine is deterministic — the same commands from the same state rebuild the same state —
so durability is a write-ahead journal: every state-changing command is appended, in its own
SQLite transaction, before its response is sent. From time to time the service writes a
snapshot of the engine's whole state and, in the same transaction, empties the journal
(compaction), so the store holds the state once plus a bounded tail of commands rather than
every command ever run. On start the snapshot is loaded and the tail replayed.

Why a snapshot plus a journal rather than tables of the state kept up to date: a command
touches many parts of the state (a decision task's answer can close one run, start another and
signal a third), and mapping every change onto rows is a second implementation of the engine
that must agree with the first. The journal needs nothing beyond the engine's determinism, a
snapshot is one generic dump of it, and the same pair also serves the service as its undo log
(it rebuilds the engine from them when a command fails half-way).

WAL mode with ``synchronous=NORMAL`` survives a killed process (kill -9): a committed
transaction is in the WAL file; only an operating-system crash or power loss could lose the
last commits, and ``synchronous="FULL"`` closes that gap at the cost of an fsync per command.

The store is shared by many threads but only ever used under the service's lock, so one
connection with ``check_same_thread=False`` is safe.
"""

from __future__ import annotations

import json
import marshal
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

SCHEMA_VERSION = 2
# Version 1 held only the journal; it opens as version 2 with an empty snapshot.
_UPGRADABLE = ("1",)

Json = dict[str, Any]


class StoreError(Exception):
    """The store file cannot be used (not a database, another schema version)."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journaled command: ``seq`` orders the journal, ``now`` is the service clock's time."""

    seq: int
    operation: str
    request: Json
    now: float


@dataclass(frozen=True, slots=True)
class SetAside:
    """A journaled command a restart could not re-apply, kept aside with the reason."""

    entry: JournalEntry
    error: str


@dataclass(frozen=True, slots=True)
class StoreSize:
    """How much a restart would read: the journal's entries and size, the snapshot's size and runs."""

    journal_entries: int
    journal_bytes: int
    snapshot_bytes: int
    snapshot_executions: int


class Store(Protocol):
    """A snapshot of the engine's state and the journal of commands applied since."""

    seed: str

    def snapshot(self) -> Json | None:
        """The last snapshot written, or None before the first."""
        ...

    def journal(self) -> Iterator[JournalEntry]:
        """The commands journaled since the snapshot, in order."""
        ...

    def append(self, operation: str, request: Json, now: float) -> int:
        """Record a command; durable when this returns. Returns the bytes it took."""
        ...

    def save_snapshot(self, snapshot: Json, set_aside: Sequence[SetAside] = ()) -> int:
        """Replace the snapshot and empty the journal, atomically. Returns the snapshot's bytes.

        ``set_aside`` are journal entries the snapshot does not reflect because they could
        not be applied; they are kept apart (for a human to look at), not dropped.
        """
        ...

    def size(self) -> StoreSize: ...

    def close(self) -> None: ...


_compact_json = json.JSONEncoder(separators=(",", ":")).encode  # made once, not per command


def _dumps(value: Any) -> str:
    text: str = _compact_json(value)
    return text


class MemoryStore:
    """Nothing persisted: state lives as long as the process.

    It still keeps a snapshot and the journal since (both serialised, so nothing is shared with
    the live state), because the service rebuilds its engine from them when a command fails
    half-way. Compaction bounds both, as on disk. They never leave the process, so they are
    kept with ``marshal`` rather than as JSON text: about four times faster to write for the
    same data (the snapshot of 1,200 hello-world runs: 80-120 ms as JSON, 20-27 ms with
    marshal), and for JSON-shaped data (what snapshots and requests are: no tuples, string
    keys) a round trip gives back exactly what a JSON one does. Sizes are marshal's bytes.

    Args:
        seed: the id seed (random by default); tests pass one to compare two services.
    """

    def __init__(self, seed: str | None = None) -> None:
        self.seed = seed if seed is not None else secrets.token_hex(16)
        self._snapshot: bytes | None = None
        self._snapshot_executions = 0
        self._journal: list[tuple[int, str, bytes, float]] = []
        self._next_seq = 1
        self._set_aside: list[SetAside] = []

    def snapshot(self) -> Json | None:
        if self._snapshot is None:
            return None
        loaded: Json = marshal.loads(self._snapshot)
        return loaded

    def journal(self) -> Iterator[JournalEntry]:
        for seq, operation, request, now in list(self._journal):
            yield JournalEntry(seq, operation, marshal.loads(request), now)

    def append(self, operation: str, request: Json, now: float) -> int:
        data = marshal.dumps(request)
        self._journal.append((self._next_seq, operation, data, now))
        self._next_seq += 1
        return len(data)

    def save_snapshot(self, snapshot: Json, set_aside: Sequence[SetAside] = ()) -> int:
        self._snapshot = marshal.dumps(snapshot)
        self._snapshot_executions = len(snapshot["executions"])
        self._journal.clear()
        self._set_aside.extend(set_aside)
        return len(self._snapshot)

    def set_aside(self) -> list[SetAside]:
        """Commands a rebuild could not re-apply (see :meth:`Store.save_snapshot`)."""
        return list(self._set_aside)

    def size(self) -> StoreSize:
        return StoreSize(
            len(self._journal),
            sum(len(request) for _, _, request, _ in self._journal),
            len(self._snapshot or b""),
            self._snapshot_executions,
        )

    def close(self) -> None:
        return None


class SqliteStore:
    """The snapshot and the journal in an SQLite file (created on first use).

    Tables: ``journal`` (the commands since the snapshot), ``snapshot`` (part 0 is the
    region's state without its executions, then one row per execution, so no single value
    grows with the number of runs), ``set_aside`` (commands a restart could not re-apply, with
    the reason) and ``meta``.

    Args:
        path: the database file.
        synchronous: SQLite's ``synchronous`` level: "NORMAL" (survives process crashes) or
            "FULL" (also survives power loss).
    """

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "NORMAL") -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self.path = os.fspath(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            # Free pages go back to the file system after a compaction (new files only: SQLite
            # fixes this setting when the first table is created).
            self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self.seed = self._open_schema()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path} is not a usable awsflow.local database: {err}") from err

    def _open_schema(self) -> str:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            version = meta.get("schema_version")
            if version is not None and version != str(SCHEMA_VERSION) and version not in _UPGRADABLE:
                raise StoreError(
                    f"{self.path} has schema version {version}; this awsflow.local reads version "
                    f"{SCHEMA_VERSION}. Use a new --db file."
                )
            db.execute(
                "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, operation TEXT NOT NULL,"
                " request TEXT NOT NULL, now REAL NOT NULL)"
            )
            db.execute("CREATE TABLE IF NOT EXISTS snapshot (part INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS set_aside (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " operation TEXT NOT NULL, request TEXT NOT NULL, now REAL NOT NULL,"
                " error TEXT NOT NULL, set_aside_at REAL NOT NULL)"
            )
            if not meta:
                meta = {"seed": secrets.token_hex(16), "created": str(time.time())}
                db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        seed: str = meta["seed"]
        return seed

    def snapshot(self) -> Json | None:
        rows = self._db.execute("SELECT body FROM snapshot ORDER BY part")
        first = rows.fetchone()
        if first is None:
            return None
        snapshot: Json = json.loads(first[0])
        snapshot["executions"] = [json.loads(body) for (body,) in rows]
        return snapshot

    def journal(self) -> Iterator[JournalEntry]:
        cursor = self._db.execute("SELECT seq, operation, request, now FROM journal ORDER BY seq")
        for seq, operation, request, now in cursor:
            yield JournalEntry(seq, operation, json.loads(request), now)

    def append(self, operation: str, request: Json, now: float) -> int:
        text = _dumps(request)
        # Autocommit mode: the single INSERT is its own transaction, committed on return.
        self._db.execute(
            "INSERT INTO journal (operation, request, now) VALUES (?, ?, ?)", (operation, text, now)
        )
        return len(text)

    def save_snapshot(self, snapshot: Json, set_aside: Sequence[SetAside] = ()) -> int:
        head = _dumps({key: value for key, value in snapshot.items() if key != "executions"})
        bodies = [head, *(_dumps(ex) for ex in snapshot["executions"])]
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM snapshot")
            db.executemany("INSERT INTO snapshot (part, body) VALUES (?, ?)", enumerate(bodies))
            db.execute("DELETE FROM journal")
            db.executemany(
                "INSERT INTO set_aside (operation, request, now, error, set_aside_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (s.entry.operation, _dumps(s.entry.request), s.entry.now, s.error, time.time())
                    for s in set_aside
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        # executescript steps the pragma to completion (execute would free one page only).
        db.executescript("PRAGMA incremental_vacuum;")
        return sum(len(body) for body in bodies)

    def set_aside(self) -> list[SetAside]:
        """Commands a restart could not re-apply (see :meth:`Store.save_snapshot`)."""
        rows = self._db.execute("SELECT id, operation, request, now, error FROM set_aside ORDER BY id")
        return [
            SetAside(JournalEntry(row_id, operation, json.loads(request), now), error)
            for row_id, operation, request, now, error in rows
        ]

    def size(self) -> StoreSize:
        entries, journal_bytes = self._db.execute(
            "SELECT count(*), coalesce(sum(length(request)), 0) FROM journal"
        ).fetchone()
        snapshot_bytes, parts = self._db.execute(
            "SELECT coalesce(sum(length(body)), 0), count(*) FROM snapshot"
        ).fetchone()
        return StoreSize(entries, journal_bytes, snapshot_bytes, max(parts - 1, 0))

    def close(self) -> None:
        self._db.close()
