"""Two processes that make the SQLite store at the same moment (two first walks on a new
workstation) take turns, as writers do: SQLite can refuse the write-ahead-log mode at
once ("database is locked") without waiting, and the second process then failed after a
second with "the store is locked by another program" (2 of 60 pairs of first walks).
The change is now tried again until the store's busy timeout."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from xrntx_guide.store import sqlite as sqlite_store


class Refusing:
    """A connection whose write-ahead-log change is refused ``times`` times first."""

    def __init__(self, times: int, message: str = "database is locked") -> None:
        self.times, self.message, self.tried = times, message, 0

    def execute(self, sql: str) -> Any:
        assert sql == "PRAGMA journal_mode = WAL"
        self.tried += 1
        if self.tried <= self.times:
            raise sqlite3.OperationalError(self.message)
        return None


def test_a_locked_store_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    db = Refusing(3)
    sqlite_store._in_wal_mode(db)  # type: ignore[arg-type]
    assert db.tried == 4, "tried again until it was free"


def test_another_error_is_said_at_once() -> None:
    db = Refusing(1, "disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        sqlite_store._in_wal_mode(db)  # type: ignore[arg-type]
    assert db.tried == 1


def test_a_store_locked_past_the_busy_timeout_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 50)
    db = Refusing(10**9)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        sqlite_store._in_wal_mode(db)  # type: ignore[arg-type]
    assert db.tried > 1
