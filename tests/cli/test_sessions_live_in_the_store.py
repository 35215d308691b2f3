"""Every command reads and writes sessions through the store: an earlier version's files
are imported once and left in place, a JSON record moves in and out by export and
import, a reference is an id or a label (a file given to --session is imported, saying
so), no label appears in a file name, and a store the program cannot use is a clear
error with its exit code, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, only_session, store_record, stored_ids, stored_record
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import DATABASE_FILE
from xrntx_guide.store.schema import VERSION
from xrntx_guide.visit.session import new_session


def _new(run: Run, label: str, *args: str) -> str:
    result = run("walk", "--no-input", "--json", "--label", label, "-a", "age=34", *args)
    return str(json.loads(result.stdout)["session"])


def test_old_session_files_are_imported_once_and_left_in_place(
    run: Run, guide: Guide, _isolated_home: Path
) -> None:
    folder = _isolated_home / "sessions"
    folder.mkdir(parents=True)
    record = new_session(guide, "OLD-1", dt.datetime.now().astimezone(), TODAY)
    old = folder / f"OLD-1-{record.id}.json"
    old.write_text(record.model_dump_json())
    first = run("sessions")
    assert "imported 1 session file(s)" in first.stderr and "left in place" in first.stderr
    assert "OLD-1" in first.stdout and old.exists()
    again = run("sessions")
    assert "imported" not in again.stderr, "said once"
    assert stored_ids() == [record.id]


def test_export_and_import_move_one_visit(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = _new(run, "PAT-1")
    out = tmp_path / "out" / "visit.json"
    assert run("sessions", "export", visit, "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text())["answers"]["age"]["value"] == 34
    assert out.stat().st_mode & 0o077 == 0
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(tmp_path / "other"))
    imported = run("sessions", "import", str(out))
    assert imported.exit_code == 0 and visit in imported.stdout + imported.stderr
    assert stored_record(visit).answers["age"].value == 34


def test_an_invalid_record_is_not_imported(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "id": "x"}')
    result = run("sessions", "import", str(bad))
    assert result.exit_code == 2 and "not a valid session" in result.stderr
    assert stored_ids() == []


def test_a_file_given_to_session_is_imported_saying_so(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = _new(run, "PAT-1")
    out = tmp_path / "visit.json"
    run("sessions", "export", visit, "-o", str(out))
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(tmp_path / "other"))
    resumed = run("walk", "--resume", "--session", str(out), "--no-input", "-a", "consent=yes")
    assert "imported into the store" in resumed.stdout + resumed.stderr
    record = stored_record(visit)
    assert record.answers["age"].value == 34 and record.answers["consent"].value is True


def test_a_new_walk_never_takes_a_session_path(run: Run, tmp_path: Path) -> None:
    result = run("walk", "--no-input", "--session", str(tmp_path / "a.json"), "-a", "age=3")
    assert result.exit_code == 2 and "--resume" in result.stderr
    assert stored_ids() == []


def test_a_label_never_shadows_another_patients_session(run: Run, guide: Guide) -> None:
    """A label equal to another visit's id (refused for a new walk and an import; a store
    an earlier version wrote may hold one) refuses rather than picking one."""
    first = _new(run, "PAT-A")
    store_record(new_session(guide, first, dt.datetime.now(dt.UTC), TODAY))
    result = run("sessions", "--delete", first, "--yes")
    assert result.exit_code == 2 and "ambiguous" in result.stderr
    assert len(stored_ids()) == 2, "nothing deleted"


def test_no_label_appears_in_a_file_name(run: Run, _isolated_home: Path) -> None:
    _new(run, "SECRET-LABEL-77")
    names = [p.name for p in _isolated_home.rglob("*")]
    assert names and not any("SECRET" in n.upper() for n in names), names


def test_clinician_is_recorded_per_change(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XRNTX_GUIDE_CLINICIAN", "dr-env")
    visit = _new(run, "PAT-1")
    run("walk", "--resume", "--session", visit, "--no-input", "--clinician", "dr-flag",
        "-a", "consent=yes")  # fmt: skip
    events = stored_record(visit).events
    answered = [e for e in events if e.kind in ("answer", "change")]
    assert {e.by for e in answered if e.key == "age"} == {"dr-env"}
    assert {e.by for e in answered if e.key == "consent"} == {"dr-flag"}
    listed = json.loads(run("sessions", "--json").stdout)
    assert listed[0]["updated_by"] == "dr-flag"


def test_check_without_a_label_never_opens_the_store(run: Run, _isolated_home: Path) -> None:
    run("check", "--json", "-a", "age=34")
    assert not (_isolated_home / DATABASE_FILE).exists()


def test_a_store_of_a_newer_schema_is_exit_3_with_the_fix(run: Run, _isolated_home: Path) -> None:
    only = _new(run, "PAT-1")
    assert only_session() == only
    db = sqlite3.connect(_isolated_home / DATABASE_FILE)
    db.execute("UPDATE schema_version SET version = ?", (VERSION + 1,))
    db.commit()
    db.close()
    result = run("sessions")
    assert result.exit_code == 3 and "newer xrntx-guide" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_damaged_store_is_exit_3_with_the_fix(run: Run, _isolated_home: Path) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / DATABASE_FILE).write_bytes(b"garbage" * 1000)
    result = run("walk", "--no-input", "--label", "P", "-a", "age=34")
    assert result.exit_code == 3 and "damaged" in result.stderr and "backup" in result.stderr


def test_the_note_names_who_recorded_the_visit(run: Run) -> None:
    visit = _new(run, "PAT-1", "--clinician", "dr-one")
    run("walk", "--resume", "--session", visit, "--no-input", "--clinician", "dr-two",
        "-a", "consent=yes")  # fmt: skip
    note = run("note", visit)
    assert "Recorded by: dr-one, dr-two" in note.stdout, note.output
    data = json.loads(run("note", visit, "--format", "json").stdout)
    assert data["recorded_by"] == ["dr-one", "dr-two"]
