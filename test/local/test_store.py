"""The SQLite journal: round trip, reopening, schema checks (no HTTP; the crash test covers kill -9)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from awsflow.local._store import MemoryStore, SqliteStore, StoreError


def test_entries_come_back_in_order_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    store = SqliteStore(path)
    seed = store.seed
    for n in range(5):
        store.append("Op", {"n": n, "nested": {"x": [1, "two"]}}, 1000.0 + n)
    store.close()
    reopened = SqliteStore(path)
    assert reopened.seed == seed
    assert [(e.operation, e.request, e.now) for e in reopened.journal()] == [
        ("Op", {"n": n, "nested": {"x": [1, "two"]}}, 1000.0 + n) for n in range(5)
    ]
    reopened.close()


def test_the_journal_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_each_store_has_its_own_seed(tmp_path: Path) -> None:
    assert SqliteStore(tmp_path / "a").seed != SqliteStore(tmp_path / "b").seed
    assert MemoryStore().seed != MemoryStore().seed
    assert list(MemoryStore().journal()) == []
    assert MemoryStore(seed="fixed").seed == "fixed"


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"not a usable awsflow\.local database"):
        SqliteStore(path)


def test_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 999"):
        SqliteStore(path)


def test_synchronous_level_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        SqliteStore(tmp_path / "j", synchronous="OFF")
