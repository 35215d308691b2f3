"""A reference (an id or a label) names one visit: no visit's label is another visit's
id, so a visit's id always reaches it, and never another patient's record. A new label
that is a stored visit's id is refused; a new visit never draws an id that is a stored
label; an imported record that would make either true is refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, store_record, stored_ids, stored_record
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Store
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.session import new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def _new(run: Run, label: str) -> str:
    result = run("walk", "--no-input", "--json", "--label", label, "-a", "age=34")
    return str(json.loads(result.stdout)["session"])


def test_a_label_that_is_another_visits_id_is_refused(run: Run) -> None:
    visit = _new(run, "ALICE")
    result = run("walk", "--no-input", "--label", visit, "-a", "age=40")
    assert result.exit_code == 2 and "id of" in result.stderr and visit in result.stderr
    assert stored_ids() == [visit], "no visit was made"
    note = run("note", visit)
    assert note.exit_code == 0 and "ALICE" in note.stdout


def test_a_new_visit_never_draws_an_id_that_is_a_stored_label(store: Store, guide: Guide) -> None:
    stored = new_session(guide, "abcd1234", NOW, TODAY)
    store.create(stored, "dr-a")
    record = new_session(guide, "BOB", NOW, TODAY)
    record.id = "abcd1234"
    Saver(store, "dr-b", record.id).save(record)
    assert record.id != "abcd1234"
    assert [r.id for r in store.find("abcd1234")] == [stored.id]


def test_an_imported_record_whose_label_is_a_stored_id_is_refused(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    alice = store_record(new_session(guide, "ALICE", NOW, TODAY))
    hostile = new_session(guide, alice, NOW, TODAY)
    path = tmp_path / "hostile.json"
    path.write_text(hostile.model_dump_json())
    result = run("sessions", "import", str(path))
    assert result.exit_code == 2 and alice in result.stderr
    assert stored_ids() == [alice]
    assert run("note", alice).exit_code == 0


@pytest.mark.parametrize(
    "command",
    [("note",), ("card",), ("walk", "--resume", "--no-input", "--session"), ("sessions", "import")],
)
def test_a_file_whose_id_is_stored_for_another_patient_never_reaches_that_record(
    run: Run, guide: Guide, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A record file given to a command whose id is stored under another patient's label
    (a copy edited by hand, a file from another clinic) is refused naming both labels:
    the command never goes on with the stored patient's record in its place."""
    alice = store_record(new_session(guide, "ALICE", NOW, TODAY))
    other = new_session(guide, "BOB", NOW, TODAY)
    other.id = alice
    path = tmp_path / "bob.json"
    path.write_text(other.model_dump_json())
    result = run(*command, str(path))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "ALICE" in result.stderr and "BOB" in result.stderr
    assert "ALICE" not in result.stdout
    assert stored_record(alice).label == "ALICE"


@pytest.mark.parametrize("command", [("note",), ("walk", "--resume", "--no-input", "--session")])
def test_a_label_that_is_also_a_files_path_is_ambiguous(
    run: Run, guide: Guide, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A label may hold '/' and '.json': when it is also the path of a record file, the
    reference names two visits and is refused, never read as the file (nor the label)."""
    path = tmp_path / "pat.json"
    labelled = store_record(new_session(guide, str(path), NOW, TODAY))
    path.write_text(new_session(guide, "BOB", NOW, TODAY).model_dump_json())
    result = run(*command, str(path))
    assert result.exit_code == 2 and "ambiguous" in result.stderr, result.stderr
    assert "BOB" not in result.stdout
    assert stored_ids() == [labelled], "nothing imported"


def test_an_old_folder_with_one_id_under_two_labels_imports_the_rest(
    run: Run, guide: Guide, _isolated_home: Path
) -> None:
    """An earlier version's folder holding one id under two patients' labels (a copy
    renamed by hand): the second is named as not imported, every other file is, and the
    commands go on."""
    folder = _isolated_home / "sessions"
    folder.mkdir(parents=True)
    first = new_session(guide, "ALICE", NOW, TODAY)
    copy = first.model_copy(update={"label": "BOB"})
    other = new_session(guide, "CAROL", NOW, TODAY)
    for name, record in (("a.json", first), ("b.json", copy), ("c.json", other)):
        (folder / name).write_text(record.model_dump_json())
    listed = run("sessions")
    assert listed.exit_code == 0, listed.stderr
    assert "not imported" in listed.stderr and "b.json" in listed.stderr
    assert sorted(stored_ids()) == sorted([first.id, other.id])


@pytest.mark.parametrize("command", [("note",), ("card",)])
def test_a_file_only_viewed_is_never_stored(
    run: Run, guide: Guide, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A record file given to a command that only shows it (another clinic's export, a
    colleague's copy) is read and checked, never stored: viewing it adds no visit, and so
    no dose, to this store's patient of the same label."""
    alice = store_record(new_session(guide, "ALICE", NOW, TODAY))
    other = new_session(guide, "BOB", NOW, TODAY)
    path = tmp_path / "bob.json"
    path.write_text(other.model_dump_json())
    result = run(*command, str(path))
    assert "not stored" in result.stderr, result.stderr
    assert stored_ids() == [alice]
    assert run("sessions", "import", str(path)).exit_code == 0
    assert sorted(stored_ids()) == sorted([alice, other.id])
