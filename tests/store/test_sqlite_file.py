"""The SQLite store's file: private whatever the umask, never through a symbolic link,
migrated from the previous schema when opened, and refused with the fix (never a
traceback) when it is newer, damaged or read-only."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import TODAY
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import DATABASE_FILE, StoreError, open_store
from xrntx_guide.store.schema import MIGRATIONS, VERSION
from xrntx_guide.visit.facts import facts_of
from xrntx_guide.visit.session import new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_is_private_even_under_umask_000(tmp_path: Path, umask_000: None) -> None:
    data = tmp_path / "deep" / "data"
    store = open_store(None, data)
    store.close()
    assert mode(data) == 0o700 and mode(tmp_path / "deep") == 0o700
    assert mode(data / DATABASE_FILE) == 0o600
    for extra in data.iterdir():  # the WAL files take the database's permissions
        assert mode(extra) & 0o077 == 0, extra


def test_a_symbolic_link_in_place_of_the_store_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    target = tmp_path / "elsewhere.db"
    (data / DATABASE_FILE).symlink_to(target)
    with pytest.raises(StoreError, match="symbolic link") as refused:
        open_store(None, data)
    assert refused.value.exit_code == ExitCode.USAGE
    assert not target.exists(), "nothing was written through the link"


def _v1_database(
    path: Path, record_json: str, record_id: str, updated: str = "2026-11-01T09:00:00.000000+00:00"
) -> None:
    """A store as the first schema wrote it, built by hand (not by the code under test)."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (1);
        CREATE TABLE visits (
          id TEXT PRIMARY KEY, label TEXT NOT NULL, label_key TEXT NOT NULL,
          guide_id TEXT NOT NULL, guide_version TEXT NOT NULL, visit_date TEXT,
          status TEXT NOT NULL, phase TEXT, next_dose_due TEXT,
          training INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL,
          updated TEXT NOT NULL, record TEXT NOT NULL);
        CREATE INDEX visits_label ON visits (label_key);
        """
    )
    db.execute(
        # its label key as the first label rule made it (separators kept)
        "INSERT INTO visits VALUES (?, 'OLD-1', 'old-1', 'xrntx', '1', NULL, 'in_progress', "
        "NULL, NULL, 0, 3, ?, ?)",
        (record_id, updated, record_json),
    )
    db.commit()
    db.close()


def test_a_store_of_the_previous_schema_is_migrated_on_open(tmp_path: Path, guide: Guide) -> None:
    assert VERSION == 7 and [n for n, _ in MIGRATIONS] == [1, 2, 3, 4, 5, 6, 7]
    record = new_session(guide, "OLD-1", NOW, TODAY)
    data = tmp_path / "data"
    data.mkdir()
    _v1_database(data / DATABASE_FILE, record.model_dump_json(), record.id)
    store = open_store(None, data)
    try:
        loaded, revision = store.load(record.id)
        assert loaded == record and revision == 3, "the visit survived the migration"
        row = store.by_id(record.id)
        assert row is not None and row.updated_by is None
        assert store.history_facts("OLD-1").facts == [facts_of(record)], "read whole"
        assert [r.id for r in store.find("old 1")] == [record.id], "its key made again"
        assert store.save(loaded, revision, "dr-a") == 4
        assert store.by_id(record.id).updated_by == "dr-a"  # type: ignore[union-attr]
    finally:
        store.close()
    db = sqlite3.connect(data / DATABASE_FILE)
    assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == VERSION
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"visits_label", "visits_date"} <= indexes


def test_a_visit_stored_before_the_save_time_was_kept_lists_below_every_visit_saved_since(
    tmp_path: Path, guide: Guide
) -> None:
    """An old row's own time is its clock's (here a scenario dated a year ahead): the
    store does not know when it was saved, so every visit this version saves lists above
    it, and a bare resume takes the new one; saved again, it is the latest."""
    old = new_session(guide, "OLD-1", NOW, TODAY)
    data = tmp_path / "data"
    data.mkdir()
    ahead = "2027-11-01T09:00:00.000000+00:00"
    _v1_database(data / DATABASE_FILE, old.model_dump_json(), old.id, updated=ahead)
    store = open_store(None, data)
    try:
        new = new_session(guide, "NEW-1", NOW, TODAY)
        store.create(new, "dr-a")
        assert [r.id for r in store.rows()] == [new.id, old.id]
        loaded, revision = store.load(old.id)
        store.save(loaded, revision, "dr-a")
        assert [r.id for r in store.rows()] == [old.id, new.id]
    finally:
        store.close()


def test_a_newer_schema_is_refused_with_exit_3_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_store(None, data).close()
    db = sqlite3.connect(data / DATABASE_FILE)
    db.execute("UPDATE schema_version SET version = ?", (VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer xrntx-guide") as refused:
        open_store(None, data)
    assert refused.value.exit_code == ExitCode.INVALID_PACK
    db = sqlite3.connect(data / DATABASE_FILE)
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == VERSION + 1


def test_a_damaged_store_says_so_with_the_fix(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / DATABASE_FILE).write_bytes(b"not a database " * 100)
    with pytest.raises(StoreError, match="damaged") as refused:
        open_store(None, data)
    assert refused.value.exit_code == ExitCode.INVALID_PACK
    assert refused.value.hint and "backup" in refused.value.hint


def test_a_damaged_record_names_the_visit(tmp_path: Path, guide: Guide) -> None:
    store = open_store(None, tmp_path / "data")
    record = new_session(guide, "PAT", NOW, TODAY)
    store.create(record, "dr-a")
    store.close()
    db = sqlite3.connect(tmp_path / "data" / DATABASE_FILE)
    broken = json.loads(record.model_dump_json()) | {"status": 12, "surprise": 1}
    db.execute("UPDATE visits SET record = ?", (json.dumps(broken),))
    db.commit()
    db.close()
    store = open_store(None, tmp_path / "data")
    found = store.history("pat")
    assert found.records == [] and len(found.unreadable) == 1
    assert record.id in found.unreadable[0][0]
    store.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_store_says_so_with_the_fix(tmp_path: Path, guide: Guide) -> None:
    data = tmp_path / "data"
    store = open_store(None, data)
    store.create(new_session(guide, "PAT", NOW, TODAY), "dr-a")
    store.close()
    for p in data.iterdir():
        p.chmod(0o400)
    data.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"read-only|cannot") as refused:
            store = open_store(None, data)
            store.create(new_session(guide, "PAT2", NOW, TODAY), "dr-a")
        assert refused.value.exit_code in (ExitCode.USAGE, ExitCode.INVALID_PACK)
    finally:
        data.chmod(0o700)
