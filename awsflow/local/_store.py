"""Where awsflow.local keeps its state: a journal of the commands that changed it.

The engine is deterministic — the same commands with the same seed rebuild the same state —
so durability is a write-ahead journal: every state-changing command is appended, in its own
SQLite transaction, before its response is sent; on start the journal is replayed. WAL mode
with ``synchronous=NORMAL`` survives a killed process (kill -9): a committed transaction is in
the WAL file; only an operating-system crash or power loss could lose the last commits, and
``synchronous="FULL"`` closes that gap at the cost of an fsync per command.

The store is shared by many threads but only ever used under the service's lock, so one
connection with ``check_same_thread=False`` is safe.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from typing import Any, Protocol

SCHEMA_VERSION = 1


class StoreError(Exception):
    """The store file cannot be used (not a database, another schema version)."""


class Store(Protocol):
    """Journal of state-changing commands."""

    seed: str

    def entries(self) -> Iterator[tuple[str, dict[str, Any], float]]:
        """The journal in append order: ``(operation, request, now)``."""
        ...

    def append(self, operation: str, request: dict[str, Any], now: float) -> None:
        """Record a command; durable when this returns."""
        ...

    def close(self) -> None: ...


class MemoryStore:
    """Nothing persisted: state lives as long as the process."""

    def __init__(self) -> None:
        self.seed = secrets.token_hex(16)

    def entries(self) -> Iterator[tuple[str, dict[str, Any], float]]:
        return iter(())

    def append(self, operation: str, request: dict[str, Any], now: float) -> None:
        return None

    def close(self) -> None:
        return None


class SqliteStore:
    """The journal in an SQLite file (created on first use).

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
            db.execute(
                "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, operation TEXT NOT NULL,"
                " request TEXT NOT NULL, now REAL NOT NULL)"
            )
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                meta = {
                    "schema_version": str(SCHEMA_VERSION),
                    "seed": secrets.token_hex(16),
                    "created": str(time.time()),
                }
                db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.path} has schema version {meta.get('schema_version')}; this awsflow.local "
                f"reads version {SCHEMA_VERSION}. Use a new --db file."
            )
        seed: str = meta["seed"]
        return seed

    def entries(self) -> Iterator[tuple[str, dict[str, Any], float]]:
        cursor = self._db.execute("SELECT operation, request, now FROM journal ORDER BY seq")
        for operation, request, now in cursor:
            yield operation, json.loads(request), now

    def append(self, operation: str, request: dict[str, Any], now: float) -> None:
        # Autocommit mode: the single INSERT is its own transaction, committed on return.
        self._db.execute(
            "INSERT INTO journal (operation, request, now) VALUES (?, ?, ?)",
            (operation, json.dumps(request, separators=(",", ":")), now),
        )

    def close(self) -> None:
        self._db.close()
